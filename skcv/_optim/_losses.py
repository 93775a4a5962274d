"""Classification losses returning ``(value, dscores)``.

Every loss takes the class scores ``S`` of shape ``(n_samples, n_classes)``, integer
labels ``y`` in ``[0, n_classes)`` and optional sample weights, and returns the
weighted mean loss and its gradient with respect to the scores. The gradient with
respect to the parameters follows by the chain rule (``dW = dS.T @ X`` for a linear
layer), which is what :mod:`skcv.linear_model` and :mod:`skcv.neural_network` do.

The weighted mean is ``sum_i w_i L_i / sum_i w_i``, so integer weights are exactly
equivalent to repeating samples and zero weights to removing them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "LOSSES",
    "SMOOTH_LOSSES",
    "get_loss",
    "log_softmax",
    "multiclass_hinge",
    "softmax",
    "softmax_cross_entropy",
]


def _weights(n: int, sample_weight, dtype) -> np.ndarray:
    """Per-sample factors ``w_i / sum(w)`` (``1/n`` without weights)."""
    if sample_weight is None:
        return np.full(n, 1.0 / n, dtype=dtype)
    w = np.asarray(sample_weight, dtype=dtype)
    total = w.sum()
    if total <= 0:
        return np.zeros(n, dtype=dtype)
    return w / total


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large scores (shift by the row maximum)."""
    z = scores - scores.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax through the log-sum-exp trick."""
    z = scores - scores.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def softmax_cross_entropy(
    scores: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy ``L_i = -log(exp(s_y) / sum_j exp(s_j))``.

    Parameters
    ----------
    scores : ndarray of shape (n_samples, n_classes)
        Class scores.
    y : ndarray of shape (n_samples,)
        Integer labels in ``[0, n_classes)``.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights.

    Returns
    -------
    value : float
        Weighted mean loss.
    dscores : ndarray of shape (n_samples, n_classes)
        Gradient of ``value`` with respect to ``scores``: ``(p - onehot(y)) w``.
    """
    n = scores.shape[0]
    rows = np.arange(n)
    w = _weights(n, sample_weight, scores.dtype)
    z = scores - scores.max(axis=1, keepdims=True)
    z_y = z[rows, y]
    np.exp(z, out=z)
    total = z.sum(axis=1)
    log_p_y = z_y - np.log(total)  # log-sum-exp: finite even when p_y underflows
    value = float(-(w @ log_p_y))
    z /= total[:, None]
    z[rows, y] -= 1.0
    z *= w[:, None]
    return value, z


def multiclass_hinge(
    scores: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    delta: float = 1.0,
    multi_class: str = "weston_watkins",
    squared: bool = False,
) -> tuple[float, np.ndarray]:
    """Multiclass hinge loss (Weston-Watkins or Crammer-Singer), plain or squared.

    Weston-Watkins: ``L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)``.
    Crammer-Singer: ``L_i = max(0, max_{j != y_i} s_j - s_{y_i} + delta)``.
    The squared variants square each hinge term.

    Parameters
    ----------
    scores : ndarray of shape (n_samples, n_classes)
        Class scores.
    y : ndarray of shape (n_samples,)
        Integer labels in ``[0, n_classes)``.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights.
    delta : float, default=1.0
        Margin.
    multi_class : {"weston_watkins", "crammer_singer"}, default="weston_watkins"
        How the per-class margins are combined.
    squared : bool, default=False
        Square the hinge terms.

    Returns
    -------
    value : float
        Weighted mean loss.
    dscores : ndarray of shape (n_samples, n_classes)
        (Sub)gradient of ``value`` with respect to ``scores``.
    """
    n = scores.shape[0]
    rows = np.arange(n)
    w = _weights(n, sample_weight, scores.dtype)
    margins = scores - scores[rows, y][:, None]
    margins += delta
    margins[rows, y] = 0.0
    if multi_class == "weston_watkins":
        np.maximum(margins, 0.0, out=margins)
        if squared:
            per_sample = np.einsum("ij,ij->i", margins, margins)
            margins *= 2.0
        else:
            per_sample = margins.sum(axis=1)
            margins = (margins > 0).astype(scores.dtype)
        dscores = margins
    elif multi_class == "crammer_singer":
        margins[rows, y] = -np.inf
        j = margins.argmax(axis=1)
        top = np.maximum(margins[rows, j], 0.0)
        per_sample = top * top if squared else top
        slope = 2.0 * top if squared else (top > 0).astype(scores.dtype)
        dscores = np.zeros_like(scores)
        dscores[rows, j] = slope
    else:
        raise ValueError(
            "multi_class must be 'weston_watkins' or 'crammer_singer'; "
            f"got {multi_class!r}."
        )
    value = float(w @ per_sample)
    dscores[rows, y] = 0.0
    dscores[rows, y] = -dscores.sum(axis=1)
    dscores *= w[:, None]
    return value, dscores


LossFunction = Callable[..., tuple[float, np.ndarray]]

#: Loss name -> function(scores, y, sample_weight, **params) -> (value, dscores).
LOSSES: dict[str, LossFunction] = {
    "cross_entropy": softmax_cross_entropy,
    "hinge": multiclass_hinge,
    "squared_hinge": lambda s, y, sw=None, **kw: multiclass_hinge(
        s, y, sw, squared=True, **kw
    ),
}

#: Losses with a continuous gradient, allowed with the second-order solvers.
#: The squared hinge is smooth only in its Weston-Watkins form.
SMOOTH_LOSSES = ("cross_entropy", "squared_hinge")


def get_loss(name: str, **params) -> Callable:
    """Return ``f(scores, y, sample_weight) -> (value, dscores)`` for ``name``."""
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}; got {name!r}.")
    func = LOSSES[name]

    def loss(scores, y, sample_weight=None):
        return func(scores, y, sample_weight, **params)

    return loss
