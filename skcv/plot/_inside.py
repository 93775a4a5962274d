"""Displays of what a trained CNN computes: feature maps, saliency and occlusion maps.

The arrays come from :mod:`skcv.cnn` (imported inside ``from_estimator`` only, so
``import skcv.plot`` never imports torch); these classes draw them.
"""

from __future__ import annotations

import numpy as np

from skcv.plot._filters import _draw_tiles
from skcv.utils._optional import import_optional

__all__ = ["AttributionDisplay", "FeatureMapsDisplay"]


def _one_image(estimator, image):
    """``image`` as the estimator's float image (H, W[, C]), batch axis added."""
    return estimator._validate_images(np.asarray(image)[None], reset=False)[0]


def _show_image(ax, image, **kw):
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    lo, hi = image.min(), image.max()
    shown = (image - lo) / (hi - lo) if hi > lo else np.zeros_like(image)
    return ax.imshow(shown, cmap="gray", vmin=0, vmax=1, **kw)


class FeatureMapsDisplay:
    """The activation maps of one layer for one image, tiled into one image.

    Build it with :meth:`from_estimator`; the constructor takes precomputed maps.

    Parameters
    ----------
    maps : ndarray of shape (H', W', n_channels)
        One image's activations (:func:`skcv.cnn.feature_maps`).
    layer : int or str, default=None
        Name or index of the layer, for the title.

    Attributes
    ----------
    image_ : ndarray
        The mosaic drawn, every map scaled to [0, 1] on its own.
    im_ : matplotlib AxesImage
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Notes
    -----
    Each map shows where in the image one filter responds: early layers
    respond to edges and colours at their place in the image (the maps look
    like filtered copies of it), later layers to larger parts, at a coarser
    resolution. Maps that stay dark for every image are "dead" filters.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcv.plot import FeatureMapsDisplay
    >>> maps = np.random.default_rng(0).random((8, 8, 16))
    >>> FeatureMapsDisplay(maps).plot().image_.shape
    (35, 35)
    """

    def __init__(self, maps, *, layer=None):
        self.maps = maps
        self.layer = layer

    def plot(self, *, ax=None, max_maps=64, n_cols=None, cmap="viridis", pad=1):
        """Draw the maps.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        max_maps : int, default=64
            Draw at most this many channels (the first ones).
        n_cols : int, default=None
            Maps per row; None makes the mosaic about square.
        cmap : str, default="viridis"
            Colormap.
        pad : int, default=1
            Pixels between maps.

        Returns
        -------
        display : FeatureMapsDisplay
        """
        maps = np.asarray(self.maps, dtype=np.float64)
        if maps.ndim != 3:
            raise ValueError(
                "maps must have shape (H, W, n_channels) (one image's maps of a "
                f"convolutional layer); got shape {maps.shape}."
            )
        if isinstance(max_maps, bool) or not isinstance(max_maps, (int, np.integer)):
            raise ValueError(f"max_maps must be a positive int; got {max_maps!r}.")
        if max_maps < 1:
            raise ValueError(f"max_maps must be a positive int; got {max_maps!r}.")
        tiles = np.moveaxis(maps, -1, 0)[:max_maps]
        h, w, c = maps.shape
        title = f"{min(c, max_maps)} of {c} maps {h}x{w}"
        return _draw_tiles(self, tiles, title, ax, n_cols, pad, cmap)

    @classmethod
    def from_estimator(
        cls, estimator, image, *, layer=0, ax=None, max_maps=64, n_cols=None
    ):
        """Compute and draw the maps of ``layer`` for one image.

        Parameters
        ----------
        estimator : fitted CNNClassifier
            The network.
        image : array-like of shape (H, W[, C]) or (H*W*C,)
            One image in the estimator's input format.
        layer : int or str, default=0
            Index among the convolutional layers or a module name (e.g. the
            ReLU after a convolution); see :func:`skcv.cnn.feature_maps`.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        max_maps : int, default=64
            Draw at most this many channels.
        n_cols : int, default=None
            Maps per row.

        Returns
        -------
        display : FeatureMapsDisplay
        """
        from skcv.cnn import feature_maps  # torch is loaded only here

        maps = feature_maps(estimator, np.asarray(image)[None], layer=layer)[0]
        return cls(maps, layer=layer).plot(ax=ax, max_maps=max_maps, n_cols=n_cols)


class AttributionDisplay:
    """Where the network looks: a saliency or occlusion map over the image.

    Build it with :meth:`from_estimator`; the constructor takes a precomputed
    map.

    Parameters
    ----------
    attribution : ndarray of shape (H, W) or (n_rows, n_cols)
        A saliency map (one value per pixel) or an occlusion map (one
        probability per position of the square).
    image : ndarray of shape (H, W[, C])
        The image, drawn in grey under the map.
    method : {"saliency", "occlusion"}, default="saliency"
        What ``attribution`` is.
    size, stride : int, default=None
        Square side and step of an occlusion map (to place its cells on the
        image).
    target : object, default=None
        The explained class, for the title.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The map.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcv.plot import AttributionDisplay
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> occ = np.ones((7, 7))
    >>> disp = AttributionDisplay(occ, image, method="occlusion", size=4, stride=2)
    >>> tuple(disp.plot().im_.get_extent())
    (0.5, 14.5, 14.5, 0.5)
    """

    def __init__(
        self, attribution, image, *, method="saliency", size=None, stride=None,
        target=None,
    ):  # fmt: skip
        self.attribution = attribution
        self.image = image
        self.method = method
        self.size = size
        self.stride = stride
        self.target = target

    def plot(self, *, ax=None, alpha=0.6, cmap=None, colorbar=True):
        """Draw the map over the image.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure.
        alpha : float, default=0.6
            Opacity of the map.
        cmap : str, default=None
            Colormap; None uses "hot" for saliency and "jet" for occlusion
            (ZFNet's figure: blue where hiding the square lowers the
            probability).
        colorbar : bool, default=True
            Add a colour bar.

        Returns
        -------
        display : AttributionDisplay
        """
        plt = import_optional("matplotlib.pyplot")
        if self.method not in ("saliency", "occlusion"):
            raise ValueError(
                f"method must be 'saliency' or 'occlusion'; got {self.method!r}."
            )
        att = np.asarray(self.attribution, dtype=np.float64)
        image = np.asarray(self.image)
        if att.ndim != 2:
            raise ValueError(f"attribution must be 2-D; got shape {att.shape}.")
        h, w = image.shape[:2]
        if ax is None:
            _, ax = plt.subplots(figsize=(4, 4))
        _show_image(ax, image)
        if self.method == "saliency":
            if att.shape != (h, w):
                raise ValueError(
                    f"a saliency map has the image's shape {(h, w)}; got {att.shape}."
                )
            extent = (-0.5, w - 0.5, h - 0.5, -0.5)
            kw = {"cmap": cmap or "hot"}
            label = "|d score / d pixel|"
        else:
            if self.size is None or self.stride is None:
                raise ValueError("an occlusion map needs size and stride to be drawn.")
            # Cell (i, j) is centred on the square's centre, (size - 1) / 2 + i *
            # stride, and spans one stride.
            c0 = (self.size - 1) / 2 - self.stride / 2
            rows, cols = att.shape
            extent = (c0, c0 + cols * self.stride, c0 + rows * self.stride, c0)
            kw = {"cmap": cmap or "jet"}
            label = "probability of the class"
        self.im_ = ax.imshow(
            att, alpha=alpha, extent=extent, interpolation="nearest", **kw
        )
        ax.set_xlim(-0.5, w - 0.5)
        ax.set_ylim(h - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        what = "" if self.target is None else f" of class {self.target}"
        ax.set_title(f"{self.method}{what}")
        if colorbar:
            ax.figure.colorbar(self.im_, ax=ax, fraction=0.046, label=label)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        image,
        *,
        method="saliency",
        target=None,
        size=8,
        stride=4,
        ax=None,
        alpha=0.6,
        colorbar=True,
    ):
        """Compute and draw a saliency or occlusion map of one image.

        Parameters
        ----------
        estimator : fitted CNNClassifier
            The network.
        image : array-like of shape (H, W[, C]) or (H*W*C,)
            One image in the estimator's input format.
        method : {"saliency", "occlusion"}, default="saliency"
            :func:`skcv.cnn.saliency_map` (Simonyan et al.) or
            :func:`skcv.cnn.occlusion_map` (Zeiler and Fergus).
        target : class label, default=None
            Class to explain; None uses the predicted class.
        size, stride : int, default=8, 4
            Square side and step of the occlusion map.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        alpha : float, default=0.6
            Opacity of the map.
        colorbar : bool, default=True
            Add a colour bar.

        Returns
        -------
        display : AttributionDisplay
        """
        from skcv.cnn import occlusion_map, saliency_map  # torch loads here only

        batch = np.asarray(image)[None]
        if target is None:
            target = estimator.predict(batch)[0]
        if method == "saliency":
            att = saliency_map(estimator, batch, target=[target])[0]
        elif method == "occlusion":
            att = occlusion_map(
                estimator, batch, target=[target], size=size, stride=stride
            )[0]
        else:
            raise ValueError(
                f"method must be 'saliency' or 'occlusion'; got {method!r}."
            )
        disp = cls(
            att,
            _one_image(estimator, image),
            method=method,
            size=size,
            stride=stride,
            target=target,
        )
        return disp.plot(ax=ax, alpha=alpha, colorbar=colorbar)
