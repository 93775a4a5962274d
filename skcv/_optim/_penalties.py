"""Regularisers on the weights (never on the biases): l2, l1, elastic net."""

from __future__ import annotations

import numpy as np

from skcv._optim._optimizers import axpy

__all__ = ["PENALTIES", "add_penalty", "penalty"]

PENALTIES = ("elasticnet", "l1", "l2")


def penalty(
    W: np.ndarray, kind: str | None, alpha: float, l1_ratio: float = 0.15
) -> tuple[float, np.ndarray | None]:
    """Return ``(alpha * R(W), alpha * dR/dW)``.

    ``l2``: ``R = 0.5 * sum(W**2)``; ``l1``: ``R = sum(|W|)`` (subgradient
    ``sign(W)``); ``elasticnet``: ``l1_ratio * l1 + (1 - l1_ratio) * l2``. With
    ``kind=None`` or ``alpha=0`` returns ``(0.0, None)``.
    """
    if kind is None or alpha == 0:
        return 0.0, None
    if kind == "l2":
        return 0.5 * alpha * float(np.vdot(W, W)), alpha * W
    if kind == "l1":
        return alpha * float(np.abs(W).sum()), alpha * np.sign(W)
    if kind == "elasticnet":
        r = l1_ratio
        value = alpha * (
            r * float(np.abs(W).sum()) + 0.5 * (1 - r) * float(np.vdot(W, W))
        )
        return value, alpha * (r * np.sign(W) + (1 - r) * W)
    raise ValueError(f"penalty must be one of {list(PENALTIES)} or None; got {kind!r}.")


def add_penalty(
    W: np.ndarray,
    grad: np.ndarray,
    kind: str | None,
    alpha: float,
    l1_ratio: float = 0.15,
) -> float:
    """Add ``alpha * dR/dW`` to ``grad`` in place; return ``alpha * R(W)``.

    The same values as :func:`penalty`; the l2 gradient ``alpha * W`` is added
    with BLAS ``axpy`` (one pass, no temporary of the size of ``W``).
    """
    if kind == "l2" and alpha != 0:
        axpy(alpha, W, grad)
        return 0.5 * alpha * float(np.vdot(W, W))
    value, p_grad = penalty(W, kind, alpha, l1_ratio)
    if p_grad is not None:
        grad += p_grad
    return value
