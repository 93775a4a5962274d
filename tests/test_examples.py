"""Every example runs as a user runs it: no arguments, bundled data, figures saved.

Each example is run in a fresh temporary directory; it must save at least one PNG
there (``plot_<name>.png`` or ``plot_<name>_<k>.png``) and print each path. A second
run of one example checks ``--output-dir``.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))


def _run(path, cwd, *args):
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.pop("SKCV_DATA", None)  # examples use bundled data unless told otherwise
    env.pop("SKCV_DOCS_GALLERY", None)  # run as a user, not as the docs gallery
    # pytest-xdist runs examples side by side: one thread each, not one per core
    # each (oversubscribed OpenMP threads in torch spin and slow down many-fold).
    env.setdefault("OMP_NUM_THREADS", "1")
    proc = subprocess.run(
        [sys.executable, str(path), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _saved(stdout):
    return re.findall(r"^saved (.+\.png)$", stdout, flags=re.M)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_saves_its_figures(path, tmp_path):
    proc = _run(path, tmp_path)
    printed = _saved(proc.stdout)
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written, f"{path.name} saved no PNG; stdout:\n{proc.stdout[-2000:]}"
    assert sorted(Path(p).name for p in printed) == written
    pattern = rf"{re.escape(path.stem)}(_\d+)?\.png"
    assert all(re.fullmatch(pattern, name) for name in written), written
    for name in written:
        assert (tmp_path / name).stat().st_size > 1000


@pytest.mark.slow
def test_example_output_dir(tmp_path):
    path = ROOT / "examples" / "plot_losses_hinge_softmax.py"
    proc = _run(path, tmp_path, "--output-dir", "figures")
    assert _saved(proc.stdout) == [str(Path("figures") / f"{path.stem}.png")]
    assert (tmp_path / "figures" / f"{path.stem}.png").is_file()
    assert not list(tmp_path.glob("*.png"))


def test_examples_save_through_one_helper_and_never_show():
    for path in EXAMPLES:
        source = path.read_text()
        assert "plt.show()" not in source, path.name
        assert f'save_example_figures("{path.stem}")' in source, path.name


def test_there_are_examples():
    assert len(EXAMPLES) >= 10
