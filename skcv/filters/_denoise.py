"""Denoising filters (mean, Gaussian, median) and the :class:`Denoiser` transformer."""

from __future__ import annotations

import numbers

import numpy as np
from scipy import ndimage as ndi
from sklearn.base import BaseEstimator

from skcv.base import ImageTransformerMixin
from skcv.filters._convolve import BORDER_MODES, _check_mode, separable_correlate
from skcv.filters._kernels import _check_sigma, _check_size, _gaussian_1d
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted
from skcv.utils._validation import check_image

__all__ = ["Denoiser", "gaussian_filter", "mean_filter", "median_filter"]


def _gaussian(images, sigma, mode, cval, axes):
    g = _gaussian_1d(sigma, None)
    out = images
    for axis in axes:
        out = ndi.correlate1d(out, g, axis=axis, mode=mode, cval=cval, output=out.dtype)
    return out


def _mean(images, size, mode, cval, axes):
    out = images
    for axis in axes:
        out = ndi.uniform_filter1d(
            out, size, axis=axis, mode=mode, cval=cval, output=out.dtype
        )
    return out


_PAD_MODES = {
    "constant": "constant",
    "reflect": "symmetric",
    "mirror": "reflect",
    "nearest": "edge",
    "wrap": "wrap",
}
# Paeth's 19-exchange sorting network for the median of 9 values (as in
# Devillard, "Fast median search: an ANSI C implementation", 1998).
_MEDIAN9 = (
    (1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8),
    (0, 3), (5, 8), (4, 7), (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4),
    (4, 2),
)  # fmt: skip


def _median3x3(images, mode, cval, axes):
    """3x3 median as a sorting network of whole-array min/max operations."""
    pad = [(0, 0)] * images.ndim
    for axis in axes:
        pad[axis] = (1, 1)
    kwargs = {"constant_values": cval} if mode == "constant" else {}
    padded = np.pad(images, pad, mode=_PAD_MODES[mode], **kwargs)
    h, w = images.shape[axes[0]], images.shape[axes[1]]
    lead = (slice(None),) * axes[0]
    # Nine contiguous shifted copies and one spare buffer, reused in place
    # (fresh arrays per operation would cost more in page faults than the
    # arithmetic).
    p = [
        padded[(*lead, slice(i, i + h), slice(j, j + w))].copy()
        for i in range(3)
        for j in range(3)
    ]
    spare = np.empty_like(p[0])
    for a, b in _MEDIAN9:
        np.minimum(p[a], p[b], out=spare)
        np.maximum(p[a], p[b], out=p[b])
        p[a], spare = spare, p[a]
    return p[4]


def _median(images, size, mode, cval, axes):
    if size == 3 and images.dtype.kind == "f":
        return _median3x3(images, mode, cval, axes)
    footprint = [1] * images.ndim
    for axis in axes:
        footprint[axis] = size
    return ndi.median_filter(images, size=tuple(footprint), mode=mode, cval=cval)


def mean_filter(
    image,
    size: int = 3,
    *,
    mode: str = "reflect",
    cval: float = 0.0,
    channel_axis: int | None = None,
):
    """Replace each pixel by the mean of its ``size x size`` neighbourhood.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        One image, channels last (channels filtered independently). uint8 is
        scaled to [0, 1] float32; float32 stays float32.
    size : int, default=3
        Width of the square box.
    mode : str, default="reflect"
        Border mode, as in :func:`skcv.filters.convolve`.
    cval : float, default=0.0
        Fill value for ``mode="constant"``.
    channel_axis : {None, -1}, default=None
        None: the last axis of a 3-D image is read as channels only when it has
        at most 4 entries (a longer one, as in a batch ``(n, H, W)``, raises);
        -1: the last axis holds channels, however many.

    Returns
    -------
    filtered : ndarray, same shape as ``image``

    Notes
    -----
    Convolution with :func:`skcv.filters.box_kernel`, run as two 1-D running
    means (separability). Averaging ``size^2`` pixels divides the variance of
    independent noise by ``size^2`` but blurs edges.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import mean_filter
    >>> mean_filter(np.eye(3), 3, mode="zero")[1, 1].round(4)
    np.float64(0.3333)
    """
    image = check_image(image, channel_axis=channel_axis)
    size = _check_size(size)
    scipy_mode, _, cval = _check_mode(mode, cval)
    return _mean(image, size, scipy_mode, cval, (0, 1))


def gaussian_filter(
    image,
    sigma: float = 1.0,
    *,
    mode: str = "reflect",
    cval: float = 0.0,
    channel_axis: int | None = None,
):
    """Smooth an image with a Gaussian of standard deviation ``sigma``.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        One image, channels last (channels filtered independently). uint8 is
        scaled to [0, 1] float32; float32 stays float32.
    sigma : float, default=1.0
        Standard deviation in pixels; the kernel has ``2 * ceil(3 * sigma) + 1``
        taps (:func:`skcv.filters.gaussian_kernel`).
    mode : str, default="reflect"
        Border mode, as in :func:`skcv.filters.convolve`.
    cval : float, default=0.0
        Fill value for ``mode="constant"``.
    channel_axis : {None, -1}, default=None
        None: the last axis of a 3-D image is read as channels only when it has
        at most 4 entries (a longer one, as in a batch ``(n, H, W)``, raises);
        -1: the last axis holds channels, however many.

    Returns
    -------
    filtered : ndarray, same shape as ``image``

    Notes
    -----
    The Gaussian weights near pixels more than far ones, so it blurs less than a
    box of the same noise reduction and has no ringing. Being separable it runs
    as a 1-D pass down the columns and one along the rows. It equals
    :func:`scipy.ndimage.gaussian_filter` with ``truncate=ceil(3 sigma)/sigma``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import gaussian_filter
    >>> image = np.zeros((7, 7), dtype=np.float32)
    >>> image[3, 3] = 1
    >>> out = gaussian_filter(image, 1.0)
    >>> out.dtype, round(float(out.sum()), 6)
    (dtype('float32'), 1.0)
    """
    image = check_image(image, channel_axis=channel_axis)
    sigma = _check_sigma(sigma)
    scipy_mode, _, cval = _check_mode(mode, cval)
    g = _gaussian_1d(sigma, None)
    return separable_correlate(image, g, g, scipy_mode, cval)


def median_filter(
    image,
    size: int = 3,
    *,
    mode: str = "reflect",
    cval: float = 0.0,
    channel_axis: int | None = None,
):
    """Replace each pixel by the median of its ``size x size`` neighbourhood.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        One image, channels last (channels filtered independently). uint8 is
        scaled to [0, 1] float32; float32 stays float32.
    size : int, default=3
        Width of the square window.
    mode : str, default="reflect"
        Border mode, as in :func:`skcv.filters.convolve`.
    cval : float, default=0.0
        Fill value for ``mode="constant"``.
    channel_axis : {None, -1}, default=None
        None: the last axis of a 3-D image is read as channels only when it has
        at most 4 entries (a longer one, as in a batch ``(n, H, W)``, raises);
        -1: the last axis holds channels, however many.

    Returns
    -------
    filtered : ndarray, same shape as ``image``

    Notes
    -----
    The median is an order statistic, not a linear filter: it cannot be written
    as a convolution. It ignores outliers (up to half the window), so it removes
    salt-and-pepper noise while keeping edges sharp. The 3x3 median runs as
    Paeth's 19-exchange sorting network on the nine shifted copies of the
    padded image (whole-array minimum/maximum, about 20x faster than a
    per-pixel sort); other sizes use :func:`scipy.ndimage.median_filter`.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import median_filter
    >>> image = np.zeros((5, 5))
    >>> image[2, 2] = 1.0  # one impulse
    >>> float(median_filter(image, 3).max())
    0.0
    """
    image = check_image(image, channel_axis=channel_axis)
    size = _check_size(size)
    scipy_mode, _, cval = _check_mode(mode, cval)
    return _median(image, size, scipy_mode, cval, (0, 1))


_METHODS = {"gaussian": _gaussian, "mean": _mean, "median": _median}


class Denoiser(ImageTransformerMixin, BaseEstimator):
    """Denoise every image with a mean, Gaussian or median filter.

    Parameters
    ----------
    method : {"gaussian", "mean", "median"}, default="gaussian"
        The filter (see :func:`gaussian_filter`, :func:`mean_filter`,
        :func:`median_filter`).
    sigma : float, default=1.0
        Standard deviation of the Gaussian (``method="gaussian"``).
    size : int, default=3
        Window width of the mean and median filters.
    mode : str, default="reflect"
        Border mode, as in :func:`skcv.filters.convolve`.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened input rows (see
        :mod:`skcv.base` for the rule when None).

    Attributes
    ----------
    image_shape_ : tuple of int
        Shape of one image seen in ``fit``.
    n_features_in_ : int
        Values per image seen in ``fit``.

    See Also
    --------
    skcv.filters.gaussian_filter, skcv.filters.median_filter,
    skcv.filters.mean_filter

    Notes
    -----
    Stateless: ``fit`` only validates the input and records the image shape.
    ``transform`` filters the whole batch at once (1-D passes along the image
    axes of the ``(n, H, W[, C])`` array) and returns the denoised images
    flattened to rows ``(n, H * W * C)``, so it can precede any estimator in a
    :class:`~sklearn.pipeline.Pipeline` and its parameters can be grid-searched.

    References
    ----------
    .. [1] Gonzalez, R. C. and Woods, R. E., "Digital Image Processing", 4th ed.,
       Pearson, 2018, chapter 5 (restoration in the presence of noise only).

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import Denoiser
    >>> X = np.zeros((2, 8, 8))
    >>> X[:, 4, 4] = 1.0
    >>> Denoiser(method="median").fit_transform(X).max()
    np.float64(0.0)
    """

    _parameter_constraints = {
        "method": [StrOptions(set(_METHODS))],
        "sigma": [Interval(numbers.Real, 0, None, closed="neither")],
        "size": [Interval(numbers.Integral, 1, None, closed="left")],
        "mode": [StrOptions(set(BORDER_MODES))],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self, method="gaussian", sigma=1.0, size=3, mode="reflect", image_shape=None
    ):
        self.method = method
        self.sigma = sigma
        self.size = size
        self.mode = mode
        self.image_shape = image_shape

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the images and record their shape.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images, or flattened rows with ``image_shape``.
        y : None
            Ignored.

        Returns
        -------
        self : Denoiser
            The fitted transformer.
        """
        self._validate_images(X, reset=True)
        return self

    def transform(self, X):
        """Denoise the images and return them flattened.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images of the shape seen in ``fit``.

        Returns
        -------
        X_denoised : ndarray of shape (n, H*W*C)
            The denoised images as rows (float32 for float32/integer input).
        """
        check_is_fitted(self)
        images = self._validate_images(X, reset=False)
        scipy_mode, _, cval = _check_mode(self.mode, 0.0)
        param = self.sigma if self.method == "gaussian" else self.size
        out = _METHODS[self.method](images, param, scipy_mode, cval, (1, 2))
        return np.asarray(out).reshape(len(out), -1)

    def get_feature_names_out(self, input_features=None):
        """Output feature names ``denoiser0, denoiser1, ...`` (one per value).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the output are pixel values).

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray(
            [f"denoiser{i}" for i in range(self.n_features_in_)], dtype=object
        )
