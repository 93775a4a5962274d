"""Paths of several optimisers over the contours of a 2-D function."""

from __future__ import annotations

import numpy as np

from skcv.optimize._minimize import minimize
from skcv.utils._optional import import_optional

__all__ = ["OptimizerPathDisplay"]

#: The course's first-order optimisers, in the order it introduces them.
COURSE_SOLVERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


class OptimizerPathDisplay:
    """Optimiser paths on the contour plot of a function of two variables.

    Create it with :meth:`from_function`, which runs :func:`minimize` once per
    solver from the same start; :meth:`plot` draws the contours and the paths.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (value, gradient)`` for ``x`` of shape (2,).
    results : dict of str to OptimizeResult
        One result per solver, run with ``return_path=True``.
    minimum : array-like of shape (2,), default=None
        Marked with a star when given.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the plot.
    figure_ : matplotlib Figure
        Its figure.
    lines_ : dict of str to Line2D
        One path per solver.

    Notes
    -----
    What the course shows with these paths: in a narrow valley (an
    ill-conditioned quadratic, Rosenbrock's banana) plain gradient descent
    zig-zags across the steep direction and crawls along the flat one;
    momentum builds up speed along the valley (and overshoots), Nesterov's
    look-ahead gradient damps the overshoot; AdaGrad and RMSProp divide each
    coordinate's step by its gradient history, so they move along the flat
    direction as fast as along the steep one (AdaGrad's steps shrink for ever,
    RMSProp forgets); Adam combines momentum with RMSProp's scaling. The legend
    gives each solver's number of iterations to meet ``tol``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcv.optimize import OptimizerPathDisplay, quadratic
    >>> disp = OptimizerPathDisplay.from_function(
    ...     quadratic, [-4.0, 1.5], solvers=["sgd", "momentum"],
    ...     learning_rate=0.02, max_iter=300)
    >>> sorted(disp.lines_)
    ['momentum', 'sgd']
    >>> bool(disp.results["momentum"].nit < disp.results["sgd"].nit)
    True
    """

    def __init__(self, fun, results, *, minimum=None):
        self.fun = fun
        self.results = dict(results)
        self.minimum = None if minimum is None else np.asarray(minimum, dtype=float)

    @classmethod
    def from_function(
        cls,
        fun,
        x0,
        *,
        solvers=COURSE_SOLVERS,
        learning_rate=0.01,
        momentum=0.9,
        max_iter=500,
        tol=1e-6,
        minimum=None,
        ax=None,
        levels=30,
    ):
        """Run each solver from ``x0`` on ``fun`` and plot the paths.

        Parameters
        ----------
        fun : callable
            ``fun(x) -> (value, gradient)`` for ``x`` of shape (2,), e.g.
            :func:`skcv.optimize.quadratic` or :func:`skcv.optimize.rosenbrock`.
        x0 : array-like of shape (2,)
            The common starting point.
        solvers : sequence of str, default=("sgd", "momentum", "nesterov", \
"adagrad", "rmsprop", "adam")
            Solvers of :func:`minimize`.
        learning_rate : float or dict of str to float, default=0.01
            One rate for all solvers, or one per solver (the adaptive ones
            usually want a larger rate than plain gradient descent).
        momentum : float, default=0.9
            Of ``"momentum"`` and ``"nesterov"``.
        max_iter : int, default=500
            Iterations per solver.
        tol : float, default=1e-6
            Gradient tolerance.
        minimum : array-like of shape (2,), default=None
            The known minimum, marked with a star.
        ax : matplotlib Axes, default=None
            Axes to draw on (a new figure by default).
        levels : int, default=30
            Number of contour levels.

        Returns
        -------
        display : OptimizerPathDisplay
            The plotted display; ``display.results`` holds each solver's
            :class:`scipy.optimize.OptimizeResult`.
        """
        x0 = np.asarray(x0, dtype=float)
        if x0.shape != (2,):
            raise ValueError(f"x0 must have shape (2,) to be drawn; got {x0.shape}.")
        if isinstance(learning_rate, dict):
            missing = [s for s in solvers if s not in learning_rate]
            if missing:
                raise ValueError(f"learning_rate has no entry for solvers {missing}.")
            rates = dict(learning_rate)
        else:
            rates = dict.fromkeys(solvers, learning_rate)
        results = {
            s: minimize(
                fun,
                x0,
                solver=s,
                learning_rate=rates[s],
                momentum=momentum,
                max_iter=max_iter,
                tol=tol,
                return_path=True,
            )
            for s in solvers
        }
        return cls(fun, results, minimum=minimum).plot(ax=ax, levels=levels)

    def plot(self, ax=None, *, levels=30):
        """Draw the contours of ``fun`` and one path per solver.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on (a new figure by default).
        levels : int, default=30
            Number of contour levels (log-spaced for a function that is
            non-negative, so that the valley floor shows).

        Returns
        -------
        self : OptimizerPathDisplay
            With ``ax_``, ``figure_`` and ``lines_`` set.
        """
        plt = import_optional("matplotlib.pyplot")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4.5))
        points = np.concatenate([r.path for r in self.results.values()])
        if self.minimum is not None:
            points = np.vstack([points, self.minimum])
        points = points[np.all(np.isfinite(points), axis=1)]
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = 0.15 * np.maximum(hi - lo, 1e-3)
        lo, hi = lo - pad, hi + pad
        gx, gy = np.meshgrid(
            np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120)
        )
        grid = np.column_stack([gx.ravel(), gy.ravel()])
        with np.errstate(over="ignore", invalid="ignore"):
            Z = np.array([self.fun(p)[0] for p in grid]).reshape(gx.shape)
        if Z.min() >= 0:
            zmin = max(Z.min(), 1e-3 * (Z.max() - Z.min()) / levels, 1e-12)
            lv = np.geomspace(zmin, Z.max(), levels)
        else:
            lv = levels
        ax.contour(gx, gy, Z, levels=lv, colors="0.75", linewidths=0.6)
        self.lines_ = {}
        for name, res in self.results.items():
            tag = f"{res.nit} it" if res.success else f"no conv. in {res.nit} it"
            (line,) = ax.plot(
                res.path[:, 0],
                res.path[:, 1],
                ".-",
                ms=2.5,
                lw=1.2,
                label=f"{name} ({tag})",
            )
            self.lines_[name] = line
        if self.minimum is not None:
            ax.plot(*self.minimum, "k*", ms=12, label="minimum")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.legend(fontsize="small", loc="best")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
