"""How the docs gallery runs the examples (used by ``conf.py``).

Every example runs as a user runs it, except the few listed in ``QUICK``: the gallery
passes them ``--quick`` (a smaller problem, said on the example's page) so that the
whole executed gallery builds within CI's budget on two cores.
"""

from pathlib import Path

from skcv.plot._save import GALLERY_ENV

__all__ = ["GALLERY_ENV", "QUICK", "reset_argv"]

QUICK = frozenset()


def reset_argv(gallery_conf, script_vars):
    """Command-line arguments for one example (sphinx-gallery's ``reset_argv``)."""
    return ["--quick"] if Path(script_vars["src_file"]).stem in QUICK else []
