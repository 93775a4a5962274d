"""Figure of a filter bank (the course's figure of the 48 Leung-Malik filters)."""

from __future__ import annotations

import numpy as np

from skcv.utils._optional import import_optional

__all__ = ["plot_filter_bank"]


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
    if n_cols is None:
        n_cols = min(12, n)
    if not isinstance(n_cols, (int, np.integer)) or n_cols < 1:
        raise ValueError(f"n_cols must be a positive int; got {n_cols!r}.")
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
