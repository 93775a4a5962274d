"""The documentation: API reference coverage (cheap) and a full build (slow)."""

import importlib
import importlib.util
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import skcv

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _apigen():
    spec = importlib.util.spec_from_file_location("_skcv_apigen", DOCS / "_apigen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_all():
    """``{module: __all__}`` for every public skcv subpackage, found independently."""
    found = {}
    for info in pkgutil.iter_modules(skcv.__path__):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"skcv.{info.name}")
        except ImportError:  # optional dependency missing: documented as such
            continue
        found[module.__name__] = list(getattr(module, "__all__", []))
    return found


def _sections(source):
    """Split the API source into ``{module: section text}``."""
    parts = re.split(r"^:mod:`(skcv\.[\w.]+)`\n-+\n", source, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_api_reference_lists_every_public_name():
    sections = _sections(_apigen().api_rst())
    public = _public_all()
    assert "skcv.model_selection" in public
    missing = [
        f"{module}.{name}"
        for module, names in public.items()
        for name in names
        if not re.search(rf"^   {re.escape(name)}$", sections.get(module, ""), re.M)
    ]
    assert not missing, f"names missing from the API reference: {missing}"
    assert "CoarseToFineSearchCV" in sections["skcv.model_selection"]


def test_user_guide_follows_the_course_and_orphans_nothing():
    apigen = _apigen()
    pages = apigen.user_guide_pages()
    order = [p for _, group in apigen.USER_GUIDE for p in group]
    known = [p for p in pages if p in order]
    assert known == sorted(known, key=order.index)
    for page in ("overview", "model_selection", "scaling"):
        assert page in pages
    on_disk = {
        p.stem
        for p in DOCS.iterdir()
        if p.suffix in (".md", ".rst") and not p.stem.startswith("_")
    }
    assert on_disk - apigen.NOT_IN_GUIDE <= set(pages)
    toc = apigen.user_guide_rst()
    for page in pages:
        assert f"\n   {page}\n" in toc


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    for dependency in ("sphinx", "numpydoc", "sphinx_gallery", "myst_parser"):
        pytest.importorskip(dependency)
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    cmd += ["-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    html = (tmp_path / "html" / "api.html").read_text()
    assert "CoarseToFineSearchCV" in html
    assert (tmp_path / "html" / "scaling.html").exists()
