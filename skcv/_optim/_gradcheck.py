"""Numerical gradient checking (public as :func:`skcv.utils.gradient_check`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["gradient_check"]


def gradient_check(
    f: Callable[[], tuple[float, Sequence[np.ndarray]]],
    params: Sequence[np.ndarray],
    *,
    eps: float = 1e-6,
    n_checks: int | None = None,
    random_state: int | None = 0,
) -> float:
    """Compare analytic gradients with centred finite differences.

    Parameters
    ----------
    f : callable
        ``f() -> (value, grads)``: evaluates the function at the current values of
        ``params`` and returns one analytic gradient per parameter.
    params : sequence of ndarray
        The parameters, perturbed in place (and restored) one entry at a time.
    eps : float, default=1e-6
        Finite-difference step.
    n_checks : int, default=None
        Number of randomly chosen entries per parameter; None checks every entry.
    random_state : int, default=0
        Seed for choosing the entries.

    Returns
    -------
    error : float
        The largest relative error ``|a - n| / max(|a| + |n|, 1e-12)`` over the
        checked entries (``a`` analytic, ``n`` numerical).

    Notes
    -----
    The course's recipe: for each parameter entry ``w``, the numerical gradient
    is ``(f(w + h) - f(w - h)) / (2 h)``; compare it with the analytic gradient
    using the relative error. In float64 a correct gradient typically gives an
    error below 1e-7; near a kink (hinge, ReLU) it can legitimately be larger.

    References
    ----------
    .. [1] CS231n, "Gradient checks",
       https://cs231n.github.io/neural-networks-3/#gradcheck

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils import gradient_check
    >>> w = np.array([1.0, -2.0, 3.0])
    >>> bool(gradient_check(lambda: (float(np.sum(w**3)), [3 * w**2]), [w]) < 1e-7)
    True
    """
    rng = np.random.default_rng(random_state)
    _, grads = f()
    grads = [None if g is None else np.array(g, dtype=np.float64) for g in grads]
    worst = 0.0
    for p, g in zip(params, grads, strict=True):
        flat = p.reshape(-1)
        if flat.base is not p and not np.shares_memory(flat, p):
            raise ValueError("parameters must be contiguous arrays")
        n = flat.size
        entries = (
            np.arange(n)
            if n_checks is None or n_checks >= n
            else rng.choice(n, n_checks, replace=False)
        )
        g_flat = np.zeros(n) if g is None else g.reshape(-1)
        for i in entries:
            old = flat[i]
            flat[i] = old + eps
            fp = f()[0]
            flat[i] = old - eps
            fm = f()[0]
            flat[i] = old
            num = (fp - fm) / (2 * eps)
            a = g_flat[i]
            worst = max(worst, abs(a - num) / max(abs(a) + abs(num), 1e-12))
    return worst
