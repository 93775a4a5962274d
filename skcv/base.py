"""Base mixins: the one place that turns ``X`` into images (DESIGN section 2).

Every image transformer (and :class:`skcv.cnn.CNNClassifier`) accepts

1. a batch array ``(n, H, W)`` or ``(n, H, W, C)``;
2. a list of images of different sizes, where the algorithm allows it
   (``_allows_variable_size = True``: GIST resizes, dense SIFT and filter banks pool);
3. flattened rows ``(n, H*W*C)`` with the estimator parameter ``image_shape``.

The rule for ``image_shape=None`` with 2-D input
------------------------------------------------
A 2-D array is always read as rows (one sample per row), never as one image. When
``image_shape`` is None the shape is guessed once, in ``fit``, by
:func:`skcv.utils.infer_image_shape`: ``s*s`` values -> ``(s, s)`` grey,
``3*s*s`` -> ``(s, s, 3)`` colour, anything else -> a ``(1, d)`` grey strip. The
guess is stored in ``image_shape_`` and reused by ``transform``. Pass
``image_shape`` explicitly whenever the guess could be wrong (e.g. 48-pixel rows
that are ``(4, 4, 3)`` colour images, not ``(1, 48)``).

uint8 input is scaled to ``[0, 1]`` float32; float32 stays float32, float64 stays
float64.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import TransformerMixin

from skcv.utils._sklearn import validate_data
from skcv.utils._validation import (
    check_image_shape,
    check_images,
    infer_image_shape,
    rows_to_images,
)

__all__ = ["ImageInputMixin", "ImageTransformerMixin"]


def _is_image_list(X) -> bool:
    return isinstance(X, (list, tuple)) and len(X) > 0 and np.ndim(X[0]) >= 2


def _reject_1d(X):
    """Return ``X`` (array-likes as arrays); a 1-D ``X`` is a clear error."""
    if not isinstance(X, (list, tuple)) and not hasattr(X, "ndim"):
        X = np.asarray(X)  # array-likes such as sklearn's _NotAnArray
    if not _is_image_list(X) and np.ndim(X) == 1:
        raise ValueError(
            "X must be a batch of images (n, H, W[, C]) or flattened rows "
            f"(n, H*W*C); got an array with 1 dimension(s), shape {np.shape(X)}. "
            "Expected 2D array, got 1D array instead: Reshape your data with "
            "X.reshape(1, -1) if it holds a single flattened image."
        )
    return X


class ImageInputMixin:
    """Mixin that validates image input in the three forms of DESIGN section 2.

    Subclasses may read ``self.image_shape`` (a constructor parameter, may be
    None). After ``_validate_images(X, reset=True)`` the estimator has
    ``n_features_in_`` (values per image, for array input) and ``image_shape_``
    (None when fitted on a list of differently sized images).

    Set the class attribute ``_allows_variable_size = True`` when the algorithm
    resizes or pools, so that lists of images of different sizes and batches of
    another size are accepted in ``transform``.
    """

    _allows_variable_size = False

    def _validate_images(self, X, *, reset: bool):
        """Validate ``X`` and return images as an ndarray or a list of arrays."""
        image_shape = getattr(self, "image_shape", None)
        if image_shape is not None:
            image_shape = check_image_shape(image_shape)
        X = _reject_1d(X)
        if not _is_image_list(X) and np.ndim(X) == 2:
            return self._validate_rows(X, image_shape, reset=reset)
        images = check_images(
            X, image_shape=image_shape, allow_list=self._allows_variable_size
        )
        shape = images.shape[1:] if isinstance(images, np.ndarray) else None
        if reset:
            for attr in ("feature_names_in_",):
                if hasattr(self, attr):
                    delattr(self, attr)
            self.image_shape_ = shape
            if shape is not None:
                self.n_features_in_ = int(np.prod(shape))
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
        elif not self._allows_variable_size:
            fitted = getattr(self, "image_shape_", None)
            if fitted is not None and shape != fitted:
                raise ValueError(
                    f"X has images of shape {shape}, but {type(self).__name__} was "
                    f"fitted on images of shape {fitted}."
                )
        return images

    def _validate_rows(self, X, image_shape, *, reset: bool):
        dtypes = getattr(X, "dtypes", None)  # pandas DataFrame
        if dtypes is not None and len(dtypes) and all(d == np.uint8 for d in dtypes):
            X = X.to_numpy()
        elif not hasattr(X, "dtype") and dtypes is None:
            X = np.asarray(X)  # lists of rows: same scaling rule as arrays
        if getattr(X, "dtype", None) == np.float16:
            X = np.asarray(X, dtype=np.float32)
        if getattr(X, "dtype", None) == np.uint8:
            X = np.asarray(X, dtype=np.float32) * np.float32(1.0 / 255.0)
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])
        if image_shape is None:
            fitted = getattr(self, "image_shape_", None)
            if reset or fitted is None or int(np.prod(fitted)) != X.shape[1]:
                image_shape = infer_image_shape(X.shape[1])
            else:
                image_shape = fitted
        images = rows_to_images(X, image_shape)
        if reset:
            self.image_shape_ = tuple(image_shape)
        return images


class ImageTransformerMixin(ImageInputMixin, TransformerMixin):
    """Mixin for transformers whose input is images and output a 2-D feature matrix.

    Combine as ``class MyExtractor(ImageTransformerMixin, BaseEstimator)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from skcv.base import ImageTransformerMixin
    >>> class MeanIntensity(ImageTransformerMixin, BaseEstimator):
    ...     def __init__(self, image_shape=None):
    ...         self.image_shape = image_shape
    ...
    ...     def fit(self, X, y=None):
    ...         self._validate_images(X, reset=True)
    ...         return self
    ...
    ...     def transform(self, X):
    ...         images = self._validate_images(X, reset=False)
    ...         return images.reshape(len(images), -1).mean(axis=1, keepdims=True)
    >>> X = np.arange(32, dtype=np.float32).reshape(2, 4, 4)  # a batch of 2 images
    >>> MeanIntensity().fit_transform(X)
    array([[ 7.5],
           [23.5]], dtype=float32)
    >>> MeanIntensity(image_shape=(4, 4)).fit_transform(X.reshape(2, 16))  # rows
    array([[ 7.5],
           [23.5]], dtype=float32)
    """
