"""``minimize``: skcv's optimisers on any differentiable function."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral, Real

import numpy as np
from scipy.optimize import OptimizeResult
from scipy.optimize import minimize as _scipy_minimize

from skcv._optim._loop import DIVERGENCE_FACTOR
from skcv._optim._optimizers import SGD, Adagrad, Adam, RMSProp

__all__ = ["SOLVERS", "minimize", "quadratic", "rosenbrock"]

#: First-order solvers (skcv's own optimisers) and quasi-Newton ones (scipy).
SOLVERS = (
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "lbfgs",
    "bfgs",
)
_SCIPY = {"lbfgs": "L-BFGS-B", "bfgs": "BFGS"}


def _make_optimizer(solver, x, learning_rate, momentum):
    params = [x]
    if solver == "sgd":
        return SGD(params, learning_rate)
    if solver in ("momentum", "nesterov"):
        return SGD(params, learning_rate, momentum, nesterov=solver == "nesterov")
    if solver == "adagrad":
        return Adagrad(params, learning_rate)
    if solver == "rmsprop":
        return RMSProp(params, learning_rate)
    return Adam(params, learning_rate)


def _wrap(fun, jac):
    if jac is True:

        def value_grad(x):
            f, g = fun(x)
            return float(f), np.asarray(g, dtype=float).reshape(x.shape)

        return value_grad
    if callable(jac):
        return lambda x: (
            float(fun(x)),
            np.asarray(jac(x), dtype=float).reshape(x.shape),
        )
    raise TypeError(
        "jac must be True (fun returns the value and the gradient) or a callable "
        f"returning the gradient; got {jac!r}."
    )


def minimize(
    fun: Callable,
    x0,
    *,
    jac: bool | Callable = True,
    solver: str = "sgd",
    learning_rate: float = 0.01,
    momentum: float = 0.9,
    max_iter: int = 1000,
    tol: float = 1e-6,
    return_path: bool = False,
) -> OptimizeResult:
    """Minimise a differentiable function with one of the course's optimisers.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (value, gradient)`` (``jac=True``), or ``fun(x) -> value``
        with the gradient from ``jac``.
    x0 : array-like
        Starting point (any shape; float64 internally).
    jac : True or callable, default=True
        Whether ``fun`` returns the gradient too, or ``jac(x) -> gradient``.
    solver : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", \
"lbfgs", "bfgs"}, default="sgd"
        ``"sgd"``: plain gradient descent ``x -= lr g``; ``"momentum"``:
        ``v = mu v - lr g; x += v``; ``"nesterov"``: momentum with the gradient
        at the look-ahead point; ``"adagrad"``, ``"rmsprop"`` (decay 0.99) and
        ``"adam"`` (0.9, 0.999): per-coordinate step sizes. These are the
        optimisers that train :mod:`skcv.linear_model` and
        :mod:`skcv.neural_network`. ``"lbfgs"`` and ``"bfgs"`` call
        :func:`scipy.optimize.minimize` (no learning rate).
    learning_rate : float, default=0.01
        Step size of the first-order solvers.
    momentum : float, default=0.9
        ``mu`` of ``"momentum"`` and ``"nesterov"``.
    max_iter : int, default=1000
        Maximum number of iterations (gradient steps).
    tol : float, default=1e-6
        Stop when the largest entry of the gradient is at most ``tol``.
    return_path : bool, default=False
        Also return every iterate (``path``, shape ``(nit + 1, *x0.shape)``,
        starting with ``x0``) and its value (``path_fun``).

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        ``x``, ``fun``, ``jac`` (gradient at ``x``), ``nit``, ``nfev``,
        ``success`` (the gradient met ``tol``), ``message`` and, with
        ``return_path``, ``path`` and ``path_fun``.

    Notes
    -----
    A first-order solver stops as soon as the gradient meets ``tol`` or the
    value becomes NaN/inf (divergence: ``success`` is False, the message names
    ``learning_rate``, and ``x`` is the last finite iterate). On an
    ill-conditioned valley plain gradient descent must use a step small enough
    for the steep direction and then crawls along the flat one; momentum
    accumulates velocity along the flat direction and damps the oscillation
    across the steep one, so it needs far fewer iterations at the same rate.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.optimize import minimize, quadratic
    >>> res = minimize(quadratic, [-4.0, 1.5], solver="momentum",
    ...                learning_rate=0.02, return_path=True)
    >>> bool(res.success), bool(np.abs(res.x).max() < 1e-5)
    (True, True)
    >>> plain = minimize(quadratic, [-4.0, 1.5], solver="sgd", learning_rate=0.02)
    >>> bool(res.nit < plain.nit)
    True
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {list(SOLVERS)}; got {solver!r}.")
    for name, value, low in (
        ("learning_rate", learning_rate, 0.0),
        ("tol", tol, -1.0),
    ):
        if not isinstance(value, Real) or isinstance(value, bool) or not value > low:
            raise ValueError(
                f"{name} must be a {'positive' if low == 0 else 'non-negative'} "
                f"number; got {value!r}."
            )
    if not isinstance(momentum, Real) or not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1); got {momentum!r}.")
    if not isinstance(max_iter, Integral) or isinstance(max_iter, bool) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}.")
    x = np.array(x0, dtype=float)
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError("x0 must be a non-empty array of finite numbers.")
    value_grad = _wrap(fun, jac)
    if solver in _SCIPY:
        return _scipy_path(value_grad, x, solver, max_iter, tol, return_path)

    with np.errstate(over="ignore", invalid="ignore"):
        return _first_order(
            value_grad, x, solver, learning_rate, momentum, max_iter, tol, return_path
        )


def _first_order(
    value_grad, x, solver, learning_rate, momentum, max_iter, tol, return_path
):
    """Run a first-order solver from ``x`` (updated in place)."""
    f, g = value_grad(x)
    limit = DIVERGENCE_FACTOR * (1.0 + abs(f))
    path, path_fun = [x.copy()], [f]
    opt = _make_optimizer(solver, x, learning_rate, momentum)
    nit, nfev, success = 0, 1, False
    message = f"Maximum number of iterations ({max_iter}) reached."
    last_x, last_f, last_g = x.copy(), f, g
    while True:
        if not (np.isfinite(f) and np.all(np.isfinite(g))) or abs(f) > limit:
            message = (
                f"Diverged at iteration {nit} (value {f!r}); lower learning_rate "
                f"(got {learning_rate!r})."
            )
            x[...] = last_x
            f, g = last_f, last_g
            break
        last_x, last_f, last_g = x.copy(), f, g
        if np.max(np.abs(g)) <= tol:
            success, message = True, "The gradient met tol."
            break
        if nit >= max_iter:
            break
        opt.step([x], [g])
        nit += 1
        f, g = value_grad(x)
        nfev += 1
        if return_path:
            path.append(x.copy())
            path_fun.append(f)
    result = OptimizeResult(
        x=x, fun=f, jac=g, nit=nit, nfev=nfev, success=success, message=message
    )
    if return_path:
        keep = len(path) if success or nit >= max_iter else len(path) - 1
        result.path = np.array(path[:keep])
        result.path_fun = np.array(path_fun[:keep])
    return result


def _scipy_path(value_grad, x, solver, max_iter, tol, return_path):
    shape = x.shape
    path, path_fun = [x.copy()], [value_grad(x)[0]]

    def flat(z):
        f, g = value_grad(z.reshape(shape))
        return f, g.ravel()

    def callback(intermediate_result):
        path.append(intermediate_result.x.reshape(shape).copy())
        path_fun.append(float(intermediate_result.fun))

    res = _scipy_minimize(
        flat,
        x.ravel(),
        jac=True,
        method=_SCIPY[solver],
        callback=callback,
        options={"maxiter": max_iter, "gtol": tol},
    )
    f, g = value_grad(res.x.reshape(shape))
    result = OptimizeResult(
        x=res.x.reshape(shape),
        fun=f,
        jac=g,
        nit=int(res.nit),
        nfev=int(res.nfev),
        success=bool(np.max(np.abs(g)) <= tol) or bool(res.success),
        message=str(res.message),
    )
    if return_path:
        result.path = np.array(path)
        result.path_fun = np.array(path_fun)
    return result


def quadratic(x, curvatures=(1.0, 20.0)):
    """Ill-conditioned quadratic bowl ``f(x) = 0.5 * sum_i c_i x_i^2``, and gradient.

    Parameters
    ----------
    x : array-like of shape (n,)
        The point (one curvature per coordinate).
    curvatures : array-like of shape (n,), default=(1.0, 20.0)
        The Hessian's eigenvalues ``c_i``; their ratio is the condition number
        (20 by default: a long, narrow valley along the first axis).

    Returns
    -------
    value : float
        ``f(x)``; the minimum is 0 at the origin.
    gradient : ndarray of shape (n,)
        ``c * x``.

    Examples
    --------
    >>> from skcv.optimize import quadratic
    >>> quadratic([1.0, 1.0])
    (10.5, array([ 1., 20.]))
    """
    x = np.asarray(x, dtype=float)
    c = np.asarray(curvatures, dtype=float)
    if c.shape != x.shape:
        raise ValueError(
            f"curvatures must have the shape of x {x.shape}; got {c.shape}."
        )
    return float(0.5 * np.sum(c * x * x)), c * x


def rosenbrock(x, a=1.0, b=100.0):
    """Rosenbrock's banana function ``(a - x)^2 + b (y - x^2)^2`` and gradient.

    Parameters
    ----------
    x : array-like of shape (2,)
        The point ``(x, y)``.
    a, b : float, default=1.0, 100.0
        The minimum is 0 at ``(a, a^2)``, at the end of a curved, flat valley.

    Returns
    -------
    value : float
        ``f(x)``.
    gradient : ndarray of shape (2,)
        Its gradient.

    Examples
    --------
    >>> from skcv.optimize import rosenbrock
    >>> rosenbrock([1.0, 1.0])
    (0.0, array([0., 0.]))
    """
    p = np.asarray(x, dtype=float)
    if p.shape != (2,):
        raise ValueError(f"x must have shape (2,); got {p.shape}.")
    u, v = p
    value = (a - u) ** 2 + b * (v - u * u) ** 2
    grad = np.array([-2 * (a - u) - 4 * b * u * (v - u * u), 2 * b * (v - u * u)])
    return float(value), grad + 0.0  # no negative zeros
