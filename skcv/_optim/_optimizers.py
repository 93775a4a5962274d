"""First-order optimisers over a list of parameter arrays, updated in place.

Every optimiser has one interface: ``opt = make_optimizer(name, params, ...)``
allocates its state (one buffer per parameter), and ``opt.step(params, grads)``
applies one update. ``opt.learning_rate`` may be changed between steps by a
schedule (:mod:`skcv._optim._schedules`).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SOLVERS",
    "Adagrad",
    "Adam",
    "Optimizer",
    "RMSProp",
    "SGD",
    "make_optimizer",
]


class Optimizer:
    """Base class: holds the learning rate and the update count ``t``."""

    def __init__(self, params: list[np.ndarray], learning_rate: float):
        self.learning_rate = float(learning_rate)
        self.t = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place from ``grads``."""
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if g is not None:
                self._update(i, p, g)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum.

    plain: ``p -= lr * g``; momentum: ``v = mu * v - lr * g; p += v``;
    Nesterov (the look-ahead form of the course):
    ``v_prev = v; v = mu * v - lr * g; p += -mu * v_prev + (1 + mu) * v``.
    """

    def __init__(self, params, learning_rate, momentum=0.0, nesterov=False):
        super().__init__(params, learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocity = [np.zeros_like(p) for p in params] if momentum else None

    def _update(self, i, p, g):
        lr, mu = p.dtype.type(self.learning_rate), p.dtype.type(self.momentum)
        if self.velocity is None:
            p -= lr * g
            return
        v = self.velocity[i]
        if self.nesterov:
            p -= mu * v
            v *= mu
            v -= lr * g
            p += (1 + mu) * v
        else:
            v *= mu
            v -= lr * g
            p += v


class Adagrad(Optimizer):
    """Adagrad: ``cache += g**2; p -= lr * g / (sqrt(cache) + eps)``."""

    def __init__(self, params, learning_rate, epsilon=1e-8):
        super().__init__(params, learning_rate)
        self.epsilon = epsilon
        self.cache = [np.zeros_like(p) for p in params]

    def _update(self, i, p, g):
        c = self.cache[i]
        c += g * g
        p -= p.dtype.type(self.learning_rate) * g / (np.sqrt(c) + self.epsilon)


class RMSProp(Optimizer):
    """RMSProp.

    ``cache = rho * cache + (1 - rho) * g**2; p -= lr * g / (sqrt(cache) + eps)``.
    """

    def __init__(self, params, learning_rate, rho=0.99, epsilon=1e-8):
        super().__init__(params, learning_rate)
        self.rho, self.epsilon = rho, epsilon
        self.cache = [np.zeros_like(p) for p in params]

    def _update(self, i, p, g):
        c = self.cache[i]
        c *= self.rho
        c += (1 - self.rho) * (g * g)
        p -= p.dtype.type(self.learning_rate) * g / (np.sqrt(c) + self.epsilon)


class Adam(Optimizer):
    """Adam with bias correction.

    ``m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g**2;
    p -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)``.
    """

    def __init__(self, params, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(params, learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def _update(self, i, p, g):
        b1, b2, t = self.beta_1, self.beta_2, self.t
        m, v = self.m[i], self.v[i]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * (g * g)
        denom = np.sqrt(v * p.dtype.type(1 / (1 - b2**t)))
        denom += p.dtype.type(self.epsilon)
        p -= p.dtype.type(self.learning_rate / (1 - b1**t)) * m / denom


#: First-order solver names understood by :func:`make_optimizer`.
SOLVERS = ("adagrad", "adam", "rmsprop", "sgd")


def make_optimizer(
    name: str,
    params: list[np.ndarray],
    learning_rate: float,
    *,
    momentum: float = 0.9,
    nesterovs_momentum: bool = True,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-8,
) -> Optimizer:
    """Create the optimiser ``name`` with state buffers shaped like ``params``."""
    if name == "sgd":
        return SGD(params, learning_rate, momentum, nesterovs_momentum and momentum > 0)
    if name == "adagrad":
        return Adagrad(params, learning_rate, epsilon)
    if name == "rmsprop":
        return RMSProp(params, learning_rate, epsilon=epsilon)
    if name == "adam":
        return Adam(params, learning_rate, beta_1, beta_2, epsilon)
    raise ValueError(f"solver must be one of {list(SOLVERS)}; got {name!r}.")
