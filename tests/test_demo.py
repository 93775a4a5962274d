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
    assert "best parameters: {'clf__C'" in out
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


def test_lbp_histograms_sum_to_one():
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(3, 16 * 16), dtype=np.uint8)
    h = textures.lbp_histograms(X, patch_shape=(16, 16), radius=2)
    assert h.shape == (3, 18)
    np.testing.assert_allclose(h.sum(axis=1), 1.0)
