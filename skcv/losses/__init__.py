"""Classification losses on given scores and labels, with their gradients.

Public, validated wrappers of the losses the linear classifiers and the MLP train
with (``skcv._optim``): :func:`hinge_loss` (Weston-Watkins or Crammer-Singer),
:func:`squared_hinge` and :func:`softmax_cross_entropy`, plus
:func:`softmax`. Each returns the (weighted) mean loss and, on request, its
gradient with respect to the scores.
"""

from skcv.losses._losses import (
    hinge_loss,
    softmax,
    softmax_cross_entropy,
    squared_hinge,
)

__all__ = [
    "hinge_loss",
    "softmax",
    "softmax_cross_entropy",
    "squared_hinge",
]
