"""The course's initialisation experiment: the three regimes, numerically."""

import numpy as np
import pytest

from skcv.neural_network import activation_statistics


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).standard_normal((400, 500))


def test_small_normal_collapses_from_layer_3(X):
    s = activation_statistics(X, activation="tanh", weight_init=0.01, random_state=0)
    std = s.activation_std
    assert std[0] > 0.1
    # Each layer multiplies the spread by about 0.01 * sqrt(500) = 0.22.
    assert np.all(std[2:] < 0.02)
    assert std[-1] < 1e-5
    assert np.all(np.diff(std) < 0)
    # The back-propagated gradients shrink towards the input as well.
    assert s.gradient_std[0] < 1e-4 * s.gradient_std[-1]


def test_unit_normal_saturates_tanh(X):
    s = activation_statistics(X, activation="tanh", weight_init=1.0, random_state=0)
    assert np.all(s.saturation > 0.5)  # most |a| > 0.99 in every layer
    assert np.all(s.activation_std > 0.95)
    counts, edges = s.activation_hist[-1]
    # The histogram piles up at the two ends.
    assert counts[0] + counts[-1] > 0.5 * counts.sum()
    assert edges[0] < -0.99 and edges[-1] > 0.99


def test_xavier_keeps_tanh_spread(X):
    s = activation_statistics(
        X, activation="tanh", weight_init="xavier", random_state=0
    )
    std = s.activation_std
    # N(0, 1/fan_in): the spread decays slowly, from 0.63 to 0.23 over 10
    # layers (a factor of 2.8; 2.2 from layer 2 on), instead of collapsing
    # (1e-5) or saturating.
    assert std.max() / std.min() < 3.0
    assert std[1:].max() / std[1:].min() < 2.3
    assert np.all(s.saturation < 0.05)
    assert s.gradient_std.max() / s.gradient_std.min() < 3.0


def test_relu_he_vs_xavier(X):
    he = activation_statistics(X, activation="relu", weight_init="he", random_state=0)
    xa = activation_statistics(
        X, activation="relu", weight_init="xavier", random_state=0
    )
    assert he.activation_std.max() / he.activation_std.min() < 1.5
    assert he.gradient_std.max() / he.gradient_std.min() < 1.5
    # Xavier ignores that ReLU zeroes half the units: the spread halves (in
    # variance) at every layer, a factor sqrt(2) ** 9 = 23 in std over 10 layers.
    ratio = xa.activation_std[0] / xa.activation_std[-1]
    assert 10 < ratio < 50
    assert np.all(np.diff(xa.activation_std) < 0)


def test_output_shapes(X):
    s = activation_statistics(X[:50], (20, 10, 5), "logistic", "xavier", bins=7)
    assert s.activation_mean.shape == s.gradient_std.shape == (3,)
    assert len(s.activation_hist) == len(s.gradient_hist) == 3
    assert s.activation_hist[0][0].shape == (7,)
    assert s.layer_sizes == (20, 10, 5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(activation="softplus"), "activation"),
        (dict(weight_init="glorot"), "weight_init"),
        (dict(weight_init=-0.1), "weight_init"),
        (dict(hidden_layer_sizes=(3, 0)), "hidden_layer_sizes"),
    ],
)
def test_bad_arguments(X, kwargs, match):
    with pytest.raises(ValueError, match=match):
        activation_statistics(X[:5], **kwargs)
