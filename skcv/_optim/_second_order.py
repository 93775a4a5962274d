"""Second-order (quasi-Newton) training through :func:`scipy.optimize.minimize`.

For smooth objectives only: the parameters are packed into one float64 vector,
and ``model.loss_grad`` on the whole training set gives the objective and its
gradient. ``"lbfgs"`` (limited-memory BFGS), ``"bfgs"`` (dense inverse-Hessian
approximation: memory grows as the square of the number of parameters) and
``"newton-cg"`` (truncated Newton; Hessian-vector products by finite differences
of the gradient, with a step fit for the parameters' dtype).

An optional *preconditioner* changes the variables the solver sees,
``theta = P(z)`` with ``P`` linear and invertible: the solver minimises ``f(P z)``,
whose minimum is the same point, and whose Hessian ``P^T H P`` is close to the
identity when ``P P^T`` approximates the inverse Hessian. Quasi-Newton methods
then need far fewer iterations on ill-conditioned problems (raw image pixels are
strongly correlated; see :mod:`skcv.linear_model`).
"""

from __future__ import annotations

import time
from typing import Protocol

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from skcv._optim._loop import history_record, warn_interrupted
from skcv.utils._warnings import warn_external

__all__ = [
    "PRECONDITIONED_SOLVERS",
    "SECOND_ORDER_SOLVERS",
    "Preconditioner",
    "train_second_order",
]

SECOND_ORDER_SOLVERS = {"bfgs": "BFGS", "lbfgs": "L-BFGS-B", "newton-cg": "Newton-CG"}
#: The solvers that take a preconditioner: Newton-CG's stopping rules (xtol, the
#: inner CG's gradient norm) would be measured in the preconditioned variables.
PRECONDITIONED_SOLVERS = ("lbfgs", "bfgs")


class Preconditioner(Protocol):
    """A linear change of variables ``theta = P z`` of the packed parameters."""

    def to_params(self, z: np.ndarray) -> np.ndarray:
        """Packed parameters ``P z`` from solver variables ``z``."""

    def to_variables(self, theta: np.ndarray) -> np.ndarray:
        """Solver variables ``P^-1 theta`` (the starting point)."""

    def gradient(self, g: np.ndarray) -> np.ndarray:
        """Gradient with respect to ``z``: ``P^T g`` for a parameter gradient ``g``."""


def _finite_difference_hessp(fun, dtype):
    """Hessian-vector products ``H v ~ (g(x + h v) - g(x)) / h`` for Newton-CG.

    scipy's default step is ``sqrt(eps)`` of float64 (1.5e-8), far below the
    resolution of a gradient computed in float32: the products are then noise,
    the inner CG meets "negative curvature" and Newton-CG stops at the start. The
    step here is ``sqrt(eps)`` of the parameters' dtype, relative to ``|x|`` and
    ``|v|``; ``g(x)`` is computed once per Newton iterate, not once per product.
    """
    root_eps = float(np.sqrt(np.finfo(dtype).eps))
    base: dict = {"x": None}

    def hessp(x, v):
        norm_v = float(np.linalg.norm(v))
        if norm_v == 0.0:
            return np.zeros_like(v)
        if base["x"] is None or not np.array_equal(base["x"], x):
            base["x"], base["g"] = x.copy(), fun(x)[1].copy()
        h = root_eps * max(1.0, float(np.linalg.norm(x))) / norm_v
        return (fun(x + h * v)[1] - base["g"]) / h

    return hessp


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
    preconditioner: Preconditioner | None = None,
    history: list[dict] | None = None,
) -> tuple[list[float], int]:
    """Minimise the full-batch loss; return ``(loss_curve, n_iter)``.

    The model's ``params`` hold the optimum afterwards. A ConvergenceWarning is
    emitted when ``max_iter`` iterations were not enough. A KeyboardInterrupt
    (Ctrl-C) stops the solver cleanly: the parameters of the last completed
    iteration (the start if none) are restored, a UserWarning says so and the
    completed iterations are returned (the curve may then be empty). With a
    ``preconditioner`` (lbfgs and bfgs only) the solver works on ``z`` with
    ``theta = P z``; ``tol`` still applies to the largest entry of the gradient
    with respect to the parameters ``theta`` (at the start too: a warm start at
    the optimum takes no step), so preconditioning changes the path, not when it
    counts as converged.

    With a ``history`` list, one record per iteration is appended to it (the
    keys of :data:`skcv._optim._loop.HISTORY_KEYS`; ``epoch`` counts iterations,
    ``train_accuracy`` comes from the model's ``batch_correct`` of the accepted
    iterate when the solver evaluated it last, else NaN; no learning rate).
    """
    n_total = float(len(y) if sample_weight is None else np.sum(sample_weight))
    clock = {"t": time.perf_counter()}
    seen: dict = {"z": None, "correct": None}
    params = model.params
    for p in params:
        if not p.flags.c_contiguous:
            raise ValueError("parameters must be C-contiguous")

    method = SECOND_ORDER_SOLVERS[solver]
    if preconditioner is not None and solver not in PRECONDITIONED_SOLVERS:
        raise ValueError("a preconditioner is supported with lbfgs and bfgs only.")
    last: dict = {"z": None, "converged": False}

    def fun(z):
        if last["z"] is not None and np.array_equal(z, last["z"]):
            return last["value"], last["grad"].copy()  # the start, checked below
        theta = z if preconditioner is None else preconditioner.to_params(z)
        _unpack(theta, params)
        loss, grads = model.loss_grad(X, y, sample_weight)
        if history is not None:
            seen.update(z=z.copy(), correct=getattr(model, "batch_correct", None))
        flat = np.concatenate(
            [
                (np.zeros(p.size) if g is None else np.asarray(g, np.float64).ravel())
                for p, g in zip(params, grads, strict=True)
            ]
        )
        if preconditioner is not None:
            last["gmax"] = float(np.max(np.abs(flat)))
            flat = preconditioner.gradient(flat)
            last.update(z=z.copy(), value=float(loss), grad=flat.copy())
        return float(loss), flat

    curve: list[float] = []
    accepted: dict = {"z": None}  # the last completed iterate (for Ctrl-C)

    def callback(intermediate_result):
        curve.append(float(intermediate_result.fun))
        if history is not None:
            x, correct = intermediate_result.x, seen["correct"]
            same = seen["z"] is not None and np.array_equal(seen["z"], x)
            now = time.perf_counter()
            history.append(
                history_record(
                    len(history) + 1,
                    intermediate_result.fun,
                    train_accuracy=(
                        correct / n_total if same and correct is not None else np.nan
                    ),
                    seconds=now - clock["t"],
                )
            )
            clock["t"] = now
        accepted["z"] = np.array(intermediate_result.x, copy=True)
        if preconditioner is None:
            return
        # The solver's own gradient test would see the gradient in z: apply
        # ``tol`` to the parameters' gradient instead.
        if not np.array_equal(last["z"], intermediate_result.x):
            fun(intermediate_result.x)
        if last["gmax"] <= tol:
            last["converged"] = True
            raise StopIteration

    gtol = tol if preconditioner is None else 0.0
    if method == "L-BFGS-B":
        options = {"maxiter": max_iter, "gtol": gtol, "ftol": 64 * np.finfo(float).eps}
    elif method == "BFGS":
        options = {"maxiter": max_iter, "gtol": gtol}
    else:
        options = {"maxiter": max_iter, "xtol": tol}
    z0 = theta0 = _pack(params)
    extra = {}
    if method == "Newton-CG":
        extra["hessp"] = _finite_difference_hessp(fun, params[0].dtype)
    try:
        if preconditioner is not None:
            z0 = preconditioner.to_variables(theta0)
            value0, _ = fun(z0)
            if last["gmax"] <= tol:  # a warm start at the optimum: no step at all
                _unpack(theta0, params)
                if history is not None:
                    history.append(history_record(len(history) + 1, value0))
                return [value0], 0
        result = minimize(
            fun,
            z0,
            method=method,
            jac=True,
            options=options,
            callback=callback,
            **extra,
        )
    except KeyboardInterrupt:
        # The parameters may hold a line-search trial point: go back to the last
        # completed iterate (or the start), which the solver accepted as finite.
        if accepted["z"] is None:
            theta = theta0
        elif preconditioner is None:
            theta = accepted["z"]
        else:
            theta = preconditioner.to_params(accepted["z"])
        _unpack(theta, params)
        warn_interrupted(
            len(curve),
            "iterations",
            f"the model keeps the parameters of the last completed {solver} iteration",
        )
        return curve, len(curve)
    theta = result.x if preconditioner is None else preconditioner.to_params(result.x)
    _unpack(theta, params)
    if not np.isfinite(result.fun):
        raise ValueError(f"solver={solver!r} produced a non-finite loss.")
    converged = result.success or last["converged"]
    if not converged and preconditioner is None and result.jac is not None:
        # scipy reports the iteration limit even when the last iterate meets tol.
        converged = np.max(np.abs(result.jac)) <= tol
    elif not converged and preconditioner is not None:
        if not np.array_equal(last["z"], result.x):
            fun(result.x)
        converged = last["gmax"] <= tol
    if result.nit >= max_iter and not converged:
        warn_external(
            f"{solver} failed to converge after {result.nit} iterations; increase "
            "max_iter or scale the features.",
            ConvergenceWarning,
        )
    elif not converged:
        # Stopped early for another reason (a line search that cannot progress,
        # Newton-CG's inner CG, precision loss): say so instead of staying silent.
        warn_external(
            f"{solver} stopped after {result.nit} iterations without meeting "
            f"tol={tol:g}: {result.message}",
            ConvergenceWarning,
        )
    if not curve:
        curve.append(float(result.fun))
        if history is not None:
            history.append(history_record(len(history) + 1, result.fun))
    return curve, int(result.nit)
