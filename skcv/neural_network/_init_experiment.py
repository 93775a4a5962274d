"""The course's weight-initialisation experiment as a function."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils.validation import check_random_state

from skcv.neural_network._layers import Activation, Dense
from skcv.utils._sklearn import Interval, StrOptions, validate_params

__all__ = ["activation_statistics"]


def _n_distinct_columns(a: np.ndarray) -> int:
    """Count the distinct columns (units) of ``a`` (exact comparison)."""
    return int(np.unique(np.ascontiguousarray(a.T), axis=0).shape[0])


@validate_params(
    {
        "X": ["array-like"],
        "hidden_layer_sizes": ["array-like"],
        "activation": [
            StrOptions({"relu", "leaky_relu", "tanh", "logistic", "sigmoid"})
        ],
        "weight_init": [
            StrOptions({"xavier", "he", "normal"}),
            Interval(Real, 0, None, closed="left"),
        ],
        "bins": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def activation_statistics(
    X,
    hidden_layer_sizes=(500,) * 10,
    activation="tanh",
    weight_init="xavier",
    *,
    bins=50,
    random_state=None,
):
    """Per-layer statistics of activations and gradients of a deep network at init.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Inputs (the course uses unit Gaussian data).
    hidden_layer_sizes : tuple of int, default=(500,) * 10
        Units of each hidden layer.
    activation : {"tanh", "relu", "leaky_relu", "logistic", "sigmoid"}, \
default="tanh"
        Non-linearity of every layer.
    weight_init : {"xavier", "he", "normal"} or float, default="xavier"
        ``"xavier"``: ``N(0, 1/fan_in)``; ``"he"``: ``N(0, 2/fan_in)``;
        ``"normal"``: ``N(0, 0.01^2)``; a float: ``N(0, std^2)``, so ``0.0`` is
        the all-zero initialisation.
    bins : int, default=50
        Number of histogram bins.
    random_state : int, RandomState instance or None, default=None
        Seed of the weights and of the back-propagated gradient.

    Returns
    -------
    stats : :class:`~sklearn.utils.Bunch`
        - ``activation_mean``, ``activation_std``: ndarrays of shape
          ``(n_layers,)``, of each hidden layer's activations;
        - ``activation_hist``: list of ``(counts, bin_edges)``;
        - ``saturation``: fraction of activations within 1% of the
          non-linearity's bounds (``|a| > 0.99`` for tanh, ``a < 0.01`` or
          ``a > 0.99`` for the logistic, 0 for the ReLU family);
        - ``gradient_mean``, ``gradient_std``, ``gradient_hist``: the same for
          ``dL/da`` of each layer's activations when a unit Gaussian gradient is
          back-propagated from the last layer;
        - ``n_distinct_units``: ndarray of shape ``(n_layers,)``, how many hidden
          units of each layer differ from one another (columns of the
          activations that are not equal to an earlier one); equal to the
          layer's size for a random initialisation and 1 for a zero (or any
          constant) one, where every unit computes the same function;
        - ``layer_sizes``, ``activation``, ``weight_init``.

    Notes
    -----
    The experiment: (1) draw a batch of inputs; (2) build a deep stack of dense
    layers without biases, weights from the chosen initialisation; (3) run the
    forward pass and record the mean, standard deviation and histogram of each
    layer's activations; (4) back-propagate a random gradient and record the
    same for the gradients. With ``N(0, 0.01^2)`` the activations shrink
    towards 0 layer after layer (and so do the weight gradients); with
    ``N(0, 1)`` tanh saturates at +-1 (local gradients vanish); Xavier keeps the
    spread of tanh activations roughly constant, and He does so for ReLU, which
    halves the variance that Xavier preserves. With ``weight_init=0.0`` every
    activation is equal (0 for tanh and ReLU): the units of a layer are
    interchangeable, receive the same gradient and stay identical under
    training (``n_distinct_units`` is 1), which is why weights start random.

    References
    ----------
    .. [1] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep
       feedforward neural networks", AISTATS 2010.
    .. [2] K. He et al., "Delving deep into rectifiers", ICCV 2015.
       :doi:`10.1109/ICCV.2015.123`
    .. [3] CS231n, "Neural Networks Part 2: weight initialization",
       https://cs231n.github.io/neural-networks-2/#init

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.neural_network import activation_statistics
    >>> X = np.random.default_rng(0).standard_normal((200, 100))
    >>> s = activation_statistics(X, (100,) * 4, "tanh", 0.01, random_state=0)
    >>> bool(s.activation_std[-1] < 1e-3)
    True
    >>> activation_statistics(X, (100,) * 4, "tanh", 0.0).n_distinct_units
    array([1, 1, 1, 1])
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty 2-D array; got shape {X.shape}.")
    sizes = [int(s) for s in np.atleast_1d(hidden_layer_sizes)]
    if not sizes or min(sizes) < 1:
        raise ValueError(
            "hidden_layer_sizes must hold positive integers; got "
            f"{hidden_layer_sizes!r}."
        )
    rs = check_random_state(random_state)
    rng = np.random.default_rng(rs.randint(2**31 - 1))
    units = [X.shape[1], *sizes]
    layers = []
    for i in range(len(sizes)):
        layers.append(
            Dense.create(units[i], units[i + 1], init=weight_init, bias=False, rng=rng)
        )
        layers.append(Activation(activation))
    acts = []
    a = X
    for k in range(0, len(layers), 2):
        a = layers[k + 1].forward(layers[k].forward(a))
        acts.append(a)
    grads = [None] * len(sizes)
    d = rng.standard_normal(a.shape)
    for i in reversed(range(len(sizes))):
        grads[i] = d
        d = layers[2 * i].backward(layers[2 * i + 1].backward(d))

    if activation == "tanh":
        sat = [float(np.mean(np.abs(x) > 0.99)) for x in acts]
    elif activation in ("logistic", "sigmoid"):
        sat = [float(np.mean((x < 0.01) | (x > 0.99))) for x in acts]
    else:
        sat = [0.0] * len(acts)

    def hist(x):
        return np.histogram(x, bins=bins)

    return Bunch(
        n_distinct_units=np.array([_n_distinct_columns(a) for a in acts]),
        activation_mean=np.array([x.mean() for x in acts]),
        activation_std=np.array([x.std() for x in acts]),
        activation_hist=[hist(x) for x in acts],
        saturation=np.array(sat),
        gradient_mean=np.array([g.mean() for g in grads]),
        gradient_std=np.array([g.std() for g in grads]),
        gradient_hist=[hist(g) for g in grads],
        layer_sizes=tuple(sizes),
        activation=activation,
        weight_init=weight_init,
    )
