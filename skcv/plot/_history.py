"""Training history: loss curve and validation accuracy per epoch."""

from __future__ import annotations

import numpy as np

from skcv.utils._optional import import_optional

__all__ = ["plot_history"]


def plot_history(estimator, *, ax=None, label: str | None = None, log_scale=False):
    """Plot ``loss_curve_`` and, when present, ``validation_scores_``.

    Parameters
    ----------
    estimator : fitted estimator or dict
        Anything with ``loss_curve_`` (and optionally ``validation_scores_``), e.g.
        skcv's linear classifiers and MLP or scikit-learn's MLPClassifier; or a
        dict with keys ``"loss_curve"`` and optionally ``"validation_scores"``.
    ax : matplotlib Axes, default=None
        Axes for the loss (a new figure by default). Validation accuracy goes on
        a twin axis on the right.
    label : str, default=None
        Legend label of the loss curve (e.g. the solver, to compare optimisers
        on one axes by calling this function repeatedly).
    log_scale : bool, default=False
        Logarithmic loss axis.

    Returns
    -------
    ax : matplotlib Axes
        The loss axes.

    Notes
    -----
    The course reads these curves to tune the learning rate: a loss that
    explodes means too high a rate, one that decreases linearly too low; a large
    gap between training and validation accuracy means overfitting (raise
    ``alpha``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcv.plot import plot_history
    >>> ax = plot_history({"loss_curve": [2.3, 1.9, 1.7], "validation_scores": None})
    >>> ax.get_xlabel()
    'epoch'
    """
    plt = import_optional("matplotlib.pyplot")
    if isinstance(estimator, dict):
        loss = estimator.get("loss_curve")
        val = estimator.get("validation_scores")
    else:
        loss = getattr(estimator, "loss_curve_", None)
        val = getattr(estimator, "validation_scores_", None)
    if loss is None:
        raise ValueError(
            "estimator has no loss_curve_: fit it first (with an iterative solver)."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    epochs = np.arange(1, len(loss) + 1)
    ax.plot(epochs, loss, label=label or "training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log_scale:
        ax.set_yscale("log")
    if val is not None and len(val):
        twin = ax.twinx()
        twin.plot(epochs[: len(val)], val, color="tab:orange", label="validation acc")
        twin.set_ylabel("validation accuracy")
        twin.legend(loc="upper right")
    if label is not None or val is not None:
        ax.legend(loc="upper left" if val is not None else "best")
    return ax
