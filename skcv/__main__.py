"""Run ``python -m skcv`` (same as the ``skcv`` console script)."""

from skcv._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
