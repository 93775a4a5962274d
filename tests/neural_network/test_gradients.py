"""Gradient checks (float64) of every layer and of whole networks."""

import numpy as np
import pytest

from skcv._optim import get_loss, gradient_check
from skcv.neural_network import Activation, BatchNorm, Dense, Dropout
from skcv.neural_network._network import Network, build_layers

TOL = 1e-6


def _layer_check(layer, X, rng):
    """Check dL/dX and dL/dparams of ``L = sum(out * G)`` for a random G."""
    G = rng.standard_normal(layer.forward(X, True).shape)

    def f():
        out = layer.forward(X, True)
        dX = layer.backward(G)
        return float(np.sum(out * G)), [dX, *layer.grads]

    return gradient_check(f, [X, *layer.params])


def test_dense_gradients():
    rng = np.random.default_rng(0)
    layer = Dense.create(7, 5, rng=rng)
    layer.b[...] = rng.standard_normal(5)
    assert _layer_check(layer, rng.standard_normal((6, 7)), rng) < TOL


def test_dense_without_input_grad():
    rng = np.random.default_rng(0)
    layer = Dense.create(3, 2, rng=rng, bias=False)
    layer.input_grad = False
    layer.forward(rng.standard_normal((4, 3)))
    assert layer.backward(np.ones((4, 2))) is None
    assert layer.grads[0].shape == (3, 2)


def test_batch_norm_gradients():
    rng = np.random.default_rng(1)
    layer = BatchNorm(5)
    layer.gamma[...] = rng.uniform(0.5, 2, 5)
    layer.beta[...] = rng.standard_normal(5)
    X = 3 * rng.standard_normal((8, 5)) + 1
    assert _layer_check(layer, X, rng) < TOL


def test_batch_norm_train_and_predict():
    rng = np.random.default_rng(2)
    layer = BatchNorm(4, momentum=1.0)
    X = rng.normal(5.0, 3.0, size=(200, 4))
    out = layer.forward(X, train=True)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, rtol=1e-4)
    # momentum=1: running statistics are the batch's (unbiased variance).
    np.testing.assert_allclose(layer.running_mean, X.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, X.var(axis=0, ddof=1))
    pred = layer.forward(X[:3], train=False)
    expected = (X[:3] - X.mean(axis=0)) / np.sqrt(X.var(axis=0, ddof=1) + 1e-5)
    np.testing.assert_allclose(pred, expected, rtol=1e-10)


def test_dropout_gradients_with_fixed_mask():
    rng = np.random.default_rng(3)
    layer = Dropout(0.5)
    layer.fixed_mask = (rng.random((6, 5)) >= 0.5) / 0.5
    assert _layer_check(layer, rng.standard_normal((6, 5)), rng) < TOL


def test_dropout_is_inverted_and_off_at_predict():
    layer = Dropout(0.3, rng=np.random.default_rng(0))
    X = np.ones((2000, 50))
    out = layer.forward(X, train=True)
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert abs((out == 0).mean() - 0.3) < 0.01
    assert abs(out.mean() - 1.0) < 0.02  # inverted: expectation preserved
    assert layer.forward(X, train=False) is X


@pytest.mark.parametrize(
    "name", ["relu", "leaky_relu", "tanh", "logistic", "sigmoid", "identity"]
)
def test_activation_gradients(name):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((5, 6))
    X[np.abs(X) < 1e-3] = 0.5  # keep away from the ReLU kink
    layer = Activation(name, negative_slope=0.1)
    assert _layer_check(layer, X, rng) < TOL


@pytest.mark.parametrize("loss", ["cross_entropy", "hinge"])
@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
def test_whole_network_with_batch_norm_and_dropout(loss, activation):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((10, 6))
    y = rng.integers(0, 3, 10)
    sw = rng.uniform(0.5, 2.0, 10)
    layers = build_layers(
        [6, 7, 5, 3],
        activation=activation,
        negative_slope=0.1,
        weight_init="xavier",
        batch_norm=True,
        dropout=[0.3, 0.2],
        rng=rng,
    )
    for layer in layers:
        if isinstance(layer, BatchNorm):
            layer.gamma[...] = rng.uniform(0.5, 2, layer.gamma.shape)
            layer.beta[...] = rng.standard_normal(layer.beta.shape)
    drops = [la for la in layers if isinstance(la, Dropout)]
    assert len(drops) == 2 and sum(isinstance(la, BatchNorm) for la in layers) == 2
    for d, n in zip(drops, [7, 5], strict=True):
        d.fixed_mask = (rng.random((10, n)) >= d.p) / (1 - d.p)
    net = Network(layers, get_loss(loss), penalty="elasticnet", alpha=0.1)

    def f():
        value, grads = net.loss_grad(X, y, sw)
        return value, grads[: len(net.trainable)]

    assert gradient_check(f, net.trainable) < TOL


def test_network_params_include_buffers_without_gradients():
    rng = np.random.default_rng(6)
    layers = build_layers([4, 3, 2], batch_norm=True, dropout=[0.0], rng=rng)
    net = Network(layers, get_loss("cross_entropy"))
    assert len(net.params) == len(net.trainable) + 2
    _, grads = net.loss_grad(rng.standard_normal((5, 4)), np.array([0, 1, 0, 1, 1]))
    assert grads[-2:] == [None, None]
    assert all(g is not None for g in grads[:-2])
