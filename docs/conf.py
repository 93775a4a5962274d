"""Sphinx configuration for skcv.

Build (warnings are errors; examples are shown but not executed)::

    python -m sphinx -W -b html docs docs/_build/html

Execute the gallery examples too (minutes)::

    python -m sphinx -W -b html -D plot_gallery=1 docs docs/_build/html
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # the skcv of this checkout, installed or not
sys.path.insert(0, str(DOCS))

import _apigen  # noqa: E402

import skcv  # noqa: E402

_apigen.write_sources()

project = "skcv"
author = "skcv developers"
copyright = "skcv developers, BSD-3-Clause"
version = release = skcv.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "**.ipynb_checkpoints",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.codeobj.json",
    "README.md",
]

# API reference: autosummary writes one page per public name (docs/generated/).
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc shows the types from the docstrings
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Markdown pages (the user guide) through MyST.
myst_enable_extensions = ["amsmath", "colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

# Gallery: examples/ rendered without running them by default (fast mode). Run them
# with `-D plot_gallery=1` or SKCV_DOCS_RUN_EXAMPLES=1.
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": os.environ.get("SKCV_DOCS_RUN_EXAMPLES", "0") == "1",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

html_theme = "alabaster"
html_title = f"skcv {release}"
html_static_path = []
