"""Build the documentation, executed gallery included: ``python docs/build.py``.

The pages in ``docs/`` are copied into ``<build-dir>/src`` (default
``docs/_build/src``) and Sphinx builds from there with the configuration in ``docs/``,
so everything a build generates (``api.rst``, ``user_guide.rst``, ``generated/``,
``auto_examples/``, ``sg_execution_times.rst``) stays under the build folder and
``git status`` stays clean. Every example in ``examples/`` is run (sphinx-gallery
keeps the results under ``src/auto_examples`` and reruns only the examples that
changed). Warnings are errors. The site is ``<build-dir>/html/index.html``.

Usage::

    python docs/build.py [--build-dir DIR] [extra sphinx-build options]

for instance ``python docs/build.py -D plot_gallery=0`` to skip running the examples
(the user-guide figures come from the gallery, so that build warns and fails).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SUFFIXES = (".md", ".rst")
ASSET_DIRS = ("images",)


def stage_sources(src: Path) -> None:
    """Copy the pages (and their images) of ``docs/`` into ``src``."""
    src.mkdir(parents=True, exist_ok=True)
    for old in src.iterdir():  # pages deleted or renamed in docs/ disappear here too
        if old.is_file() and old.suffix in SUFFIXES:
            old.unlink()
    for page in DOCS.iterdir():
        if page.is_file() and page.suffix in SUFFIXES:
            shutil.copy2(page, src / page.name)
    for name in ASSET_DIRS:
        if (DOCS / name).is_dir():
            shutil.copytree(DOCS / name, src / name, dirs_exist_ok=True)


def sphinx_command(build_dir: Path, extra=()) -> list[str]:
    """The ``sphinx-build`` command line for a build under ``build_dir``."""
    return [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-c",
        str(DOCS),
        "-d",
        str(build_dir / "doctrees"),
        *extra,
        str(build_dir / "src"),
        str(build_dir / "html"),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=DOCS / "_build",
        help="folder for the staged sources, doctrees and html (default docs/_build)",
    )
    args, extra = parser.parse_known_args(argv)
    build_dir = args.build_dir.resolve()
    stage_sources(build_dir / "src")
    cmd = sphinx_command(build_dir, extra)
    print("+", " ".join(cmd), flush=True)
    code = subprocess.call(cmd)
    if code == 0:
        print(f"built {build_dir / 'html' / 'index.html'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
