import numpy as np
import pytest

from skcv.filters import convolve, gaussian_derivative_kernel, image_gradients


def test_ramp_gradients():
    y, x = np.mgrid[0:32, 0:32].astype(np.float64)
    gx, gy, mag, ori = image_gradients(0.02 * x - 0.01 * y, sigma=1.5)
    inner = (slice(8, -8), slice(8, -8))
    np.testing.assert_allclose(gx[inner], 0.02, atol=1e-12)
    np.testing.assert_allclose(gy[inner], -0.01, atol=1e-12)
    np.testing.assert_allclose(mag[inner], np.hypot(0.02, 0.01), atol=1e-12)
    np.testing.assert_allclose(ori[inner], np.arctan2(-0.01, 0.02), atol=1e-9)


def test_matches_2d_derivative_kernels():
    rng = np.random.default_rng(0)
    image = rng.random((30, 25)).astype(np.float32)
    gx, gy, mag, ori = image_gradients(image, sigma=1.2, mode="mirror")
    assert gx.dtype == np.float32
    ref_x = convolve(image, gaussian_derivative_kernel(1.2, axis=1), mode="mirror")
    ref_y = convolve(image, gaussian_derivative_kernel(1.2, axis=0), mode="mirror")
    np.testing.assert_allclose(gx, ref_x, atol=1e-6)
    np.testing.assert_allclose(gy, ref_y, atol=1e-6)
    np.testing.assert_allclose(mag, np.hypot(gx, gy), rtol=1e-5)


def test_step_edge_orientation_and_transpose():
    image = np.zeros((20, 20))
    image[:, 10:] = 1.0
    gx, gy, mag, ori = image_gradients(image, sigma=1.0)
    row = mag[10]
    assert row.argmax() in (9, 10)
    assert ori[10, 10] == pytest.approx(0.0, abs=1e-12)
    gxt, gyt, _, _ = image_gradients(image.T, sigma=1.0)
    np.testing.assert_allclose(gxt, gy.T, atol=1e-12)
    np.testing.assert_allclose(gyt, gx.T, atol=1e-12)


def test_colour_per_channel_and_errors():
    rng = np.random.default_rng(1)
    image = rng.random((10, 12, 3))
    gx = image_gradients(image, 1.0)[0]
    np.testing.assert_allclose(gx[..., 1], image_gradients(image[..., 1], 1.0)[0])
    with pytest.raises(ValueError, match="sigma must be a positive"):
        image_gradients(image, 0.0)
    with pytest.raises(ValueError, match="mode must be one of"):
        image_gradients(image, 1.0, mode="valid")
