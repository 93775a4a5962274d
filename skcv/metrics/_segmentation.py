"""Segmentation metrics over pixels: confusion matrix, pixel accuracy, mean IoU.

All three flatten the label maps, so they take one mask ``(H, W)``, a batch
``(n, H, W)`` or any other shape, as long as ``y_true`` and ``y_pred`` agree.
They do not import torch.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from skcv.utils._validation import as_array

__all__ = ["confusion_matrix", "mean_iou", "pixel_accuracy"]


def label_array(y, name: str) -> np.ndarray:
    """Return ``y`` as an int64 array of class labels (any shape).

    Booleans and integral floats are accepted; NaN, infinity, fractions and
    non-numeric dtypes raise errors that name ``name``.
    """
    arr = as_array(y, name)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must hold integer class labels; got dtype {arr.dtype}."
        )
    if arr.dtype.kind == "f":
        arr = arr.astype(np.float64, copy=False)  # 2**63 overflows float16
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must not contain NaN or infinity.")
        if not np.array_equal(arr, np.round(arr)) or np.any(np.abs(arr) >= 2**63):
            raise ValueError(
                f"{name} must hold integer class labels; got non-integral floats."
            )
    return arr.astype(np.int64, copy=False)


def _check_masks(y_true, y_pred):
    """Return ``y_true`` and ``y_pred`` as flat int64 arrays of equal length."""
    out = [label_array(y_true, "y_true"), label_array(y_pred, "y_pred")]
    a, b = out
    if a.shape != b.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got {a.shape} and {b.shape}."
        )
    if a.size == 0:
        raise ValueError("y_true and y_pred are empty; at least one pixel is needed.")
    return a.reshape(-1).astype(np.int64), b.reshape(-1).astype(np.int64)


def _check_ignore(ignore_index):
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, Integral):
        raise TypeError(f"ignore_index must be an int or None; got {ignore_index!r}.")
    return int(ignore_index)


def _check_labels(labels):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(
            f"labels must be a non-empty 1-D list of class labels; got {labels!r}."
        )
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers; got dtype {labels.dtype}.")
    if len(np.unique(labels)) != len(labels):
        raise ValueError(f"labels must be unique; got {labels.tolist()}.")
    return labels.astype(np.int64)


def _scored_pixels(y_true, y_pred, ignore_index):
    """Return flat ``(t, p)`` of the pixels whose true label is not ignored.

    ``ignore_index`` drops pixels by their true label only: a pixel predicted
    as ``ignore_index`` is kept (the prediction is simply wrong).
    """
    t, p = _check_masks(y_true, y_pred)
    ignore_index = _check_ignore(ignore_index)
    if ignore_index is not None:
        keep = t != ignore_index
        t, p = t[keep], p[keep]
    return t, p


def _present_labels(t, p, ignore_index):
    """Labels occurring in ``t`` or ``p``, sorted, ``ignore_index`` excepted."""
    labels = np.union1d(t, p)
    if ignore_index is not None:
        labels = labels[labels != int(ignore_index)]
    return labels


def _index(labels, values):
    """Position of each value in ``labels``; ``len(labels)`` where not listed."""
    k = len(labels)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.clip(np.searchsorted(sorted_labels, values), 0, k - 1)
    return np.where(sorted_labels[pos] == values, order[pos], k)


def _encode(y_true, y_pred, labels, ignore_index):
    """Map labels to ``0..k-1``; return ``(t, p, labels)`` of the scored pixels.

    Scored pixels are those whose true label is listed in ``labels`` (None:
    every label in ``y_true`` or ``y_pred`` but ``ignore_index``) and is not
    ``ignore_index``. ``p`` is ``k = len(labels)`` where the predicted label
    is not listed: such a pixel is wrong, whatever its true class.
    """
    t, p = _scored_pixels(y_true, y_pred, ignore_index)
    if labels is None:
        labels = _present_labels(t, p, ignore_index)
    else:
        labels = _check_labels(labels)
    if labels.size == 0:  # every pixel ignored
        return t[:0], p[:0], labels
    ti, pi = _index(labels, t), _index(labels, p)
    keep = ti < len(labels)
    return ti[keep], pi[keep], labels


def confusion_matrix(y_true, y_pred, *, labels=None, ignore_index=None):
    """Pixel confusion matrix of two label maps.

    Parameters
    ----------
    y_true : array-like of int, any shape
        Ground-truth labels, e.g. masks ``(n, H, W)``.
    y_pred : array-like of int, same shape as ``y_true``
        Predicted labels.
    labels : array-like of shape (n_labels,), default=None
        Classes that index the matrix, in this order. Pixels whose true or
        predicted label is not listed are not in the matrix (as in
        scikit-learn). None: every label that occurs in ``y_true`` or
        ``y_pred`` (except ``ignore_index``), sorted.
    ignore_index : int, default=None
        Pixels whose true label equals it (e.g. 255 for "void" borders) are
        not counted. A pixel *predicted* as ``ignore_index`` is not ignored;
        having no column, it is not in the matrix either, but
        :func:`pixel_accuracy` and :func:`mean_iou` count it as an error.

    Returns
    -------
    cm : ndarray of shape (n_labels, n_labels), dtype int64
        ``cm[i, j]`` is the number of pixels of true class ``labels[i]``
        predicted as ``labels[j]`` (rows true, columns predicted, as in
        :func:`sklearn.metrics.confusion_matrix`).

    Notes
    -----
    Each kept pixel with true index ``i`` and predicted index ``j`` is turned
    into the single number ``i * k + j``; one :func:`numpy.bincount` of those
    numbers, reshaped to ``(k, k)``, is the matrix. This is linear in the number
    of pixels and much faster than scikit-learn's general implementation on
    millions of pixels.

    References
    ----------
    .. [1] Long, J., Shelhamer, E., Darrell, T. (2015). Fully convolutional
       networks for semantic segmentation. CVPR. :doi:`10.1109/CVPR.2015.7298965`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.metrics import confusion_matrix
    >>> y_true = np.array([[0, 0, 1], [1, 2, 2]])
    >>> y_pred = np.array([[0, 1, 1], [1, 2, 0]])
    >>> confusion_matrix(y_true, y_pred)
    array([[1, 1, 0],
           [0, 2, 0],
           [1, 0, 1]])
    """
    t, p, labels = _encode(y_true, y_pred, labels, ignore_index)
    k = len(labels)
    if k == 0:
        return np.zeros((0, 0), dtype=np.int64)
    listed = p < k  # a prediction outside the labels has no column
    counts = np.bincount(t[listed] * k + p[listed], minlength=k * k)
    return counts.reshape(k, k).astype(np.int64)


def pixel_accuracy(y_true, y_pred, *, labels=None, ignore_index=None):
    """Fraction of pixels whose predicted label is right.

    Parameters
    ----------
    y_true : array-like of int, any shape
        Ground-truth labels.
    y_pred : array-like of int, same shape as ``y_true``
        Predicted labels.
    labels : array-like of shape (n_labels,), default=None
        Count only pixels whose true label is listed; a pixel predicted as an
        unlisted label is counted as wrong. None counts every pixel.
    ignore_index : int, default=None
        Pixels whose true label equals it are not counted. A pixel predicted
        as ``ignore_index`` is counted, as wrong.

    Returns
    -------
    accuracy : float
        Correct pixels over counted pixels; NaN if no pixel is counted.

    Notes
    -----
    Pixel accuracy is the trace of the pixel confusion matrix over the number
    of counted pixels (the matrix's sum, plus the pixels predicted as an
    unlisted label, which the square matrix leaves out). It is dominated by
    large classes (usually the background): predicting
    "background" everywhere on images that are 90% background scores 0.9,
    which is why segmentation is reported with the mean IoU as well.

    References
    ----------
    .. [1] Long, J., Shelhamer, E., Darrell, T. (2015). Fully convolutional
       networks for semantic segmentation. CVPR. :doi:`10.1109/CVPR.2015.7298965`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.metrics import pixel_accuracy
    >>> pixel_accuracy(np.array([[0, 0], [1, 1]]), np.array([[0, 1], [1, 1]]))
    0.75
    """
    t, p, _ = _encode(y_true, y_pred, labels, ignore_index)
    if t.size == 0:
        return float("nan")
    return float(np.mean(t == p))  # p == len(labels) (unlisted) is never right


def mean_iou(y_true, y_pred, *, labels=None, ignore_index=None, average="macro"):
    """Mean intersection over union (Jaccard index) of label maps.

    Parameters
    ----------
    y_true : array-like of int, any shape
        Ground-truth labels, e.g. masks ``(n, H, W)``.
    y_pred : array-like of int, same shape as ``y_true``
        Predicted labels.
    labels : array-like of shape (n_labels,), default=None
        Classes to score. None: every label present in ``y_true`` or
        ``y_pred`` (except ``ignore_index``). Every pixel not ignored counts
        towards the IoU of the listed classes: a pixel of an unlisted class
        predicted as ``c`` is a false positive of ``c``, and a pixel of class
        ``c`` predicted as an unlisted label a false negative of ``c``.
    ignore_index : int, default=None
        Pixels whose true label equals it are not counted. A pixel predicted
        as ``ignore_index`` is counted: a false negative of its true class.
    average : {"macro", None}, default="macro"
        ``"macro"``: the unweighted mean over classes; None: the IoU of each
        class.

    Returns
    -------
    iou : float or ndarray of shape (n_labels,)
        Mean IoU, or the per-class IoU. A listed class that appears in neither
        map has no IoU (NaN per class) and is left out of the mean; with no
        pixel counted (e.g. all ``ignore_index``) the mean is NaN and every
        per-class IoU NaN.

    Notes
    -----
    From the pixel confusion matrix ``C`` (rows true, columns predicted), the
    IoU of class ``c`` is ``TP / (TP + FP + FN)`` = ``C[c, c] / (row_c + col_c -
    C[c, c])``: the overlap of the predicted and true regions of ``c`` over
    their union, where ``row_c`` also holds the pixels of ``c`` predicted as a
    label outside the matrix. The mean over classes weighs a small object class
    as much as
    the background, unlike pixel accuracy. Over a batch the counts are summed
    first (dataset-level IoU, as in PASCAL VOC), not averaged per image.

    References
    ----------
    .. [1] Everingham, M., Van Gool, L., Williams, C. K. I., Winn, J.,
       Zisserman, A. (2010). The PASCAL visual object classes (VOC) challenge.
       IJCV 88(2). :doi:`10.1007/s11263-009-0275-4`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.metrics import mean_iou
    >>> y_true = np.array([[0, 0, 1], [1, 1, 1]])
    >>> y_pred = np.array([[0, 1, 1], [1, 1, 1]])
    >>> mean_iou(y_true, y_pred, average=None)
    array([0.5, 0.8])
    >>> float(mean_iou(y_true, y_pred))
    0.65
    """
    if average not in ("macro", None):
        raise ValueError(f"average must be 'macro' or None; got {average!r}.")
    t, p = _scored_pixels(y_true, y_pred, ignore_index)
    if labels is not None:
        labels = _check_labels(labels)
    # Count over every scored pixel (a pixel of an unlisted class predicted as
    # ``c`` is a false positive of ``c``), then keep the listed classes.
    present = _present_labels(t, p, ignore_index)
    everything = present if labels is None else np.union1d(present, labels)
    k = len(everything)
    if k == 0:  # every pixel ignored and no labels listed
        return np.zeros(0) if average is None else float("nan")
    # Column k: predicted as a label outside ``everything`` (only ignore_index),
    # a false negative of the true class and a false positive of none.
    ti, pi = _index(everything, t), _index(everything, p)
    cm = np.bincount(ti * (k + 1) + pi, minlength=k * (k + 1)).reshape(k, k + 1)
    tp = np.diag(cm[:, :k]).astype(np.float64)
    union = cm[:, :k].sum(axis=0) + cm.sum(axis=1) - tp
    if labels is not None:
        idx = np.searchsorted(everything, labels)
        tp, union = tp[idx], union[idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan)
    if average is None:
        return iou
    if np.isnan(iou).all():
        return float("nan")
    return float(np.nanmean(iou))
