"""skcv fit / predict / evaluate on a folder of real image files (subprocess)."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

pytest.importorskip("skops")

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "skcv", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _write_folder(root, n_per_class=8, seed=0):
    """Two texture classes as PNG/JPEG files of mixed sizes, grey, RGB and RGBA."""
    rng = np.random.default_rng(seed)
    sources = {"brick": data.brick(), "grass": data.grass()}
    files = {}
    for name, texture in sources.items():
        folder = root / name
        folder.mkdir(parents=True)
        files[name] = []
        for i in range(n_per_class):
            size = int(rng.integers(48, 96))
            r, c = rng.integers(0, texture.shape[0] - size, size=2)
            crop = texture[r : r + size, c : c + size]
            if i % 3 == 1:
                crop = np.stack([crop] * 3, axis=-1)  # RGB
            elif i % 3 == 2:
                alpha = np.full(crop.shape, 255, dtype=np.uint8)
                crop = np.stack([crop, crop, crop, alpha], axis=-1)  # RGBA
            ext = ".jpg" if (i % 2 and crop.ndim == 2) else ".png"
            path = folder / f"{name}_{i}{ext}"
            Image.fromarray(crop).save(path, quality=95)
            files[name].append(path)
    (root / ".DS_Store").write_bytes(b"\x00junk")  # hidden: ignored
    return files


@pytest.mark.slow
def test_fit_predict_evaluate_on_a_folder(tmp_path):
    train, test = tmp_path / "train", tmp_path / "test"
    _write_folder(train, seed=0)
    files = _write_folder(test, n_per_class=4, seed=1)
    fit = _run(
        "fit",
        str(train),
        "--model",
        "texture",
        "-o",
        "m.skops",
        "--cv",
        "3",
        "--quiet",
        cwd=tmp_path,
    )
    assert fit.returncode == 0, fit.stderr
    assert "16 images in 2 classes (brick, grass)" in fit.stdout
    assert f"ignored 1 hidden or non-image files ({train / '.DS_Store'})" in fit.stdout
    cv_line = [ln for ln in fit.stdout.splitlines() if "cross-validated" in ln][0]
    assert float(cv_line.split("accuracy: ")[1].split()[0]) >= 0.75
    assert (tmp_path / "m.skops").is_file()

    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    paths = [str(p) for p in files["brick"] + files["grass"]]
    pred = _run(
        "predict",
        "m.skops",
        *paths,
        str(bad),
        "--csv",
        "out.csv",
        "--quiet",
        cwd=tmp_path,
    )
    assert pred.returncode == 1  # one file could not be read
    assert "1 of 9 files could not be read" in pred.stderr
    with open(tmp_path / "out.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["file"] for r in rows] == [*paths, str(bad)]
    assert rows[-1]["label"] == "" and "broken.jpg" in rows[-1]["probability"]
    truth = ["brick"] * 4 + ["grass"] * 4
    correct = sum(r["label"] == t for r, t in zip(rows[:-1], truth, strict=True))
    assert correct >= 6
    assert all(0.0 < float(r["probability"]) <= 1.0 for r in rows[:-1])

    ev = _run(
        "evaluate", "m.skops", str(test), "--output", "cm.png", "--quiet", cwd=tmp_path
    )
    assert ev.returncode == 0, ev.stderr
    assert "8 images, accuracy" in ev.stdout and "brick" in ev.stdout
    assert (tmp_path / "cm.png").stat().st_size > 5_000


def test_fit_on_a_missing_folder_is_one_line(tmp_path):
    result = _run("fit", str(tmp_path / "nothing"), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"skcv: error: {tmp_path / 'nothing'} is not a folder"
    )


def test_fit_on_one_class_is_an_error(tmp_path):
    _write_folder(tmp_path / "data", n_per_class=2)
    for p in (tmp_path / "data" / "grass").iterdir():
        p.unlink()
    (tmp_path / "data" / "grass").rmdir()
    result = _run("fit", str(tmp_path / "data"), cwd=tmp_path)
    assert result.returncode == 2
    assert "has one class folder; a classifier needs two" in result.stderr
    assert "Traceback" not in result.stderr


def test_predict_refuses_an_untrusted_model_file(tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    # a model whose file names a function outside skcv/sklearn/numpy/scipy
    sio.dump(FunctionTransformer(func=os.system), tmp_path / "evil.skops")
    (tmp_path / "x.png").write_bytes(b"")
    result = _run("predict", "evil.skops", "x.png", cwd=tmp_path)
    assert result.returncode == 2
    assert "holds types that are not trusted" in result.stderr
    assert "system" in result.stderr and "Traceback" not in result.stderr


def test_predict_missing_model_file(tmp_path):
    result = _run("predict", "none.skops", "x.png", cwd=tmp_path)
    assert result.returncode == 2
    assert "model file none.skops does not exist" in result.stderr


@pytest.mark.parametrize("model", ["texture", "cnn"])
def test_fit_with_a_corrupt_image_is_one_line(tmp_path, model):
    if model == "cnn":
        pytest.importorskip("torch")
    _write_folder(tmp_path / "train", n_per_class=3)
    (tmp_path / "train" / "brick" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 no")
    args = ["fit", "train", "--model", model, "--cv", "0", "--epochs", "1"]
    result = _run(*args, "--quiet", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("skcv: error: cannot read image")
    assert "broken.jpg" in result.stderr and "Remove or replace" in result.stderr
    assert not (tmp_path / "model.skops").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["fit", "DIR", "--image-size", "0"],  # was silently the default 128
        ["fit", "DIR", "--epochs", "0"],  # was a traceback
        ["fit", "DIR", "--batch-size", "-1"],
        ["fit", "DIR", "--cv", "-3"],  # was "too few images per class"
        ["predict", "m.skops", "DIR", "--batch-size", "0"],  # ZeroDivisionError
        ["evaluate", "m.skops", "DIR", "--batch-size", "x"],
    ],
)
def test_bad_numbers_are_usage_errors(tmp_path, args):
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert re.search(r"argument --[a-z-]+: expected an integer", result.stderr)
