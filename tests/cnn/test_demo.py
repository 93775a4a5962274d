import pickle

import numpy as np
import pytest

pytest.importorskip("torch")

from skcv._cli import main  # noqa: E402


def _write_fake_cifar(root, n=24):
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]
    for name in names:
        batch = {
            b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
            b"labels": [int(v) for v in np.arange(n) % 10],
        }
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [b"c%d" % i for i in range(10)]}, f, protocol=2)


@pytest.mark.slow
def test_cifar10_demo_runs_and_saves_a_cpu_model(tmp_path, capsys):
    _write_fake_cifar(tmp_path)
    out = tmp_path / "model.pkl"
    status = main(
        [
            "demo",
            "cifar10",
            "--data-home",
            str(tmp_path),
            "--epochs",
            "1",
            "--n-train",
            "64",
            "--device",
            "cpu",
            "--save",
            str(out),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and "device: cpu" in printed
    assert "on 64 CIFAR-10 images for 1 epochs on cpu" in printed
    assert "Expected: about" in printed
    with open(out, "rb") as f:
        clf = pickle.load(f)
    assert clf.predict(np.zeros((2, 32, 32, 3), dtype=np.uint8)).shape == (2,)


def test_cifar10_demo_is_discovered(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "cifar10", "--help"])
    assert "--data-home" in capsys.readouterr().out
