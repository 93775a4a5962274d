import argparse

import pytest

from skcv._demos import textures


def _args(argv):
    parser = argparse.ArgumentParser()
    textures.add_arguments(parser)
    return parser.parse_args(argv)


@pytest.mark.slow
def test_texture_demo_quick(tmp_path, capsys):
    output = tmp_path / "demo.png"
    assert textures.run(_args(["--quick", "--output", str(output)])) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("CV accuracy: ")[1].split()[0])
    assert accuracy >= 0.9
    assert "best parameters: {'clf__C'" in out and "features__bank" in out
    assert "precision" in out and "gravel" in out
    assert output.stat().st_size > 10_000


def test_texture_demo_through_cli(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(textures, "run", lambda args: calls.append(args) or 0)
    from skcv._cli import main

    assert main(["demo"]) == 0
    assert calls[0].output == textures.DEFAULT_OUTPUT and not calls[0].quick
    assert main(["demo", "textures", "--quick", "--no-plot"]) == 0
    assert calls[1].quick and calls[1].no_plot


def test_default_demo_takes_options(monkeypatch):
    calls = []
    monkeypatch.setattr(textures, "run", lambda args: calls.append(args) or 0)
    from skcv._cli import main

    assert main(["demo", "--quick", "--output", "x.png"]) == 0
    assert calls[0].quick and calls[0].output == "x.png"
