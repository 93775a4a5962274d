"""Tests of the GIST descriptor (skcv.feature.gist and GISTExtractor)."""

import numpy as np
import pytest
from skimage import data
from sklearn.base import clone

from skcv.feature import GISTExtractor, gist
from skcv.feature import _gist as gist_module

# Small settings keep the tests fast: 64x64 images, 8 pixels of padding.
SMALL = dict(image_size=64, boundary_extension=8)


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(a)


@pytest.fixture(scope="module")
def camera():
    return data.camera()[::4, ::4] / 255.0  # 128 x 128


def _grating(size, f, phi):
    """Cosine grating of frequency f (cycles/pixel), wave vector at angle phi.

    phi is measured counter-clockwise in the displayed image (rows point down).
    """
    yy, xx = np.mgrid[:size, :size]
    return np.cos(2 * np.pi * f * (xx * np.cos(phi) - yy * np.sin(phi)))


# ---------------------------------------------------------------------------- shapes
@pytest.mark.parametrize(
    "orientations, n_blocks, color, channels",
    [
        ((8, 8, 8, 8), 4, False, 1),
        ((4, 4), 2, False, 1),
        ((8, 8, 4), 4, True, 3),
        ((6,), 3, True, 2),
    ],
)
def test_output_length_formula(orientations, n_blocks, color, channels):
    rng = np.random.default_rng(0)
    img = rng.random((40, 50, 3))[..., :channels]
    g = gist(
        img,
        orientations_per_scale=orientations,
        n_blocks=n_blocks,
        color=color,
        image_size=32,
        boundary_extension=4,
    )
    n_channels = channels if color else 1
    assert g.shape == (n_channels * n_blocks**2 * sum(orientations),)
    assert np.all(np.isfinite(g)) and np.all(g >= 0)


def test_default_descriptor_is_512_and_colour_960(camera):
    assert gist(camera).shape == (512,)
    rgb = data.astronaut()[::8, ::8]
    g = gist(
        rgb,
        orientations_per_scale=(8, 8, 4),
        color=True,
        image_size=32,
        boundary_extension=4,
    )
    assert g.shape == (960,)


# ------------------------------------------------------------------ published pieces
def test_block_edges_follow_downN():
    np.testing.assert_array_equal(
        gist_module._block_edges(256, 4), [0, 64, 128, 192, 256]
    )
    # fix(linspace(0, 10, 5)) = fix([0, 2.5, 5, 7.5, 10]) in MATLAB.
    np.testing.assert_array_equal(gist_module._block_edges(10, 4), [0, 2, 5, 7, 10])


def test_gabor_transfer_function_peaks_at_centre_frequency():
    n = 64
    G = gist_module._create_gabor((4, 4), n, n)
    assert G.shape == (8, n, n)
    # Scale 0, orientation 0: centre frequency 0.3 n bins on the positive fx axis.
    k = round(0.3 * n)
    assert G[0, 0, k] == pytest.approx(np.exp(-3.5 * (k / n / 0.3 - 1) ** 2))
    assert G[0, 0, k] > 0.99
    # Orientation 1 (pi/4) is centred at angle -pi/4: fy = -fx in FFT order.
    j = round(0.3 * n / np.sqrt(2))
    assert G[1, -j, j] > 0.98
    # The opposite diagonal is pi/2 away: exp(-2 * (16 * 4**2 / 32**2) * pi * (pi/2)^2).
    radial = np.exp(-3.5 * (np.hypot(j, j) / n / 0.3 - 1) ** 2)
    expected = radial * np.exp(-2 * 0.25 * np.pi * (np.pi / 2) ** 2)
    assert G[1, j, j] == pytest.approx(expected)
    # Scale 1 is 1.85 times lower; the angular term is 16 * 4^2 / 32^2 = 0.25.
    k1 = round(0.3 / 1.85 * n)
    assert G[4, 0, k1] > 0.99
    t = np.pi / 2
    expected = np.exp(-3.5 * (k1 / n / (0.3 / 1.85) - 1) ** 2 - 2 * 0.25 * np.pi * t**2)
    assert G[4, -k1, 0] == pytest.approx(expected)


def test_prefilter_matches_between_paths(camera):
    img = gist_module._scale_0_255(camera[None, ..., None].astype(np.float64))[0]
    ref = gist_module._prefilt_reference(img, 4.0)
    fast = gist_module._prefilt_fast(
        img.transpose(2, 0, 1)[None].astype(np.float32), 4.0, 1
    )[0].transpose(1, 2, 0)
    np.testing.assert_allclose(fast, ref, atol=2e-4)
    # Whitening removes the mean: the prefiltered image is nearly zero-mean.
    assert abs(ref.mean()) < 0.05 * ref.std()


# ------------------------------------------------------------------ fast == reference
@pytest.mark.parametrize("name", ["camera", "brick", "coffee"])
def test_fast_path_matches_reference(name):
    img = getattr(data, name)()[::3, ::3] / 255.0
    ref = gist(img, method="reference", **SMALL)
    fast = gist(img, method="fast", **SMALL)
    assert ref.dtype == np.float64 and fast.dtype == np.float32
    assert np.corrcoef(ref, fast)[0, 1] >= 0.9999
    rel = np.abs(fast - ref) / np.abs(ref)
    # Coarse scales are sampled on every second pixel: small relative errors on
    # the smallest values of small images, far less on average.
    assert rel.max() < 3e-2 and rel.mean() < 2e-3
    # The finest scale is computed at full resolution: float32 rounding only.
    assert rel[:128].max() < 1e-3


@pytest.mark.slow
def test_fast_path_matches_reference_default_size():
    img = data.astronaut() / 255.0
    ref = gist(img, method="reference")
    fast = gist(img, method="fast")
    assert np.corrcoef(ref, fast)[0, 1] >= 0.9999
    rel = np.abs(fast - ref) / np.abs(ref)
    assert rel.max() < 1e-2 and rel.mean() < 1e-3
    # The finest scale is computed at full resolution: float32 rounding only.
    assert rel[:128].max() < 1e-4


def test_fast_path_matches_reference_colour_and_odd_size():
    rng = np.random.default_rng(1)
    img = rng.random((37, 45, 3))
    kw = dict(orientations_per_scale=(8, 4, 4), image_size=33, boundary_extension=5)
    for color in (False, True):
        ref = gist(img, color=color, method="reference", **kw)
        fast = gist(img, color=color, method="fast", **kw)
        assert np.corrcoef(ref, fast)[0, 1] >= 0.9999
        np.testing.assert_allclose(fast, ref, rtol=1e-2)


# ------------------------------------------------------------ the course's properties
@pytest.mark.parametrize("scale", [0, 1])
@pytest.mark.parametrize("j", range(4))
def test_orientation_selectivity(scale, j):
    f = 0.3 / 1.85**scale
    img = _grating(64, f, np.pi * j / 4)
    g = gist(img, orientations_per_scale=(4, 4), **SMALL)
    energy = g.reshape(2, 4, 16).mean(axis=2)
    assert np.unravel_index(energy.argmax(), energy.shape) == (scale, j)


def test_affine_intensity_change_leaves_descriptor_unchanged(camera):
    g = gist(camera, **SMALL)
    assert _rel(g, gist(0.4 * camera + 0.3, **SMALL)) < 1e-4


def test_prefilter_removes_smooth_illumination(camera):
    ramp = 0.3 + 0.7 * np.linspace(0, 1, camera.shape[1])[None, :]
    changes = {}
    for prefilter in (True, False):
        g = gist(camera, prefilter=prefilter, **SMALL)
        changes[prefilter] = _rel(g, gist(camera * ramp, prefilter=prefilter, **SMALL))
    assert changes[True] < 0.1
    assert changes[True] < 0.5 * changes[False]


def test_translation_changes_little_while_scenes_differ():
    brick, grass = data.brick() / 255.0, data.grass() / 255.0
    g = gist(brick[:256, :256], **SMALL)
    shifted = gist(brick[40:296, 60:316], **SMALL)
    other = gist(grass[:256, :256], **SMALL)
    scene = gist(data.camera()[:256, :256] / 255.0, **SMALL)
    assert _rel(g, shifted) < 0.5 * min(_rel(g, other), _rel(g, scene))


def test_deterministic_and_input_scale_free(camera):
    g = gist(camera, **SMALL)
    np.testing.assert_array_equal(g, gist(camera.copy(), **SMALL))
    as_uint8 = (camera * 255).round().astype(np.uint8)
    np.testing.assert_allclose(gist(as_uint8, **SMALL), g, rtol=1e-3, atol=1e-4)


def test_grey_channels_are_averaged_and_colour_replicates(camera):
    rgb = np.stack([camera] * 3, axis=-1)
    np.testing.assert_allclose(gist(rgb, **SMALL), gist(camera, **SMALL), rtol=1e-4)
    col = gist(rgb, color=True, **SMALL).reshape(3, -1)
    np.testing.assert_allclose(col[1], col[0], rtol=1e-4)
    np.testing.assert_allclose(col[0], gist(camera, **SMALL), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (7, 2, 3), (200, 30), (1, 40)])
def test_tiny_and_non_square_images(shape):
    img = np.random.default_rng(0).random(shape)
    for method in ("fast", "reference"):
        g = gist(img, orientations_per_scale=(4, 4), method=method, **SMALL)
        assert g.shape == (128,) and np.all(np.isfinite(g))


def test_constant_image_gives_zero_descriptor():
    g = gist(np.full((20, 20), 0.7), **SMALL)
    assert g.shape == (512,) and np.all(g == 0)


def test_resize_crop_is_centred():
    img = np.zeros((40, 80))
    img[:, 20:60] = 1.0  # the central square
    out = gist_module._resize_crop(img, 40)
    assert out.shape == (40, 40) and np.all(out == 1.0)
    out = gist_module._resize_crop(np.random.default_rng(0).random((10, 20)), 30)
    assert out.shape == (30, 30)


# ---------------------------------------------------------------------- transformer
def test_transformer_matches_function_and_names(camera):
    rng = np.random.default_rng(0)
    X = np.stack([camera, camera[::-1], rng.random(camera.shape)])
    ext = GISTExtractor(orientations_per_scale=(4, 4), **SMALL).fit(X)
    out = ext.transform(X)
    assert out.shape == (3, 128) and ext.n_features_out_ == 128
    for row, img in zip(out, X, strict=True):
        expected = gist(img, orientations_per_scale=(4, 4), **SMALL)
        np.testing.assert_allclose(row, expected, rtol=1e-6)
    names = ext.get_feature_names_out()
    assert len(names) == 128 and names[0] == "gist_c0_s0_o0_b0"
    assert names[16 * 4 + 3 * 16 + 12] == "gist_c0_s1_o3_b12"


def test_block_order_is_column_major():
    img = np.zeros((64, 64))
    img[:32, 32:] = _grating(64, 0.3, 0.0)[:32, 32:]  # texture in the top-right block
    ext = GISTExtractor(orientations_per_scale=(4,), n_blocks=2, **SMALL).fit([img])
    out = ext.transform([img])[0].reshape(4, 4)  # (orientation, block)
    # Top-right is row 0, column 1: block 0 + 2 * 1 = 2 in LMgist's order.
    assert out[0].argmax() == 2


def test_variable_sizes_batches_and_jobs(camera):
    images = [camera, camera[:100, :70], np.random.default_rng(0).random((50, 90))]
    ext = GISTExtractor(orientations_per_scale=(4, 4), **SMALL).fit(images)
    out = ext.transform(images)
    assert out.shape == (3, 128)
    one_by_one = np.vstack([ext.transform([im]) for im in images])
    np.testing.assert_allclose(out, one_by_one, rtol=1e-6)
    ext2 = clone(ext).set_params(batch_size=1, n_jobs=2).fit(images)
    np.testing.assert_allclose(ext2.transform(images), out, rtol=1e-6)
    # Another size than at fit time is fine too: images are resized.
    assert ext.transform(camera[None, :50, :60]).shape == (1, 128)


def test_reference_method_in_transformer(camera):
    kw = dict(orientations_per_scale=(4, 4), **SMALL)
    ref = GISTExtractor(method="reference", **kw).fit_transform(camera[None])
    fast = GISTExtractor(**kw).fit_transform(camera[None])
    assert ref.dtype == np.float64
    assert np.corrcoef(ref[0], fast[0])[0, 1] >= 0.9999


def test_dtypes_and_rows(camera):
    X = np.stack([camera, camera.T]).astype(np.float32)
    ext = GISTExtractor(orientations_per_scale=(4, 4), **SMALL).fit(X)
    assert ext.transform(X).dtype == np.float32
    assert ext.transform(X.astype(np.float64)).dtype == np.float64
    rows = X.reshape(2, -1)
    ext_rows = GISTExtractor(
        orientations_per_scale=(4, 4), image_shape=camera.shape, **SMALL
    ).fit(rows)
    np.testing.assert_allclose(ext_rows.transform(rows), ext.transform(X), rtol=1e-6)


def test_colour_transformer(camera):
    rgb = data.astronaut()[::8, ::8]
    ext = GISTExtractor(orientations_per_scale=(8, 8, 4), color=True, **SMALL)
    out = ext.fit_transform(rgb[None])
    assert out.shape == (1, 960) and ext.n_channels_ == 3
    assert ext.get_feature_names_out()[320] == "gist_c1_s0_o0_b0"
    # The channel rule: a grey image is repeated over the fitted RGB channels.
    grey = ext.transform(camera[None])
    np.testing.assert_allclose(
        grey, ext.transform(np.repeat(camera[None, ..., None], 3, axis=3))
    )
    # A list mixing grey, RGB and RGBA images of different sizes is accepted.
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    mixed = ext.transform([camera, rgb, rgba])
    np.testing.assert_allclose(mixed[0], grey[0], rtol=1e-5)
    np.testing.assert_allclose(mixed[2], mixed[1], rtol=1e-6)


def test_pandas_output(camera):
    pd = pytest.importorskip("pandas")
    ext = GISTExtractor(orientations_per_scale=(4,), n_blocks=1, **SMALL)
    df = ext.set_output(transform="pandas").fit_transform(camera[None])
    assert isinstance(df, pd.DataFrame) and list(df.columns)[1] == "gist_c0_s0_o1_b0"


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"orientations_per_scale": ()}, ValueError, "orientations_per_scale"),
        ({"orientations_per_scale": (8, 0)}, ValueError, "orientations_per_scale"),
        ({"orientations_per_scale": 8}, ValueError, "orientations_per_scale"),
        ({"n_blocks": 0}, ValueError, "n_blocks"),
        ({"n_blocks": 2.5}, TypeError, "n_blocks"),
        ({"image_size": 3, "n_blocks": 4}, ValueError, "image_size"),
        ({"fc_prefilter": 0}, ValueError, "fc_prefilter"),
        ({"boundary_extension": -1}, ValueError, "boundary_extension"),
        ({"method": "slow"}, ValueError, "method"),
    ],
)
def test_function_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        gist(np.zeros((8, 8)), **kwargs)


def test_function_image_errors():
    with pytest.raises(ValueError, match="NaN"):
        gist(np.full((8, 8), np.nan))
    with pytest.raises(ValueError, match="ndim"):
        gist(np.zeros((2, 8, 8, 3)))
    with pytest.raises(TypeError, match="image"):
        gist("camera.png")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"orientations_per_scale": (4, -1)}, "orientations_per_scale"),
        ({"n_blocks": 0}, "n_blocks"),
        ({"image_size": 2, "n_blocks": 4}, "image_size"),
        ({"method": "slow"}, "method"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_transformer_errors(params, match):
    with pytest.raises(ValueError, match=match):
        GISTExtractor(**params).fit(np.zeros((2, 8, 8)))


def test_transformer_rejects_1d():
    ext = GISTExtractor(orientations_per_scale=(4,), **SMALL).fit(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        ext.transform(np.zeros(64))
