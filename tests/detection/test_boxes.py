import numpy as np
import pytest

from skcv.detection import _boxes, box_iou, non_max_suppression


def _python_nms(boxes, scores, threshold):
    """Reference greedy NMS with a Python loop over pairs (the course's steps)."""
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep, suppressed = [], set()
    for a, i in enumerate(order):
        if i in suppressed:
            continue
        keep.append(i)
        for j in order[a + 1 :]:
            iou = box_iou(boxes[i : i + 1], boxes[j : j + 1])[0, 0]
            if iou > threshold:
                suppressed.add(j)
    return keep


def test_box_iou_by_hand():
    a = np.array([[0, 0, 10, 10], [0, 0, 4, 4]])
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [5, 5, 15, 15], [10, 0, 20, 10]])
    iou = box_iou(a, b)
    assert iou.shape == (2, 4)
    # identical; half overlap 50/150; quarter 25/175; touching edges (exclusive max)
    np.testing.assert_allclose(iou[0], [1.0, 50 / 150, 25 / 175, 0.0])
    np.testing.assert_allclose(iou[1], [16 / 100, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(box_iou(b, a), iou.T)


def test_box_iou_empty_and_degenerate():
    assert box_iou(np.empty((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    assert box_iou([], []).shape == (0, 0)
    # zero-area boxes give 0, not NaN
    assert box_iou([[1, 1, 1, 1]], [[1, 1, 1, 1]])[0, 0] == 0.0


@pytest.mark.parametrize(
    "boxes, match",
    [
        (np.zeros((3, 3)), r"boxes_a must have shape \(k, 4\)"),
        (np.zeros(4), r"boxes_a must have shape \(k, 4\)"),
        ([[0, 0, np.nan, 1]], "boxes_a contains NaN"),
        ([[0, 0, np.inf, 1]], "boxes_a contains infinity"),
        ([[5, 0, 1, 1]], "x_max >= x_min"),
        ([[0, 5, 1, 1]], "y_max >= y_min"),
    ],
)
def test_box_iou_errors(boxes, match):
    with pytest.raises(ValueError, match=match):
        box_iou(boxes, [[0, 0, 1, 1]])


def test_box_iou_type_error():
    with pytest.raises(TypeError, match="boxes_b must be"):
        box_iou([[0, 0, 1, 1]], "boxes")


def test_nms_keeps_best_of_overlapping_and_all_disjoint():
    boxes = np.array(
        [
            [0, 0, 10, 10],
            [1, 1, 11, 11],  # overlaps box 0 (IoU 0.68), higher score
            [50, 50, 60, 60],
            [100, 0, 110, 10],
            [0, 100, 20, 120],
        ]
    )
    scores = np.array([0.7, 0.9, 0.1, 0.5, 0.3])
    keep = non_max_suppression(boxes, scores, iou_threshold=0.5)
    np.testing.assert_array_equal(keep, [1, 3, 4, 2])
    assert keep.dtype == np.int64
    # a threshold above the overlap keeps both
    assert len(non_max_suppression(boxes, scores, iou_threshold=0.7)) == 5


def test_nms_max_output_and_empty():
    boxes = np.array([[0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 5, 5]])
    np.testing.assert_array_equal(
        non_max_suppression(boxes, [1, 3, 2], max_output=2), [1, 2]
    )
    assert non_max_suppression(np.empty((0, 4)), []).shape == (0,)


def test_nms_ties_in_input_order():
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]])
    np.testing.assert_array_equal(non_max_suppression(boxes, [1, 1, 1]), [0])


def test_nms_chain_and_zero_area():
    # a chain of shifted boxes with decreasing scores: keep 0, drop 1, keep 2, ...
    boxes = np.array([[4 * i, 0, 4 * i + 10, 10] for i in range(8)], dtype=float)
    keep = non_max_suppression(boxes, -np.arange(8.0), iou_threshold=0.4)
    np.testing.assert_array_equal(keep, [0, 2, 4, 6])
    # zero-area boxes overlap nothing and are all kept
    flat = np.array([[1, 1, 1, 5], [1, 1, 1, 5], [0, 0, 4, 4]], dtype=float)
    assert sorted(non_max_suppression(flat, [3, 2, 1], iou_threshold=0.0)) == [0, 1, 2]


@pytest.mark.parametrize("path", ["graph", "blocked"])
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.7])
@pytest.mark.parametrize("extent", [300, 60])
def test_nms_matches_python_loop(threshold, path, extent, monkeypatch):
    if path == "blocked":  # force the path used for crowded boxes
        monkeypatch.setattr(_boxes, "_MAX_CANDIDATES", 0)
    rng = np.random.default_rng(0)
    n = 1200  # more than one block of the blocked implementation
    xy = rng.uniform(0, extent, (n, 2))
    boxes = np.c_[xy, xy + rng.uniform(5, 60, (n, 2))]
    scores = rng.random(n)
    keep = non_max_suppression(boxes, scores, threshold)
    # every kept pair is below the threshold, every dropped box is covered
    iou = box_iou(boxes[keep], boxes)
    kept_pairs = iou[:, keep]
    np.fill_diagonal(kept_pairs, 0)
    assert (kept_pairs <= threshold).all()
    dropped = np.setdiff1d(np.arange(n), keep)
    assert (iou[:, dropped] > threshold).any(axis=0).all()
    assert np.all(np.diff(scores[keep]) <= 0)
    small = slice(0, 80)
    assert list(non_max_suppression(boxes[small], scores[small], threshold)) == (
        _python_nms(boxes[small], scores[small], threshold)
    )


@pytest.mark.parametrize("path", ["graph", "blocked"])
def test_nms_iou_equal_to_threshold_is_kept(path, monkeypatch):
    if path == "blocked":
        monkeypatch.setattr(_boxes, "_MAX_CANDIDATES", 0)
    boxes = np.array([[0, 0, 3, 1], [0, 0, 10, 1]])
    assert box_iou(boxes[:1], boxes[1:])[0, 0] == 0.3  # exactly the threshold
    # not strictly above the threshold: both boxes survive
    assert list(non_max_suppression(boxes, [1.0, 0.5], 0.3)) == [0, 1]


@pytest.mark.parametrize("path", ["graph", "blocked"])
@pytest.mark.parametrize("threshold", [0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.75])
def test_nms_integer_box_ties_match_python_loop(threshold, path, monkeypatch):
    # Small integer boxes give many pairs whose IoU equals the threshold exactly
    # (as box_iou rounds it); the vectorised NMS must decide them as the loop does.
    if path == "blocked":
        monkeypatch.setattr(_boxes, "_MAX_CANDIDATES", 0)
    rng = np.random.default_rng(int(threshold * 1000))
    n = 90
    xy = rng.integers(0, 8, (n, 2))
    boxes = np.c_[xy, xy + rng.integers(1, 11, (n, 2))].astype(float)
    scores = rng.random(n)
    iou = box_iou(boxes, boxes)
    assert (iou == threshold).sum() > 0  # the case under test does occur
    assert list(non_max_suppression(boxes, scores, threshold)) == (
        _python_nms(boxes, scores, threshold)
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"scores": [1.0]}, r"scores must have shape \(2,\)"),
        ({"scores": [1.0, np.nan]}, "scores contains NaN"),
        ({"iou_threshold": 1.5}, r"iou_threshold must be a float in \[0, 1\]"),
        ({"iou_threshold": "a"}, "iou_threshold must be"),
        ({"max_output": 0}, "max_output must be a positive int"),
        ({"boxes": [[0, 0, 1]]}, r"boxes must have shape \(k, 4\)"),
    ],
)
def test_nms_errors(kwargs, match):
    args = {"boxes": [[0, 0, 1, 1], [0, 0, 2, 2]], "scores": [1.0, 0.5]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        non_max_suppression(**args)
