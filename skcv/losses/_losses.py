"""Public losses: validation around the one implementation in ``skcv._optim``."""

from __future__ import annotations

from numbers import Real

import numpy as np

from skcv._optim._losses import multiclass_hinge
from skcv._optim._losses import softmax as _softmax
from skcv._optim._losses import softmax_cross_entropy as _cross_entropy

__all__ = ["hinge_loss", "softmax", "softmax_cross_entropy", "squared_hinge"]


def _check(scores, y_true, sample_weight):
    """Validate ``scores`` (2-D float), integer labels and weights."""
    scores = np.asarray(scores)
    if scores.dtype.kind not in "fiu" or scores.dtype == bool:
        raise TypeError(f"scores must be numeric; got dtype {scores.dtype}.")
    if scores.ndim == 1:
        scores = scores[None, :]
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] < 2:
        raise ValueError(
            "scores must have shape (n_samples, n_classes) with n_classes >= 2 (or "
            f"one row of n_classes scores); got shape {np.shape(scores)}."
        )
    scores = scores.astype(np.result_type(scores.dtype, np.float32), copy=True)
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite (no NaN or inf).")
    y = np.atleast_1d(np.asarray(y_true))
    if y.dtype.kind not in "iu" and not (
        y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0)
    ):
        raise TypeError(
            "y_true must hold integer class indices (the column of the true class "
            f"in scores); got dtype {y.dtype}."
        )
    y = y.astype(np.intp)
    if y.shape != (scores.shape[0],):
        raise ValueError(
            f"y_true must have shape ({scores.shape[0]},) to match scores; got "
            f"{y.shape}."
        )
    if y.min() < 0 or y.max() >= scores.shape[1]:
        raise ValueError(
            f"y_true must be class indices in [0, {scores.shape[1]}); got values "
            f"from {y.min()} to {y.max()}."
        )
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=scores.dtype)
        if sample_weight.shape != y.shape:
            raise ValueError(
                f"sample_weight must have shape {y.shape}; got {sample_weight.shape}."
            )
        if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
            raise ValueError("sample_weight must be finite and non-negative.")
    return scores, y, sample_weight


def _hinge(y_true, scores, multi_class, delta, sample_weight, return_gradient, squared):
    """Validate, then call the training code's multiclass hinge."""
    if multi_class not in ("weston_watkins", "crammer_singer"):
        raise ValueError(
            "multi_class must be 'weston_watkins' or 'crammer_singer'; got "
            f"{multi_class!r}."
        )
    if not isinstance(delta, Real) or isinstance(delta, bool) or not delta > 0:
        raise ValueError(f"delta must be a positive number; got {delta!r}.")
    squeeze = np.ndim(scores) == 1
    S, y, w = _check(scores, y_true, sample_weight)
    value, dS = multiclass_hinge(
        S, y, w, delta=float(delta), multi_class=multi_class, squared=squared
    )
    return _result(value, dS, squeeze, return_gradient)


def _result(value, dscores, squeeze, return_gradient):
    if not return_gradient:
        return value
    dscores += 0.0  # no negative zeros from the in-place arithmetic
    return value, dscores[0] if squeeze else dscores


def hinge_loss(
    y_true,
    scores,
    *,
    multi_class="weston_watkins",
    delta=1.0,
    sample_weight=None,
    return_gradient=False,
):
    """Multiclass hinge (SVM) loss of class scores.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Index of the true class of each sample (its column in ``scores``).
    scores : array-like of shape (n_samples, n_classes) or (n_classes,)
        Class scores ``s = f(x, W)``; one row is one sample.
    multi_class : {"weston_watkins", "crammer_singer"}, default="weston_watkins"
        Weston-Watkins (the course's multiclass SVM loss) sums the violated
        margins ``L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)``;
        Crammer-Singer keeps the largest
        ``L_i = max(0, max_{j != y_i} s_j - s_{y_i} + delta)``.
    delta : float, default=1.0
        The margin.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights of the weighted mean ``sum w_i L_i / sum w_i``.
    return_gradient : bool, default=False
        Also return the (sub)gradient with respect to ``scores``.

    Returns
    -------
    loss : float
        The (weighted) mean loss.
    dscores : ndarray of shape (n_samples, n_classes) or (n_classes,)
        Its gradient with respect to ``scores`` (with ``return_gradient=True``).

    See Also
    --------
    squared_hinge : The squared margins (smooth in the Weston-Watkins form).
    softmax_cross_entropy : The softmax classifier's loss.

    Notes
    -----
    The hinge loss is zero once the true class wins by the margin, whatever the
    size of the win: the course's example, scores ``[10, 9, 9]`` with the true
    class first, has zero hinge loss (each margin term is ``max(0, 9 - 10 + 1)
    = 0``) although the softmax probability of the true class is only
    ``1 / (1 + 2/e) = 0.58`` and its cross-entropy ``0.55``, far from zero: the
    softmax classifier keeps pushing the scores apart, the SVM is satisfied.
    The linear classifiers (:class:`skcv.linear_model.LinearSVMClassifier`)
    train with exactly this function.

    References
    ----------
    .. [1] J. Weston, C. Watkins, "Support vector machines for multi-class pattern
       recognition", ESANN 1999.
    .. [2] K. Crammer, Y. Singer, "On the algorithmic implementation of
       multiclass kernel-based vector machines", JMLR 2, 2001.

    Examples
    --------
    >>> from skcv.losses import hinge_loss, softmax_cross_entropy
    >>> hinge_loss([0], [10.0, 9.0, 9.0])
    0.0
    >>> round(softmax_cross_entropy([0], [10.0, 9.0, 9.0]), 3)
    0.551
    >>> loss, grad = hinge_loss([0], [[3.2, 5.1, -1.7]], return_gradient=True)
    >>> round(loss, 2), grad.tolist()
    (2.9, [[-1.0, 1.0, 0.0]])
    """
    return _hinge(
        y_true, scores, multi_class, delta, sample_weight, return_gradient, False
    )


def squared_hinge(
    y_true,
    scores,
    *,
    multi_class="weston_watkins",
    delta=1.0,
    sample_weight=None,
    return_gradient=False,
):
    """Squared multiclass hinge loss: each margin violation squared.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Index of the true class of each sample.
    scores : array-like of shape (n_samples, n_classes) or (n_classes,)
        Class scores.
    multi_class : {"weston_watkins", "crammer_singer"}, default="weston_watkins"
        How the margins combine (see :func:`hinge_loss`).
    delta : float, default=1.0
        The margin.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights.
    return_gradient : bool, default=False
        Also return the gradient with respect to ``scores``.

    Returns
    -------
    loss : float
        The (weighted) mean loss.
    dscores : ndarray
        Its gradient (with ``return_gradient=True``).

    Notes
    -----
    ``L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)^2``: violations cost
    quadratically, and the Weston-Watkins form has a continuous gradient, so
    second-order solvers (L-BFGS) can minimise it.

    Examples
    --------
    >>> from skcv.losses import squared_hinge
    >>> round(squared_hinge([0], [[3.2, 5.1, -1.7]]), 6)
    8.41
    """
    return _hinge(
        y_true, scores, multi_class, delta, sample_weight, return_gradient, True
    )


def softmax_cross_entropy(y_true, scores, *, sample_weight=None, return_gradient=False):
    """Softmax cross-entropy: ``L_i = -log(exp(s_{y_i}) / sum_j exp(s_j))``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Index of the true class of each sample.
    scores : array-like of shape (n_samples, n_classes) or (n_classes,)
        Class scores (logits).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights.
    return_gradient : bool, default=False
        Also return the gradient ``softmax(s) - onehot(y)`` (weighted) with
        respect to ``scores``.

    Returns
    -------
    loss : float
        The (weighted) mean loss.
    dscores : ndarray
        Its gradient (with ``return_gradient=True``).

    Notes
    -----
    Computed with the log-sum-exp trick (scores shifted by their row maximum),
    so it stays finite for scores in the thousands. With scores ``[10, 9, 9]``
    and the true class first, the loss is ``log(1 + 2/e) = 0.551`` while the
    hinge loss is already 0 (see :func:`hinge_loss`).

    Examples
    --------
    >>> from skcv.losses import softmax, softmax_cross_entropy
    >>> softmax([10.0, 9.0, 9.0]).round(3)
    array([0.576, 0.212, 0.212])
    >>> loss, grad = softmax_cross_entropy([0], [10.0, 9.0, 9.0],
    ...                                    return_gradient=True)
    >>> grad.round(3)
    array([-0.424,  0.212,  0.212])
    """
    squeeze = np.ndim(scores) == 1
    S, y, w = _check(scores, y_true, sample_weight)
    value, dS = _cross_entropy(S, y, w)
    return _result(value, dS, squeeze, return_gradient)


def softmax(scores):
    """Row-wise softmax probabilities, stable for large scores.

    Parameters
    ----------
    scores : array-like of shape (n_samples, n_classes) or (n_classes,)
        Class scores.

    Returns
    -------
    proba : ndarray of the same shape
        ``exp(s - max s) / sum exp(s - max s)`` per row.

    Examples
    --------
    >>> from skcv.losses import softmax
    >>> softmax([[1000.0, 1000.0]])
    array([[0.5, 0.5]])
    """
    S = np.asarray(scores, dtype=float)
    if S.ndim not in (1, 2) or S.size == 0:
        raise ValueError(
            f"scores must be a non-empty 1-D or 2-D array; got shape {S.shape}."
        )
    out = _softmax(np.atleast_2d(S).copy())
    return out[0] if S.ndim == 1 else out
