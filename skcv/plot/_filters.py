"""Figures of filters: a filter bank and the learnt filters of a CNN layer.

The course's figures of the 48 Leung-Malik filters and of AlexNet's coloured
first-layer filters.
"""

from __future__ import annotations

import numpy as np

from skcv.utils._optional import import_optional

__all__ = ["FiltersDisplay", "plot_filter_bank", "plot_filters"]


def _check_n_cols(n_cols, n: int, default: int) -> int:
    """Columns of a grid of ``n`` tiles (``default`` or fewer when None)."""
    if n_cols is None:
        return max(1, min(default, n))
    if isinstance(n_cols, bool) or not isinstance(n_cols, (int, np.integer)):
        raise ValueError(f"n_cols must be a positive int; got {n_cols!r}.")
    if n_cols < 1:
        raise ValueError(f"n_cols must be a positive int; got {n_cols!r}.")
    return int(n_cols)


def _normalize_each(tiles) -> np.ndarray:
    """Scale every tile (first axis) to [0, 1] by its own minimum and maximum.

    Colour tiles ``(n, h, w, 3)`` are scaled over their three channels together,
    so their colours keep their balance. Constant tiles become 0.5.
    """
    tiles = np.asarray(tiles, dtype=np.float64)
    axes = tuple(range(1, tiles.ndim))
    lo = tiles.min(axis=axes, keepdims=True)
    span = tiles.max(axis=axes, keepdims=True) - lo
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (tiles - lo) / safe, 0.5)


def _mosaic(tiles, n_cols: int | None = None, pad: int = 1) -> np.ndarray:
    """Tile ``(n, h, w[, 3])`` images into one image, ``pad`` pixels apart.

    The gaps (and the unused cells of the last row) are NaN, drawn as the axes
    background by matplotlib.
    """
    tiles = np.asarray(tiles, dtype=np.float64)
    n, h, w = tiles.shape[:3]
    n_cols = _check_n_cols(n_cols, n, default=int(np.ceil(np.sqrt(n))))
    n_rows = int(np.ceil(n / n_cols))
    shape = (n_rows * (h + pad) - pad, n_cols * (w + pad) - pad, *tiles.shape[3:])
    out = np.full(shape, np.nan)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, n_cols)
        out[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = tile
    return out


def _draw_tiles(display, tiles, title, ax, n_cols, pad, cmap):
    """Draw ``tiles``, each scaled to [0, 1], as one mosaic; set the attributes."""
    plt = import_optional("matplotlib.pyplot")
    display.image_ = _mosaic(_normalize_each(tiles), n_cols, pad)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    display.im_ = ax.imshow(
        display.image_, cmap=cmap, vmin=0, vmax=1, interpolation="nearest"
    )
    ax.set_xticks([])
    ax.set_yticks([])
    where = "" if display.layer is None else f"layer {display.layer}: "
    ax.set_title(where + title)
    display.ax_, display.figure_ = ax, ax.figure
    return display


def plot_filter_bank(
    bank,
    *,
    n_cols: int | None = None,
    titles=None,
    cmap: str = "gray",
    symmetric: bool = True,
    figsize=None,
    fig=None,
):
    """Show every filter of a bank in a grid of small images.

    Parameters
    ----------
    bank : array-like of shape (n_filters, kh, kw)
        The filters, e.g. :func:`skcv.feature.leung_malik_bank`.
    n_cols : int, default=None
        Columns of the grid; None uses 12 (the course's 4 x 12 figure of the LM
        bank) or fewer for small banks.
    titles : list of str, default=None
        One title per filter.
    cmap : str, default="gray"
        Matplotlib colormap.
    symmetric : bool, default=True
        Scale each filter's colours symmetrically around zero (zero is mid-grey),
        so positive and negative lobes read alike.
    figsize : tuple of float, default=None
        Figure size in inches; None picks about one inch per filter.
    fig : matplotlib.figure.Figure, default=None
        Figure to draw into (cleared); None creates a new one.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, one axes per filter (axis ticks hidden).

    Notes
    -----
    Each filter is drawn as an image with its own colour scale, the layout of
    the filter-bank figures of Leung and Malik (2001) and Varma and Zisserman
    (2005): rows of oriented edge and bar filters at increasing scales, then
    the isotropic LoG and Gaussian filters.

    References
    ----------
    .. [1] T. Leung and J. Malik, "Representing and recognizing the visual
       appearance of materials using three-dimensional textons", IJCV 43(1),
       29-44, 2001. :doi:`10.1023/A:1011126920638`

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcv.feature import leung_malik_bank
    >>> from skcv.plot import plot_filter_bank
    >>> fig = plot_filter_bank(leung_malik_bank(size=15))
    >>> len(fig.axes)
    48
    """
    plt = import_optional("matplotlib.pyplot")
    filters = np.asarray(bank, dtype=float)
    if filters.ndim == 2:
        filters = filters[None]
    if filters.ndim != 3 or filters.shape[0] == 0:
        raise ValueError(
            f"bank must have shape (n_filters, kh, kw); got shape {np.shape(bank)}."
        )
    n = filters.shape[0]
    n_cols = _check_n_cols(n_cols, n, default=12)
    if titles is not None and len(titles) != n:
        raise ValueError(
            f"titles must have one entry per filter ({n}); got {len(titles)}."
        )
    n_rows = int(np.ceil(n / n_cols))
    if fig is None:
        fig = plt.figure(figsize=figsize or (n_cols * 0.9, n_rows * 0.9 + 0.3))
    else:
        fig.clear()
    for i, f in enumerate(filters):
        ax = fig.add_subplot(n_rows, n_cols, i + 1)
        lim = np.abs(f).max() or 1.0
        kw = {"vmin": -lim, "vmax": lim} if symmetric else {}
        ax.imshow(f, cmap=cmap, interpolation="nearest", **kw)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=6)
    return fig


class FiltersDisplay:
    """Learnt filters of a convolutional layer, tiled into one image.

    Build it with :meth:`from_estimator` (or :func:`plot_filters`); the
    constructor takes precomputed filters.

    Parameters
    ----------
    filters : ndarray of shape (n_filters, kh, kw, in_channels)
        The weights, channels last (:func:`skcv.cnn.conv_filters`).
    in_channel : int, default=None
        Input channel to show for layers whose input is neither grey nor RGB;
        None shows RGB filters in colour and one-channel filters in grey.
    layer : int or str, default=None
        Name or index of the layer, for the title.

    Attributes
    ----------
    image_ : ndarray
        The mosaic drawn: every filter scaled to [0, 1] on its own.
    im_ : matplotlib AxesImage
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Notes
    -----
    Each filter is normalised on its own (its minimum black, its maximum
    white; over the three colour channels together), as in the course's figure
    of AlexNet's 96 first-layer filters: oriented edges, colour blobs and
    gratings appear after training, noise before.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcv.plot import FiltersDisplay
    >>> w = np.random.default_rng(0).normal(size=(16, 5, 5, 3))
    >>> FiltersDisplay(w).plot().image_.shape
    (23, 23, 3)
    """

    def __init__(self, filters, *, in_channel=None, layer=None):
        self.filters = filters
        self.in_channel = in_channel
        self.layer = layer

    def _tiles(self):
        f = np.asarray(self.filters, dtype=np.float64)
        if f.ndim != 4 or f.shape[0] == 0:
            raise ValueError(
                "filters must have shape (n_filters, kh, kw, in_channels); got "
                f"shape {f.shape}."
            )
        n_in = f.shape[-1]
        if self.in_channel is not None:
            if not -n_in <= self.in_channel < n_in:
                raise ValueError(
                    f"in_channel={self.in_channel} is out of range for filters "
                    f"with {n_in} input channels."
                )
            return f[..., self.in_channel]
        if n_in == 3:
            return f
        if n_in == 1:
            return f[..., 0]
        raise ValueError(
            f"The filters have {n_in} input channels (neither grey nor RGB): pass "
            "in_channel=<index> to show one of them."
        )

    def plot(self, *, ax=None, n_cols=None, cmap="gray", pad=1):
        """Draw the filters.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        n_cols : int, default=None
            Filters per row; None makes the mosaic about square.
        cmap : str, default="gray"
            Colormap of one-channel filters.
        pad : int, default=1
            Pixels between filters.

        Returns
        -------
        display : FiltersDisplay
        """
        n, kh, kw = np.shape(self.filters)[:3]
        return _draw_tiles(
            self, self._tiles(), f"{n} filters {kh}x{kw}", ax, n_cols, pad, cmap
        )

    @classmethod
    def from_estimator(
        cls, estimator, *, layer=0, in_channel=None, ax=None, n_cols=None, cmap="gray"
    ):
        """Show the filters of a convolutional layer of a fitted CNN.

        Parameters
        ----------
        estimator : fitted CNNClassifier or torch nn.Module
            The network.
        layer : int or str, default=0
            Index among the convolutional layers (0: the first) or module name.
        in_channel : int, default=None
            See the class parameters.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        n_cols : int, default=None
            Filters per row.
        cmap : str, default="gray"
            Colormap of one-channel filters.

        Returns
        -------
        display : FiltersDisplay
        """
        from skcv.cnn import conv_filters  # torch is loaded only here

        filters = conv_filters(estimator, layer)
        return cls(filters, in_channel=in_channel, layer=layer).plot(
            ax=ax, n_cols=n_cols, cmap=cmap
        )


def plot_filters(
    estimator, layer=0, *, in_channel=None, ax=None, n_cols=None, cmap="gray"
):
    """Show the learnt filters of a CNN layer, each normalised on its own.

    Shortcut for :meth:`FiltersDisplay.from_estimator`.

    Parameters
    ----------
    estimator : fitted CNNClassifier or torch nn.Module
        The network.
    layer : int or str, default=0
        Index among the convolutional layers (0: the first, coloured for RGB
        input) or module name.
    in_channel : int, default=None
        Input channel for layers whose input is neither grey nor RGB.
    ax : matplotlib Axes, default=None
        Axes to draw on.
    n_cols : int, default=None
        Filters per row.
    cmap : str, default="gray"
        Colormap of one-channel filters.

    Returns
    -------
    display : FiltersDisplay

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcv.cnn import build_module
    >>> from skcv.plot import plot_filters
    >>> disp = plot_filters(build_module("alexnet", 3, 10, (224, 224)))
    >>> disp.ax_.get_title()
    'layer 0: 96 filters 11x11'
    """
    return FiltersDisplay.from_estimator(
        estimator, layer=layer, in_channel=in_channel, ax=ax, n_cols=n_cols, cmap=cmap
    )
