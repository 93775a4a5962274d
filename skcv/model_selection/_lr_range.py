"""The learning-rate range test (LR finder) and its display."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch

from skcv._optim._lr_probe import LRProbe, ProbeFinished
from skcv._optim._optimizers import SOLVERS
from skcv.utils._optional import import_optional
from skcv.utils._sklearn import Interval, StrOptions, validate_params

__all__ = ["LRRangeTestDisplay", "lr_range_test"]

#: Points skipped at the start and the end of the smoothed curve before looking
#: for its steepest descent (PyTorch Lightning's ``skip_begin``/``skip_end``):
#: the start of the moving average is noisy, the end is where it blew up.
_SKIP_BEGIN, _SKIP_END = 10, 1


def _probe_settings(target, n_steps):
    """Training parameters of the probe run: a long constant-rate run, no stops."""
    params = target.get_params(deep=False)
    updates = {
        "max_iter": n_steps + 1,  # every epoch has at least one step
        "epochs": n_steps + 1,
        "early_stopping": False,
        "n_iter_no_change": n_steps + 2,
        "tol": 0.0,
        "learning_rate": "constant",
        "lr_schedule": "constant",
        "warm_start": False,
        "verbose": False,
        "record_batches": False,
    }
    return {k: v for k, v in updates.items() if k in params}


def _suggest(rates, smoothed, method):
    """Return the suggested rate: steepest descent or a tenth of the minimum."""
    s = np.asarray(smoothed, dtype=float)
    finite = np.isfinite(s)
    if not finite.any():
        return float(rates[0])
    i_min = int(np.nanargmin(np.where(finite, s, np.nan)))
    if method == "min/10":
        return float(rates[i_min] / 10)
    stop = len(s) - _SKIP_END
    if stop - _SKIP_BEGIN < 3:  # too short a curve for a slope: fall back
        return float(rates[i_min] / 10)
    # the slope along log(rate): the rates are evenly spaced there
    seg = np.where(finite[_SKIP_BEGIN:stop], s[_SKIP_BEGIN:stop], np.inf)
    slope = np.gradient(seg)
    slope[~np.isfinite(slope)] = np.inf
    return float(rates[_SKIP_BEGIN + int(np.argmin(slope))])


@validate_params(
    {
        "estimator": [object],
        "X": [object],
        "y": [object],
        "min_lr": [Interval(Real, 0, None, closed="neither")],
        "max_lr": [Interval(Real, 0, None, closed="neither")],
        "num": [Interval(Integral, 2, None, closed="left")],
        "beta": [Interval(Real, 0, 1, closed="left")],
        "stop_factor": [Interval(Real, 1, None, closed="neither")],
        "suggestion": [StrOptions({"min/10", "steepest"})],
        "fit_params": [dict, None],
    },
    prefer_skip_nested_validation=True,
)
def lr_range_test(
    estimator,
    X,
    y,
    *,
    min_lr=1e-6,
    max_lr=1.0,
    num=100,
    beta=0.98,
    stop_factor=4.0,
    suggestion="min/10",
    fit_params=None,
):
    """Learning-rate range test: train briefly with an exponentially growing rate.

    Parameters
    ----------
    estimator : estimator with ``learning_rate_init``
        Any iterative skcv estimator (a first-order ``solver`` of the linear
        classifiers and the MLP; :class:`~skcv.cnn.CNNClassifier`,
        ``FCNSegmenter``, ``ObjectLocalizer``), or a Pipeline ending in one. It
        is cloned; its batch size, solver and momentum are the ones tested.
    X, y : array-like
        Training data, as passed to ``fit``.
    min_lr, max_lr : float, default=1e-6, 1.0
        The first and the last rate.
    num : int, default=100
        Number of training steps (minibatches), one rate each, spaced evenly in
        log scale from ``min_lr`` to ``max_lr``.
    beta : float, default=0.98
        Smoothing of the loss curve (exponential moving average with bias
        correction).
    stop_factor : float, default=4.0
        Stop once the smoothed loss exceeds ``stop_factor`` times its minimum.
    suggestion : {"min/10", "steepest"}, default="min/10"
        ``"min/10"``: a tenth of the rate of the lowest smoothed loss (fastai's
        first rule); ``"steepest"``: the rate where the smoothed loss falls
        fastest per unit of log rate, skipping the first 10 and the last point
        (PyTorch Lightning). Measured on digits (five estimators, three
        splits, 15 epochs): "min/10" trains within 0.5 % (mean 0.3 %) of the
        best rate of a 9-point log grid at ``num=100``; "steepest" within
        1.5 % at ``num=100`` and 0.4 % at ``num=200``, and it depends on the
        smoothing (within 29 % with ``beta=0.9``).
    fit_params : dict, default=None
        Extra arguments of ``fit`` (e.g. ``boxes`` of ``ObjectLocalizer``).

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``rates`` and ``losses`` of the steps run, ``smoothed_losses``,
        ``suggestion`` (the suggested ``learning_rate_init``),
        ``min_loss_rate`` (the rate of the lowest smoothed loss), ``diverged``
        (whether the test stopped because the loss blew up) and ``method``.

    See Also
    --------
    LRRangeTestDisplay : Plot the curve with the suggestion marked.

    Notes
    -----
    The test (L. Smith's range test, as in fastai's and PyTorch Lightning's LR
    finder): (1) clone the estimator and start from its initialisation;
    (2) before each minibatch step set the rate to
    ``min_lr * (max_lr / min_lr) ** (i / (num - 1))``; (3) record the batch
    loss and its smoothed value; (4) stop when the smoothed loss exceeds 4
    times its best (the rate is now too high) or after ``num`` steps. Too low a
    rate leaves the loss flat, a good one makes it fall fast, too high a one
    makes it explode: the suggestion is taken on the falling part, before the
    minimum (at the minimum the rate is already about to diverge).

    References
    ----------
    .. [1] L. N. Smith, "Cyclical learning rates for training neural
       networks", WACV 2017. :doi:`10.1109/WACV.2017.58`

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcv.model_selection import lr_range_test
    >>> from skcv.neural_network import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> res = lr_range_test(MLPClassifier((32,), solver="sgd", random_state=0),
    ...                     X[:500] / 16, y[:500], min_lr=1e-4, max_lr=10, num=60)
    >>> bool(1e-4 < res.suggestion < 10), len(res.rates) == len(res.losses)
    (True, True)
    """
    if min_lr >= max_lr:
        raise ValueError(
            f"min_lr must be smaller than max_lr; got min_lr={min_lr!r}, "
            f"max_lr={max_lr!r}."
        )
    est = clone(estimator)
    target = est[-1] if hasattr(est, "steps") else est
    if "learning_rate_init" not in target.get_params(deep=False):
        raise TypeError(
            "lr_range_test needs an estimator with a learning_rate_init "
            f"parameter; got {type(target).__name__}."
        )
    resolved = getattr(target, "_resolved_solver", None)
    if resolved is not None and resolved() not in SOLVERS:
        raise ValueError(
            f"lr_range_test needs a first-order solver ({', '.join(SOLVERS)}); "
            f"{type(target).__name__} would use solver={resolved()!r}, which has no "
            "learning rate."
        )
    target.set_params(**_probe_settings(target, num))
    rates = min_lr * (max_lr / min_lr) ** (np.arange(num) / (num - 1))
    probe = LRProbe(rates, beta=beta, stop_factor=stop_factor)
    target._lr_probe = probe
    try:
        est.fit(X, y, **(fit_params or {}))
    except ProbeFinished:
        pass
    except ValueError as exc:
        # The loops' own divergence check (non-finite parameters after a step
        # with a finite loss) can come before the probe sees an exploding loss.
        if not probe.losses or "diverged" not in str(exc):
            raise
        probe.diverged = True
    n = len(probe.losses)
    if n == 0:
        raise ValueError("the range test ran no training step; check X and y.")
    smoothed = np.asarray(probe.smoothed, dtype=float)
    finite = np.isfinite(smoothed)
    return Bunch(
        rates=rates[:n],
        losses=np.asarray(probe.losses, dtype=float),
        smoothed_losses=smoothed,
        suggestion=_suggest(rates[:n], smoothed, suggestion),
        min_loss_rate=float(rates[int(np.argmin(np.where(finite, smoothed, np.inf)))]),
        diverged=bool(probe.diverged),
        method=suggestion,
    )


class LRRangeTestDisplay:
    """Loss against learning rate (log scale), the suggested rate marked.

    Create it with :meth:`from_estimator` (runs :func:`lr_range_test`) or
    :meth:`from_result`.

    Parameters
    ----------
    rates : ndarray of shape (n_steps,)
        The rate of each step.
    smoothed_losses : ndarray of shape (n_steps,)
        Smoothed loss of each step.
    suggestion : float
        The suggested rate.
    losses : ndarray of shape (n_steps,), default=None
        Raw batch losses (drawn faintly when given).
    estimator_name : str, default=None
        Used in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes.
    figure_ : matplotlib Figure
        Its figure.
    line_ : matplotlib Line2D
        The smoothed loss curve.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcv.model_selection import LRRangeTestDisplay
    >>> rates = np.geomspace(1e-4, 1, 5)
    >>> disp = LRRangeTestDisplay(rates, [2.3, 2.2, 1.5, 1.0, 4.0], 1e-2).plot()
    >>> disp.ax_.get_xscale()
    'log'
    """

    def __init__(
        self, rates, smoothed_losses, suggestion, *, losses=None, estimator_name=None
    ):
        self.rates = np.asarray(rates, dtype=float)
        self.smoothed_losses = np.asarray(smoothed_losses, dtype=float)
        self.suggestion = float(suggestion)
        self.losses = None if losses is None else np.asarray(losses, dtype=float)
        self.estimator_name = estimator_name

    @classmethod
    def from_result(cls, result, *, estimator_name=None, ax=None):
        """Plot the result of :func:`lr_range_test`.

        Parameters
        ----------
        result : Bunch
            As returned by :func:`lr_range_test`.
        estimator_name : str, default=None
            Used in the title.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : LRRangeTestDisplay
            The plotted display.
        """
        return cls(
            result.rates,
            result.smoothed_losses,
            result.suggestion,
            losses=result.losses,
            estimator_name=estimator_name,
        ).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, ax=None, **kwargs):
        """Run :func:`lr_range_test` on ``estimator`` and plot it.

        Parameters
        ----------
        estimator : estimator with ``learning_rate_init``
            See :func:`lr_range_test`.
        X, y : array-like
            Training data.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        **kwargs
            ``min_lr``, ``max_lr``, ``num``, ``suggestion``... of
            :func:`lr_range_test`.

        Returns
        -------
        display : LRRangeTestDisplay
            The plotted display; ``display.result_`` holds the test's result.
        """
        result = lr_range_test(estimator, X, y, **kwargs)
        target = estimator[-1] if hasattr(estimator, "steps") else estimator
        disp = cls.from_result(result, estimator_name=type(target).__name__, ax=ax)
        disp.result_ = result
        return disp

    def plot(self, ax=None):
        """Draw the curve and mark the suggestion.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on (a new figure by default).

        Returns
        -------
        self : LRRangeTestDisplay
            With ``ax_``, ``figure_`` and ``line_`` set.
        """
        plt = import_optional("matplotlib.pyplot")
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.8))
        if self.losses is not None:
            ax.plot(self.rates, self.losses, color="0.75", lw=0.8, label="batch loss")
        (self.line_,) = ax.plot(
            self.rates, self.smoothed_losses, color="tab:blue", label="smoothed loss"
        )
        at = np.interp(
            np.log(self.suggestion), np.log(self.rates), self.smoothed_losses
        )
        ax.axvline(self.suggestion, color="tab:red", ls="--", lw=1)
        ax.plot(
            [self.suggestion],
            [at],
            "o",
            color="tab:red",
            label=f"suggestion {self.suggestion:.2g}",
        )
        ax.set_xscale("log")
        finite = self.smoothed_losses[np.isfinite(self.smoothed_losses)]
        if finite.size:  # the falling part, not the explosion, fills the axes
            low, high = finite.min(), finite[0]
            span = max(high - low, 0.05 * abs(high), 1e-12)
            ax.set_ylim(low - 0.1 * span, high + 0.5 * span)
        ax.set_xlabel("learning rate")
        ax.set_ylabel("training loss")
        if self.estimator_name:
            ax.set_title(f"LR range test: {self.estimator_name}")
        ax.legend(fontsize="small")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
