"""Layers as computation-graph nodes: dense, batch norm, dropout, activation.

Every layer has

* ``params``: its trainable arrays (updated in place by the optimisers);
* ``buffers``: non-trainable state saved with the weights (batch-norm running
  statistics);
* ``forward(X, train) -> out``: computes the output and caches what the backward
  pass needs;
* ``backward(dout) -> dX``: from the upstream gradient ``dL/dout`` stores one
  gradient per parameter in ``grads`` and returns ``dL/dX`` (or None when the
  layer was built with ``input_grad=False``: the first layer needs no input
  gradient).

The activation functions themselves come from the shared table
:data:`skcv._optim.ACTIVATIONS`.
"""

from __future__ import annotations

import numpy as np

from skcv._optim import get_activation, initialise

__all__ = ["Activation", "BatchNorm", "Dense", "Dropout", "Layer"]


class Layer:
    """Base class: no parameters, identity."""

    params: list[np.ndarray]
    buffers: list[np.ndarray]

    def __init__(self):
        self.params, self.buffers, self.grads = [], [], []

    def forward(self, X, train=True):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - abstract
        raise NotImplementedError

    def __getstate__(self):
        # Caches are transient: do not pickle the last batch.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_c_")}


class Dense(Layer):
    """Fully connected layer ``out = X W + b``.

    Parameters
    ----------
    W : ndarray of shape (n_in, n_out)
        Weights (scikit-learn's ``coefs_`` layout).
    b : ndarray of shape (n_out,) or None
        Biases; None for a layer without bias (before batch norm).
    input_grad : bool, default=True
        Whether :meth:`backward` returns ``dL/dX``.

    Notes
    -----
    Forward ``out = X W + b``; backward ``dW = X^T dout``, ``db = sum_i dout_i``,
    ``dX = dout W^T``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.neural_network import Dense
    >>> layer = Dense(np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([0.5, 0.0]))
    >>> layer.forward(np.array([[1.0, 1.0]]))
    array([[1.5, 2. ]])
    >>> layer.backward(np.array([[1.0, 1.0]]))  # dL/dX = dout W^T
    array([[1., 2.]])
    >>> layer.grads[0]  # dL/dW = X^T dout
    array([[1., 1.],
           [1., 1.]])
    """

    def __init__(self, W, b=None, input_grad=True):
        super().__init__()
        self.W, self.b = W, b
        self.params = [W] if b is None else [W, b]
        self.input_grad = input_grad

    @classmethod
    def create(cls, n_in, n_out, *, init="xavier", bias=True, rng=None, dtype=None):
        """Create a layer: weights from :func:`skcv._optim.initialise`, zero biases."""
        dtype = np.float64 if dtype is None else dtype
        W = initialise((n_in, n_out), init, random_state=rng, dtype=dtype)
        b = np.zeros(n_out, dtype=dtype) if bias else None
        return cls(np.ascontiguousarray(W), b)

    def forward(self, X, train=True):
        self._c_X = X
        out = X @ self.W
        if self.b is not None:
            out += self.b
        return out

    def backward(self, dout):
        X = self._c_X
        gW = X.T @ dout
        self.grads = [gW] if self.b is None else [gW, dout.sum(axis=0)]
        return dout @ self.W.T if self.input_grad else None


class BatchNorm(Layer):
    """Batch normalisation over the samples of a batch (before the activation).

    Parameters
    ----------
    n_features : int
        Number of units.
    momentum : float, default=0.1
        Weight of the current batch in the running statistics:
        ``running = (1 - momentum) running + momentum batch``.
    epsilon : float, default=1e-5
        Added to the variance.
    dtype : dtype, default=float64
        Dtype of the parameters.

    Notes
    -----
    Training: ``mu = mean_i x_i``, ``var = mean_i (x_i - mu)^2``,
    ``xhat = (x - mu) / sqrt(var + eps)``, ``out = gamma xhat + beta``; the
    running mean and (unbiased) variance are updated. Prediction uses the running
    statistics instead of the batch's. Backward (Ioffe & Szegedy):
    ``dxhat = dout gamma``,
    ``dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / sqrt(var + eps)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.neural_network import BatchNorm
    >>> bn = BatchNorm(2)
    >>> out = bn.forward(np.array([[1.0, 10.0], [3.0, 30.0]]))
    >>> out.round(3)  # each unit: zero mean, unit variance over the batch
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> bn.running_mean  # 0.9 * 0 + 0.1 * batch mean
    array([0.2, 2. ])
    """

    def __init__(self, n_features, momentum=0.1, epsilon=1e-5, dtype=np.float64):
        super().__init__()
        self.gamma = np.ones(n_features, dtype=dtype)
        self.beta = np.zeros(n_features, dtype=dtype)
        self.running_mean = np.zeros(n_features, dtype=dtype)
        self.running_var = np.ones(n_features, dtype=dtype)
        self.params = [self.gamma, self.beta]
        self.buffers = [self.running_mean, self.running_var]
        self.momentum, self.epsilon = momentum, epsilon

    def forward(self, X, train=True):
        dt = X.dtype.type
        if not train:
            scale = self.gamma / np.sqrt(self.running_var + dt(self.epsilon))
            return X * scale + (self.beta - self.running_mean * scale)
        n = X.shape[0]
        mu = X.mean(axis=0)
        xc = X - mu
        var = np.einsum("ij,ij->j", xc, xc) / dt(n)
        inv_std = 1.0 / np.sqrt(var + dt(self.epsilon))
        xhat = xc
        xhat *= inv_std
        self._c_xhat, self._c_inv_std = xhat, inv_std
        m = dt(self.momentum)
        self.running_mean *= 1 - m
        self.running_mean += m * mu
        self.running_var *= 1 - m
        self.running_var += m * var * dt(n / max(n - 1, 1))
        return xhat * self.gamma + self.beta

    def backward(self, dout):
        xhat, inv_std = self._c_xhat, self._c_inv_std
        n = dout.shape[0]
        dgamma = np.einsum("ij,ij->j", dout, xhat)
        dbeta = dout.sum(axis=0)
        self.grads = [dgamma, dbeta]
        # dxhat = dout * gamma; mean(dxhat) = dbeta*gamma/n; mean(dxhat*xhat) =
        # dgamma*gamma/n.
        dx = dout * (self.gamma * inv_std)
        dx -= (self.gamma * inv_std / n) * (dbeta + xhat * dgamma)
        return dx


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``p`` and scale by 1/(1-p).

    Parameters
    ----------
    p : float
        Probability of dropping a unit, in [0, 1).
    rng : numpy Generator, default=None
        Source of the masks.

    Notes
    -----
    Training: ``mask = (u >= p) / (1 - p)`` with ``u ~ U(0, 1)``,
    ``out = X mask``; the expected output equals the input, so prediction is the
    identity (no rescaling at test time). Backward: ``dX = dout mask``. Setting
    ``fixed_mask`` makes the layer deterministic (gradient checks).

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.neural_network import Dropout
    >>> drop = Dropout(0.5, rng=np.random.default_rng(0))
    >>> out = drop.forward(np.ones((2, 4)))
    >>> sorted(set(out.ravel().tolist()))  # dropped, or kept and scaled by 1/(1-p)
    [0.0, 2.0]
    >>> drop.forward(np.ones((2, 4)), train=False)  # identity at prediction
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """

    def __init__(self, p, rng=None):
        super().__init__()
        self.p = float(p)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.fixed_mask = None

    def forward(self, X, train=True):
        if not train or self.p == 0:
            self._c_mask = None
            return X
        if self.fixed_mask is not None:
            mask = self.fixed_mask.astype(X.dtype, copy=False)
        else:
            mask = self.rng.random(X.shape, dtype=np.float32) >= np.float32(self.p)
            mask = mask.astype(X.dtype)
            mask *= X.dtype.type(1.0 / (1.0 - self.p))
        self._c_mask = mask
        return X * mask

    def backward(self, dout):
        self.grads = []
        return dout if self._c_mask is None else dout * self._c_mask


class Activation(Layer):
    """Element-wise activation from the shared table :data:`skcv._optim.ACTIVATIONS`.

    Parameters
    ----------
    name : str
        ``"relu"``, ``"leaky_relu"``, ``"tanh"``, ``"logistic"``/``"sigmoid"`` or
        ``"identity"``.
    negative_slope : float, default=0.01
        Slope of the leaky ReLU for negative inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.neural_network import Activation
    >>> relu = Activation("relu")
    >>> relu.forward(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    >>> relu.backward(np.array([[5.0, 5.0]]))  # gradient flows where z > 0
    array([[0., 5.]])
    """

    def __init__(self, name, negative_slope=0.01):
        super().__init__()
        self.name, self.negative_slope = name, negative_slope
        self._fn = get_activation(name, negative_slope)

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._fn = get_activation(self.name, self.negative_slope)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_fn", None)
        return state

    def forward(self, X, train=True):
        a = self._fn.forward(X)
        self._c_z, self._c_a = X, a
        return a

    def backward(self, dout):
        self.grads = []
        return self._fn.backward(self._c_z, self._c_a, dout)
