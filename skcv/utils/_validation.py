"""Validation of images and batches of images (DESIGN section 2).

Conventions
-----------
* One image is ``(H, W)`` or ``(H, W, C)``, channels last.
* uint8 images are scaled to ``[0, 1]`` float32; float32/float64 keep their dtype;
  other numeric types (ints, bool, float16) become float64 (float16 -> float32),
  without scaling.
* NaN/inf, empty images, non-numeric (object) data and wrong ``ndim`` raise
  ``ValueError``/``TypeError`` with a message naming the parameter.
"""

from __future__ import annotations

import numbers

import numpy as np

_FLOATS = (np.float32, np.float64)
# Largest magnitude an image may hold: far above any intensity (floats in [0, 1],
# 8- or 16-bit ranges), far below what overflows float32 sums of squares.
MAX_MAGNITUDE = 1e12
# ITU-R BT.709 luma weights, as in skimage.color.rgb2gray.
_LUMA = np.array([0.2125, 0.7154, 0.0721])


def channels_to_grey(image: np.ndarray) -> np.ndarray:
    """Collapse the last (channel) axis to grey, keeping the float dtype.

    RGB and RGBA become BT.709 luma (alpha ignored), any other channel count the
    channel mean. Works on one image ``(H, W, C)`` or a batch ``(n, H, W, C)``.
    """
    if image.shape[-1] in (3, 4):
        return image[..., :3] @ _LUMA.astype(image.dtype)
    return image.mean(axis=-1, dtype=image.dtype)


def _as_float(arr: np.ndarray, name: str) -> np.ndarray:
    """Convert a numeric array to float following the uint8 rule."""
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) * np.float32(1.0 / 255.0)
    if arr.dtype in _FLOATS:
        return arr
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    if arr.dtype.kind == "O":
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} has dtype object with non-numeric entries; expected a "
                f"numeric array (argument must be a string or a real number): {exc}"
            ) from exc
    raise TypeError(
        f"{name} must hold numbers (uint8, int or float); got dtype {arr.dtype}."
    )


def as_array(value, name: str, dtype=None) -> np.ndarray:
    """``np.asarray`` whose errors name the parameter (ragged lists, strings)."""
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{name} must be an array of numbers of one shape (not a ragged "
            f"list); numpy could not convert it: {exc}"
        ) from exc


def as_real_array(value, name: str) -> np.ndarray:
    """:func:`as_array` as float64; complex or non-numeric values raise TypeError."""
    arr = as_array(value, name)
    if arr.dtype.kind not in "biufO":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}.")
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must hold real numbers: {exc}") from exc


def check_magnitude(arr: np.ndarray, name: str) -> None:
    """Raise unless every value of the finite image ``arr`` is within MAX_MAGNITUDE."""
    if arr.size and np.abs(arr).max() > MAX_MAGNITUDE:
        raise ValueError(
            f"{name} holds values of magnitude {float(np.abs(arr).max()):.3g}; image "
            f"values must lie within +-{MAX_MAGNITUDE:g} (intensities are floats "
            "in [0, 1] or 8/16-bit integers), larger ones overflow float32 sums."
        )


def _check_finite(arr: np.ndarray, name: str) -> None:
    if not np.isfinite(arr).all():
        what = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} contains {what}; images must be finite.")
    check_magnitude(arr, name)


def _ndim(x) -> int:
    """``np.ndim`` that gives -1 for a ragged nested list."""
    try:
        return np.ndim(x)
    except ValueError:
        return -1


def check_image(
    image,
    *,
    name: str = "image",
    allow_color: bool = True,
    min_size: int = 1,
    channels: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Validate one image and return it as a float array.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image, channels last. uint8 is scaled to ``[0, 1]`` float32.
    name : str, default="image"
        Parameter name used in error messages.
    allow_color : bool, default=True
        If False, a 3-D image raises.
    min_size : int, default=1
        Smallest allowed height and width.
    channels : tuple of int, default=None
        Allowed channel counts of a 3-D image (e.g. ``(1, 3, 4)`` for grey, RGB
        and RGBA), so that a batch ``(n, H, W)`` passed by mistake to a function
        on one image raises instead of being read as ``W`` channels.

    Returns
    -------
    image : ndarray of float32 or float64
        The validated image (no copy when it is already float and finite).

    Raises
    ------
    ValueError
        If the image is empty, has the wrong number of dimensions or is not finite.
    TypeError
        If the image does not hold numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils import check_image
    >>> check_image(np.full((2, 2), 255, dtype=np.uint8))
    array([[1., 1.],
           [1., 1.]], dtype=float32)
    """
    if isinstance(image, (str, bytes)) or image is None:
        raise TypeError(f"{name} must be an array; got {type(image).__name__}.")
    arr = as_array(image, name)
    arr = _as_float(arr, name)
    allowed = (2, 3) if allow_color else (2,)
    if arr.ndim not in allowed:
        shapes = "(H, W) or (H, W, C)" if allow_color else "(H, W)"
        raise ValueError(
            f"{name} must have shape {shapes}; got an array with ndim={arr.ndim} "
            f"and shape {arr.shape}."
        )
    if arr.size == 0 or min(arr.shape[:2]) < min_size:
        raise ValueError(
            f"{name} is empty or smaller than {min_size}x{min_size}; got shape "
            f"{arr.shape}."
        )
    if channels is not None and arr.ndim == 3 and arr.shape[2] not in channels:
        raise ValueError(
            f"{name} has shape {arr.shape}: {arr.shape[2]} channels, but one of "
            f"{tuple(channels)} is expected. A 3-D array whose last axis is not "
            "a channel axis is probably a batch of images: pass one image, or a "
            "batch to the matching transformer."
        )
    _check_finite(arr, name)
    return arr


def check_image_shape(image_shape, name: str = "image_shape") -> tuple[int, ...]:
    """Validate an ``image_shape`` parameter: ``(H, W)`` or ``(H, W, C)``.

    Examples
    --------
    >>> from skcv.utils import check_image_shape
    >>> check_image_shape([32, 32, 3])
    (32, 32, 3)
    """
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = None
    if (
        shape is None
        or len(shape) not in (2, 3)
        or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
            for s in shape
        )
    ):
        raise ValueError(
            f"{name} must be a tuple (H, W) or (H, W, C) of positive ints; "
            f"got {image_shape!r}."
        )
    return tuple(int(s) for s in shape)


def infer_image_shape(n_features: int) -> tuple[int, ...]:
    """Guess the image shape of a flattened row when ``image_shape=None``.

    The rule (written once, here): a row of ``s*s`` values is an ``(s, s)`` grey
    image; otherwise a row of ``3*s*s`` values is an ``(s, s, 3)`` colour image;
    otherwise the row is a ``(1, n_features)`` grey image, so any 2-D feature matrix
    is accepted (algorithms reflect-pad or resize tiny images).

    Examples
    --------
    >>> from skcv.utils import infer_image_shape
    >>> infer_image_shape(64), infer_image_shape(3072), infer_image_shape(10)
    ((8, 8), (32, 32, 3), (1, 10))
    """
    if (
        isinstance(n_features, bool)
        or not isinstance(n_features, numbers.Integral)
        or n_features < 1
    ):
        raise ValueError(f"n_features must be a positive int; got {n_features!r}.")
    side = int(round(np.sqrt(n_features)))
    if side * side == n_features:
        return (side, side)
    if n_features % 3 == 0:
        side = int(round(np.sqrt(n_features // 3)))
        if 3 * side * side == n_features:
            return (side, side, 3)
    return (1, int(n_features))


def rows_to_images(X: np.ndarray, image_shape) -> np.ndarray:
    """Reshape validated rows ``(n, d)`` to images, checking ``d`` against the shape.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils import rows_to_images
    >>> rows_to_images(np.zeros((2, 12)), (2, 2, 3)).shape
    (2, 2, 2, 3)
    """
    shape = check_image_shape(image_shape)
    X = as_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be rows (n, H*W*C); got shape {X.shape}.")
    if int(np.prod(shape)) != X.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features per row, but image_shape={shape} needs "
            f"{int(np.prod(shape))}; pass the image_shape the rows were flattened "
            "from."
        )
    return X.reshape((X.shape[0], *shape))


def check_images(
    X,
    image_shape=None,
    *,
    name: str = "X",
    allow_list: bool = True,
) -> np.ndarray | list[np.ndarray]:
    """Validate a batch of images in any of the three input forms.

    Parameters
    ----------
    X : array-like or list of arrays
        One of

        1. a batch ``(n, H, W)`` or ``(n, H, W, C)``;
        2. a list of images ``(H, W)`` / ``(H, W, C)``, possibly of different sizes;
        3. flattened rows ``(n, H*W*C)``, reshaped with ``image_shape`` (or by
           :func:`infer_image_shape` when it is None).
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` for flattened rows; ignored for other forms
        except that a batch whose shape differs raises.
    name : str, default="X"
        Parameter name for error messages.
    allow_list : bool, default=True
        Whether a list of differently sized images is allowed.

    Returns
    -------
    images : ndarray of shape (n, H, W[, C]) or list of ndarray
        Float images (uint8 scaled to [0, 1] float32). A list is returned only
        when the images differ in size.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils import check_images
    >>> check_images(np.zeros((4, 48)), image_shape=(4, 4, 3)).shape
    (4, 4, 4, 3)
    >>> [im.shape for im in check_images([np.zeros((5, 6)), np.zeros((7, 8))])]
    [(5, 6), (7, 8)]
    """
    if isinstance(X, (list, tuple)) and len(X) and _ndim(X[0]) >= 2:
        images = [check_image(im, name=f"{name}[{i}]") for i, im in enumerate(X)]
        shapes = {im.shape for im in images}
        dtypes = {im.dtype for im in images}
        if len(shapes) == 1:
            dtype = np.result_type(*dtypes)
            return np.stack(images).astype(dtype, copy=False)
        if (
            len({im.ndim for im in images}) != 1
            or len({im.shape[2:] for im in images}) != 1
        ):
            raise ValueError(
                f"{name} mixes grey and colour images or different channel counts; "
                f"got shapes {sorted(shapes)[:4]}."
            )
        if not allow_list:
            raise ValueError(
                f"{name} holds images of different sizes {sorted(shapes)[:4]}, but "
                "this estimator needs images of one size."
            )
        return images
    if hasattr(X, "__array__") or isinstance(X, (list, tuple)):
        arr = as_array(X, name)
    else:
        raise TypeError(
            f"{name} must be an array or a list of images; got {type(X).__name__}."
        )
    if arr.ndim not in (2, 3, 4):
        raise ValueError(
            f"{name} must be a batch (n, H, W[, C]), a list of images or flattened "
            f"rows (n, H*W*C) with image_shape; got ndim={arr.ndim}, shape "
            f"{arr.shape}."
        )
    if arr.shape[0] == 0 or arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); need at least 1 image.")
    arr = _as_float(arr, name)
    _check_finite(arr, name)
    if arr.ndim == 2:
        shape = infer_image_shape(arr.shape[1]) if image_shape is None else image_shape
        return rows_to_images(arr, shape)
    if image_shape is not None:
        shape = check_image_shape(image_shape)
        if arr.shape[1:] != shape:
            raise ValueError(
                f"{name} has images of shape {arr.shape[1:]}, but image_shape={shape}."
            )
    return arr


def check_label_types(y, name: str = "y") -> None:
    """Raise a ``ValueError`` naming ``name`` when labels mix strings and numbers.

    scikit-learn sorts such labels and fails inside numpy with a bare TypeError.
    """
    arr = np.asarray(y)
    if arr.dtype == object and len({isinstance(v, str) for v in arr.ravel()}) > 1:
        raise ValueError(
            f"{name} mixes string and number labels; class labels must be all "
            "strings or all numbers."
        )


def check_classification_targets(y, name: str = "y") -> None:
    """Check class labels as scikit-learn does, after :func:`check_label_types`."""
    from sklearn.utils.multiclass import check_classification_targets as check

    check_label_types(y, name)
    check(y)
