"""Filter banks follow their published definitions; FFT responses equal scipy."""

import numpy as np
import pytest
from scipy import ndimage
from skimage import data, transform
from skimage.filters import gabor_kernel

from skcv.feature import (
    FilterBankExtractor,
    filter_responses,
    gabor_bank,
    leung_malik_bank,
    max_response_8,
    rfs_bank,
    schmid_bank,
)
from skcv.feature._filter_banks import SCHMID_PARAMETERS, _spectra_for

BANKS = {
    "lm": (leung_malik_bank, 48),
    "schmid": (schmid_bank, 13),
    "rfs": (rfs_bank, 38),
    "gabor": (lambda **kw: gabor_bank(**kw), 48),
}


def _second_moment(profile, coords):
    profile = np.abs(profile)
    return float((profile * coords**2).sum() / profile.sum())


# ---------------------------------------------------------------- counts, norms
@pytest.mark.parametrize("name", list(BANKS))
def test_counts_zero_mean_unit_l1(name):
    make, count = BANKS[name]
    bank = make(size=49)
    assert bank.shape == (count, 49, 49)
    np.testing.assert_allclose(bank.sum(axis=(1, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(np.abs(bank).sum(axis=(1, 2)), 1, rtol=1e-12)


def test_lm_small_variant_and_size():
    small = leung_malik_bank(variant="small")
    assert small.shape == (48, 49, 49)
    assert not np.allclose(small, leung_malik_bank())
    assert leung_malik_bank(size=15).shape == (48, 15, 15)


def test_lm_order_edges_odd_bars_even_isotropic_last():
    bank = leung_malik_bank(size=49)
    flipped = bank[:, ::-1, ::-1]
    np.testing.assert_allclose(flipped[:18], -bank[:18], atol=1e-14)  # edges odd
    np.testing.assert_allclose(flipped[18:36], bank[18:36], atol=1e-14)  # bars even
    np.testing.assert_allclose(
        np.rot90(bank[36:], axes=(1, 2)), bank[36:], atol=1e-14
    )  # isotropic
    # Orientation 0 is elongated along the columns: a horizontal edge detector.
    raw = leung_malik_bank(size=49, normalize=False)
    col_profile = np.abs(raw[0]).sum(axis=0)
    row_profile = np.abs(raw[0]).sum(axis=1)
    c = np.arange(-24, 25)
    assert _second_moment(col_profile, c) > 4 * _second_moment(row_profile, c)


@pytest.mark.parametrize(
    ("variant", "oriented", "iso"),
    [
        ("large", np.sqrt(2) ** np.arange(1, 4), np.sqrt(2) ** np.arange(1, 5)),
        ("small", np.sqrt(2) ** np.arange(0, 3), np.sqrt(2) ** np.arange(0, 4)),
    ],
)
def test_lm_scales_elongation_and_isotropic_order(variant, oriented, iso):
    size = 121  # big enough that no Gaussian is truncated
    raw = leung_malik_bank(size=size, variant=variant, normalize=False)
    c = np.arange(-(size // 2), size // 2 + 1, dtype=float)
    for s, sigma in enumerate(oriented):
        edge = raw[6 * s]  # orientation 0 at scale s
        along = np.abs(edge).sum(axis=0)
        np.testing.assert_allclose(np.sqrt(_second_moment(along, c)), 3 * sigma, 1e-3)
        # derivative across the axis (rows, y up): int y^3 g' / (3 int y g') = s^2
        across = edge.sum(axis=1)
        y = -c
        var = (y**3 * across).sum() / (3 * (y * across).sum())
        np.testing.assert_allclose(np.sqrt(var), sigma, rtol=1e-3)
    for s, sigma in enumerate(iso):
        gauss, log, log3 = raw[36 + 3 * s : 39 + 3 * s]
        np.testing.assert_allclose(gauss.sum(), 1.0, rtol=1e-9)
        np.testing.assert_allclose(
            np.sqrt(_second_moment(gauss.sum(axis=0), c)), sigma, rtol=1e-3
        )
        np.testing.assert_allclose([log.sum(), log3.sum()], 0, atol=1e-12)
        # LoG: fspecial('log') = normalised Gaussian * (r^2 - 2 s^2) / s^4, minus
        # its mean.
        yy, xx = np.meshgrid(c, c, indexing="ij")
        r2 = xx**2 + yy**2
        for f, sg in ((log, sigma), (log3, 3 * sigma)):
            h = np.exp(-r2 / (2 * sg**2))
            h1 = h / h.sum() * (r2 - 2 * sg**2) / sg**4
            np.testing.assert_allclose(f, h1 - h1.mean(), atol=1e-12)


def test_log_filters_agree_with_skcv_filters():
    # The LoGs at the base scales (not truncated by the 49x49 support) equal
    # skcv.filters' Laplacian of Gaussian up to the normalisation.
    from skcv.filters import laplacian_of_gaussian

    raw = leung_malik_bank(normalize=False)
    for s, sigma in enumerate(np.sqrt(2) ** np.arange(1, 5)):
        ref = laplacian_of_gaussian(sigma, size=49)
        ref = ref - ref.mean()
        f = raw[37 + 3 * s]
        np.testing.assert_allclose(
            f / np.abs(f).sum(), ref / np.abs(ref).sum(), atol=1e-8
        )


def test_lm_normalisation_quirk_makes_gaussians_zero_mean():
    bank = leung_malik_bank()
    raw = leung_malik_bank(normalize=False)
    gaussians = [36, 39, 42, 45]
    assert np.all(raw[gaussians].sum(axis=(1, 2)) > 0.99)
    np.testing.assert_allclose(bank[gaussians].sum(axis=(1, 2)), 0, atol=1e-12)
    # normalise() is mean removal then L1: reproduce it from the raw filters.
    f = raw[gaussians[0]] - raw[gaussians[0]].mean()
    np.testing.assert_allclose(bank[gaussians[0]], f / np.abs(f).sum(), atol=1e-15)


def test_rfs_scales_and_isotropic_filters():
    size = 121
    raw = rfs_bank(size=size, normalize=False)
    c = np.arange(-(size // 2), size // 2 + 1, dtype=float)
    for s, (sx, sy) in enumerate([(3, 1), (6, 2), (12, 4)]):
        bar = raw[18 + 6 * s]
        along = np.abs(bar).sum(axis=0)
        np.testing.assert_allclose(np.sqrt(_second_moment(along, c)), sx, rtol=2e-3)
        # second derivative across: int y^2 g'' = 2 int g = 2 / (norm) -> check sign
        across = bar.sum(axis=1)
        assert across[size // 2] < 0 and across[size // 2 + 3 * sy] > 0
    g = raw[36]
    np.testing.assert_allclose(np.sqrt(_second_moment(g.sum(axis=0), c)), 10, 1e-3)
    np.testing.assert_allclose(raw[37].sum(), 0, atol=1e-12)


def test_schmid_matches_formula():
    size = 49
    bank = schmid_bank(size, normalize=False)
    assert len(SCHMID_PARAMETERS) == 13
    y, x = np.mgrid[-24:25, -24:25]
    for f, (sigma, tau) in zip(bank, SCHMID_PARAMETERS, strict=True):
        r = np.hypot(x, y)
        expected = np.cos(np.pi * tau * r / sigma) * np.exp(-(r**2) / (2 * sigma**2))
        np.testing.assert_allclose(f, expected, atol=1e-14)
    norm = schmid_bank(size)
    np.testing.assert_allclose(
        norm[4], (bank[4] - bank[4].mean()) / np.abs(bank[4] - bank[4].mean()).sum()
    )


def test_gabor_matches_skimage_kernel():
    freqs = (0.1, 0.25)
    bank = gabor_bank(freqs, 4, size=49, normalize=False)
    assert bank.shape == (16, 49, 49)
    for i, f in enumerate(freqs):
        for k in range(4):
            ref = gabor_kernel(f, theta=np.pi * k / 4)
            h = min(ref.shape[0], 49) // 2
            w = min(ref.shape[1], 49) // 2
            cr, cc = ref.shape[0] // 2, ref.shape[1] // 2
            ref = ref[cr - h : cr + h + 1, cc - w : cc + w + 1]
            ours_even = bank[i * 4 + k, 24 - h : 25 + h, 24 - w : 25 + w]
            ours_odd = bank[8 + i * 4 + k, 24 - h : 25 + h, 24 - w : 25 + w]
            np.testing.assert_allclose(ours_even, ref.real, atol=1e-12)
            np.testing.assert_allclose(ours_odd, ref.imag, atol=1e-12)


# ------------------------------------------------------------ orientation tuning
def _step_and_line(theta, n=101):
    rr, cc = np.mgrid[:n, :n] - n // 2.0
    # a line whose direction in (row, col) is (sin theta, cos theta)
    signed = rr * np.cos(theta) - cc * np.sin(theta)
    return (signed > 0).astype(float), (np.abs(signed) < 1).astype(float)


@pytest.mark.parametrize("make", [leung_malik_bank, rfs_bank])
@pytest.mark.parametrize("k", range(6))
def test_edge_and_bar_filters_tuned_to_their_orientation(make, k):
    bank = make()
    theta = np.pi * k / 6
    step, line = _step_and_line(theta)
    centre = (slice(None), 50, 50)
    edge = np.abs(filter_responses(step, bank[:18])[centre])
    bar = np.abs(filter_responses(line, bank[18:36])[centre])
    for s in range(3):
        assert np.argmax(edge[6 * s : 6 * s + 6]) == k
        assert np.argmax(bar[6 * s : 6 * s + 6]) == k
    # an edge excites the edge filters more than the bar filters, a line the bars
    edge_on_line = np.abs(filter_responses(line, bank[:18])[centre])
    assert bar.max() > edge_on_line.max()


# -------------------------------------------------------------- MR8 invariance
def _brick_patch():
    return data.brick()[100:228, 100:228] / 255.0


def test_max_response_8_shape_and_definition():
    rng = np.random.default_rng(0)
    r = rng.standard_normal((2, 38, 5, 6))
    mr8 = max_response_8(r)
    assert mr8.shape == (2, 8, 5, 6)
    np.testing.assert_array_equal(mr8[:, 0], np.abs(r[:, 0:6]).max(axis=1))
    np.testing.assert_array_equal(mr8[:, 4], r[:, 24:30].max(axis=1))
    np.testing.assert_array_equal(mr8[:, 6:], r[:, 36:])
    with pytest.raises(ValueError, match="38"):
        max_response_8(r[:, :30])


@pytest.mark.parametrize(
    ("rotate", "mr8_tol"),
    [
        (np.rot90, 1e-4),
        (lambda im: transform.rotate(im, 30, mode="reflect"), 0.15),
    ],
)
def test_mr8_rotation_invariant_while_lm_is_not(rotate, mr8_tol):
    image = _brick_patch()
    rotated = rotate(image)

    def rel(bank):
        ext = FilterBankExtractor(bank=bank, statistics=("mean",)).fit(image[None])
        a, b = ext.transform(image[None])[0], ext.transform(rotated[None])[0]
        return np.linalg.norm(a - b) / np.linalg.norm(a)

    assert rel("mr8") < mr8_tol
    assert rel("lm") > 0.3
    assert rel("lm") > 3 * rel("mr8")


# ------------------------------------------------------------- FFT == correlate
@pytest.mark.parametrize(
    "shape", [pytest.param((64, 80), marks=pytest.mark.slow), (37, 50), (25, 25)]
)
def test_fft_responses_equal_ndimage_correlate(shape):
    rng = np.random.default_rng(1)
    image = rng.random(shape)
    bank = leung_malik_bank()[::5]  # 10 filters of the 49x49 bank
    got = filter_responses(image, bank)
    assert got.dtype == np.float32 and got.shape == (len(bank), *shape)
    for f, r in zip(bank, got, strict=True):
        ref = ndimage.correlate(image, f, mode="reflect")
        np.testing.assert_allclose(r, ref, atol=1e-4)
    from skcv.filters import correlate

    ref = correlate(image, bank[3], mode="reflect")
    np.testing.assert_allclose(got[3], ref, atol=1e-4)


def test_fft_responses_rectangular_even_kernels_batches_and_lists():
    rng = np.random.default_rng(2)
    bank = rng.standard_normal((3, 6, 9))
    images = rng.random((5, 30, 31)).astype(np.float32)
    batch = filter_responses(images, bank, batch_size=2)
    assert batch.shape == (5, 3, 30, 31)
    for n in range(5):
        for i in range(3):
            ref = ndimage.correlate(images[n].astype(float), bank[i], mode="reflect")
            np.testing.assert_allclose(batch[n, i], ref, atol=1e-4)
    listed = filter_responses([images[0], images[1][:20, :11]], bank)
    np.testing.assert_allclose(listed[0], batch[0], atol=1e-6)
    ref = ndimage.correlate(images[1][:20, :11].astype(float), bank[1], mode="reflect")
    np.testing.assert_allclose(listed[1][1], ref, atol=1e-4)
    # uint8 images are scaled to [0, 1]
    u8 = (images[0] * 255).astype(np.uint8)
    np.testing.assert_allclose(
        filter_responses(u8, bank), filter_responses(u8 / 255.0, bank), atol=1e-5
    )


def test_spectra_are_cached_per_fft_size():
    bank = schmid_bank(size=9)
    filter_responses(np.zeros((20, 20)), bank)
    filter_responses(np.ones((20, 20)), bank)
    filter_responses(np.ones((30, 20)), bank)
    spectra = _spectra_for(bank)
    assert len(spectra._spectra) == 2


def test_tiny_images_are_reflect_padded():
    # Images smaller than the kernel: the reflection continues periodically, as
    # scipy.ndimage.correlate1d does (scipy's N-D filters reflect only once).
    x = np.arange(7.0)[None, :]
    k = np.zeros((1, 49))
    k[0, 0] = 1  # picks the value 24 pixels to the left
    got = filter_responses(x, k)[0, 0]
    ref = ndimage.correlate1d(x[0], k[0], mode="reflect")
    np.testing.assert_allclose(got, ref, atol=1e-6)
    assert filter_responses(np.ones((1, 1)), leung_malik_bank(size=7)).shape == (
        48,
        1,
        1,
    )


# -------------------------------------------------------------------- errors
def test_bad_parameters_raise_clear_errors():
    with pytest.raises(ValueError, match="size must be an odd positive int"):
        leung_malik_bank(size=48)
    with pytest.raises(ValueError, match="size must be an odd positive int"):
        schmid_bank(size=0)
    with pytest.raises(ValueError, match="variant must be one of"):
        leung_malik_bank(variant="medium")
    with pytest.raises(TypeError, match="normalize must be a bool"):
        rfs_bank(normalize="yes")
    with pytest.raises(ValueError, match="frequencies must be"):
        gabor_bank(frequencies=(0.1, 0.7))
    with pytest.raises(ValueError, match="n_orientations must be"):
        gabor_bank(n_orientations=0)
    with pytest.raises(ValueError, match="bandwidth must be"):
        gabor_bank(bandwidth=-1.0)
    image = np.zeros((8, 8))
    with pytest.raises(ValueError, match="bank must have shape"):
        filter_responses(image, np.zeros((2, 2, 3, 3)))
    with pytest.raises(TypeError, match="bank must be an array"):
        filter_responses(image, "lm")
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        filter_responses(image, schmid_bank(5), batch_size=0)
    with pytest.raises(ValueError, match="images must be one grey image"):
        filter_responses(np.zeros((2, 8, 8, 3)), schmid_bank(5))
    with pytest.raises(ValueError, match="NaN"):
        filter_responses(np.full((8, 8), np.nan), schmid_bank(5))
