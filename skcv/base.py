"""Base mixins: the one place that turns ``X`` into images (DESIGN section 2).

Every image transformer (and :class:`skcv.cnn.CNNClassifier`) accepts

1. a batch array ``(n, H, W)`` or ``(n, H, W, C)``;
2. a list of images of different sizes, where the algorithm allows it
   (``_allows_variable_size = True``: GIST resizes, dense SIFT and filter banks pool);
3. flattened rows ``(n, H*W*C)`` with the estimator parameter ``image_shape``;
4. image file paths (a list, tuple or 1-D array of ``str`` / ``os.PathLike``),
   decoded by :func:`skcv.io.imread`. ``fit`` decodes its paths at once (what it
   learns from; transformers whose fit reads batch by batch, as the feature
   extractors, decode them lazily, and the torch estimators stream them through
   DataLoader workers); ``transform``, ``predict``, ``predict_proba``,
   ``predict_log_proba`` and ``decision_function`` read them in batches of the
   estimator's ``batch_size`` (64 when it has none), so memory holds one batch of
   decoded images whatever the number of files. Estimators that need one image
   size take the size policy ``image_size`` + ``resize`` in {"stretch", "crop",
   "pad", None}, applied while decoding (:func:`skcv.utils.check_size_policy`).

The rule for ``image_shape=None`` with 2-D input
------------------------------------------------
A 2-D array is always read as rows (one sample per row), never as one image. When
``image_shape`` is None the shape is guessed once, in ``fit``, by
:func:`skcv.utils.infer_image_shape`: ``s*s`` values -> ``(s, s)`` grey,
``3*s*s`` -> ``(s, s, 3)`` colour, anything else -> a ``(1, d)`` grey strip. The
guess is stored in ``image_shape_`` and reused by ``transform``. Pass
``image_shape`` explicitly whenever the guess could be wrong (e.g. 48-pixel rows
that are ``(4, 4, 3)`` colour images, not ``(1, 48)``).

Every form follows the dtype rule and the channel rule of
:mod:`skcv.utils._validation` (unsigned and 8/16-bit signed integers scaled to
``[0, 1]`` float32, float32/float64 kept; a list mixing grey, RGB and RGBA images
becomes RGB, or grey when none has colour). An estimator that needs one image size
converts the images given to ``predict``/``transform`` to the channels it was
fitted on (grey -> RGB by repetition, RGB -> grey by BT.709 luma, alpha dropped).
"""

from __future__ import annotations

import functools
import inspect
import numbers

import numpy as np
from sklearn.base import TransformerMixin

from skcv.utils._sklearn import validate_data
from skcv.utils._validation import (
    LazyImages,
    _as_float,
    _channel_key,
    _ndim,
    as_array,
    as_paths,
    check_image_shape,
    check_images,
    check_magnitude,
    check_size_policy,
    infer_image_shape,
    read_images,
    rows_to_images,
)

__all__ = ["ImageInputMixin", "ImageTransformerMixin"]


def _is_image_list(X) -> bool:
    return isinstance(X, (list, tuple)) and len(X) > 0 and _ndim(X[0]) >= 2


def _channel_key_of(X) -> int:
    """Channel count of a batch array ``(n, H, W, C)`` (0 when unknown or grey)."""
    if isinstance(X, np.ndarray) and X.ndim == 4:
        return X.shape[3]
    if _is_image_list(X) and all(np.ndim(im) == 3 for im in X):
        return max(_channel_key(np.asarray(im)) for im in X)
    return 0


def _reject_1d(X):
    """Return ``X`` (array-likes as arrays); a 1-D ``X`` is a clear error."""
    if not isinstance(X, (list, tuple)) and not hasattr(X, "ndim"):
        X = as_array(X, "X")  # array-likes such as sklearn's _NotAnArray
    if not _is_image_list(X) and np.ndim(as_array(X, "X")) == 1:
        raise ValueError(
            "X must be a batch of images (n, H, W[, C]) or flattened rows "
            f"(n, H*W*C); got an array with 1 dimension(s), shape {np.shape(X)}. "
            "Expected 2D array, got 1D array instead: Reshape your data with "
            "X.reshape(1, -1) if it holds a single flattened image."
        )
    return X


# Methods whose path input is read in batches (fit reads its paths at once).
_STREAMED_METHODS = (
    "transform",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
)
_PATH_BATCH_SIZE = 64


def _concat(parts):
    """Join per-batch outputs: arrays along axis 0, lists end to end."""
    if all(isinstance(p, np.ndarray) for p in parts):
        return np.concatenate(parts, axis=0)
    if all(isinstance(p, tuple) for p in parts):  # e.g. (boxes, labels)
        return tuple(_concat(list(group)) for group in zip(*parts, strict=True))
    return [row for part in parts for row in part]


def _stream_paths(method):
    """Wrap ``method(self, X, ...)`` so that file paths are read batch by batch."""

    @functools.wraps(method)
    def wrapper(self, X, *args, **kwargs):
        paths = as_paths(X)
        if paths is None:
            return method(self, X, *args, **kwargs)
        step = self._path_batch_size()
        # Array outputs with one row per image fill one preallocated array:
        # joining per-batch parts at the end would hold the output twice.
        out, parts, filled = None, [], 0
        for start in range(0, len(paths), step):
            batch = self._read_paths(paths[start : start + step])
            n = len(batch)
            part = method(self, batch, *args, **kwargs)
            del batch  # one batch of decoded images at a time
            rows = isinstance(part, np.ndarray) and part.ndim >= 1
            rows = rows and part.shape[0] == n
            if rows and out is None and not parts:
                out = np.empty((len(paths), *part.shape[1:]), dtype=part.dtype)
            if (
                rows
                and out is not None
                and part.shape[1:] == out.shape[1:]
                and part.dtype == out.dtype
            ):
                out[filled : filled + n] = part
                filled += n
                continue
            if out is not None:  # another shape or dtype: join parts instead
                parts, out = [out[:filled].copy()], None
            parts.append(part)
        return out if out is not None else _concat(parts)

    wrapper._skcv_streams_paths = True
    return wrapper


class ImageInputMixin:
    """Mixin that validates image input in the four forms of DESIGN section 2.

    Subclasses may read ``self.image_shape`` (a constructor parameter, may be
    None). After ``_validate_images(X, reset=True)`` the estimator has
    ``n_features_in_`` (values per image, for array input) and ``image_shape_``
    (None when fitted on a list of differently sized images).

    Set the class attribute ``_allows_variable_size = True`` when the algorithm
    resizes or pools, so that lists of images of different sizes and batches of
    another size are accepted in ``transform``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from skcv.base import ImageInputMixin
    >>> class ImageCounter(ImageInputMixin, BaseEstimator):
    ...     def __init__(self, image_shape=None):
    ...         self.image_shape = image_shape
    ...
    ...     def fit(self, X, y=None):
    ...         self.n_images_ = len(self._validate_images(X, reset=True))
    ...         return self
    >>> rows = np.zeros((5, 12), dtype=np.uint8)  # 5 flattened 2x2 RGB images
    >>> counter = ImageCounter(image_shape=(2, 2, 3)).fit(rows)
    >>> counter.n_images_, counter.image_shape_, counter.n_features_in_
    (5, (2, 2, 3), 12)
    """

    _allows_variable_size = False
    # True where ``fit`` reads its images batch by batch (len, slices, items):
    # path input to fit is then decoded lazily (LazyImages) instead of at once.
    _lazy_path_fit = False

    def __init_subclass__(cls, **kwargs):
        # Path input of the prediction methods is streamed (DESIGN section 2, form
        # 4); wrapped before sklearn's set_output wrapper, which then wraps this.
        for name in _STREAMED_METHODS:
            method = cls.__dict__.get(name)
            if inspect.isfunction(method) and not hasattr(
                method, "_skcv_streams_paths"
            ):
                setattr(cls, name, _stream_paths(method))
        super().__init_subclass__(**kwargs)

    def _path_batch_size(self) -> int:
        size = getattr(self, "batch_size", None)
        if isinstance(size, numbers.Integral) and not isinstance(size, bool):
            return max(1, int(size))
        return _PATH_BATCH_SIZE

    def _size_policy(self):
        """``(image_size, resize)`` of estimators that take a size policy."""
        params = self.get_params(deep=False) if hasattr(self, "get_params") else {}
        if "resize" not in params:
            return None, None
        return check_size_policy(params.get("image_size"), params["resize"])

    def _read_paths(self, paths) -> list:
        """Decode files under the estimator's size policy, if it has one."""
        size, resize = self._size_policy()
        return read_images(paths, image_size=size, resize=resize)

    def _validate_images(self, X, *, reset: bool):
        """Validate ``X`` and return images as an ndarray or a list of arrays."""
        self._size_policy()  # validated with any input form
        paths = as_paths(X)
        if paths is not None and reset and self._lazy_path_fit:
            # Decoded batch by batch by the estimator's own fit loop.
            images = LazyImages(paths, self._read_paths)
            self._reset_input_attributes(None)
            return images
        if paths is not None:  # fit (or a method that is not streamed)
            X = self._read_paths(paths)
        image_shape = getattr(self, "image_shape", None)
        if image_shape is not None:
            image_shape = check_image_shape(image_shape)
        X = _reject_1d(X)
        if not _is_image_list(X) and np.ndim(X) == 2:
            return self._validate_rows(X, image_shape, reset=reset)
        channels = "auto"
        fitted = getattr(self, "image_shape_", None)
        if not reset and not self._allows_variable_size and fitted is not None:
            # Fixed-size estimators convert new images to the fitted channels.
            channels = "grey" if len(fitted) == 2 else fitted[2]
            if channels not in ("grey", 1, 2, 3, 4) or _channel_key_of(X) > 4:
                channels = "auto"  # no rule: the shape check below raises
        images = check_images(
            X,
            image_shape=image_shape,
            allow_list=self._allows_variable_size,
            channels=channels,
        )
        shape = images.shape[1:] if isinstance(images, np.ndarray) else None
        if reset:
            self._reset_input_attributes(shape)
        elif not self._allows_variable_size:
            fitted = getattr(self, "image_shape_", None)
            if fitted is not None and shape != fitted:
                raise ValueError(
                    f"X has images of shape {shape}, but {type(self).__name__} was "
                    f"fitted on images of shape {fitted}."
                )
        return images

    def _reset_input_attributes(self, shape):
        for attr in ("feature_names_in_",):
            if hasattr(self, attr):
                delattr(self, attr)
        self.image_shape_ = shape
        if shape is not None:
            self.n_features_in_ = int(np.prod(shape))
        elif hasattr(self, "n_features_in_"):
            del self.n_features_in_

    def _validate_rows(self, X, image_shape, *, reset: bool):
        dtypes = getattr(X, "dtypes", None)  # pandas DataFrame
        if (
            dtypes is not None
            and len(dtypes)
            and all(getattr(d, "kind", None) in ("b", "i", "u") for d in dtypes)
        ):
            X = X.to_numpy()  # integer pixels: the dtype rule below
        elif not hasattr(X, "dtype") and dtypes is None:
            X = as_array(X, "X")  # lists of rows: same scaling rule as arrays
        if isinstance(X, np.ndarray) and (
            X.dtype.kind in "biu" or X.dtype == np.float16
        ):
            X = _as_float(X, "X")
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])
        check_magnitude(X, "X")
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
