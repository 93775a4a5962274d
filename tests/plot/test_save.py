"""The private helper the examples end with: saves open figures, prints paths."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from skcv.plot._save import GALLERY_ENV, save_example_figures


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch):
    monkeypatch.delenv(GALLERY_ENV, raising=False)
    plt.close("all")
    yield
    plt.close("all")


def test_one_figure_one_file(tmp_path, capsys):
    plt.subplots()
    paths = save_example_figures("plot_a", tmp_path / "out", argv=[])
    assert paths == [tmp_path / "out" / "plot_a.png"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out == f"saved {paths[0]}\n"
    assert plt.get_fignums(), "figures stay open for sphinx-gallery's scraper"


def test_several_figures_are_numbered_and_output_dir_read_from_argv(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    plt.subplots()
    plt.subplots()
    argv = ["--data-home", "x", "--output-dir", "d"]
    paths = save_example_figures("plot_b", argv=argv)
    assert [str(p) for p in paths] == ["d/plot_b_1.png", "d/plot_b_2.png"]
    assert all((tmp_path / p).is_file() for p in paths)
    assert capsys.readouterr().out.splitlines() == [f"saved {p}" for p in paths]


def test_default_is_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plt.subplots()
    paths = save_example_figures("plot_c", argv=[])
    assert [str(p) for p in paths] == ["plot_c.png"]
    assert (tmp_path / "plot_c.png").is_file()


def test_gallery_mode_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(GALLERY_ENV, "1")
    monkeypatch.chdir(tmp_path)
    plt.subplots()
    assert save_example_figures("plot_d", argv=[]) == []
    assert not list(tmp_path.iterdir())
    assert capsys.readouterr().out == ""


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="name must be a non-empty file name"):
        save_example_figures("a/b", tmp_path)
    with pytest.raises(RuntimeError, match="no open figure"):
        save_example_figures("plot_e", tmp_path)
