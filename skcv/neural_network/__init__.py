"""Fully connected neural networks in numpy.

:class:`MLPClassifier` (layers as computation-graph nodes: :class:`Dense`,
:class:`BatchNorm`, :class:`Dropout`, :class:`Activation`) trained by the numeric
core shared with :mod:`skcv.linear_model`, and the course's initialisation
experiment :func:`activation_statistics`.
"""

from skcv.neural_network._init_experiment import activation_statistics
from skcv.neural_network._layers import Activation, BatchNorm, Dense, Dropout
from skcv.neural_network._mlp import MLPClassifier

__all__ = [
    "Activation",
    "BatchNorm",
    "Dense",
    "Dropout",
    "MLPClassifier",
    "activation_statistics",
]
