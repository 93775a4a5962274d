import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from skcv.datasets import load_face_patches, make_detection_scenes
from skcv.detection import SlidingWindowDetector, box_iou
from skcv.detection._sliding import window_grid
from skcv.preprocessing import ImageStandardizer


def _square_patches(size=8, n=30, seed=0):
    rng = np.random.default_rng(seed)
    pos = rng.random((n, size, size)) * 0.2
    pos[:, 2:6, 2:6] += 0.8
    neg = rng.random((n, size, size)) * 0.5
    return np.concatenate([pos, neg]), np.r_[np.ones(n), np.zeros(n)].astype(int)


@pytest.fixture(scope="module")
def square_detector():
    X, y = _square_patches()
    return SlidingWindowDetector(LogisticRegression(), step=1).fit(X, y)


def test_window_grid_matches_python_loop():
    rng = np.random.default_rng(0)
    for image in (rng.random((13, 17)), rng.random((13, 17, 3))):
        views, rows, cols = window_grid(image, (5, 4), 3)
        assert views.shape[:2] == (len(rows), len(cols)) == (3, 5)
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                np.testing.assert_array_equal(views[i, j], image[r : r + 5, c : c + 4])
        assert rows[-1] + 5 <= 13 and cols[-1] + 4 <= 17


def test_detects_pasted_square(square_detector):
    image = np.random.default_rng(1).random((40, 50)) * 0.2
    image[20:24, 31:35] = 1.0  # the patch's square sits at offset 2
    boxes, scores = square_detector.detect(image)
    np.testing.assert_array_equal(boxes[0], [29, 18, 37, 26])
    assert scores[0] == scores.max()
    # NMS: no two kept boxes overlap by more than nms_iou
    iou = box_iou(boxes, boxes)
    assert (iou[~np.eye(len(boxes), dtype=bool)] <= 0.3).all()


def test_pyramid_maps_boxes_back(square_detector):
    image = np.zeros((64, 64))
    image[20:28, 36:44] = 1.0  # an 8-pixel square: twice the trained size
    det = clone(square_detector).set_params(scales=(0.5,))
    det.fit(*_square_patches())
    boxes, _ = det.detect(image)
    assert box_iou(boxes[:1], [[32, 16, 48, 32]])[0, 0] > 0.7
    # at scale 1 only, the big square is not found as well
    plain, _ = (
        clone(det).set_params(scales=(1.0,)).fit(*_square_patches()).detect(image)
    )
    best = box_iou(plain, [[32, 16, 48, 32]]).max() if len(plain) else 0
    assert best < 0.5


def test_score_threshold_and_no_nms(square_detector):
    image = np.random.default_rng(2).random((30, 30)) * 0.2
    image[10:14, 10:14] = 1.0
    det = clone(square_detector).set_params(nms_iou=None, score_threshold=-np.inf)
    det.fit(*_square_patches())
    boxes, scores = det.detect(image)
    assert len(boxes) == 23 * 23  # every window position
    assert np.all(np.diff(scores) <= 0)
    high = clone(det).set_params(score_threshold=1e9).fit(*_square_patches())
    assert high.detect(image)[0].shape == (0, 4)


def test_batching_does_not_change_results(square_detector):
    image = np.random.default_rng(3).random((33, 41))
    a = square_detector.detect(image)
    small = clone(square_detector).set_params(batch_size=7).fit(*_square_patches())
    b = small.detect(image)
    np.testing.assert_allclose(a[0], b[0])
    np.testing.assert_allclose(a[1], b[1])


def test_predict_proba_path_and_positive_class():
    X, y = _square_patches()
    image = np.zeros((20, 20))
    image[5:9, 5:9] = 1
    nb = SlidingWindowDetector(GaussianNB(), step=1).fit(X, y)
    assert not hasattr(nb, "decision_function")  # scores are probabilities
    boxes, scores = nb.detect(image)
    assert 0 <= scores.min() and scores.max() <= 1
    np.testing.assert_array_equal(boxes[0], [3, 3, 11, 11])
    # the background class as "object": the square is not the best window
    bg = SlidingWindowDetector(LogisticRegression(), step=1, positive_class=0)
    boxes0, _ = bg.fit(X, y).detect(image)
    assert not np.array_equal(boxes0[0], [3, 3, 11, 11])


def test_colour_image_on_grey_detector(square_detector):
    image = np.zeros((20, 20, 3))
    image[5:9, 5:9] = 1
    boxes, _ = square_detector.detect(image)
    np.testing.assert_array_equal(boxes[0], [3, 3, 11, 11])


def test_detect_batch_and_small_image(square_detector):
    images = [np.zeros((20, 20)), np.zeros((5, 5)), np.zeros((30, 25))]
    images[0][5:9, 5:9] = 1
    boxes, scores = square_detector.detect_batch(images)
    assert len(boxes) == len(scores) == 3
    assert boxes[1].shape == (0, 4) and scores[1].shape == (0,)
    np.testing.assert_array_equal(boxes[0][0], [3, 3, 11, 11])


@pytest.mark.slow
def test_finds_pasted_face():
    X, y = load_face_patches(20, 600, subset="train", random_state=0)
    est = make_pipeline(
        ImageStandardizer(mode="image", epsilon=1e-4, image_shape=(20, 20)),
        PCA(30, random_state=0),
        SVC(),
    )
    det = SlidingWindowDetector(est, step=2, scales=(1.0, 0.8)).fit(X, y)
    images, boxes, _ = make_detection_scenes(
        4,
        image_size=(64, 64),
        object_size=(20, 24),
        background="noise",
        subset="test",
        random_state=0,
    )
    found, _ = det.detect_batch(images)
    hits = [
        len(f) and box_iou(f[:1], b)[0, 0] >= 0.5
        for f, b in zip(found, boxes, strict=True)
    ]
    assert sum(hits) >= 3


@pytest.mark.parametrize(
    "params, match",
    [
        ({"scales": ()}, "scales must be a non-empty sequence"),
        ({"scales": (1.0, -0.5)}, "scales must be a non-empty sequence"),
        ({"window_size": (4, 4)}, r"window_size must be None or the \(h, w\)"),
        ({"positive_class": 7}, "positive_class must be one of"),
        ({"step": 0}, "step"),
        ({"nms_iou": 2.0}, "nms_iou"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _square_patches()
    with pytest.raises(ValueError, match=match):
        SlidingWindowDetector(LogisticRegression(), **params).fit(X, y)


def test_detect_errors(square_detector):
    with pytest.raises(ValueError, match="image contains NaN"):
        square_detector.detect(np.full((10, 10), np.nan))
    with pytest.raises(ValueError, match="image must have shape"):
        square_detector.detect(np.zeros(10))
    with pytest.raises(ValueError, match="images must be a batch"):
        square_detector.detect_batch(np.zeros((10, 10)))
    stack = SlidingWindowDetector(LogisticRegression()).fit(
        np.random.default_rng(0).random((10, 8, 8, 5)), np.arange(10) % 2
    )
    with pytest.raises(ValueError, match="fitted on patches with 5"):
        stack.detect(np.zeros((10, 10, 3)))
    with pytest.raises(ValueError, match="same number of samples"):
        SlidingWindowDetector(LogisticRegression()).fit(np.zeros((4, 8, 8)), [0, 1])


@pytest.mark.slow
def test_gist_pipeline_on_window_rows():
    # skcv image transformers read the flattened windows back through image_shape
    from skcv.feature import GISTExtractor
    from skcv.linear_model import LinearSVMClassifier

    X, y = load_face_patches(24, 300, subset="train", random_state=0)
    gist = GISTExtractor(
        orientations_per_scale=(4, 4),
        image_size=32,
        boundary_extension=4,
        image_shape=(24, 24),
    )
    est = make_pipeline(gist, LinearSVMClassifier(random_state=0))
    det = SlidingWindowDetector(est, step=4).fit(X, y)
    images, boxes, _ = make_detection_scenes(
        1,
        image_size=(64, 64),
        object_size=(24, 24),
        background="noise",
        subset="test",
        random_state=0,
    )
    found, _ = det.detect(images[0])
    assert box_iou(found[:1], boxes[0])[0, 0] >= 0.5
