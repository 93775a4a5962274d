import doctest
import importlib

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from skcv.metrics import average_precision, mean_average_precision


def _scenes(seed=0, n=6):
    rng = np.random.default_rng(seed)
    boxes = []
    for _ in range(n):
        xy = rng.uniform(0, 100, (int(rng.integers(0, 4)), 2)) * [[1, 1]]
        xy[:, 0] += 150 * np.arange(len(xy))  # disjoint
        boxes.append(np.c_[xy, xy + rng.uniform(10, 30, (len(xy), 2))])
    return boxes


def test_perfect_detector_has_ap_one():
    true = _scenes()
    scores = [np.linspace(1, 0.5, len(b)) for b in true]
    assert average_precision(true, true, scores) == 1.0
    assert average_precision(true, true, scores, iou_threshold=1.0) == 1.0


def test_hand_computed():
    true = [[[0, 0, 10, 10], [20, 0, 30, 10]], [[0, 0, 10, 10]]]
    pred = [
        [[0, 0, 10, 10], [40, 40, 50, 50], [20, 0, 30, 10]],
        [[0, 0, 10, 10]],
    ]
    scores = [[0.9, 0.8, 0.7], [0.6]]
    # TP, FP, TP, TP: precision 1, 1/2, 2/3, 3/4; recall 1/3, 1/3, 2/3, 1
    # envelope: 1 up to 1/3, 3/4 beyond: AP = 1/3 + 2/3 * 3/4
    assert average_precision(true, pred, scores) == pytest.approx(1 / 3 + 0.5)
    # an unmatched ground truth caps recall: drop the last image's prediction
    ap = average_precision(true, [pred[0], np.empty((0, 4))], [scores[0], []])
    assert ap == pytest.approx(1 / 3 + 1 / 3 * 2 / 3)


def test_duplicates_are_false_positives():
    true = [[[0, 0, 10, 10]]]
    once = average_precision(true, [[[0, 0, 10, 10]]], [[0.9]])
    twice = average_precision(true, [[[0, 0, 10, 10], [0, 0, 10, 11]]], [[0.5, 0.9]])
    assert once == 1.0
    # the better-scored duplicate takes the match; the other is a false positive
    # ranked last, which does not lower the envelope at recall 1
    assert twice == 1.0
    # a duplicate ranked above the match lowers AP: FP first, then TP
    worse = average_precision(
        true, [[[0, 0, 10, 10], [0, 0, 10, 11], [0, 0, 3, 3]]], [[0.5, 0.9, 0.95]]
    )
    assert worse == pytest.approx(0.5)


def test_iou_threshold_is_inclusive():
    true = [[[0, 0, 10, 10]]]
    pred = [[[0, 0, 10, 20]]]  # IoU exactly 0.5
    assert average_precision(true, pred, [[1.0]], iou_threshold=0.5) == 1.0
    assert average_precision(true, pred, [[1.0]], iou_threshold=0.51) == 0.0


def test_equals_sklearn_when_precision_is_monotone():
    # each image holds one object; predictions either hit it or miss entirely,
    # so AP is the area under a step PR curve like sklearn's when precision only
    # decreases (every true positive ranked before every false positive).
    rng = np.random.default_rng(0)
    n = 20
    true = [[[0, 0, 10, 10]] for _ in range(n)]
    hit = rng.random(n) < 0.7
    pred = [[[0, 0, 10, 10]] if h else [[50, 50, 60, 60]] for h in hit]
    scores = np.sort(rng.random(n))[::-1]
    order = np.argsort(~hit, kind="stable")
    pred = [pred[i] for i in order]
    hit = hit[order]
    ap = average_precision(true, pred, [[s] for s in scores])
    expected = average_precision_score(hit, scores) * hit.sum() / n
    assert ap == pytest.approx(expected)


def test_no_ground_truth_and_no_prediction():
    assert np.isnan(average_precision([np.empty((0, 4))], [[[0, 0, 1, 1]]], [[1.0]]))
    assert average_precision([[[0, 0, 1, 1]]], [np.empty((0, 4))], [[]]) == 0.0


def test_stacked_arrays_accepted():
    true = np.array([[[0, 0, 10, 10]], [[5, 5, 9, 9]]], dtype=float)
    assert average_precision(true, true, np.ones((2, 1))) == 1.0


def test_mean_average_precision():
    true = [[[0, 0, 10, 10], [20, 20, 30, 30]], [[0, 0, 5, 5]]]
    labels = [[1, 2], [2]]
    m, per_class = mean_average_precision(
        true, labels, true, [[0.9, 0.8], [0.7]], labels, return_per_class=True
    )
    assert m == 1.0 and per_class == {1: 1.0, 2: 1.0}
    # right box, wrong class: class 2 loses one of its two objects
    m, per_class = mean_average_precision(
        true, labels, true, [[0.9, 0.8], [0.7]], [[1, 2], [1]], return_per_class=True
    )
    assert per_class == {1: 1.0, 2: 0.5}
    assert m == 0.75
    # one class only equals average_precision
    assert mean_average_precision(
        true[:1], [[1, 1]], true[:1], [[0.2, 0.1]], [[1, 1]]
    ) == average_precision(true[:1], true[:1], [[0.2, 0.1]])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"pred_boxes": []}, "one entry per image"),
        ({"pred_scores": [[1.0, 2.0]]}, r"pred_scores\[0\] must have one score"),
        ({"pred_scores": [[np.nan]]}, r"pred_scores\[0\] contains NaN"),
        ({"true_boxes": [[[0, 0, 1]]]}, r"true_boxes\[0\] must have shape \(k, 4\)"),
        ({"pred_boxes": [[[5, 0, 1, 1]]]}, r"pred_boxes\[0\] must satisfy x_max"),
        ({"iou_threshold": 0}, r"iou_threshold must be a float in \(0, 1\]"),
        ({"iou_threshold": 1.5}, r"iou_threshold must be a float in \(0, 1\]"),
    ],
)
def test_average_precision_errors(kwargs, match):
    args = {
        "true_boxes": [[[0, 0, 1, 1]]],
        "pred_boxes": [[[0, 0, 1, 1]]],
        "pred_scores": [[1.0]],
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        average_precision(**args)


def test_type_errors():
    with pytest.raises(TypeError, match="true_boxes must be a list"):
        average_precision(None, [], [])
    with pytest.raises(TypeError, match="pred_labels must be a list"):
        mean_average_precision([], [], [], [], 3)


def test_mean_average_precision_label_errors():
    box = [[[0, 0, 1, 1]]]
    with pytest.raises(ValueError, match=r"true_labels\[0\] must have one label"):
        mean_average_precision(box, [[1, 2]], box, [[1.0]], [[1]])
    with pytest.raises(ValueError, match=r"pred_labels\[0\] must have one label"):
        mean_average_precision(box, [[1]], box, [[1.0]], [[]])
    with pytest.raises(ValueError, match="one entry per image"):
        mean_average_precision(box, [], box, [[1.0]], [[1]])


def test_doctests():
    module = importlib.import_module("skcv.metrics._detection")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
