"""Mean removal and normalisation of images (per pixel, per channel or per image)."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.metaestimators import available_if

from skcv.base import ImageTransformerMixin
from skcv.preprocessing._common import (
    PreservesFloatDtypeMixin,
    check_inverse_input,
    pixel_feature_names,
)
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted

__all__ = ["ImageStandardizer"]


def _has_inverse(estimator) -> bool:
    if estimator.mode == "image":
        raise AttributeError(
            "inverse_transform is not available with mode='image': the mean and "
            "standard deviation of each image are not stored, so the transform "
            "cannot be undone. Use mode='pixel' or mode='channel'."
        )
    return True


def _moments(images: np.ndarray, axis, chunk_values: int = 1 << 22):
    """Mean and variance over ``axis`` (always including axis 0) in float64.

    The batch is processed in chunks of images so that a float32 batch is never
    copied to float64 as a whole; the variance is accumulated about the mean of the
    first chunk (shifted data), which keeps it accurate in one pass.
    """
    n = images.shape[0]
    per_image = max(1, int(np.prod(images.shape[1:])))
    step = max(1, chunk_values // per_image)
    count = 0
    shift = total = total_sq = None
    for start in range(0, n, step):
        chunk = images[start : start + step].astype(np.float64)
        if shift is None:
            shift = chunk.mean(axis=axis, keepdims=True)
            total = np.zeros_like(shift)
            total_sq = np.zeros_like(shift)
        centred = chunk - shift
        total += centred.sum(axis=axis, keepdims=True)
        total_sq += np.square(centred).sum(axis=axis, keepdims=True)
        count += chunk.size // shift.size
    mean_shifted = total / count
    var = np.maximum(total_sq / count - mean_shifted**2, 0.0)
    return (shift + mean_shifted)[0], var[0]


class ImageStandardizer(PreservesFloatDtypeMixin, ImageTransformerMixin, BaseEstimator):
    """Remove the mean of images and scale them to unit variance.

    Three ways to compute the statistics, as taught in the course:

    * ``mode="pixel"``: subtract the *mean image* (one mean per pixel and channel
      over the training set, AlexNet style) and divide by the per-pixel standard
      deviation;
    * ``mode="channel"``: one mean and standard deviation per colour channel over
      all pixels of all training images (VGG style);
    * ``mode="image"``: normalise every image by its own mean and standard
      deviation (over all its pixels and channels); nothing is learned from the
      training set.

    Accepts the three input forms of skcv (a batch ``(n, H, W[, C])``, a list of
    same-sized images, or flattened rows with ``image_shape``) and returns rows
    ``(n_samples, H*W*C)`` in the order of ``image.ravel()``.

    Parameters
    ----------
    mode : {"pixel", "channel", "image"}, default="pixel"
        Which statistics to use (see above).
    with_std : bool, default=True
        If False, only subtract the mean.
    epsilon : float, default=1e-8
        Added to the variance before taking the square root, so constant pixels
        (or constant images) do not divide by zero: the scale is
        ``sqrt(var + epsilon)``.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened input rows; None infers it (see
        :mod:`skcv.base`).

    Attributes
    ----------
    mean_ : ndarray of shape image_shape_, (C,) or (0,)
        Per-pixel mean image (``mode="pixel"``), per-channel mean
        (``mode="channel"``, shape ``(1,)`` for grey images) or an empty array
        (``mode="image"``). float64.
    scale_ : ndarray or None
        ``sqrt(var + epsilon)`` with the shape of ``mean_``; None when
        ``with_std=False``.
    var_ : ndarray or None
        The variance with the shape of ``mean_``; None when ``with_std=False``.
    image_shape_ : tuple of int
        Shape of one image seen in ``fit``.
    n_features_in_ : int
        Number of values per image.
    feature_names_in_ : ndarray of str
        Names of the input columns, only when fitted on a DataFrame.

    See Also
    --------
    Whitener : Decorrelate the pixels as well (PCA or ZCA whitening).
    sklearn.preprocessing.StandardScaler : The same as ``mode="pixel"`` on rows.

    Notes
    -----
    The course's recipe for mean removal and normalisation:

    1. compute the statistic on the *training* images only
       (``fit``): the mean image, the per-channel mean, or nothing for per-image
       normalisation;
    2. subtract the mean from every image, training and test alike
       (``transform``);
    3. optionally divide by the standard deviation so that every pixel (or
       channel, or image) has unit variance.

    Statistics are accumulated in float64 over chunks of images; the output has
    the dtype of the validated input (float32 stays float32, uint8 becomes
    float32 in [0, 1] first).

    References
    ----------
    .. [1] A. Krizhevsky, I. Sutskever and G. E. Hinton, "ImageNet classification
       with deep convolutional neural networks", NeurIPS 2012.
       :doi:`10.1145/3065386`
    .. [2] K. Simonyan and A. Zisserman, "Very deep convolutional networks for
       large-scale image recognition", ICLR 2015. :arxiv:`1409.1556`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.preprocessing import ImageStandardizer
    >>> images = np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3)
    >>> std = ImageStandardizer(mode="channel").fit(images)
    >>> std.mean_
    array([10.5, 11.5, 12.5])
    >>> out = std.transform(images)
    >>> out.shape, out.dtype
    ((2, 12), dtype('float32'))
    >>> np.allclose(std.inverse_transform(out), images.reshape(2, -1))
    True
    """

    _parameter_constraints: dict = {
        "mode": [StrOptions({"pixel", "channel", "image"})],
        "with_std": ["boolean"],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, mode="pixel", with_std=True, epsilon=1e-8, image_shape=None):
        self.mode = mode
        self.with_std = with_std
        self.epsilon = epsilon
        self.image_shape = image_shape

    def _reduce_axes(self, ndim: int):
        if self.mode == "pixel":
            return (0,)
        return tuple(range(ndim - 1)) if ndim == 4 else tuple(range(ndim))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the mean (and standard deviation) to use in ``transform``.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Training images.
        y : None
            Ignored.

        Returns
        -------
        self : ImageStandardizer
            The fitted transformer.
        """
        images = self._validate_images(X, reset=True)
        if self.mode == "image":
            self.mean_ = np.zeros(0)
            self.var_ = np.zeros(0) if self.with_std else None
        else:
            mean, var = _moments(images, self._reduce_axes(images.ndim))
            if self.mode == "channel":
                n_channels = images.shape[3] if images.ndim == 4 else 1
                mean, var = mean.reshape(n_channels), var.reshape(n_channels)
            self.mean_ = mean
            self.var_ = var if self.with_std else None
        self.scale_ = np.sqrt(self.var_ + self.epsilon) if self.with_std else None
        return self

    def _stats(self, images: np.ndarray):
        """Mean and scale broadcastable against ``images``, in its dtype."""
        dtype = images.dtype
        if self.mode == "image":
            axes = tuple(range(1, images.ndim))
            mean, var = _moments_per_image(images, axes)
            scale = np.sqrt(var + self.epsilon) if self.with_std else None
        else:
            mean, scale = self.mean_, self.scale_
        mean = mean.astype(dtype, copy=False)
        if scale is not None:
            scale = scale.astype(dtype, copy=False)
        return mean, scale

    def transform(self, X):
        """Standardise images.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images of the shape seen in ``fit``.

        Returns
        -------
        X_new : ndarray of shape (n_samples, H*W*C)
            Standardised images as rows (reshape with ``image_shape_`` to get
            images back); float32 for float32 or integer input.
        """
        check_is_fitted(self)
        images = self._validate_images(X, reset=False)
        mean, scale = self._stats(images)
        out = images - mean
        if scale is not None:
            out /= scale
        return out.reshape(out.shape[0], -1)

    @available_if(_has_inverse)
    def inverse_transform(self, X):
        """Undo the standardisation (not available with ``mode="image"``).

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n, H, W[, C])
            Output of ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, H*W*C)
            Images as rows in the input scale (reshape with ``image_shape_``).
        """
        check_is_fitted(self)
        X = check_inverse_input(X, self.n_features_in_, type(self).__name__)
        images = X.reshape((X.shape[0], *self.image_shape_))
        mean, scale = self._stats(images)
        out = images * scale if scale is not None else images.copy()
        out += mean
        return out.reshape(X.shape)

    def get_feature_names_out(self, input_features=None):
        """Output feature names: one per input value (``pixel_<row>_<col>[_<c>]``).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names; must equal ``feature_names_in_`` when that
            exists.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The names of the output columns.
        """
        check_is_fitted(self)
        return pixel_feature_names(self, input_features)


def _moments_per_image(images: np.ndarray, axes):
    """Mean and variance of every image (float64 accumulation), keepdims."""
    mean = images.mean(axis=axes, keepdims=True, dtype=np.float64)
    var = images.var(axis=axes, keepdims=True, dtype=np.float64)
    return mean, var
