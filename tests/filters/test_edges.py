import numpy as np
import pytest
from skimage import data, feature

from skcv.filters import add_gaussian_noise, canny, gaussian_filter

CAMERA = data.camera()


def _f_measure(a, b):
    tp = np.logical_and(a, b).sum()
    return 2 * tp / max(a.sum() + b.sum(), 1)


def _disk(size=64, radius=20.0, blur=1.0):
    y, x = np.mgrid[0:size, 0:size]
    c = (size - 1) / 2
    disk = ((y - c) ** 2 + (x - c) ** 2 <= radius**2).astype(float)
    return gaussian_filter(disk, blur), c


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"sigma": 2.0},
        {"sigma": 1.5, "low_threshold": 0.05, "high_threshold": 0.15},
        {"low_threshold": 0.7, "high_threshold": 0.9, "use_quantiles": True},
        {"mode": "reflect"},
        {"mode": "nearest", "sigma": 3.0},
    ],
)
def test_agrees_with_skimage(kwargs):
    image = CAMERA.astype(np.float64) / 255
    ours = canny(image, **kwargs)
    ref = feature.canny(image, **kwargs)
    assert _f_measure(ours, ref) >= 0.99


def test_agrees_with_skimage_with_mask_and_uint8():
    mask = np.zeros(CAMERA.shape, bool)
    mask[50:-60, 30:-70] = True
    assert (
        _f_measure(canny(CAMERA, mask=mask), feature.canny(CAMERA, mask=mask)) >= 0.99
    )
    assert not canny(CAMERA, mask=mask)[~mask].any()
    # skimage divides explicit thresholds by 255 for uint8; skcv scales the image.
    ours = canny(CAMERA, low_threshold=0.05, high_threshold=0.2)
    ref = feature.canny(CAMERA, low_threshold=0.05 * 255, high_threshold=0.2 * 255)
    assert _f_measure(ours, ref) >= 0.99


def test_uint8_and_float_give_the_same_edges():
    as_float = CAMERA.astype(np.float64) / 255
    np.testing.assert_array_equal(canny(CAMERA), canny(as_float))
    np.testing.assert_array_equal(canny(CAMERA), canny(as_float.astype(np.float32)))


def test_edges_are_one_pixel_thin():
    image, _ = _disk(64, 20.0)
    edges = canny(image, sigma=1.0)
    assert edges.sum() > 100
    # No 2x2 block of edge pixels.
    blocks = edges[:-1, :-1] & edges[1:, :-1] & edges[:-1, 1:] & edges[1:, 1:]
    assert not blocks.any()
    # A vertical step centred on a pixel column gives one edge pixel per row
    # (a step between two columns gives two equal maxima, kept by both skcv and
    # scikit-image, which compare with >=).
    step = np.zeros((30, 30))
    step[:, 15] = 0.5
    step[:, 16:] = 1.0
    rows = canny(step, sigma=1.0)[3:-3].sum(axis=1)
    np.testing.assert_array_equal(rows, 1)


def test_circle_edges_lie_on_the_circle():
    image, c = _disk(96, 30.0)
    edges = canny(image, sigma=1.5)
    yy, xx = np.nonzero(edges)
    r = np.hypot(yy - c, xx - c)
    assert np.abs(r - 30.0).max() <= 1.5
    # ... and cover it: every 10-degree sector has edge pixels.
    angles = np.degrees(np.arctan2(yy - c, xx - c)) % 360
    assert len(np.unique((angles // 10).astype(int))) == 36


def test_robust_to_moderate_noise_after_smoothing():
    image, c = _disk(96, 30.0)
    noisy = add_gaussian_noise(image, 0.1, random_state=0)
    edges = canny(noisy, sigma=2.5, low_threshold=0.2, high_threshold=0.4)
    yy, xx = np.nonzero(edges)
    r = np.hypot(yy - c, xx - c)
    precision = np.mean(np.abs(r - 30.0) <= 2.0)
    assert precision >= 0.95
    angles = np.degrees(np.arctan2(yy - c, xx - c)) % 360
    assert len(np.unique((angles // 10).astype(int))) >= 34
    # Without smoothing the noise creates many spurious edges.
    raw = canny(noisy, sigma=0.3, low_threshold=0.2, high_threshold=0.4)
    assert raw.sum() > 3 * edges.sum()


def test_hysteresis_keeps_weak_edges_connected_to_strong():
    image = np.zeros((40, 60))
    image[:, 20:] = 0.2  # weak step
    image[:, 40:] = 1.0  # strong step
    image[20:, 20:40] = 1.0  # ... the weak step's lower half is strong
    edges, steps = canny(
        image, sigma=1.0, low_threshold=0.3, high_threshold=1.5, return_steps=True
    )
    assert steps["strong"].any() and (steps["nms"] & ~steps["strong"]).any()
    assert not (edges & ~steps["nms"]).any()
    # A weak-only component (no strong pixel) is dropped.
    weak_only = np.zeros((40, 60))
    weak_only[:, 30:] = 0.2
    assert canny(weak_only, 1.0, 0.3, 1.5).sum() == 0
    assert canny(weak_only, 1.0, 0.3, 0.5).sum() > 0


def test_threshold_forms():
    image = CAMERA.astype(np.float32) / 255
    by_callable = canny(
        image, low_threshold=lambda m: 0.1, high_threshold=lambda m: 0.2
    )
    np.testing.assert_array_equal(by_callable, canny(image))
    _, steps = canny(
        image,
        low_threshold=0.5,
        high_threshold=0.8,
        use_quantiles=True,
        return_steps=True,
    )
    mag = steps["magnitude"]
    assert steps["high_threshold"] == pytest.approx(np.quantile(mag, 0.8))
    edges, steps = canny(
        image, low_threshold="otsu", high_threshold="otsu", return_steps=True
    )
    from skimage.filters import threshold_otsu

    otsu = threshold_otsu(steps["magnitude"])
    assert steps["high_threshold"] == pytest.approx(otsu)
    assert steps["low_threshold"] == pytest.approx(otsu / 2)
    assert 0 < edges.sum() < canny(image).sum()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"low_threshold": np.nan}, r"low_threshold must be a number, not NaN"),
        ({"high_threshold": float("nan")}, r"high_threshold must be a number, not N"),
        ({"high_threshold": lambda m: np.nan}, r"high_threshold callable returned Na"),
    ],
)
def test_nan_threshold_raises(kwargs, match):
    # Regression: a NaN threshold compared False everywhere: an empty edge map.
    with pytest.raises(ValueError, match=match):
        canny(CAMERA[:64, :64], **kwargs)


def test_colour_is_converted_to_grey():
    rgb = data.astronaut()[::4, ::4]
    from skimage.color import rgb2gray

    grey = rgb2gray(rgb)
    assert _f_measure(canny(rgb), canny(grey)) >= 0.99


def test_errors():
    image = CAMERA[:64, :64]
    with pytest.raises(ValueError, match="high_threshold must be >= low_threshold"):
        canny(image, low_threshold=0.3, high_threshold=0.1)
    with pytest.raises(ValueError, match="must be in \\[0, 1\\] when use_quantiles"):
        canny(image, low_threshold=0.2, high_threshold=2.0, use_quantiles=True)
    with pytest.raises(ValueError, match="low_threshold must be a number, a callable"):
        canny(image, low_threshold="median")
    with pytest.raises(TypeError, match="high_threshold must be a number"):
        canny(image, high_threshold=[0.2])
    with pytest.raises(TypeError, match="callable must return a real number"):
        canny(image, high_threshold=lambda m: "x")
    with pytest.raises(ValueError, match="mask must have the image's shape"):
        canny(image, mask=np.ones((3, 3), bool))
    with pytest.raises(ValueError, match="sigma must be a positive"):
        canny(image, sigma=-1)
    with pytest.raises(ValueError, match="image must have shape"):
        canny(np.zeros((2, 2, 2, 2)))


def test_tiny_and_constant_images():
    assert canny(np.zeros((1, 1))).shape == (1, 1)
    assert not canny(np.ones((5, 3))).any()
    assert not canny(np.zeros((2, 40)), low_threshold=0.0, high_threshold=0.0).any()


def test_results_do_not_alias_the_workspace_and_threads_agree():
    from concurrent.futures import ThreadPoolExecutor

    a = CAMERA[:200, :200]
    b = CAMERA[200:400, 100:300]
    first = canny(a)
    kept = first.copy()
    second = canny(b)
    np.testing.assert_array_equal(first, kept)  # not overwritten by the 2nd call
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(canny, [a, b] * 4))
    for i, edges in enumerate(results):
        np.testing.assert_array_equal(edges, kept if i % 2 == 0 else second)
    # A different shape gets a new workspace; huge images get a private one.
    assert canny(CAMERA[:50, :70]).shape == (50, 70)


def test_canny_rgba_ignores_alpha():
    from skimage import data

    rgb = data.astronaut()[:96, :96]
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, dtype=np.uint8)])
    np.testing.assert_array_equal(canny(rgba, sigma=1.0), canny(rgb, sigma=1.0))
