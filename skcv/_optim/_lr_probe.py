"""The learning-rate range test's probe: one rate per training step.

:func:`skcv.model_selection.lr_range_test` attaches a :class:`LRProbe` to a clone
of the estimator (attribute ``_lr_probe``) and calls ``fit``. The training loops
(:func:`skcv._optim.train_minibatch` and the torch engine) ask the probe for the
learning rate before each step (:meth:`LRProbe.next_rate`) and report the
step's loss after it (:meth:`LRProbe.record`). The probe ends training by
raising :class:`ProbeFinished` once every rate was tried or the smoothed loss
exceeds ``stop_factor`` times its best value (the loss has diverged), so
neither loop needs to know about the test.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LRProbe", "ProbeFinished"]


class ProbeFinished(Exception):  # noqa: N818 (a signal, not an error)
    """Raised by the probe to end the training run of a range test."""


class LRProbe:
    """Exponentially increasing learning rates and the losses they give.

    Parameters
    ----------
    rates : ndarray of shape (num,)
        The learning rate of each step, increasing.
    beta : float, default=0.98
        Smoothing of the loss: an exponential moving average with bias
        correction, ``avg = beta avg + (1 - beta) loss``, ``smooth = avg / (1 -
        beta^(i + 1))`` (fastai, PyTorch Lightning).
    stop_factor : float, default=4.0
        Stop once the smoothed loss exceeds ``stop_factor`` times its minimum.
    """

    def __init__(self, rates, beta=0.98, stop_factor=4.0):
        self.rates = np.asarray(rates, dtype=float)
        self.beta = float(beta)
        self.stop_factor = float(stop_factor)
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self.best = math.inf
        self.diverged = False
        self._avg = 0.0

    def next_rate(self) -> float:
        """Return the rate of the next step (raise ProbeFinished after the last)."""
        i = len(self.losses)
        if i >= len(self.rates):
            raise ProbeFinished
        return float(self.rates[i])

    def record(self, loss: float) -> None:
        """Record a step's loss; raise ProbeFinished when the loss diverged."""
        loss = float(loss)
        self.losses.append(loss)
        if not math.isfinite(loss):
            self.smoothed.append(math.inf)
            self.diverged = True
            raise ProbeFinished
        self._avg = self.beta * self._avg + (1 - self.beta) * loss
        smooth = self._avg / (1 - self.beta ** len(self.losses))
        self.smoothed.append(smooth)
        self.best = min(self.best, smooth)
        if len(self.losses) > 1 and smooth > self.stop_factor * self.best:
            self.diverged = True
            raise ProbeFinished
