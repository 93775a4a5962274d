import numpy as np
import pytest

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
    # a miss (IoU 0.09) ranked above the match lowers AP: FP, TP, then the
    # duplicate as FP; precision 0, 1/2, 1/3 at recall 0, 1, 1 gives AP 1/2
    worse = average_precision(
        true, [[[0, 0, 10, 10], [0, 0, 10, 11], [0, 0, 3, 3]]], [[0.5, 0.9, 0.95]]
    )
    assert worse == pytest.approx(0.5)


def test_iou_threshold_is_inclusive():
    true = [[[0, 0, 10, 10]]]
    pred = [[[0, 0, 10, 20]]]  # IoU exactly 0.5
    assert average_precision(true, pred, [[1.0]], iou_threshold=0.5) == 1.0
    assert average_precision(true, pred, [[1.0]], iou_threshold=0.51) == 0.0


def _voc_reference_ap(true, pred, scores, threshold):
    """PASCAL VOC devkit ``VOCevaldet``/``VOCap`` written out with Python loops.

    Detections of all images sorted by decreasing score; each takes the
    ground truth of its image it overlaps most (first one on ties); it is a true
    positive if that IoU is >= the threshold and the ground truth is not yet
    detected, else a false positive (duplicates included). Precision envelope,
    then the area under the steps at every recall change (all-point). Returns
    the AP and the 0/1 true-positive flag of each detection in rank order.
    """

    def iou(a, b):
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        inter = max(w, 0) * max(h, 0)
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return inter / union if union > 0 else 0.0

    n_pos = sum(len(t) for t in true)
    dets = [(s, i, d) for i in range(len(pred)) for d, s in enumerate(scores[i])]
    dets.sort(key=lambda x: -x[0])
    detected = [[False] * len(t) for t in true]
    tp, fp = [], []
    for _, i, d in dets:
        ov_max, j_max = -np.inf, -1
        for j, g in enumerate(true[i]):
            ov = iou(pred[i][d], g)
            if ov > ov_max:
                ov_max, j_max = ov, j
        hit = ov_max >= threshold and not detected[i][j_max]
        if hit:
            detected[i][j_max] = True
        tp.append(int(hit))
        fp.append(int(not hit))
    ctp, cfp = np.cumsum(tp), np.cumsum(fp)
    rec = list(ctp / n_pos)
    prec = list(ctp / (ctp + cfp))
    mrec, mpre = [0.0, *rec, 1.0], [0.0, *prec, 0.0]
    for k in range(len(mpre) - 2, -1, -1):
        mpre[k] = max(mpre[k], mpre[k + 1])
    ap = sum(
        (mrec[k] - mrec[k - 1]) * mpre[k]
        for k in range(1, len(mrec))
        if mrec[k] != mrec[k - 1]
    )
    return ap, tp


def _random_case(seed):
    """Overlapping ground truths, jittered hits of varying quality, duplicates
    and random misses, with random scores."""
    rng = np.random.default_rng(seed)
    true, pred, scores = [], [], []
    for _ in range(5):
        xy = rng.integers(0, 60, (int(rng.integers(0, 5)), 2))
        t = np.c_[xy, xy + rng.integers(8, 30, (len(xy), 2))].astype(float)
        hits = t[rng.random(len(t)) < 0.8]
        dups = hits[rng.random(len(hits)) < 0.4]
        p = np.r_[hits, dups] + rng.integers(-4, 5, (len(hits) + len(dups), 4))
        p[:, 2:] = np.maximum(p[:, 2:], p[:, :2] + 1)
        mxy = rng.integers(0, 80, (int(rng.integers(0, 4)), 2))
        p = np.r_[p, np.c_[mxy, mxy + rng.integers(5, 25, (len(mxy), 2))]]
        true.append(t)
        pred.append(p)
        scores.append(rng.random(len(p)))
    return true, pred, scores


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("seed", range(8))
def test_matches_voc_devkit_reference(seed, threshold):
    true, pred, scores = _random_case(seed)
    expected, tp = _voc_reference_ap(true, pred, scores, threshold)
    # true and false positives interleave (a false positive outranks a true
    # positive), so the envelope and the duplicate rule both matter
    assert 0 in tp[: len(tp) - tp[::-1].index(1)]
    ap = average_precision(true, pred, scores, iou_threshold=threshold)
    assert ap == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("empty", [[], np.empty(0), np.empty(0, dtype=np.int64)])
def test_map_class_keys_keep_label_dtype_with_empty_images(empty):
    true = [[[0, 0, 10, 10]], np.empty((0, 4)), [[20, 20, 30, 30]]]
    pred = [[[0, 0, 10, 10]], [[5, 5, 9, 9]], np.empty((0, 4))]
    m, per_class = mean_average_precision(
        true,
        [[1], empty, [2]],
        pred,
        [[0.9], [0.4], []],
        [[1], [2], empty],
        return_per_class=True,
    )
    assert per_class == {1: 1.0, 2: 0.0}
    assert all(type(k) is int for k in per_class)
    assert m == 0.5


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
