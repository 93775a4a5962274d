"""One minibatch training loop for every numpy model of skcv.

A *model* is any object with

* ``params``: a list of arrays, updated in place;
* ``loss_grad(X, y, sample_weight) -> (loss, grads)``: the penalised training loss
  of a batch and one gradient per parameter (None for a parameter left unchanged);
* ``predict_indices(X) -> ndarray``: predicted class indices (used to score the
  validation split);
* optionally ``batch_correct``: set by ``loss_grad`` to the (weighted) number of
  correct predictions of the batch, which gives the training accuracy of the
  epoch without an extra pass; and ``evaluate(X, y, sample_weight) -> (loss,
  correct)``: the loss (penalty included, like the training loss) and the boolean
  correct predictions in prediction mode (no dropout, running batch-norm
  statistics), used on the validation split.

:func:`train_minibatch` runs epochs of shuffled minibatches (``batch_size=1`` is
stochastic gradient descent, ``batch_size=n`` full-batch gradient descent), keeps
the history (:data:`HISTORY_KEYS`, one record per epoch, the keys the torch
estimators record too; optionally every batch's loss), stops on
``n_iter_no_change`` epochs without an improvement of ``tol``
(of the training loss, or of the validation accuracy with early stopping, after
which the best parameters are restored), detects divergence and lets a
KeyboardInterrupt stop training cleanly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skcv._optim._optimizers import Optimizer
from skcv._optim._schedules import Schedule
from skcv.utils._warnings import warn_external

__all__ = [
    "HISTORY_KEYS",
    "Model",
    "TrainState",
    "divergence_error",
    "history_record",
    "n_correct",
    "is_divergent",
    "train_minibatch",
    "validation_split",
    "warn_interrupted",
]

#: A batch loss above ``DIVERGENCE_FACTOR * (1 + |first loss|)`` counts as
#: divergence (explosive growth, before it overflows to inf or NaN).
DIVERGENCE_FACTOR = 1e8

#: Keys of each ``history_`` record of a classifier, numpy and torch alike
#: (:mod:`skcv.cnn._engine` writes ``train_<metric>`` / ``valid_<metric>`` with
#: its estimator's metric; classifiers use ``"accuracy"``). Values that do not
#: exist (no validation split, no learning rate of a second-order solver) are NaN.
HISTORY_KEYS = (
    "epoch",
    "train_loss",
    "train_accuracy",
    "valid_loss",
    "valid_accuracy",
    "lr",
    "seconds",
)


def n_correct(scores: np.ndarray, y: np.ndarray, sample_weight=None) -> float:
    """Count the rows (or their weight) whose highest score is the label."""
    correct = scores.argmax(axis=1) == y
    if sample_weight is None:
        return float(np.count_nonzero(correct))
    return float(np.sum(sample_weight[correct]))


def history_record(epoch: int, train_loss: float, **values) -> dict:
    """One ``history_`` record with every key of :data:`HISTORY_KEYS`."""
    record = dict.fromkeys(HISTORY_KEYS, float("nan"))
    record.update(epoch=int(epoch), train_loss=float(train_loss))
    for key, value in values.items():
        if key not in record:
            raise KeyError(f"unknown history key {key!r}")
        record[key] = float(value)
    return record


class Model(Protocol):
    """What the training loops need from a model."""

    params: list[np.ndarray]

    def loss_grad(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[float, list[np.ndarray | None]]: ...

    def predict_indices(self, X: np.ndarray) -> np.ndarray: ...


@dataclass
class TrainState:
    """Optimiser, schedule and history; kept between ``partial_fit`` calls."""

    optimizer: Optimizer
    schedule: Schedule
    loss_curve: list[float] = field(default_factory=list)
    validation_scores: list[float] = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    best_params: list[np.ndarray] | None = None
    no_improvement_count: int = 0
    n_iter: int = 0
    t: int = 0
    first_loss: float | None = None
    converged: bool = False
    interrupted: bool = False
    history: list[dict] = field(default_factory=list)
    record_batches: bool = False
    batch_losses: list[float] = field(default_factory=list)
    lr_probe: Any = None  # skcv._optim._lr_probe.LRProbe of a range test


def is_divergent(loss: float, first_loss: float) -> bool:
    """Return whether a batch loss counts as divergence (NaN/inf or explosive).

    This is the rule of every skcv training loop, numpy and torch alike. A batch
    loss diverges when it is NaN or infinite, or when it exceeds
    ``DIVERGENCE_FACTOR * (1 + |first_loss|)``, ``first_loss`` being the first
    batch loss of the training run: explosive growth is caught long before it
    overflows.
    """
    loss = float(loss)
    return not math.isfinite(loss) or abs(loss) > DIVERGENCE_FACTOR * (
        1.0 + abs(float(first_loss))
    )


def divergence_error(
    learning_rate: float,
    epoch: int,
    loss: float,
    kept: str = "the last finite parameters were kept",
) -> ValueError:
    """Return the error raised when training diverges (:func:`is_divergent`).

    ``kept`` says which parameters the model holds afterwards.
    """
    return ValueError(
        f"Training diverged at epoch {epoch} (loss={float(loss)!r}); {kept}. "
        f"Lower learning_rate_init (got {learning_rate!r}) or scale the input "
        "(e.g. StandardScaler for features)."
    )


def warn_interrupted(n_done: int, unit: str, kept: str) -> None:
    """Warn that a KeyboardInterrupt (Ctrl-C) stopped training cleanly.

    Every skcv training loop catches the interrupt, restores finite parameters,
    sets ``n_iter_`` to the ``n_done`` completed ``unit`` (epochs or solver
    iterations) and says what the model ``kept``.
    """
    warn_external(
        f"Training interrupted by the user after {n_done} {unit}; {kept}.",
        UserWarning,
    )


def validation_split(
    X, y, sample_weight, fraction: float, random_state, stratify: bool = True
):
    """Split off a stratified validation set.

    Returns ``X_tr, y_tr, sw_tr, X_val, y_val, sw_val`` (the weights are None
    without ``sample_weight``).
    """
    n = len(y)
    idx = np.arange(n)
    strat = y if stratify and np.bincount(y).min() >= 2 else None
    n_val = max(1, int(round(fraction * n)))
    if strat is not None:
        n_val = max(n_val, len(np.unique(y)))
    if n - n_val < 1:
        raise ValueError(
            f"validation_fraction={fraction} leaves no training sample for "
            f"{n} samples; lower validation_fraction or disable early_stopping."
        )
    tr, va = train_test_split(
        idx, test_size=n_val, random_state=random_state, stratify=strat
    )
    if sample_weight is None:
        return X[tr], y[tr], None, X[va], y[va], None
    return X[tr], y[tr], sample_weight[tr], X[va], y[va], sample_weight[va]


def _progress(total: int, verbose: Any):
    if not verbose:
        return None
    from skcv.utils._optional import import_optional

    tqdm = import_optional("tqdm").tqdm
    return tqdm(total=total, desc="epochs", unit="epoch", leave=False)


def train_minibatch(
    model: Model,
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    state: TrainState,
    batch_size: int,
    max_iter: int,
    tol: float,
    n_iter_no_change: int,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    sample_weight_val: np.ndarray | None = None,
    shuffle: bool = True,
    random_state: np.random.RandomState | None = None,
    verbose: Any = False,
    warn_not_converged: bool = True,
) -> TrainState:
    """Run up to ``max_iter`` epochs of minibatch training; return the state.

    Each epoch: shuffle the sample order, then for each batch gather it into a
    preallocated buffer, compute ``loss_grad`` and take an optimiser step. After
    the epoch: record the mean training loss (and the validation accuracy when
    ``X_val`` is given, weighted by ``sample_weight_val`` when that has a positive
    sum, so an integer weight counts as repeated samples there too), update the
    plateau counter, let the schedule change the learning rate, and stop when the
    plateau lasts ``n_iter_no_change`` epochs.

    Raises
    ------
    ValueError
        When the loss becomes NaN/inf or explodes; the parameters are reset to
        those of the start of the epoch (finite) before raising.
    """
    rng = random_state if random_state is not None else np.random.RandomState()
    n, opt, sched = X.shape[0], state.optimizer, state.schedule
    batch_size = int(min(max(batch_size, 1), n))
    full_batch = batch_size >= n
    # Batch boundaries; a 1-sample tail joins the previous batch (a batch of one
    # has no batch statistics: batch norm would see zero variance).
    starts = list(range(0, n, batch_size))
    if batch_size > 1 and len(starts) > 1 and n - starts[-1] == 1:
        starts.pop()
    stops = [*starts[1:], n]
    if not full_batch:
        xbuf = np.empty((batch_size + 1,) + X.shape[1:], dtype=X.dtype)
    w_total = float(n if sample_weight is None else np.sum(sample_weight))
    early = X_val is not None
    val_weights = sample_weight_val
    if val_weights is not None and not np.sum(val_weights) > 0:
        val_weights = None  # all-zero weights: plain accuracy, not 0/0
    bar = _progress(max_iter, verbose)
    order = np.arange(n)
    snapshot = None  # the parameters at the start of the current epoch
    try:
        for _ in range(max_iter):
            epoch = state.n_iter + 1
            snapshot = [p.copy() for p in model.params]
            if shuffle and not full_batch:
                rng.shuffle(order)
            epoch_loss = 0.0
            epoch_correct = 0.0
            counted = True  # False when the model does not report batch_correct
            lr_used = opt.learning_rate
            t0 = time.perf_counter()
            for start, stop in zip(starts, stops, strict=True):
                if full_batch:
                    Xb, yb, swb = X, y, sample_weight
                else:
                    idx = order[start:stop]
                    Xb = xbuf[: len(idx)]
                    np.take(X, idx, axis=0, out=Xb)
                    yb = y[idx]
                    swb = None if sample_weight is None else sample_weight[idx]
                probe = state.lr_probe
                if probe is not None:
                    opt.learning_rate = probe.next_rate()
                loss, grads = model.loss_grad(Xb, yb, swb)
                if probe is not None:
                    probe.record(loss)
                if state.first_loss is None:
                    state.first_loss = abs(loss)
                if is_divergent(loss, state.first_loss):
                    for p, s in zip(model.params, snapshot, strict=True):
                        p[...] = s
                    raise divergence_error(opt.learning_rate, epoch, loss)
                correct = getattr(model, "batch_correct", None)
                if correct is None:
                    counted = False
                else:
                    epoch_correct += correct
                opt.step(model.params, grads)
                wb = len(yb) if swb is None else float(np.sum(swb))
                epoch_loss += loss * wb / w_total
                if state.record_batches:
                    state.batch_losses.append(float(loss))
                state.t += len(yb)
            if not all(np.isfinite(p).all() for p in model.params):
                for p, s in zip(model.params, snapshot, strict=True):
                    p[...] = s
                raise divergence_error(opt.learning_rate, epoch, np.inf)
            state.n_iter = epoch
            state.loss_curve.append(epoch_loss)
            record = history_record(
                epoch,
                epoch_loss,
                train_accuracy=epoch_correct / w_total if counted else np.nan,
                lr=lr_used,
            )
            if early:
                evaluate = getattr(model, "evaluate", None)
                if evaluate is None:
                    correct = model.predict_indices(X_val) == y_val
                else:
                    record["valid_loss"], correct = evaluate(
                        X_val, y_val, sample_weight_val
                    )
                score = float(np.average(correct, weights=val_weights))
                record["valid_accuracy"] = score
                state.validation_scores.append(score)
                improved = score > state.best_validation_score + tol
                if score > state.best_validation_score:
                    state.best_validation_score = score
                    state.best_params = [p.copy() for p in model.params]
            else:
                improved = epoch_loss < state.best_loss - tol
            record["seconds"] = time.perf_counter() - t0
            state.history.append(record)
            state.best_loss = min(state.best_loss, epoch_loss)
            state.no_improvement_count = (
                0 if improved else state.no_improvement_count + 1
            )
            plateau = state.no_improvement_count >= n_iter_no_change
            if plateau:
                state.no_improvement_count = 0
            if bar is not None:
                post = {"loss": f"{epoch_loss:.4g}", "lr": f"{opt.learning_rate:.3g}"}
                if early:
                    post["val"] = f"{state.validation_scores[-1]:.4f}"
                bar.set_postfix(post)
                bar.update()
            if not sched.epoch_end(opt, epoch, plateau):
                state.converged = True
                break
        else:
            if warn_not_converged:
                warn_external(
                    f"Stochastic optimizer: maximum iterations ({max_iter}) reached "
                    "and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                )
    except KeyboardInterrupt:
        state.interrupted = True
        if snapshot is not None and not all(np.isfinite(p).all() for p in model.params):
            for p, s in zip(model.params, snapshot, strict=True):
                p[...] = s
        warn_interrupted(
            state.n_iter,
            "epochs",
            "the model keeps the last finite parameters (the best validated ones "
            "with early stopping)",
        )
    finally:
        if bar is not None:
            bar.close()
    if early and state.best_params is not None:
        for p, best in zip(model.params, state.best_params, strict=True):
            p[...] = best
    return state
