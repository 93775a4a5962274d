"""Save the figures an example draws (private; used by ``examples/plot_*.py``).

Every example ends with ``save_example_figures("plot_<name>")``: run as a script, it
writes each open matplotlib figure as a PNG in the current directory (or in the folder
given by ``--output-dir DIR`` on the example's command line) and prints the path.

In the documentation's gallery (``docs/conf.py`` sets ``SKCV_DOCS_GALLERY=1``)
sphinx-gallery collects the figures itself after every code block, so nothing is
written there: the docs build never writes into the source tree. The figures are never
closed, so sphinx-gallery's scraper still finds them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

GALLERY_ENV = "SKCV_DOCS_GALLERY"


def _output_dir_from_argv(argv) -> str:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--output-dir", default=".")
    return parser.parse_known_args(argv)[0].output_dir


def save_example_figures(name, output_dir=None, *, dpi=90, argv=None):
    """Save every open figure as ``<name>.png`` (or ``<name>_<k>.png``); print paths.

    Parameters
    ----------
    name : str
        Base file name without suffix, usually the example's name (``plot_x``).
    output_dir : str or path-like, default=None
        Folder for the files (created if needed). ``None`` reads ``--output-dir DIR``
        from ``argv`` and falls back to the current directory.
    dpi : int, default=90
        Resolution of the PNG files.
    argv : list of str, default=None
        Command-line arguments to read ``--output-dir`` from; ``None`` means
        ``sys.argv[1:]``.

    Returns
    -------
    paths : list of pathlib.Path
        The files written, one per open figure in figure-number order; empty in the
        documentation's gallery, where sphinx-gallery saves the figures itself.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skcv.plot._save import save_example_figures
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> folder = tempfile.mkdtemp()
    >>> paths = save_example_figures("plot_demo", folder, argv=[])  # doctest: +ELLIPSIS
    saved ...plot_demo.png
    >>> [p.name for p in paths]
    ['plot_demo.png']
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    if not isinstance(name, str) or not name or Path(name).name != name:
        raise ValueError(f"name must be a non-empty file name; got {name!r}.")
    if os.environ.get(GALLERY_ENV) == "1":
        return []
    if output_dir is None:
        output_dir = _output_dir_from_argv(sys.argv[1:] if argv is None else argv)
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = plt.get_fignums()
    if not numbers:
        raise RuntimeError(f"{name}: there is no open figure to save.")
    paths = []
    for k, number in enumerate(numbers, start=1):
        suffix = "" if len(numbers) == 1 else f"_{k}"
        path = folder / f"{name}{suffix}.png"
        plt.figure(number).savefig(path, dpi=dpi)
        print(f"saved {path}")
        paths.append(path)
    return paths
