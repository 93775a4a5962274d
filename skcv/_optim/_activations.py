"""Activation functions and their derivatives, as a table.

``ACTIVATIONS[name]`` is an :class:`Activation` with ``forward(z) -> a`` and
``backward(z, a, da) -> dz`` (the upstream gradient times the local derivative,
written with whichever of ``z`` or ``a`` is cheaper).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit

__all__ = ["ACTIVATIONS", "Activation", "get_activation"]


class Activation(NamedTuple):
    """An activation function and its backward pass."""

    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _leaky_relu(slope: float) -> Activation:
    def forward(z):
        return np.where(z > 0, z, z * z.dtype.type(slope))

    def backward(z, a, da):
        return np.where(z > 0, da, da * da.dtype.type(slope))

    return Activation(forward, backward)


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(lambda z: z, lambda z, a, da: da),
    "sigmoid": Activation(lambda z: expit(z), lambda z, a, da: da * a * (1 - a)),
    "tanh": Activation(np.tanh, lambda z, a, da: da * (1 - a * a)),
    "relu": Activation(lambda z: np.maximum(z, 0), lambda z, a, da: da * (z > 0)),
    "leaky_relu": _leaky_relu(0.01),
}
ACTIVATIONS["logistic"] = ACTIVATIONS["sigmoid"]


def get_activation(name: str, slope: float = 0.01) -> Activation:
    """Return the activation ``name``; ``slope`` is the leaky ReLU's negative slope."""
    if name == "leaky_relu":
        return _leaky_relu(slope)
    if name not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}; got {name!r}."
        )
    return ACTIVATIONS[name]
