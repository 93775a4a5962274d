"""A feed-forward network of layers with a loss: the model of the training loops."""

from __future__ import annotations

import numpy as np

from skcv._optim import penalty
from skcv._optim._loop import n_correct
from skcv._optim._penalties import add_penalty
from skcv.neural_network._layers import Activation, BatchNorm, Dense, Dropout

__all__ = ["Network", "TrainableView", "build_layers"]


def build_layers(
    layer_units,
    *,
    activation="relu",
    negative_slope=0.01,
    weight_init="xavier",
    batch_norm=False,
    dropout=(),
    rng=None,
    dtype=np.float64,
):
    """Create ``[Dense, (BatchNorm), Activation, (Dropout)] * n_hidden + [Dense]``.

    ``layer_units`` lists the sizes ``(n_features, hidden..., n_outputs)``;
    ``dropout`` gives one probability per hidden layer.
    """
    rng = rng if rng is not None else np.random.default_rng()
    layers = []
    n_hidden = len(layer_units) - 2
    for i in range(n_hidden + 1):
        last = i == n_hidden
        dense = Dense.create(
            layer_units[i],
            layer_units[i + 1],
            init=weight_init,
            bias=last or not batch_norm,
            rng=rng,
            dtype=dtype,
        )
        dense.input_grad = i > 0
        layers.append(dense)
        if last:
            break
        if batch_norm:
            layers.append(BatchNorm(layer_units[i + 1], dtype=dtype))
        layers.append(Activation(activation, negative_slope))
        if dropout[i] > 0:
            layers.append(Dropout(dropout[i], rng=rng))
    return layers


class Network:
    """Layers, a loss and a weight penalty, exposing what ``skcv._optim`` needs.

    ``params`` lists the trainable arrays followed by the buffers (batch-norm
    running statistics), whose gradient is None: the optimisers leave them alone
    but the training loop's snapshots (divergence, best weights of early
    stopping) save and restore them together with the weights.
    """

    def __init__(self, layers, loss, penalty="l2", alpha=0.0, l1_ratio=0.15):
        self.layers = layers
        self.loss = loss
        self.penalty, self.alpha, self.l1_ratio = penalty, alpha, l1_ratio
        self.trainable = [p for layer in layers for p in layer.params]
        self.buffers = [b for layer in layers for b in layer.buffers]
        self.params = self.trainable + self.buffers

    def forward(self, X, train=False):
        """Class scores; ``train`` uses batch statistics and dropout."""
        for layer in self.layers:
            X = layer.forward(X, train)
        return X

    def backward(self, dscores):
        """Back-propagate ``dL/dscores``; return the trainable parameters' grads."""
        d = dscores
        for layer in reversed(self.layers):
            d = layer.backward(d)
        return [g for layer in self.layers for g in layer.grads]

    def loss_grad(self, X, y, sample_weight=None):
        """Penalised training loss of a batch and one gradient per ``params``."""
        S = self.forward(X, train=True)
        self.batch_correct = n_correct(S, y, sample_weight)
        value, dS = self.loss(S, y, sample_weight)
        grads = self.backward(dS)
        k = 0
        for layer in self.layers:
            if isinstance(layer, Dense):
                value += add_penalty(
                    layer.W, grads[k], self.penalty, self.alpha, self.l1_ratio
                )
            k += len(layer.params)
        return value, grads + [None] * len(self.buffers)

    def predict_indices(self, X):
        return self.forward(X, train=False).argmax(axis=1)

    def evaluate(self, X, y, sample_weight=None):
        """Penalised loss and boolean correct predictions in prediction mode."""
        S = self.forward(X, train=False)
        value = self.loss(S, y, sample_weight)[0]
        for layer in self.dense:
            value += penalty(layer.W, self.penalty, self.alpha, self.l1_ratio)[0]
        return value, S.argmax(axis=1) == y

    @property
    def dense(self):
        return [layer for layer in self.layers if isinstance(layer, Dense)]


class TrainableView:
    """The network with only its trainable parameters (for ``scipy.optimize``)."""

    def __init__(self, net):
        self.net = net
        self.params = net.trainable

    def loss_grad(self, X, y, sample_weight=None):
        value, grads = self.net.loss_grad(X, y, sample_weight)
        self.batch_correct = self.net.batch_correct
        return value, grads[: len(self.params)]

    def predict_indices(self, X):
        return self.net.predict_indices(X)
