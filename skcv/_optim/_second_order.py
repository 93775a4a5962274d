"""Second-order (quasi-Newton) training through :func:`scipy.optimize.minimize`.

For smooth objectives only: the parameters are packed into one float64 vector,
and ``model.loss_grad`` on the whole training set gives the objective and its
gradient. ``"lbfgs"`` (limited-memory BFGS), ``"bfgs"`` (dense inverse-Hessian
approximation: memory grows as the square of the number of parameters) and
``"newton-cg"`` (truncated Newton; Hessian-vector products by finite differences
of the gradient).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

__all__ = ["SECOND_ORDER_SOLVERS", "train_second_order"]

SECOND_ORDER_SOLVERS = {"bfgs": "BFGS", "lbfgs": "L-BFGS-B", "newton-cg": "Newton-CG"}


def _pack(params):
    return np.concatenate([p.ravel() for p in params]).astype(np.float64)


def _unpack(theta, params):
    start = 0
    for p in params:
        p.ravel()[...] = theta[start : start + p.size]
        start += p.size


def train_second_order(
    model,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    solver: str = "lbfgs",
    max_iter: int = 200,
    tol: float = 1e-4,
) -> tuple[list[float], int]:
    """Minimise the full-batch loss; return ``(loss_curve, n_iter)``.

    The model's ``params`` hold the optimum afterwards. A ConvergenceWarning is
    emitted when ``max_iter`` iterations were not enough.
    """
    params = model.params
    for p in params:
        if not p.flags.c_contiguous:
            raise ValueError("parameters must be C-contiguous")

    def fun(theta):
        _unpack(theta, params)
        loss, grads = model.loss_grad(X, y, sample_weight)
        flat = np.concatenate(
            [
                (np.zeros(p.size) if g is None else np.asarray(g, np.float64).ravel())
                for p, g in zip(params, grads, strict=True)
            ]
        )
        return float(loss), flat

    curve: list[float] = []

    def callback(intermediate_result):
        curve.append(float(intermediate_result.fun))

    method = SECOND_ORDER_SOLVERS[solver]
    if method == "L-BFGS-B":
        options = {"maxiter": max_iter, "gtol": tol, "ftol": 64 * np.finfo(float).eps}
    elif method == "BFGS":
        options = {"maxiter": max_iter, "gtol": tol}
    else:
        options = {"maxiter": max_iter, "xtol": tol}
    theta0 = _pack(params)
    result = minimize(
        fun, theta0, method=method, jac=True, options=options, callback=callback
    )
    _unpack(result.x, params)
    if not np.isfinite(result.fun):
        raise ValueError(f"solver={solver!r} produced a non-finite loss.")
    if result.nit >= max_iter and not result.success:
        warnings.warn(
            f"{solver} failed to converge after {result.nit} iterations; increase "
            "max_iter or scale the features.",
            ConvergenceWarning,
            stacklevel=3,
        )
    if not curve:
        curve.append(float(result.fun))
    return curve, int(result.nit)
