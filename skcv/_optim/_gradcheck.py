"""Numerical gradient checking (public as :func:`skcv.utils.gradient_check`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["GradientCheckResult", "GradientEntry", "gradient_check"]


class GradientEntry(NamedTuple):
    """One checked entry: where it is, both gradients and their error."""

    name: str
    index: tuple[int, ...]
    analytic: float
    numerical: float
    error: float

    def __str__(self) -> str:
        where = ", ".join(map(str, self.index))
        return (
            f"{self.name}[{where}]: analytic={self.analytic:.6g}, "
            f"numerical={self.numerical:.6g}, error={self.error:.3g}"
        )


class GradientCheckResult(float):
    """The largest per-entry error (a float) with the worst entries attached.

    Compares and formats as a float, so ``gradient_check(...) < 1e-7`` works.

    Attributes
    ----------
    worst : tuple of GradientEntry
        The checked entries with the largest errors, worst first: ``name`` (of
        the parameter), ``index`` (in it), ``analytic``, ``numerical``, ``error``.
    atol : float
        The absolute floor of the denominator that was used.
    n_checked : int
        Number of entries checked.
    """

    worst: tuple[GradientEntry, ...]
    atol: float
    n_checked: int

    def __new__(cls, error, worst=(), atol=0.0, n_checked=0):
        self = super().__new__(cls, error)
        self.worst, self.atol, self.n_checked = tuple(worst), float(atol), n_checked
        return self

    def __reduce__(self):
        return (type(self), (float(self), self.worst, self.atol, self.n_checked))

    def __repr__(self) -> str:
        entries = "; ".join(str(e) for e in self.worst)
        return (
            f"GradientCheckResult({float(self):.3g}, n_checked={self.n_checked}, "
            f"atol={self.atol:.3g}, worst=[{entries}])"
        )


def gradient_check(
    f: Callable[[], tuple[float, Sequence[np.ndarray]]],
    params: Sequence[np.ndarray],
    *,
    eps: float = 1e-6,
    n_checks: int | None = None,
    random_state: int | None = 0,
    names: Sequence[str] | None = None,
    atol: float | None = None,
    n_worst: int = 5,
) -> GradientCheckResult:
    """Compare analytic gradients with centred finite differences.

    Parameters
    ----------
    f : callable
        ``f() -> (value, grads)``: evaluates the function at the current values of
        ``params`` and returns one analytic gradient per parameter (None for a
        parameter whose gradient is zero).
    params : sequence of ndarray
        The parameters, perturbed in place (and restored) one entry at a time.
    eps : float, default=1e-6
        Finite-difference step.
    n_checks : int, default=None
        Number of randomly chosen entries per parameter; None checks every entry.
    random_state : int, default=0
        Seed for choosing the entries.
    names : sequence of str, default=None
        Names of the parameters in the report; None names them ``params[k]``.
    atol : float, default=None
        Absolute floor of the denominator of the relative error. None uses
        ``1e8 * u * max(1, |f(x)|) / eps`` (``u`` the machine epsilon of the
        parameters' dtype): 1e8 times the rounding noise of the difference
        quotient, so that an entry whose analytic and numerical values are both
        rounding noise around zero reports about 1e-8, not 1.
    n_worst : int, default=5
        Number of worst entries reported in ``result.worst``.

    Returns
    -------
    error : GradientCheckResult
        A float: the largest per-entry error
        ``|a - n| / max(|a| + |n|, atol)`` over the checked entries (``a``
        analytic, ``n`` numerical), with ``.worst`` listing the worst entries by
        parameter name and index.

    Raises
    ------
    ValueError
        If a parameter is not a contiguous array, ``eps`` is not positive, or the
        number of analytic gradients differs from the number of parameters.

    Notes
    -----
    The course's recipe: for each parameter entry ``w``, the numerical gradient
    is ``(f(w + h) - f(w - h)) / (2 h)``; compare it with the analytic gradient
    using the relative error, entry by entry. In float64 a correct gradient
    typically gives an error below 1e-7; near a kink (hinge, ReLU) it can
    legitimately be larger. Entries that are zero analytically (an inactive hinge
    margin, a cancelling sum) are judged against ``atol`` instead of their own
    size, which rounding noise of order ``u * |f| / eps`` would dominate.

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
    >>> half = np.array([2.0, 2.0, 1.0])  # a bug: the last entry is halved
    >>> wrong = gradient_check(lambda: (float(w @ w), [half * w]), [w], names=["w"])
    >>> print(wrong.worst[0])
    w[2]: analytic=3, numerical=6, error=0.333
    """
    if not eps > 0:
        raise ValueError(f"eps must be a positive float; got {eps!r}.")
    params = list(params)
    names = [f"params[{k}]" for k in range(len(params))] if names is None else names
    if len(names) != len(params):
        raise ValueError(
            f"names must give one name per parameter ({len(params)}); got {len(names)}."
        )
    rng = np.random.default_rng(random_state)
    value, grads = f()
    grads = list(grads)
    if len(grads) != len(params):
        raise ValueError(
            f"f must return one gradient per parameter ({len(params)}); got "
            f"{len(grads)}."
        )
    grads = [None if g is None else np.array(g, dtype=np.float64) for g in grads]
    if atol is None:
        u = max(
            [np.finfo(np.float64).eps]
            + [np.finfo(p.dtype).eps for p in params if p.dtype.kind == "f"]
        )
        atol = 1e8 * u * max(1.0, abs(float(value))) / eps
    entries: list[GradientEntry] = []
    for name, p, g in zip(names, params, grads, strict=True):
        flat = p.reshape(-1)
        if flat.base is not p and not np.shares_memory(flat, p):
            raise ValueError("parameters must be contiguous arrays")
        n = flat.size
        checked = (
            np.arange(n)
            if n_checks is None or n_checks >= n
            else rng.choice(n, n_checks, replace=False)
        )
        g_flat = np.zeros(n) if g is None else g.reshape(-1)
        for i in checked:
            old = flat[i]
            flat[i] = old + eps
            fp = f()[0]
            flat[i] = old - eps
            fm = f()[0]
            flat[i] = old
            num = float((fp - fm) / (2 * eps))
            a = float(g_flat[i])
            error = abs(a - num) / max(abs(a) + abs(num), atol)
            index = tuple(int(k) for k in np.unravel_index(i, p.shape))
            entries.append(GradientEntry(name, index, a, num, error))
    order = sorted(range(len(entries)), key=lambda k: -entries[k].error)
    worst = [entries[k] for k in order[:n_worst]]
    return GradientCheckResult(
        worst[0].error if worst else 0.0, worst, atol, len(entries)
    )
