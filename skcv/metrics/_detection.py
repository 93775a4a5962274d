"""Detection metrics: average precision (PASCAL VOC style) and its mean over classes."""

from __future__ import annotations

from numbers import Real

import numpy as np

from skcv.detection._boxes import _iou, check_boxes
from skcv.utils._validation import as_real_array

__all__ = ["average_precision", "mean_average_precision"]


def _per_image(value, name):
    """Return a list of per-image arrays from a list or an array of images."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(
            f"{name} must be a list with one array per image; got "
            f"{type(value).__name__}."
        )
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            raise TypeError(f"{name} must be a list with one array per image.")
        return list(value)
    try:
        return list(value)
    except TypeError as exc:
        raise TypeError(
            f"{name} must be a list with one array per image; got "
            f"{type(value).__name__}."
        ) from exc


def _check_threshold(iou_threshold):
    if (
        not isinstance(iou_threshold, Real)
        or isinstance(iou_threshold, bool)
        or not 0 < iou_threshold <= 1
    ):
        raise ValueError(
            f"iou_threshold must be a float in (0, 1]; got {iou_threshold!r}."
        )


def _check_inputs(true_boxes, pred_boxes, pred_scores):
    true_boxes = _per_image(true_boxes, "true_boxes")
    pred_boxes = _per_image(pred_boxes, "pred_boxes")
    pred_scores = _per_image(pred_scores, "pred_scores")
    if not len(true_boxes) == len(pred_boxes) == len(pred_scores):
        raise ValueError(
            "true_boxes, pred_boxes and pred_scores must have one entry per image; "
            f"got {len(true_boxes)}, {len(pred_boxes)} and {len(pred_scores)} "
            "images."
        )
    gts, preds, scores = [], [], []
    for i, (t, p, s) in enumerate(
        zip(true_boxes, pred_boxes, pred_scores, strict=True)
    ):
        gts.append(check_boxes(t, f"true_boxes[{i}]"))
        preds.append(check_boxes(p, f"pred_boxes[{i}]"))
        s = as_real_array(s, f"pred_scores[{i}]").reshape(-1)
        if len(s) != len(preds[-1]):
            raise ValueError(
                f"pred_scores[{i}] must have one score per box of pred_boxes[{i}] "
                f"({len(preds[-1])}); got {len(s)}."
            )
        if np.isnan(s).any():
            raise ValueError(f"pred_scores[{i}] contains NaN; scores must be numbers.")
        scores.append(s)
    return gts, preds, scores


def _average_precision(gts, preds, scores, iou_threshold):
    n_true = sum(len(g) for g in gts)
    if n_true == 0:
        return float("nan")
    n_pred = sum(len(p) for p in preds)
    if n_pred == 0:
        return 0.0
    image = np.concatenate([np.full(len(p), i) for i, p in enumerate(preds)])
    all_scores = np.concatenate(scores)
    order = np.argsort(-all_scores, kind="stable")
    # Best ground truth and its IoU for every prediction, one matrix per image.
    best_gt = np.full(n_pred, -1)
    best_iou = np.zeros(n_pred)
    offset = 0
    for g, p in zip(gts, preds, strict=True):
        if len(g) and len(p):
            iou = _iou(p, g)
            best_gt[offset : offset + len(p)] = iou.argmax(axis=1)
            best_iou[offset : offset + len(p)] = iou.max(axis=1)
        offset += len(p)
    # Greedy matching in score order: a prediction is a true positive when its
    # best ground truth overlaps enough and was not matched by a better-scored
    # prediction; otherwise (duplicates included) it is a false positive.
    matched = [np.zeros(len(g), dtype=bool) for g in gts]
    tp = np.zeros(n_pred)
    for rank, k in enumerate(order):
        if best_iou[k] >= iou_threshold:
            taken = matched[image[k]]
            if not taken[best_gt[k]]:
                taken[best_gt[k]] = True
                tp[rank] = 1.0
    ctp = np.cumsum(tp)
    recall = ctp / n_true
    precision = ctp / np.arange(1, n_pred + 1)
    # All-point interpolation: precision envelope, then area under the steps.
    mrec = np.r_[0.0, recall, 1.0]
    mpre = np.r_[0.0, precision, 0.0]
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1]))


def average_precision(true_boxes, pred_boxes, pred_scores, *, iou_threshold=0.5):
    """Average precision of detections at an IoU threshold (PASCAL VOC style).

    Parameters
    ----------
    true_boxes : list of array-like of shape (k_i, 4)
        Ground-truth boxes ``(x_min, y_min, x_max, y_max)`` of each image (an
        array of shape ``(n_images, k, 4)`` is accepted too).
    pred_boxes : list of array-like of shape (m_i, 4)
        Predicted boxes of each image.
    pred_scores : list of array-like of shape (m_i,)
        Confidence of each predicted box.
    iou_threshold : float, default=0.5
        A prediction can match a ground truth when their IoU is at least this
        value, in ``(0, 1]``.

    Returns
    -------
    ap : float
        Area under the interpolated precision-recall curve, in ``[0, 1]``; NaN
        when there is no ground-truth box at all, 0 when there are ground truths
        but no prediction.

    Raises
    ------
    ValueError
        If the lists have different lengths, a box array is malformed, a score
        array does not match its boxes or holds NaN, or ``iou_threshold`` is not in
        ``(0, 1]``.

    See Also
    --------
    mean_average_precision : The mean of this over object classes.
    skcv.detection.box_iou : The overlap used for matching.

    Notes
    -----
    The course's recipe (PASCAL VOC 2010 onwards):

    1. pool the predictions of all images and sort them by decreasing score;
    2. walk down the list; a prediction is a true positive if the ground truth
       of its image that it overlaps most has IoU >= ``iou_threshold`` and was not
       already matched; otherwise it is a false positive (so a duplicate
       detection of an object already found counts against the detector);
    3. after each prediction compute precision = TP / (TP + FP) and recall =
       TP / (number of ground-truth boxes);
    4. make precision monotone (each value becomes the maximum precision at any
       higher recall) and sum the area under this step curve over every recall
       level (all-point interpolation).

    References
    ----------
    .. [1] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn and
       A. Zisserman, "The PASCAL Visual Object Classes (VOC) Challenge",
       IJCV 88(2), 2010. :doi:`10.1007/s11263-009-0275-4`

    Examples
    --------
    >>> from skcv.metrics import average_precision
    >>> true_boxes = [[[0, 0, 10, 10]], [[5, 5, 20, 20]]]
    >>> pred_boxes = [[[0, 0, 10, 10], [30, 30, 40, 40]], [[5, 5, 20, 19]]]
    >>> pred_scores = [[0.9, 0.8], [0.3]]
    >>> round(average_precision(true_boxes, pred_boxes, pred_scores), 4)
    0.8333
    """
    _check_threshold(iou_threshold)
    gts, preds, scores = _check_inputs(true_boxes, pred_boxes, pred_scores)
    return _average_precision(gts, preds, scores, iou_threshold)


def mean_average_precision(
    true_boxes,
    true_labels,
    pred_boxes,
    pred_scores,
    pred_labels,
    *,
    iou_threshold=0.5,
    return_per_class=False,
):
    """Mean over object classes of the average precision at an IoU threshold.

    Parameters
    ----------
    true_boxes : list of array-like of shape (k_i, 4)
        Ground-truth boxes of each image.
    true_labels : list of array-like of shape (k_i,)
        Class of each ground-truth box.
    pred_boxes : list of array-like of shape (m_i, 4)
        Predicted boxes of each image.
    pred_scores : list of array-like of shape (m_i,)
        Confidence of each predicted box.
    pred_labels : list of array-like of shape (m_i,)
        Predicted class of each box; a prediction only matches ground truths of
        its own class.
    iou_threshold : float, default=0.5
        Matching threshold on IoU, in ``(0, 1]``.
    return_per_class : bool, default=False
        Also return a dict ``{class: AP}``.

    Returns
    -------
    map : float
        Mean of :func:`average_precision` over the classes that have at least one
        ground-truth box (predictions of other classes cannot be scored and are
        ignored); NaN when there is no ground truth.
    per_class : dict
        Only if ``return_per_class``: the AP of each such class.

    Raises
    ------
    ValueError
        As :func:`average_precision`, and if a label array does not have one
        label per box.

    See Also
    --------
    average_precision : The AP of one class.

    Notes
    -----
    1. split ground truths and predictions by class;
    2. compute the VOC average precision of every class independently;
    3. average over classes (each class counts equally, however frequent).

    References
    ----------
    .. [1] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn and
       A. Zisserman, "The PASCAL Visual Object Classes (VOC) Challenge",
       IJCV 88(2), 2010. :doi:`10.1007/s11263-009-0275-4`

    Examples
    --------
    >>> from skcv.metrics import mean_average_precision
    >>> true_boxes = [[[0, 0, 10, 10], [20, 20, 30, 30]]]
    >>> true_labels = [[1, 2]]
    >>> pred_boxes = [[[0, 0, 10, 10], [20, 20, 30, 30]]]
    >>> m, per_class = mean_average_precision(
    ...     true_boxes, true_labels, pred_boxes, [[0.9, 0.8]], [[1, 1]],
    ...     return_per_class=True)
    >>> m, per_class
    (0.5, {1: 1.0, 2: 0.0})
    """
    _check_threshold(iou_threshold)
    gts, preds, scores = _check_inputs(true_boxes, pred_boxes, pred_scores)
    t_labels = _per_image(true_labels, "true_labels")
    p_labels = _per_image(pred_labels, "pred_labels")
    if len(t_labels) != len(gts) or len(p_labels) != len(gts):
        raise ValueError(
            "true_labels and pred_labels must have one entry per image "
            f"({len(gts)}); got {len(t_labels)} and {len(p_labels)}."
        )
    t_labels = [np.asarray(v).reshape(-1) for v in t_labels]
    p_labels = [np.asarray(v).reshape(-1) for v in p_labels]
    for i in range(len(gts)):
        if len(t_labels[i]) != len(gts[i]):
            raise ValueError(
                f"true_labels[{i}] must have one label per box of true_boxes[{i}] "
                f"({len(gts[i])}); got {len(t_labels[i])}."
            )
        if len(p_labels[i]) != len(preds[i]):
            raise ValueError(
                f"pred_labels[{i}] must have one label per box of pred_boxes[{i}] "
                f"({len(preds[i])}); got {len(p_labels[i])}."
            )
    # Empty label lists (images without ground truth) are left out: np.asarray([])
    # is float64 and would turn integer class labels into float keys.
    labelled = [t for t in t_labels if len(t)]
    classes = np.unique(np.concatenate(labelled)) if labelled else np.array([])
    per_class = {}
    for c in classes:
        per_class[c.item()] = _average_precision(
            [g[t == c] for g, t in zip(gts, t_labels, strict=True)],
            [p[lab == c] for p, lab in zip(preds, p_labels, strict=True)],
            [s[lab == c] for s, lab in zip(scores, p_labels, strict=True)],
            iou_threshold,
        )
    value = float(np.mean(list(per_class.values()))) if per_class else float("nan")
    if return_per_class:
        return value, per_class
    return value
