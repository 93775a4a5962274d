"""Figure of the initialisation experiment: per-layer activation statistics."""

from __future__ import annotations

import numpy as np

from skcv.utils._optional import import_optional

__all__ = ["plot_activation_statistics"]


def plot_activation_statistics(stats, *, kind="activation", axes=None, title=None):
    """Plot per-layer mean/std and histograms from :func:`activation_statistics`.

    Parameters
    ----------
    stats : Bunch
        The result of :func:`skcv.neural_network.activation_statistics`.
    kind : {"activation", "gradient"}, default="activation"
        Plot the activations or the back-propagated gradients.
    axes : array of matplotlib Axes, default=None
        ``1 + n_layers`` axes: the first for the mean and std per layer, one
        histogram per layer after it. A new figure with two rows by default.
    title : str, default=None
        Figure title (default: the activation and initialisation).

    Returns
    -------
    axes : ndarray of matplotlib Axes
        The axes drawn on.

    Notes
    -----
    The course's figure: the top-left panel shows how the mean and standard
    deviation of each layer's activations evolve with depth; the histograms
    show their distribution, collapsing to a spike at 0 (too small weights),
    piling up at +-1 (tanh saturation, too large weights) or keeping their
    shape (Xavier for tanh, He for ReLU).

    References
    ----------
    .. [1] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep
       feedforward neural networks", AISTATS 2010.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcv.neural_network import activation_statistics
    >>> from skcv.plot import plot_activation_statistics
    >>> X = np.random.default_rng(0).standard_normal((100, 50))
    >>> s = activation_statistics(X, (50,) * 3, random_state=0)
    >>> axes = plot_activation_statistics(s)
    >>> axes[0].get_xlabel()
    'layer'
    """
    if kind not in ("activation", "gradient"):
        raise ValueError(f"kind must be 'activation' or 'gradient'; got {kind!r}.")
    plt = import_optional("matplotlib.pyplot")
    mean, std = stats[f"{kind}_mean"], stats[f"{kind}_std"]
    hists = stats[f"{kind}_hist"]
    n = len(hists)
    if axes is None:
        cols = int(np.ceil((n + 1) / 2))
        fig, axes = plt.subplots(2, cols, figsize=(2.2 * cols, 4.4))
    axes = np.asarray(axes).ravel()
    if len(axes) < n + 1:
        raise ValueError(f"axes must hold at least {n + 1} axes; got {len(axes)}.")
    layers = np.arange(1, n + 1)
    ax = axes[0]
    ax.plot(layers, mean, "o-", label="mean")
    ax.plot(layers, std, "s-", label="std")
    ax.set_xlabel("layer")
    ax.set_title(f"{kind}s")
    ax.legend(fontsize="small")
    for i, (counts, edges) in enumerate(hists):
        a = axes[i + 1]
        a.bar(edges[:-1], counts, width=np.diff(edges), align="edge")
        a.set_title(f"layer {i + 1}", fontsize="small")
        a.set_yticks([])
    for a in axes[n + 1 :]:
        a.set_visible(False)
    if title is None:
        title = f"{stats['activation']}, init={stats['weight_init']!r}"
    axes[0].figure.suptitle(title)
    return axes
