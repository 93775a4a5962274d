"""The course's non-linearly separable 2-D data sets: spirals and XOR."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from skcv.utils._sklearn import Interval, validate_params

__all__ = ["make_spiral", "make_xor"]


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "turns": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_spiral(
    n_samples=300, n_classes=3, *, noise=0.2, turns=0.64, random_state=None
):
    """Interleaved spiral arms, one per class: not linearly separable.

    Parameters
    ----------
    n_samples : int, default=300
        Total number of points, split as evenly as possible over the classes.
    n_classes : int, default=3
        Number of arms (classes).
    noise : float, default=0.2
        Standard deviation of the Gaussian noise added to each point's angle
        (radians).
    turns : float, default=0.64
        Length of each arm in turns (0.64 turn = 4 radians, the CS231n spiral).
    random_state : int, RandomState instance or None, default=None
        Seed of the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Points in the unit disc.
    y : ndarray of shape (n_samples,)
        Arm index of each point (0 .. n_classes - 1).

    Notes
    -----
    Arm ``k`` goes out from the centre: radius ``r = t`` for ``t`` evenly
    spaced in ``[0, 1]``, angle ``2 pi turns (k + t)`` plus noise. A linear
    classifier cuts the plane into ``n_classes`` wedges and gets about a third
    of three spirals wrong; a network with one hidden layer of a few dozen
    ReLU units follows the arms (``examples/plot_decision_boundaries.py``).

    References
    ----------
    .. [1] CS231n, "Putting it together: minimal neural network case study",
       https://cs231n.github.io/neural-networks-case-study/

    Examples
    --------
    >>> from skcv.datasets import make_spiral
    >>> X, y = make_spiral(300, 3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1, 2])
    """
    rng = check_random_state(random_state)
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    X, y = [], []
    for k, m in enumerate(counts):
        t = np.linspace(0.0, 1.0, m) if m > 1 else np.array([0.5])
        angle = 2 * np.pi * turns * (k + t) + noise * rng.standard_normal(m)
        X.append(np.column_stack([t * np.sin(angle), t * np.cos(angle)]))
        y.append(np.full(m, k))
    return np.concatenate(X), np.concatenate(y)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_xor(n_samples=200, *, noise=0.0, random_state=None):
    """Make the XOR problem: opposite quadrants share a class.

    Parameters
    ----------
    n_samples : int, default=200
        Number of points.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the points after their
        class is decided (points then cross the axes near the boundary).
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Points drawn uniformly in ``[-1, 1]^2`` (plus noise).
    y : ndarray of shape (n_samples,)
        ``1`` where the signs of the two coordinates differ, else ``0``.

    Notes
    -----
    No line separates XOR (Minsky and Papert's objection to the perceptron):
    every linear classifier stays near chance, while one hidden layer of two
    units suffices in principle and a few more find it reliably.

    Examples
    --------
    >>> from skcv.datasets import make_xor
    >>> X, y = make_xor(8, random_state=0)
    >>> bool(((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int).tolist() == y.tolist())
    True
    """
    rng = check_random_state(random_state)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int)
    if noise:
        X = X + noise * rng.standard_normal(X.shape)
    return X, y
