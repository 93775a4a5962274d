import itertools

import numpy as np
import pytest
from scipy import ndimage as ndi

from skcv.filters import (
    BORDER_MODES,
    convolve,
    correlate,
    gaussian_kernel,
    identity_kernel,
)
from skcv.filters._convolve import correlate_axis, separable_correlate

MODES = sorted(BORDER_MODES)
RNG = np.random.default_rng(0)
IMAGE = RNG.random((23, 19))
COLOR = RNG.random((17, 14, 3))
KERNELS = {
    "3x3": RNG.normal(size=(3, 3)),
    "4x5": RNG.normal(size=(4, 5)),  # even height: scipy's anchoring
    "1x6": RNG.normal(size=(1, 6)),
    "rank1": np.outer(RNG.normal(size=5), RNG.normal(size=7)),
    "16x16": RNG.normal(size=(16, 16)),  # large: FFT in "auto"
    "31x9": RNG.normal(size=(31, 9)),  # taller than the image
}


def _scipy(func, image, kernel, mode, cval):
    scipy_mode = BORDER_MODES[mode][0]
    cval = 0.0 if mode == "zero" else cval
    if image.ndim == 3:
        kernel = kernel[:, :, None]
    return func(image, kernel, mode=scipy_mode, cval=cval)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel_name", sorted(KERNELS))
@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
@pytest.mark.parametrize("convolution", [False, True])
def test_every_mode_matches_scipy(mode, kernel_name, method, convolution):
    kernel = KERNELS[kernel_name]
    ours = convolve if convolution else correlate
    ref = ndi.convolve if convolution else ndi.correlate
    for image in (IMAGE, COLOR):
        got = ours(image, kernel, mode=mode, cval=0.37, method=method)
        expected = _scipy(ref, image, kernel, mode, 0.37)
        assert got.shape == image.shape
        np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("convolution", [False, True])
def test_separable_path_matches_scipy(mode, convolution):
    ours = convolve if convolution else correlate
    ref = ndi.convolve if convolution else ndi.correlate
    for shape in [(5, 7), (4, 6), (9, 3)]:
        u, v = RNG.normal(size=shape[0]), RNG.normal(size=shape[1])
        for image in (IMAGE, COLOR):
            expected = _scipy(ref, image, np.outer(u, v), mode, -0.2)
            by_pair = ours(image, (u, v), mode=mode, cval=-0.2)
            by_svd = ours(
                image, np.outer(u, v), mode=mode, cval=-0.2, method="separable"
            )
            np.testing.assert_allclose(by_pair, expected, atol=1e-6, rtol=0)
            np.testing.assert_allclose(by_svd, expected, atol=1e-6, rtol=0)


def test_separable_equals_full_2d():
    k = gaussian_kernel(1.5)
    a = convolve(IMAGE, k, method="separable")
    b = convolve(IMAGE, k, method="direct")
    c = convolve(IMAGE, k, method="fft")
    np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(c, b, atol=1e-12)


def test_fast_axis_passes_match_scipy():
    weights = [np.array([1.0, 2, 1]), np.array([-1.0, 0, 1]), RNG.normal(size=9)]
    shapes = [(50, 40), (9, 5), (30, 20, 3), (40, 50)]
    for mode in ["reflect", "constant", "nearest", "mirror", "wrap"]:
        for axis, shape, order, w, dtype in itertools.product(
            (0, 1), shapes, "CF", weights, (np.float32, np.float64)
        ):
            x = np.asarray(RNG.normal(size=shape).astype(dtype), order=order)
            got = correlate_axis(x, w, axis, mode, 0.7)
            ref = ndi.correlate1d(x, w, axis=axis, mode=mode, cval=0.7)
            assert got.dtype == dtype
            tol = 1e-5 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(got, ref, atol=tol, rtol=0)
    out = separable_correlate(IMAGE, np.ones(1), np.ones(1))
    assert out is not IMAGE and np.array_equal(out, IMAGE)


def test_linearity():
    k = KERNELS["4x5"]
    a, b = RNG.random((20, 20)), RNG.random((20, 20))
    for mode in ("zero", "reflect", "wrap"):
        lhs = convolve(2.0 * a - 3.0 * b, k, mode=mode)
        rhs = 2.0 * convolve(a, k, mode=mode) - 3.0 * convolve(b, k, mode=mode)
        np.testing.assert_allclose(lhs, rhs, atol=1e-12)


def test_shift_invariance():
    k = KERNELS["3x3"]
    image = RNG.random((16, 18))
    shifted = np.roll(image, (3, -2), axis=(0, 1))
    for method in ("direct", "fft"):
        out = convolve(shifted, k, mode="wrap", method=method)
        expected = np.roll(
            convolve(image, k, mode="wrap", method=method), (3, -2), (0, 1)
        )
        np.testing.assert_allclose(out, expected, atol=1e-12)


def test_identity_and_flip():
    np.testing.assert_allclose(convolve(IMAGE, identity_kernel(5)), IMAGE)
    np.testing.assert_allclose(convolve(COLOR, identity_kernel(3)), COLOR)
    k = KERNELS["3x3"]
    np.testing.assert_allclose(
        convolve(IMAGE, k, mode="zero"), correlate(IMAGE, k[::-1, ::-1], mode="zero")
    )
    # Commutativity of convolution (full support, zero padding).
    impulse = np.zeros((9, 9))
    impulse[4, 4] = 1.0
    np.testing.assert_allclose(convolve(impulse, k, mode="zero")[3:6, 3:6], k)


def test_multichannel_is_per_channel():
    k = KERNELS["4x5"]
    out = convolve(COLOR, k, mode="mirror")
    for c in range(3):
        np.testing.assert_allclose(
            out[..., c], convolve(COLOR[..., c], k, mode="mirror")
        )


def test_dtypes():
    f32 = IMAGE.astype(np.float32)
    for method in ("auto", "direct", "fft"):
        assert convolve(f32, KERNELS["16x16"], method=method).dtype == np.float32
    assert convolve(f32, (np.ones(3), np.ones(3))).dtype == np.float32
    u8 = (IMAGE * 255).astype(np.uint8)
    out = convolve(u8, identity_kernel(3))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, u8 / 255.0, atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="mode must be one of"):
        convolve(IMAGE, KERNELS["3x3"], mode="bogus")
    with pytest.raises(ValueError, match="method must be one of"):
        convolve(IMAGE, KERNELS["3x3"], method="gpu")
    with pytest.raises(ValueError, match="method='separable' needs a rank-1"):
        convolve(IMAGE, KERNELS["3x3"], method="separable")
    with pytest.raises(ValueError, match="kernel must be a 2-D array"):
        convolve(IMAGE, np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="kernel contains NaN"):
        convolve(IMAGE, np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="kernel is empty"):
        convolve(IMAGE, np.ones((0, 3)))
    with pytest.raises(TypeError, match="kernel must hold real numbers"):
        convolve(IMAGE, np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="cval must be a real number"):
        convolve(IMAGE, KERNELS["3x3"], mode="constant", cval="0")
    with pytest.raises(ValueError, match="image must have shape"):
        convolve(np.ones(5), KERNELS["3x3"])
    with pytest.raises(ValueError, match="NaN"):
        convolve(np.full((4, 4), np.nan), KERNELS["3x3"])
