"""Weights of a linear classifier shown as images: the course's templates."""

from __future__ import annotations

import numpy as np

from skcv.utils._optional import import_optional

__all__ = ["plot_templates"]


def plot_templates(
    clf,
    image_shape,
    *,
    class_names=None,
    n_cols: int | None = None,
    cmap: str = "gray",
    fig=None,
):
    """Show each class's weight vector as an image (one template per class).

    Parameters
    ----------
    clf : estimator with ``coef_`` of shape (n_classes, n_features) or ndarray
        A fitted linear classifier (or a :class:`~sklearn.pipeline.Pipeline`
        ending in one), or the weight matrix itself.
    image_shape : tuple of int
        ``(H, W)`` or ``(H, W, C)`` with ``H * W * C == n_features``.
    class_names : sequence of str, default=None
        Titles; default ``clf.classes_`` when available, else the row index.
    n_cols : int, default=None
        Columns of the grid (default: up to 10 per row).
    cmap : str, default="gray"
        Colour map for grey templates.
    fig : matplotlib Figure, default=None
        Figure to draw in (a new one by default).

    Returns
    -------
    fig : matplotlib Figure
        The figure, one axis per class.

    Notes
    -----
    As in the course, each template ``w_c`` is rescaled linearly to ``[0, 1]``
    (``(w - min) / (max - min)``) so that positive weights are bright: the image
    a class "likes". Colour templates share the min/max over channels.

    References
    ----------
    .. [1] CS231n, "Linear classification: interpreting a linear classifier",
       https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcv.plot import plot_templates
    >>> fig = plot_templates(np.random.default_rng(0).normal(size=(3, 64)), (8, 8))
    >>> len(fig.axes)
    3
    """
    plt = import_optional("matplotlib.pyplot")
    est = clf
    if hasattr(est, "steps"):  # Pipeline: its final step
        est = est.steps[-1][1]
    W = np.asarray(getattr(est, "coef_", est), dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"coef_ must be 2-D (n_classes, n_features); got {W.shape}.")
    shape = tuple(int(s) for s in image_shape)
    if int(np.prod(shape)) != W.shape[1]:
        raise ValueError(
            f"image_shape={shape} has {int(np.prod(shape))} values but coef_ has "
            f"{W.shape[1]} features."
        )
    if class_names is None:
        class_names = getattr(est, "classes_", range(W.shape[0]))
    names = [str(c) for c in class_names]
    n = W.shape[0]
    n_cols = n_cols or min(n, 10)
    n_rows = int(np.ceil(n / n_cols))
    if fig is None:
        fig = plt.figure(figsize=(1.4 * n_cols, 1.6 * n_rows))
    for i in range(n):
        ax = fig.add_subplot(n_rows, n_cols, i + 1)
        w = W[i]
        lo, hi = w.min(), w.max()
        img = ((w - lo) / (hi - lo if hi > lo else 1.0)).reshape(shape)
        ax.imshow(img, cmap=cmap if img.ndim == 2 else None, interpolation="nearest")
        ax.set_title(names[i] if i < len(names) else str(i), fontsize=8)
        ax.axis("off")
    return fig
