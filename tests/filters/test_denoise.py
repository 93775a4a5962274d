import math

import numpy as np
import pytest
from scipy import ndimage as ndi
from skimage import data
from skimage.metrics import peak_signal_noise_ratio

from skcv.filters import (
    Denoiser,
    add_gaussian_noise,
    add_impulse_noise,
    add_salt_and_pepper,
    gaussian_filter,
    mean_filter,
    median_filter,
)
from skcv.metrics import psnr

CAMERA = data.camera()[::4, ::4].astype(np.float64) / 255.0  # 128 x 128


def test_gaussian_noise_statistics_and_seed():
    image = np.full((200, 200), 0.5)
    noisy = add_gaussian_noise(image, 0.05, random_state=0)
    assert noisy.std() == pytest.approx(0.05, rel=0.05)
    assert abs(noisy.mean() - 0.5) < 0.005
    np.testing.assert_array_equal(
        noisy, add_gaussian_noise(image, 0.05, random_state=0)
    )
    assert not np.array_equal(noisy, add_gaussian_noise(image, 0.05, random_state=1))
    clipped = add_gaussian_noise(np.ones((50, 50)), 0.5, random_state=0)
    assert clipped.max() <= 1.0 and clipped.min() >= 0.0
    f32 = add_gaussian_noise(image.astype(np.float32), 0.1, random_state=0)
    assert f32.dtype == np.float32


def test_salt_and_pepper_counts():
    image = np.full((40, 50), 0.5)
    noisy = add_salt_and_pepper(image, 0.1, salt_vs_pepper=0.3, random_state=0)
    n = 40 * 50 * 0.1
    assert (noisy == 1).sum() == round(0.3 * n)
    assert (noisy == 0).sum() == n - round(0.3 * n)
    assert (noisy == 0.5).sum() == 40 * 50 - n
    colour = add_salt_and_pepper(np.full((10, 10, 3), 0.5), 0.2, random_state=0)
    changed = (colour != 0.5).any(axis=2)
    assert changed.sum() == 20 and ((colour != 0.5).all(axis=2) == changed).all()
    impulse = add_impulse_noise(image, 0.05, random_state=0)
    assert (impulse == 1).sum() == 100 and (impulse == 0).sum() == 0


def test_noise_errors():
    with pytest.raises(ValueError, match="amount must be in"):
        add_salt_and_pepper(CAMERA, 1.5)
    with pytest.raises(ValueError, match="salt_vs_pepper must be in"):
        add_salt_and_pepper(CAMERA, 0.1, salt_vs_pepper=-0.1)
    with pytest.raises(TypeError, match="amount must be a real number"):
        add_impulse_noise(CAMERA, "0.1")
    with pytest.raises(ValueError, match="sigma must be a non-negative"):
        add_gaussian_noise(CAMERA, -0.1)


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_filters_match_scipy(mode):
    rng = np.random.default_rng(0)
    for image in (rng.random((20, 24)), rng.random((15, 13, 3))):
        axes3 = (3, 3) if image.ndim == 2 else (3, 3, 1)
        sig = (1.3, 1.3) if image.ndim == 2 else (1.3, 1.3, 0)
        trunc = math.ceil(3 * 1.3) / 1.3
        np.testing.assert_allclose(
            gaussian_filter(image, 1.3, mode=mode, cval=0.2),
            ndi.gaussian_filter(image, sig, mode=mode, cval=0.2, truncate=trunc),
            atol=1e-7,
        )
        np.testing.assert_allclose(
            mean_filter(image, 3, mode=mode, cval=0.2),
            ndi.uniform_filter(image, axes3, mode=mode, cval=0.2),
            atol=1e-7,
        )
        np.testing.assert_allclose(
            median_filter(image, 3, mode=mode, cval=0.2),
            ndi.median_filter(image, axes3, mode=mode, cval=0.2),
        )


def test_median_beats_gaussian_on_salt_and_pepper():
    noisy = add_salt_and_pepper(CAMERA, 0.1, random_state=0)
    by_median = psnr(CAMERA, median_filter(noisy, 3))
    by_gaussian = psnr(CAMERA, gaussian_filter(noisy, 1.0))
    assert by_median > by_gaussian + 1.5
    assert by_median > psnr(CAMERA, noisy)


def test_gaussian_beats_median_on_gaussian_noise():
    noisy = add_gaussian_noise(CAMERA, 0.1, random_state=0)
    by_median = psnr(CAMERA, median_filter(noisy, 3))
    by_gaussian = psnr(CAMERA, gaussian_filter(noisy, 1.0))
    assert by_gaussian > by_median
    assert by_gaussian > psnr(CAMERA, noisy) + 1.5


def test_psnr_values():
    a = np.zeros((8, 8))
    assert psnr(a, a + 0.1) == pytest.approx(20.0)
    assert psnr(a, a) == float("inf")
    u8 = (CAMERA * 255).astype(np.uint8)
    noisy = np.clip(u8.astype(int) + 9, 0, 255).astype(np.uint8)
    assert psnr(u8, noisy) == pytest.approx(
        peak_signal_noise_ratio(u8, noisy), rel=1e-6
    )
    with pytest.raises(ValueError, match="same shape"):
        psnr(a, np.zeros((4, 4)))
    with pytest.raises(ValueError, match="data_range must be a positive"):
        psnr(a, a + 0.1, data_range=0)


def test_denoiser_matches_functions():
    rng = np.random.default_rng(0)
    X = rng.random((3, 12, 10)).astype(np.float32)
    for method, func, kw in [
        ("gaussian", gaussian_filter, {"sigma": 0.8}),
        ("mean", mean_filter, {"size": 5}),
        ("median", median_filter, {"size": 3}),
    ]:
        out = Denoiser(method=method, mode="mirror", **kw).fit_transform(X)
        assert out.shape == (3, 120) and out.dtype == np.float32
        for i in range(3):
            np.testing.assert_allclose(
                out[i], func(X[i], *kw.values(), mode="mirror").ravel(), atol=1e-6
            )
    colour = rng.random((2, 6, 5, 3))
    den = Denoiser().fit(colour)
    assert den.transform(colour).shape == (2, 90)
    names = den.get_feature_names_out()
    assert len(names) == 90 and names[0] == "denoiser0"
    rows = Denoiser(image_shape=(6, 5, 3)).fit_transform(colour.reshape(2, -1))
    np.testing.assert_allclose(rows, den.transform(colour))
    with pytest.raises(ValueError, match="fitted on images of shape"):
        den.transform(rng.random((2, 7, 5, 3)))


def test_denoiser_bad_params():
    X = np.zeros((2, 5, 5))
    with pytest.raises(ValueError, match="method"):
        Denoiser(method="bilateral").fit(X)
    with pytest.raises(ValueError, match="sigma"):
        Denoiser(sigma=0).fit(X)
    with pytest.raises(ValueError, match="mode"):
        Denoiser(mode="bogus").fit(X)


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_median_network_with_ties_and_other_sizes(mode):
    rng = np.random.default_rng(3)
    for shape in [(1, 1), (1, 6), (2, 3), (31, 17), (9, 8, 3)]:
        image = rng.integers(0, 4, size=shape) / 3.0  # many ties
        fp = (3, 3) if image.ndim == 2 else (3, 3, 1)
        np.testing.assert_array_equal(
            median_filter(image, 3, mode=mode, cval=0.5),
            ndi.median_filter(image, fp, mode=mode, cval=0.5),
        )
        fp5 = (5, 5) if image.ndim == 2 else (5, 5, 1)
        np.testing.assert_array_equal(
            median_filter(image, 5, mode=mode, cval=0.5),
            ndi.median_filter(image, fp5, mode=mode, cval=0.5),
        )
