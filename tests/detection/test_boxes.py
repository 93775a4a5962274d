import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skcv.detection import _boxes, box_iou, non_max_suppression

PATHS = ["local", "local-small-blocks", "graph", "blocked"]


def _nms_for(path, monkeypatch):
    """The NMS implementation under test: the public one or the reference's paths."""
    if path == "local-small-blocks":  # many blocks, chunks and dense fallbacks
        monkeypatch.setattr(_boxes, "_LOCAL_BLOCK", 37)
        monkeypatch.setattr(_boxes, "_PAIR_CHUNK", 50)
    if path.startswith("local"):
        return non_max_suppression
    if path == "blocked":  # force the path used for crowded boxes
        monkeypatch.setattr(_boxes, "_MAX_CANDIDATES", 0)
    return _boxes._nms_reference


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


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.7])
@pytest.mark.parametrize("extent", [300, 60])
def test_nms_matches_python_loop(threshold, path, extent, monkeypatch):
    non_max_suppression = _nms_for(path, monkeypatch)
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


@pytest.mark.parametrize("path", PATHS)
def test_nms_iou_equal_to_threshold_is_kept(path, monkeypatch):
    non_max_suppression = _nms_for(path, monkeypatch)
    boxes = np.array([[0, 0, 3, 1], [0, 0, 10, 1]])
    assert box_iou(boxes[:1], boxes[1:])[0, 0] == 0.3  # exactly the threshold
    # not strictly above the threshold: both boxes survive
    assert list(non_max_suppression(boxes, [1.0, 0.5], 0.3)) == [0, 1]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("threshold", [0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.75])
def test_nms_integer_box_ties_match_python_loop(threshold, path, monkeypatch):
    # Small integer boxes give many pairs whose IoU equals the threshold exactly
    # (as box_iou rounds it); the vectorised NMS must decide them as the loop does.
    non_max_suppression = _nms_for(path, monkeypatch)
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


@st.composite
def _box_sets(draw):
    """Boxes with ties (equal boxes, equal scores) and degenerate (zero-area) ones."""
    n = draw(st.integers(0, 60))
    scale = draw(st.sampled_from([1.0, 0.5, 1e-3, 1e6]))
    corner = st.integers(0, 12)
    size = st.integers(0, 9)
    xy = np.array(draw(st.lists(st.tuples(corner, corner), min_size=n, max_size=n)))
    wh = np.array(draw(st.lists(st.tuples(size, size), min_size=n, max_size=n)))
    boxes = scale * np.c_[xy, xy + wh].reshape(n, 4).astype(float)
    scores = draw(
        st.lists(
            st.sampled_from([0.0, 0.25, 0.5, 1.0, -np.inf]), min_size=n, max_size=n
        )
    )
    threshold = draw(
        st.sampled_from([0.0, 0.1, 0.25, 1 / 3, 0.5, 2 / 3, 0.7, 1.0]) | st.floats(0, 1)
    )
    max_output = draw(st.none() | st.integers(1, 70))
    return boxes, np.asarray(scores, dtype=float), threshold, max_output


@settings(max_examples=200, deadline=None)
@given(_box_sets(), st.sampled_from([4096, 5]), st.sampled_from([1 << 21, 3]))
def test_nms_local_equals_reference(case, block, chunk):
    # The local NMS keeps exactly the boxes of the previous implementation, in the
    # same order, including ties, zero-area boxes and IoU equal to the threshold.
    boxes, scores, threshold, max_output = case
    expected = _boxes._nms_reference(boxes, scores, threshold, max_output)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_boxes, "_LOCAL_BLOCK", block)
        mp.setattr(_boxes, "_PAIR_CHUNK", chunk)
        got = non_max_suppression(boxes, scores, threshold, max_output)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("threshold", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("extent", [1000.0, 3000.0])
def test_nms_local_equals_reference_on_many_boxes(threshold, extent):
    rng = np.random.default_rng(1)
    n = 4000
    xy = rng.uniform(0, extent, (n, 2))
    boxes = np.c_[xy, xy + rng.uniform(10, 100, (n, 2))]
    boxes[::50, 2] = boxes[::50, 0]  # some zero-area boxes
    boxes[1::50] = boxes[2::50]  # some identical boxes
    scores = np.round(rng.random(n), 2)  # many tied scores
    np.testing.assert_array_equal(
        non_max_suppression(boxes, scores, threshold),
        _boxes._nms_reference(boxes, scores, threshold),
    )


def test_nms_crowded_identical_boxes():
    # every box on the same spot: the block's dense fallback, one box kept
    boxes = np.tile([[3.0, 4.0, 30.0, 40.0]], (9000, 1))
    scores = np.zeros(9000)
    scores[7000] = 1
    np.testing.assert_array_equal(non_max_suppression(boxes, scores), [7000])


def test_nms_scales_to_many_boxes():
    # 80,000 random boxes (the benchmark's crowded case) took 20-40 s with the
    # previous implementation; the local one compares only boxes that can overlap.
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 1000, (80_000, 2))
    boxes = np.c_[xy, xy + rng.uniform(10, 100, (80_000, 2))]
    scores = rng.random(80_000)
    start = time.process_time()  # CPU time: what load on a shared machine spares
    keep = non_max_suppression(boxes, scores, 0.5)
    elapsed = time.process_time() - start
    assert len(keep) == 24221  # as the previous implementation (benchmark check)
    assert elapsed < 2.0  # about 0.4 s; the previous implementation took 20-60 s


def test_box_iou_huge_and_tiny_boxes():
    # the areas of these boxes overflow (1e400) or underflow (1e-400) in float64;
    # box_iou rescales by a power of two instead of returning 0
    big = [[0, 0, 1e200, 1e200]]
    assert box_iou(big, big)[0, 0] == 1.0
    np.testing.assert_allclose(box_iou(big, [[0, 0, 5e199, 1e200]]), [[0.5]])
    tiny = [[0, 0, 1e-200, 1e-200]]
    assert box_iou(tiny, tiny)[0, 0] == 1.0
    # NMS sees the same overlaps
    assert list(non_max_suppression(big * 2, [1.0, 0.5])) == [0]
