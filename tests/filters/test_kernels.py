import math

import numpy as np
import pytest
from scipy import ndimage as ndi
from scipy.signal import convolve2d

from skcv.filters import (
    box_kernel,
    convolve,
    gaussian_derivative_kernel,
    gaussian_filter,
    gaussian_kernel,
    identity_kernel,
    laplacian_of_gaussian,
    sharpen_kernel,
    shift_kernel,
)


@pytest.mark.parametrize("sigma", [0.3, 0.5, 1.0, 1.5, 2.0, 3.7])
def test_gaussian_size_rule_and_sum(sigma):
    k = gaussian_kernel(sigma)
    size = 2 * math.ceil(3 * sigma) + 1
    assert k.shape == (size, size)
    assert k.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(k, k.T)
    np.testing.assert_allclose(k, k[::-1, ::-1])
    assert np.unravel_index(k.argmax(), k.shape) == (size // 2, size // 2)
    g = gaussian_kernel(sigma, ndim=1)
    np.testing.assert_allclose(np.outer(g, g), k)


def test_gaussian_explicit_size():
    assert gaussian_kernel(1.0, size=5).shape == (5, 5)
    assert gaussian_kernel(1.0, size=5).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("sigma", [1.0, 2.0])
def test_gaussian_composition_is_gaussian_sqrt2(sigma):
    # Gaussian (*) Gaussian == Gaussian with sigma * sqrt(2).
    k = gaussian_kernel(sigma)
    both = convolve2d(k, k, mode="full")
    expected = gaussian_kernel(sigma * math.sqrt(2), size=both.shape[0])
    assert np.abs(both - expected).max() < 1e-3
    # The same property through the image filters.
    rng = np.random.default_rng(0)
    image = rng.random((40, 40))
    twice = gaussian_filter(
        gaussian_filter(image, sigma, mode="wrap"), sigma, mode="wrap"
    )
    once = gaussian_filter(image, sigma * math.sqrt(2), mode="wrap")
    assert np.abs(twice - once).max() < 1e-3


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("sigma", [0.7, 1.0, 2.5])
def test_derivative_kernels_sum_to_zero(order, axis, sigma):
    k = gaussian_derivative_kernel(sigma, order=order, axis=axis)
    assert abs(k.sum()) < 1e-12
    assert k.shape == gaussian_kernel(sigma).shape


def test_derivative_kernel_units_and_axis():
    y, x = np.mgrid[0:21, 0:21].astype(float)
    dx = gaussian_derivative_kernel(1.5, order=1, axis=1)
    dy = gaussian_derivative_kernel(1.5, order=1, axis=0)
    assert convolve(3 * x, dx)[10, 10] == pytest.approx(3.0)
    assert convolve(3 * x, dy)[10, 10] == pytest.approx(0.0, abs=1e-12)
    assert convolve(2 * y, dy)[10, 10] == pytest.approx(2.0)
    d2 = gaussian_derivative_kernel(1.5, order=2, axis=1)
    assert convolve(x**2 / 2, d2)[10, 10] == pytest.approx(1.0)
    # Symmetry: order 1 is antisymmetric, order 2 symmetric.
    np.testing.assert_allclose(dx, -dx[:, ::-1])
    np.testing.assert_allclose(d2, d2[:, ::-1])
    np.testing.assert_allclose(dy, dx.T)


def test_laplacian_of_gaussian():
    k = laplacian_of_gaussian(1.0)
    assert abs(k.sum()) < 1e-12
    assert k[3, 3] == k.min() < 0
    np.testing.assert_allclose(k, k.T)
    y, x = np.mgrid[0:21, 0:21].astype(float)
    # Laplacian of x^2 + y^2 is 4.
    assert convolve(x**2 + y**2, k)[10, 10] == pytest.approx(4.0)
    # Close to scipy's gaussian_laplace on an impulse (sampled vs continuous).
    impulse = np.zeros((21, 21))
    impulse[10, 10] = 1
    ref = ndi.gaussian_laplace(impulse, 2.0, truncate=3.0)[7:14, 7:14]
    mine = laplacian_of_gaussian(2.0)[3:10, 3:10]
    assert np.corrcoef(ref.ravel(), mine.ravel())[0, 1] > 0.999


def test_box_identity_sharpen():
    assert box_kernel(3).sum() == pytest.approx(1.0)
    assert box_kernel((2, 5)).shape == (2, 5)
    assert sharpen_kernel(1.5).sum() == pytest.approx(1.0)
    np.testing.assert_allclose(sharpen_kernel(0.0), identity_kernel(3))
    assert identity_kernel(5).sum() == 1 and identity_kernel(5)[2, 2] == 1
    rng = np.random.default_rng(1)
    image = rng.random((10, 12))
    flat = np.full((10, 12), 0.3)
    np.testing.assert_allclose(convolve(flat, sharpen_kernel(2.0)), flat)
    np.testing.assert_allclose(convolve(image, identity_kernel(3)), image)


def test_shift_kernels_move_one_pixel():
    rng = np.random.default_rng(2)
    image = rng.random((8, 9))
    right = convolve(image, shift_kernel(0, 1), mode="wrap")
    np.testing.assert_allclose(right, np.roll(image, 1, axis=1))
    down = convolve(image, shift_kernel(1, 0), mode="wrap")
    np.testing.assert_allclose(down, np.roll(image, 1, axis=0))
    up_left = convolve(image, shift_kernel(-2, -1), mode="wrap")
    np.testing.assert_allclose(up_left, np.roll(image, (-2, -1), axis=(0, 1)))


def test_kernel_errors():
    with pytest.raises(ValueError, match="sigma must be a positive"):
        gaussian_kernel(-1.0)
    with pytest.raises(TypeError, match="sigma must be a positive real"):
        gaussian_kernel("1")
    with pytest.raises(ValueError, match="ndim must be 1 or 2"):
        gaussian_kernel(1.0, ndim=3)
    with pytest.raises(ValueError, match="size must be a positive int"):
        gaussian_kernel(1.0, size=0)
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        gaussian_derivative_kernel(1.0, order=3)
    with pytest.raises(ValueError, match="axis must be 0"):
        gaussian_derivative_kernel(1.0, axis=2)
    with pytest.raises(ValueError, match="size must be a positive odd int"):
        identity_kernel(4)
    with pytest.raises(TypeError, match="dx must be an int"):
        shift_kernel(0, 1.5)
    with pytest.raises(ValueError, match="size must be an int or a pair"):
        box_kernel((1, 2, 3))
    with pytest.raises(TypeError, match="alpha must be a real number"):
        sharpen_kernel("a")
