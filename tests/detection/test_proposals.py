"""Tests of selective search and the R-CNN style RegionProposalDetector."""

import numpy as np
import pytest
from scipy import ndimage
from skimage import data
from skimage.segmentation import felzenszwalb
from sklearn.linear_model import LogisticRegression, RidgeClassifier

from skcv.detection import RegionProposalDetector, box_iou, selective_search
from skcv.detection._proposals import (
    COLOR_BINS,
    _adjacency,
    _hierarchical_grouping,
    _initial_boxes,
    _quantise,
    _region_histograms,
)


def _object(h, w, rng):
    """A bright square with a dark disk in its centre (a crop of it looks different)."""
    yy, xx = np.mgrid[:h, :w]
    disk = (yy - (h - 1) / 2) ** 2 + (xx - (w - 1) / 2) ** 2 <= (min(h, w) / 4) ** 2
    return np.where(disk, 0.3, 0.9) + 0.05 * rng.random((h, w))


def _scene(seed=0, size=(64, 80), box=(30, 12, 58, 40)):
    """A smooth-noise textured grey scene with an object pasted at ``box``."""
    rng = np.random.default_rng(seed)
    scene = ndimage.gaussian_filter(rng.random(size), 2.0)
    scene = 0.2 + 0.3 * (scene - scene.min()) / np.ptp(scene)
    x0, y0, x1, y1 = box
    scene[y0:y1, x0:x1] = _object(y1 - y0, x1 - x0, rng)
    return scene


@pytest.fixture(scope="module")
def coffee_small():
    return data.coffee()[::4, ::4]  # (100, 150, 3) uint8


# --------------------------------------------------------------------------------------
# selective_search: output contract
# --------------------------------------------------------------------------------------
def test_boxes_inside_image_distinct_and_float(coffee_small):
    boxes = selective_search(coffee_small)
    h, w = coffee_small.shape[:2]
    assert boxes.dtype == np.float64 and boxes.ndim == 2 and boxes.shape[1] == 4
    assert len(boxes) > 50
    assert (boxes[:, 0] >= 0).all() and (boxes[:, 1] >= 0).all()
    assert (boxes[:, 2] <= w).all() and (boxes[:, 3] <= h).all()
    assert (boxes[:, 2] > boxes[:, 0]).all() and (boxes[:, 3] > boxes[:, 1]).all()
    assert len(np.unique(boxes, axis=0)) == len(boxes)
    assert (boxes == np.round(boxes)).all()
    # The whole image is a region of every hierarchy.
    assert ((boxes == (0, 0, w, h)).all(axis=1)).any()


def test_deterministic_with_random_state(coffee_small):
    a = selective_search(coffee_small, random_state=3)
    b = selective_search(coffee_small, random_state=3)
    c = selective_search(coffee_small, random_state=4)
    np.testing.assert_array_equal(a, b)
    # Another seed ranks the same set of boxes differently.
    assert len(a) == len(c)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(np.unique(a, axis=0), np.unique(c, axis=0))


def test_max_proposals_keeps_the_best_ranked(coffee_small):
    full = selective_search(coffee_small, strategies="single")
    top = selective_search(coffee_small, strategies="single", max_proposals=25)
    np.testing.assert_array_equal(top, full[:25])


def test_ranking_favours_large_regions(coffee_small):
    boxes = selective_search(coffee_small)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    half = len(boxes) // 2
    assert np.median(area[:half]) > 2 * np.median(area[half:])


def test_recall_on_pasted_object():
    box = np.array([[30, 12, 58, 40]], dtype=float)
    for seed in range(3):
        proposals = selective_search(_scene(seed), max_proposals=100)
        assert box_iou(box, proposals).max() >= 0.8


def test_grey_image_equals_three_equal_channels():
    scene = _scene(1)
    np.testing.assert_array_equal(
        selective_search(scene), selective_search(np.dstack([scene] * 3))
    )


def test_rgba_uint8_and_any_float_range(coffee_small):
    rgba = np.dstack([coffee_small, np.full(coffee_small.shape[:2], 255, np.uint8)])
    np.testing.assert_array_equal(
        selective_search(rgba, strategies="single"),
        selective_search(coffee_small, strategies="single"),
    )
    # Values outside [0, 1] are rescaled: the same boxes as the [0, 1] image.
    scene = _scene(2)
    np.testing.assert_array_equal(
        selective_search(scene * 255.0 - 10.0, strategies="single"),
        selective_search((scene - scene.min()) / np.ptp(scene), strategies="single"),
    )


@pytest.mark.parametrize(
    "strategies",
    ["quality", [("rgb", "c"), ("rgi", "t"), ("grey", "s"), ("hue", "f")]],
)
def test_all_colour_spaces_and_similarities(coffee_small, strategies):
    boxes = selective_search(coffee_small, strategies=strategies, scale=100)
    assert len(boxes) > 20 and len(np.unique(boxes, axis=0)) == len(boxes)


# --------------------------------------------------------------------------------------
# Internals against direct computations
# --------------------------------------------------------------------------------------
def test_bincount_histograms_and_boxes_match_per_region_reference(coffee_small):
    image = coffee_small / 255.0
    labels = felzenszwalb(image, scale=100, sigma=0.8, min_size=20)
    n = labels.max() + 1
    hist = _region_histograms(labels, _quantise(image, COLOR_BINS), n, COLOR_BINS)
    boxes = _initial_boxes(labels, n)
    for r in (0, n // 2, n - 1):
        pix = image[labels == r]
        ref = np.concatenate(
            [np.histogram(pix[:, c], COLOR_BINS, (0, 1))[0] for c in range(3)]
        )
        np.testing.assert_allclose(hist[r], ref / ref.sum())
        rows, cols = np.nonzero(labels == r)
        np.testing.assert_array_equal(
            boxes[r], [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]
        )


def test_adjacency_matches_brute_force():
    labels = felzenszwalb(_scene(0), scale=50, min_size=10)
    pairs = {tuple(p) for p in _adjacency(labels).tolist()}
    ref = set()
    h, w = labels.shape
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        for y in range(h - dy):
            for x in range(max(0, -dx), min(w, w - dx)):
                a, b = labels[y, x], labels[y + dy, x + dx]
                if a != b:
                    ref.add((min(a, b), max(a, b)))
    assert pairs == ref


def test_size_weighted_average_equals_histogram_of_union(coffee_small):
    image = coffee_small / 255.0
    labels = felzenszwalb(image, scale=100, min_size=20)
    n = labels.max() + 1
    bins = _quantise(image, COLOR_BINS)
    hist = _region_histograms(labels, bins, n, COLOR_BINS)
    size = np.bincount(labels.ravel())
    i, j = _adjacency(labels)[0]
    merged = (size[i] * hist[i] + size[j] * hist[j]) / (size[i] + size[j])
    union = np.where((labels == i) | (labels == j), 0, 1)
    np.testing.assert_allclose(merged, _region_histograms(union, bins, 2, 25)[0])


def test_hierarchy_has_2n_minus_1_regions_ending_with_the_image():
    labels = felzenszwalb(_scene(0), scale=50, min_size=10)
    n = labels.max() + 1
    bins = _quantise(_scene(0)[..., None], COLOR_BINS)
    col = _region_histograms(labels, bins, n, COLOR_BINS)
    boxes = _hierarchical_grouping(labels, n, col, None, "csf")
    assert len(boxes) == 2 * n - 1
    np.testing.assert_array_equal(boxes[-1], [0, 0, 80, 64])
    np.testing.assert_array_equal(boxes[:n], _initial_boxes(labels, n))


# --------------------------------------------------------------------------------------
# selective_search: errors
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "image, match",
    [
        (np.zeros((2, 8, 8, 3)), "ndim=4"),
        (np.zeros(8), "ndim=1"),
        (np.zeros((8, 8, 5)), "5 channels"),
        (np.zeros((0, 8)), "empty"),
        (np.full((8, 8), np.nan), "NaN"),
        (np.full((8, 8), np.inf), "infinity"),
    ],
)
def test_bad_images(image, match):
    with pytest.raises(ValueError, match=match):
        selective_search(image)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"scale": -1}, "'scale' parameter"),
        ({"scale": [50, 0]}, "scale must be a positive number"),
        ({"sigma": -0.5}, "'sigma' parameter"),
        ({"min_size": 0}, "'min_size' parameter"),
        ({"max_proposals": 0}, "'max_proposals' parameter"),
        ({"strategies": "slow"}, "'strategies' parameter"),
        ({"strategies": [("xyz", "ctsf")]}, r"strategies must be one of .*'xyz'"),
        ({"strategies": [("hsv", "cq")]}, "similarity"),
        ({"strategies": []}, "non-empty list"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        selective_search(np.zeros((8, 8)), **params)


# --------------------------------------------------------------------------------------
# RegionProposalDetector
# --------------------------------------------------------------------------------------
def _patches(n=30, size=12, seed=0):
    """Objects (label 1) and crops of a smooth-noise background (label 0)."""
    rng = np.random.default_rng(seed)
    pos = np.stack([_object(size, size, rng) for _ in range(n)])
    neg = np.stack(
        [ndimage.gaussian_filter(rng.random((size, size)), 1.0) * 0.5 for _ in range(n)]
    )
    return np.concatenate([pos, neg]), np.r_[np.ones(n), np.zeros(n)].astype(int)


def test_detector_finds_pasted_object():
    X, y = _patches()
    det = RegionProposalDetector(LogisticRegression(), score_threshold=1.0)
    det.fit(X, y)
    all_boxes, all_scores = det.detect_batch(np.stack([_scene(0), _scene(1)]))
    for seed, boxes, scores in zip(range(2), all_boxes, all_scores, strict=True):
        assert len(boxes) >= 1
        assert (np.diff(scores) <= 0).all() and (scores >= 1.0).all()
        assert box_iou(boxes[:1], [[30, 12, 58, 40]]).item() >= 0.7
        np.testing.assert_array_equal(det.detect(_scene(seed))[0], boxes)
    # Without NMS every proposal above the threshold is kept (more boxes).
    many, _ = det.set_params(nms_iou=None).detect(_scene(0))
    assert len(many) > len(all_boxes[0])


def test_default_estimator_is_a_scaled_linear_svm():
    X, y = _patches()
    det = RegionProposalDetector().fit(X, y)
    assert type(det.estimator_[-1]).__name__ == "LinearSVC"
    boxes, _ = det.detect(_scene(0))
    assert box_iou(boxes[:1], [[30, 12, 58, 40]]).item() >= 0.7


def test_default_estimator_takes_sample_weight():
    # Regression: the default Pipeline refused sample_weight (8 common checks
    # failed). Integer weights now equal repeated patches, in both steps.
    X, y = _patches(n=12, size=8)
    w = np.random.default_rng(0).integers(0, 4, len(y))
    weighted = RegionProposalDetector().fit(X, y, sample_weight=w)
    repeated = RegionProposalDetector().fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(
        weighted.decision_function(X), repeated.decision_function(X), rtol=1e-6
    )
    np.testing.assert_allclose(
        weighted.estimator_[0].mean_, repeated.estimator_[0].mean_, rtol=1e-12
    )


def test_pipeline_without_sample_weight_in_last_step_raises():
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _patches(n=6, size=8)
    det = RegionProposalDetector(
        make_pipeline(StandardScaler(), KNeighborsClassifier())
    )
    with pytest.raises(ValueError, match="last step of estimator .* does not accept"):
        det.fit(X, y, sample_weight=np.ones(len(y)))


def test_detector_uses_decision_function_and_callable_proposals():
    X, y = _patches()
    grid = np.array([[x, y, x + 28, y + 28] for x in range(0, 52, 4) for y in (0, 12)])
    det = RegionProposalDetector(
        RidgeClassifier(), proposals=lambda im: grid, score_threshold=0.0, nms_iou=0.1
    ).fit(X, y)
    boxes, scores = det.detect(_scene(0))
    assert box_iou(boxes[:1], [[30, 12, 58, 40]]).item() >= 0.75
    assert len(boxes) < len(grid) and (scores >= 0).all()
    assert not hasattr(det, "predict_proba")
    np.testing.assert_allclose(
        det.decision_function(X), det.estimator_.decision_function(X.reshape(60, -1))
    )


def test_predict_delegates_to_the_fitted_estimator():
    X, y = _patches()
    det = RegionProposalDetector(LogisticRegression()).fit(X, y)
    ref = LogisticRegression().fit(X.reshape(len(X), -1), y)
    np.testing.assert_array_equal(det.predict(X), ref.predict(X.reshape(len(X), -1)))
    np.testing.assert_allclose(
        det.predict_proba(X), ref.predict_proba(X.reshape(len(X), -1))
    )
    assert det.region_shape_ == (12, 12) and det.score(X, y) == 1.0


def test_region_size_resizes_patches_of_any_size():
    X, y = _patches(size=12)
    det = RegionProposalDetector(LogisticRegression(), region_size=(6, 6)).fit(
        list(X[:-1]) + [np.pad(X[-1], 2, mode="edge")], y
    )
    assert det.region_shape_ == (6, 6) and det.estimator_.n_features_in_ == 36
    assert (det.predict(X) == y).mean() >= 0.95
    boxes, _ = det.detect(np.dstack([_scene(0)] * 3))  # colour image, grey model
    assert box_iou(boxes[:1], [[30, 12, 58, 40]]).item() >= 0.7


@pytest.mark.parametrize(
    "params, fit_X, match, error",
    [
        (
            {"region_size": (0, 4)},
            None,
            "region_size must be None or a pair",
            ValueError,
        ),
        ({"region_size": None}, "list", "region_size=None needs", ValueError),
        ({"nms_iou": 2.0}, None, "'nms_iou' parameter", ValueError),
        ({"max_proposals": 0}, None, "'max_proposals' parameter", ValueError),
        ({"proposals": "edges"}, None, "'proposals' parameter", ValueError),
        ({"estimator": "svm"}, None, "estimator must be a scikit-learn", TypeError),
    ],
)
def test_detector_bad_parameters(params, fit_X, match, error):
    X, y = _patches()
    if fit_X == "list":
        X = list(X[:-1]) + [np.zeros((5, 7))]
    det = RegionProposalDetector(LogisticRegression()).set_params(**params)
    with pytest.raises(error, match=match):
        det.fit(X, y)


def test_detector_y_errors():
    X, y = _patches()
    det = RegionProposalDetector(LogisticRegression())
    with pytest.raises(ValueError, match="same number of samples"):
        det.fit(X, y[:-1])
    with pytest.raises(ValueError, match="requires y"):
        det.fit(X, None)


def test_invalid_positive_class_fails_in_fit():
    X, y = _patches()
    det = RegionProposalDetector(LogisticRegression(), positive_class=7)
    with pytest.raises(
        ValueError, match=r"positive_class must be one of classes_ \[0, 1\]; got 7"
    ):
        det.fit(X, y)
    # set after fitting, it still fails at detect
    det.set_params(positive_class=None).fit(X, y).set_params(positive_class=7)
    with pytest.raises(ValueError, match=r"positive_class must be one of classes_"):
        det.detect(_scene(0))


def test_channel_mismatch_at_detect_raises():
    X, y = _patches()
    colour = RegionProposalDetector(LogisticRegression()).fit(
        np.repeat(X[..., None], 3, axis=-1), y
    )
    with pytest.raises(ValueError, match="image has shape .* probably a batch"):
        colour.detect(np.zeros((32, 32, 5)))
    # alpha is dropped (the channel rule of skcv.utils.convert_channels)
    rgb = np.dstack([_scene(0)] * 3)
    rgba = np.dstack([rgb, np.zeros(rgb.shape[:2])])
    np.testing.assert_array_equal(colour.detect(rgba)[0], colour.detect(rgb)[0])
    # grey <-> colour are converted, not refused
    scene = _scene(0)
    grey = RegionProposalDetector(LogisticRegression()).fit(X, y)
    np.testing.assert_array_equal(
        grey.detect(scene)[0], grey.detect(np.dstack([scene] * 3))[0]
    )
    assert colour.detect(scene)[0].shape[1] == 4


def test_detector_errors_at_detect():
    X, y = _patches()
    det = RegionProposalDetector(LogisticRegression()).fit(X, y)
    det.set_params(positive_class=None, proposal_params={"max_proposals": 5})
    with pytest.raises(ValueError, match="proposal_params must not set"):
        det.detect(_scene(0))
    det.set_params(proposal_params=None)
    with pytest.raises(ValueError, match="ndim=4"):
        det.detect(np.zeros((1, 8, 8, 3)))
    with pytest.raises(ValueError, match="NaN"):
        det.detect(np.full((8, 8), np.nan))
    with pytest.raises(ValueError, match="images must be a batch"):
        det.detect_batch(np.zeros((8, 8)))
