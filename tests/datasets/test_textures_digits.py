import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skcv.datasets import load_digits_images, load_textures


def test_load_textures_grid():
    bunch = load_textures()
    assert bunch.data.shape == (3 * 64, 64, 64) and bunch.data.dtype == np.uint8
    assert bunch.target_names == ["brick", "grass", "gravel"]
    np.testing.assert_array_equal(np.bincount(bunch.target), [64, 64, 64])
    from skimage import data

    r, c = bunch.positions[70]
    np.testing.assert_array_equal(bunch.data[70], data.grass()[r : r + 64, c : c + 64])
    # Non-overlapping cells: distinct corners on a patch_size grid per texture.
    for label in range(3):
        pos = bunch.positions[bunch.target == label]
        assert len({tuple(p) for p in pos}) == len(pos)
        assert np.all(pos % 64 == 0)


def test_load_textures_sampling_is_seeded():
    X1, y1 = load_textures(patch_size=32, n_patches=10, random_state=0, return_X_y=True)
    X2, _ = load_textures(patch_size=32, n_patches=10, random_state=0, return_X_y=True)
    X3, _ = load_textures(patch_size=32, n_patches=10, random_state=1, return_X_y=True)
    assert X1.shape == (30, 32, 32)
    np.testing.assert_array_equal(X1, X2)
    assert not np.array_equal(X1, X3)


def test_load_textures_errors():
    with pytest.raises(ValueError, match="n_patches must be <= 64"):
        load_textures(patch_size=64, n_patches=65)
    with pytest.raises(ValueError, match="patch_size"):
        load_textures(patch_size=2)


@pytest.mark.slow
def test_load_textures_needs_no_network():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise RuntimeError('network access')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from skcv.datasets import load_textures\n"
        "print(load_textures().data.shape)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "(192, 64, 64)" in proc.stdout


def test_load_digits_images():
    bunch = load_digits_images()
    digits = load_digits()
    assert bunch.data.shape == (1797, 8, 8)
    np.testing.assert_allclose(bunch.data.reshape(1797, -1) * 16, digits.data)
    np.testing.assert_array_equal(bunch.target, digits.target)
    X, y = load_digits_images(return_X_y=True)
    assert X.max() == 1.0 and X.min() == 0.0 and len(y) == 1797
