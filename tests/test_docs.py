"""The documentation: API reference coverage (cheap), the executed build (slow).

The slow tests share one build of the site (``python docs/build.py``, warnings are
errors, every example run by sphinx-gallery) in pytest's temporary folder (or in
``$SKCV_DOCS_BUILD_DIR``); with pytest-xdist the workers wait for one another on a
lock file, so the site is built once per test run.
"""

import fcntl
import hashlib
import html as html_lib
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skcv

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
BUILD_TIMEOUT = 1500  # seconds; the CI budget is 8 minutes on two cores


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


def _source_files():
    """Every file under docs/ (except docs/_build) and examples/, with its mtime."""
    found = {}
    for folder in (DOCS, ROOT / "examples"):
        for path in folder.rglob("*"):
            if path.is_file() and "_build" not in path.relative_to(ROOT).parts:
                if "__pycache__" not in path.parts:
                    found[str(path.relative_to(ROOT))] = path.stat().st_mtime_ns
    return found


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory):
    """``(html folder, result)`` of one executed docs build shared by all workers."""
    for dependency in ("sphinx", "numpydoc", "sphinx_gallery", "myst_parser"):
        pytest.importorskip(dependency)
    pytest.importorskip("torch")  # the CNN examples are part of the gallery
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    # SKCV_DOCS_BUILD_DIR=docs/_build reuses (and updates) a developer's build, whose
    # gallery reruns only the examples that changed.
    build = Path(os.environ.get("SKCV_DOCS_BUILD_DIR", root / "skcv-docs")).resolve()
    with open(root / "skcv-docs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result_file = root / "skcv-docs.json"
        if not result_file.exists():
            before = _source_files()
            env = dict(os.environ, MPLBACKEND="Agg")
            env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
            cmd = [sys.executable, str(DOCS / "build.py"), "--build-dir", str(build)]
            proc = subprocess.run(
                cmd, capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT
            )
            after = _source_files()
            changed = sorted(
                k for k in after.keys() | before.keys() if after.get(k) != before.get(k)
            )
            result = {
                "returncode": proc.returncode,
                "output": proc.stdout[-6000:] + proc.stderr[-6000:],
                "changed": changed,
            }
            result_file.write_text(json.dumps(result))
        result = json.loads(result_file.read_text())
    return build / "html", result


@pytest.mark.slow
def test_executed_gallery_builds_without_warnings(built_docs):
    html, result = built_docs
    assert result["returncode"] == 0, result["output"]
    # Everything generated stays in the build folder: docs/ and examples/ untouched.
    assert result["changed"] == [], result["changed"]
    assert "CoarseToFineSearchCV" in (html / "api.html").read_text()
    assert (html / "scaling.html").exists()


def _img_sources(page):
    return re.findall(r'<img [^>]*src="([^"]+)"', page.read_text())


def _is_a_drawing(path):
    from PIL import Image, ImageStat

    with Image.open(path) as image:
        stddev = ImageStat.Stat(image.convert("L")).stddev[0]
    return stddev > 5  # not one flat colour


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_page_shows_its_own_figure(built_docs, example):
    html, result = built_docs
    assert result["returncode"] == 0, result["output"]
    page = html / "auto_examples" / f"{example.stem}.html"
    own = [
        src
        for src in _img_sources(page)
        if re.search(rf"sphx_glr_{re.escape(example.stem)}_\d{{3}}\.png$", src)
    ]
    assert own, f"{page.name} has no <img> of its own figures"
    for src in own:
        assert _is_a_drawing(page.parent / src), src
    # What the example prints is on the page too.
    if "print(" in example.read_text():
        assert "sphx-glr-script-out" in page.read_text()


@pytest.mark.slow
def test_gallery_thumbnails_are_the_examples_own_and_distinct(built_docs):
    html, result = built_docs
    assert result["returncode"] == 0, result["output"]
    index = html / "auto_examples" / "index.html"
    thumbs = {}
    for src in _img_sources(index):
        match = re.search(r"sphx_glr_(plot_\w+)_thumb\.png$", src)
        if match:
            thumbs[match.group(1)] = (index.parent / src).read_bytes()
    assert sorted(thumbs) == [p.stem for p in EXAMPLES]
    digests = {hashlib.sha256(data).hexdigest() for data in thumbs.values()}
    assert len(digests) == len(EXAMPLES), "some examples share a thumbnail"


@pytest.mark.slow
def test_every_user_guide_page_opens_with_a_figure(built_docs):
    html, result = built_docs
    assert result["returncode"] == 0, result["output"]
    apigen = _apigen()
    for name in apigen.user_guide_pages():
        if name in apigen.NO_FIGURE:
            continue
        page = (html / f"{name}.html").read_text()
        sources = _img_sources(html / f"{name}.html")
        assert sources, f"{name}.html has no figure"
        assert _is_a_drawing(html / sources[0]), (name, sources[0])
        if "<h2" in page:  # the figure comes before the first section
            assert page.index("<img") < page.index("<h2"), name


CHROMIUM = next(
    (
        shutil.which(name)
        for name in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(name)
    ),
    None,
)
WIDTH = 1280
# Runs in the page after load: every image decoded? anything clipped or spilling?
PROBE = """<script>
window.addEventListener("load", () => {
  const images = [...document.images].map(
    (i) => [i.getAttribute("src"), i.complete, i.naturalWidth]);
  const problems = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.scrollWidth <= el.clientWidth + 1 || !el.textContent.trim()) continue;
    const overflow = getComputedStyle(el).overflowX;
    const tag = el.tagName.toLowerCase();
    if (overflow === "hidden" || overflow === "clip") problems.push(["clipped", tag]);
    if (overflow === "visible" && (tag === "pre" || tag === "table"))
      problems.push(["spills", tag]);
  }
  const page = document.documentElement.scrollWidth;
  document.body.setAttribute("data-probe", JSON.stringify({images, problems, page}));
});
</script>"""


def _chromium(profile, *args):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu"]
    cmd += [f"--user-data-dir={profile}"]
    cmd += [f"--window-size={WIDTH},1600", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (headless)")
@pytest.mark.parametrize(
    "page",
    ["index.html", "filters.html", "auto_examples/plot_filters_canny.html"],
)
def test_screenshot_shows_the_figure(built_docs, page, tmp_path):
    from PIL import Image, ImageStat

    html, result = built_docs
    assert result["returncode"] == 0, result["output"]
    path = html / page
    # In the browser: the images are decoded and no text is clipped at 1280 px.
    probe = path.with_name(path.stem + ".probe.html")
    probe.write_text(path.read_text().replace("</body>", PROBE + "</body>"))
    profile = tmp_path / "chromium-profile"  # one per test: xdist runs them at once
    proc = _chromium(
        profile, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()
    )
    match = re.search(r'data-probe="([^"]*)"', proc.stdout)
    assert match, proc.stderr[-2000:]
    state = json.loads(html_lib.unescape(match.group(1)))
    figures = [img for img in state["images"] if "sphx_glr_" in img[0]]
    assert figures, state["images"]
    assert all(complete and width > 0 for _, complete, width in figures), figures
    assert state["problems"] == [], state["problems"]
    assert state["page"] <= WIDTH, "the page scrolls sideways at 1280 px"
    # The screenshot: a page with a drawing on it, not a blank one.
    shot = html.parent / "screenshots" / (page.replace("/", "_") + ".png")
    shot.parent.mkdir(exist_ok=True)
    proc = _chromium(profile, f"--screenshot={shot}", path.as_uri())
    assert shot.is_file(), proc.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (WIDTH, 1600)
        grey = image.convert("L")
        assert ImageStat.Stat(grey).stddev[0] > 20
        # Many distinct grey levels: a rendered figure, not text on white only.
        assert len(grey.getcolors(256)) > 64
