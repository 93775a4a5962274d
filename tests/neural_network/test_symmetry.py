"""Zero (or constant) initialisation: the hidden units of a layer never differ."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skcv.neural_network import MLPClassifier, activation_statistics


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:500] / 16, y[:500]


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _distinct_units(W, axis):
    """Distinct hidden units: columns of an incoming W, rows of an outgoing one."""
    units = W.T if axis == 1 else W
    return np.unique(units, axis=0).shape[0]


@pytest.mark.parametrize("activation", ["tanh", "relu", "logistic"])
def test_activation_statistics_zero_init(activation):
    X = np.random.default_rng(0).standard_normal((100, 30))
    zero = activation_statistics(X, (20, 20, 20), activation, 0.0, random_state=0)
    assert zero.n_distinct_units.tolist() == [1, 1, 1]
    assert np.all(zero.activation_std == 0)
    rand = activation_statistics(X, (20, 20, 20), activation, "xavier", random_state=0)
    assert rand.n_distinct_units.tolist() == [20, 20, 20]


def test_zero_init_units_stay_identical_after_training(digits):
    X, y = digits
    clf = _fit(
        MLPClassifier(
            (16, 8),
            activation="tanh",
            weight_init=0.0,
            solver="sgd",
            learning_rate_init=0.1,
            max_iter=20,
            tol=0.0,
            n_iter_no_change=100,
            random_state=0,
        ),
        X,
        y,
    )
    assert clf.n_iter_ == 20 and clf.loss_curve_[-1] < clf.loss_curve_[0]
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1], strict=True):
        assert _distinct_units(W, axis=1) == 1
        assert np.unique(b).size == 1
    assert _distinct_units(clf.coefs_[-1], axis=0) == 1  # outgoing weights too
    # with random weights the units differ
    rand = _fit(
        MLPClassifier((16, 8), activation="tanh", max_iter=5, random_state=0), X, y
    )
    assert _distinct_units(rand.coefs_[0], axis=1) == 16


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_constant_init_units_change_but_stay_identical(digits, activation):
    """Any constant: the units move together, so the layer acts as one unit."""
    X, y = digits
    clf = MLPClassifier(
        (16,),
        activation=activation,
        solver="sgd",
        learning_rate_init=0.05,
        max_iter=1,
        warm_start=True,
        random_state=0,
    )
    _fit(clf, X, y)
    for W in clf.coefs_:
        W[...] = 0.05  # every weight the same constant (in place: the layers' arrays)
    for b in clf.intercepts_:
        b[...] = 0.0
    start = [W.copy() for W in clf.coefs_]
    clf.set_params(max_iter=10)
    _fit(clf, X, y)
    W1, W2 = clf.coefs_
    assert not np.allclose(W1, start[0])  # training moved the weights ...
    assert _distinct_units(W1, axis=1) == 1  # ... but every unit is the same
    assert _distinct_units(W2, axis=0) == 1
    assert np.unique(clf.intercepts_[0]).size == 1
