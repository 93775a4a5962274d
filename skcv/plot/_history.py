"""Training history: loss and accuracy per epoch, side by side, gap shaded."""

from __future__ import annotations

import numpy as np

from skcv.utils._optional import import_optional

__all__ = ["TrainingHistoryDisplay", "plot_history"]


def _records_from(estimator) -> list[dict]:
    """``history_`` records of a fitted estimator, a list of records or a dict."""
    if isinstance(estimator, list):
        return [dict(r) for r in estimator]
    if isinstance(estimator, dict):
        loss = estimator.get("loss_curve")
        val = estimator.get("validation_scores")
    else:
        if hasattr(estimator, "steps"):  # a Pipeline: its final estimator
            estimator = estimator[-1]
        history = getattr(estimator, "history_", None)
        if history:
            return [dict(r) for r in history]
        loss = getattr(estimator, "loss_curve_", None)
        val = getattr(estimator, "validation_scores_", None)
    if loss is None:
        raise ValueError(
            "estimator has no history_ or loss_curve_: fit it first (with an "
            "iterative solver), or pass a list of history records."
        )
    val = list(val) if val is not None else []
    return [
        {
            "epoch": i + 1,
            "train_loss": float(value),
            "valid_accuracy": float(val[i]) if i < len(val) else np.nan,
        }
        for i, value in enumerate(loss)
    ]


def _metric_of(records: list[dict]) -> str:
    """Return the metric ``m`` of the keys ``train_m`` / ``valid_m`` (not loss)."""
    names = {
        key.split("_", 1)[1]
        for r in records
        for key in r
        if key.startswith(("train_", "valid_")) and key.split("_", 1)[1] != "loss"
    }
    if not names:
        return "accuracy"
    if len(names) > 1:
        raise ValueError(f"history records hold several metrics: {sorted(names)}.")
    return names.pop()


def _column(records, key) -> np.ndarray:
    return np.array([float(r.get(key, np.nan)) for r in records], dtype=float)


class TrainingHistoryDisplay:
    """Training curves: loss and a metric per epoch, with the overfitting gap.

    The same picture for every iterative skcv estimator (numpy and torch): the
    records of ``history_`` (keys ``epoch``, ``train_loss``, ``train_<metric>``,
    ``valid_loss``, ``valid_<metric>``), or only ``loss_curve_`` and
    ``validation_scores_`` (scikit-learn's MLPClassifier). Create it with
    :meth:`from_estimator` or :func:`plot_history`.

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
        Epoch (or second-order iteration) numbers.
    train_loss, valid_loss : ndarray of shape (n_epochs,)
        Training and validation loss (NaN where not recorded).
    train_score, valid_score : ndarray of shape (n_epochs,)
        Training and validation metric (NaN where not recorded).
    metric : str, default="accuracy"
        Name of the metric (``"accuracy"``, ``"mean_iou"``, ``"iou"``).
    estimator_name : str, default=None
        Shown in the legend.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        The loss axes and, unless a single axes was given, the metric axes.
    figure_ : matplotlib Figure
        The figure.
    gap_ : float or None
        Training minus validation metric at the last epoch where both exist
        (the overfitting gap), or None.

    Notes
    -----
    How the course reads these curves: a loss that explodes means too high a
    learning rate, a slowly, linearly decreasing one too low a rate; a large
    gap between training and validation accuracy (shaded) means overfitting
    (raise ``alpha`` / weight decay, add data or augmentation), no gap at a low
    accuracy means underfitting (a bigger model). The training accuracy is the
    one of the batches as they were seen during the epoch (the model changes
    along the epoch, dropout is on), so it lags slightly behind the model at
    the end of the epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcv.plot import TrainingHistoryDisplay
    >>> history = [
    ...     {"epoch": 1, "train_loss": 1.2, "train_accuracy": 0.6,
    ...      "valid_loss": 1.3, "valid_accuracy": 0.55},
    ...     {"epoch": 2, "train_loss": 0.7, "train_accuracy": 0.8,
    ...      "valid_loss": 0.9, "valid_accuracy": 0.7},
    ... ]
    >>> disp = TrainingHistoryDisplay.from_estimator(history)
    >>> [ax.get_ylabel() for ax in disp.ax_]
    ['loss', 'accuracy']
    >>> round(disp.gap_, 2)
    0.1
    """

    def __init__(
        self,
        epochs,
        train_loss,
        valid_loss,
        train_score,
        valid_score,
        *,
        metric="accuracy",
        estimator_name=None,
    ):
        self.epochs = np.asarray(epochs)
        self.train_loss = np.asarray(train_loss, dtype=float)
        self.valid_loss = np.asarray(valid_loss, dtype=float)
        self.train_score = np.asarray(train_score, dtype=float)
        self.valid_score = np.asarray(valid_score, dtype=float)
        self.metric = metric
        self.estimator_name = estimator_name

    @classmethod
    def from_history(cls, records, *, estimator_name=None):
        """Build the display (without plotting) from ``history_`` records.

        Parameters
        ----------
        records : list of dict
            One dict per epoch, as in ``history_``.
        estimator_name : str, default=None
            Shown in the legend.

        Returns
        -------
        display : TrainingHistoryDisplay
            Not plotted yet.
        """
        if not records:
            raise ValueError("history is empty: fit the estimator first.")
        metric = _metric_of(records)
        epochs = np.array(
            [r.get("epoch", i + 1) for i, r in enumerate(records)], dtype=int
        )
        return cls(
            epochs,
            _column(records, "train_loss"),
            _column(records, "valid_loss"),
            _column(records, f"train_{metric}"),
            _column(records, f"valid_{metric}"),
            metric=metric,
            estimator_name=estimator_name,
        )

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, label=None, log_scale=False):
        """Plot the history of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator, Pipeline, list of dict or dict
            An estimator with ``history_`` (every iterative skcv estimator) or
            ``loss_curve_`` (and optionally ``validation_scores_``, such as
            scikit-learn's MLPClassifier); a Pipeline (its last step); a list of
            history records; or a dict with ``"loss_curve"`` and optionally
            ``"validation_scores"``.
        ax : matplotlib Axes or pair of Axes, default=None
            Two axes (loss, metric); one axes draws the loss only (to overlay
            several runs); None makes a new figure with two side by side.
        label : str, default=None
            Prefix of the legend labels (e.g. the solver, to compare runs).
        log_scale : bool, default=False
            Logarithmic loss axis.

        Returns
        -------
        display : TrainingHistoryDisplay
            The plotted display.
        """
        records = _records_from(estimator)
        name = None if isinstance(estimator, (list, dict)) else type(estimator)
        disp = cls.from_history(
            records, estimator_name=None if name is None else name.__name__
        )
        return disp.plot(ax=ax, label=label, log_scale=log_scale)

    def plot(self, ax=None, *, label=None, log_scale=False):
        """Draw the loss and the metric panels.

        Parameters
        ----------
        ax : matplotlib Axes or pair of Axes, default=None
            Two axes (loss, metric), one axes (loss only) or None (new figure).
        label : str, default=None
            Prefix of the legend labels.
        log_scale : bool, default=False
            Logarithmic loss axis.

        Returns
        -------
        self : TrainingHistoryDisplay
            With ``ax_``, ``figure_`` and ``gap_`` set.
        """
        plt = import_optional("matplotlib.pyplot")
        if ax is None:
            _, axes = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
        else:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if len(axes) not in (1, 2):
                raise ValueError(
                    f"ax must be one Axes or a pair of Axes; got {len(axes)} axes."
                )
        prefix = f"{label}: " if label else ""
        panels = [("loss", self.train_loss, self.valid_loss, True)]
        if len(axes) == 2:
            panels.append((self.metric, self.train_score, self.valid_score, False))
        x = self.epochs
        for axis, (name, train, valid, lower_is_better) in zip(
            axes, panels, strict=False
        ):
            (line,) = axis.plot(x, train, label=f"{prefix}training {name}")
            if np.isfinite(valid).any():
                axis.plot(
                    x,
                    valid,
                    "--",
                    color=line.get_color(),
                    label=f"{prefix}validation {name}",
                )
                worse = valid > train if lower_is_better else valid < train
                both = np.isfinite(train) & np.isfinite(valid)
                axis.fill_between(
                    x,
                    train,
                    valid,
                    where=worse & both,
                    color=line.get_color(),
                    alpha=0.2,
                    interpolate=True,
                    label=f"{prefix}overfitting gap",
                )
            axis.set_xlabel("epoch")
            axis.set_ylabel(name)
            if name == "loss" and log_scale:
                axis.set_yscale("log")
            axis.legend(loc="best", fontsize="small")
        both = np.isfinite(self.train_score) & np.isfinite(self.valid_score)
        self.gap_ = (
            float(self.train_score[both][-1] - self.valid_score[both][-1])
            if both.any()
            else None
        )
        if self.estimator_name and len(axes) == 2:
            axes[0].figure.suptitle(self.estimator_name)
        self.ax_ = axes
        self.figure_ = axes[0].figure
        return self


def plot_history(estimator, *, ax=None, label=None, log_scale=False):
    """Plot training and validation loss and accuracy per epoch, side by side.

    Parameters
    ----------
    estimator : fitted estimator, Pipeline, list of dict or dict
        Anything with ``history_`` (every iterative skcv estimator: the linear
        classifiers, the MLP and the torch estimators) or ``loss_curve_`` (and
        optionally ``validation_scores_``, e.g. scikit-learn's MLPClassifier);
        a list of history records; or a dict with keys ``"loss_curve"`` and
        optionally ``"validation_scores"``.
    ax : matplotlib Axes or pair of Axes, default=None
        Axes for the loss and the metric (a new figure with two panels by
        default); a single axes draws the loss only, so that calling this
        function repeatedly overlays several runs.
    label : str, default=None
        Prefix of the legend labels (e.g. the solver).
    log_scale : bool, default=False
        Logarithmic loss axis.

    Returns
    -------
    display : :class:`TrainingHistoryDisplay`
        ``display.ax_`` holds the axes, ``display.gap_`` the final gap between
        training and validation metric.

    See Also
    --------
    TrainingHistoryDisplay : The display object, with ``from_estimator``.

    Notes
    -----
    The course reads these curves to tune the learning rate: a loss that
    explodes means too high a rate, one that decreases linearly too low; a large
    gap between training and validation accuracy (shaded) means overfitting
    (raise ``alpha``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcv.plot import plot_history
    >>> disp = plot_history({"loss_curve": [2.3, 1.9, 1.7], "validation_scores": None})
    >>> disp.ax_[0].get_xlabel()
    'epoch'
    """
    return TrainingHistoryDisplay.from_estimator(
        estimator, ax=ax, label=label, log_scale=log_scale
    )
