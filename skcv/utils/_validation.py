"""Validation of images and batches of images (DESIGN section 2).

Conventions (written once, here; every entry point of skcv follows them)
-----------------------------------------------------------------------
* One image is ``(H, W)`` or ``(H, W, C)``, channels last.

Dtype rule
    ======================  ==================================================
    input dtype             validated image
    ======================  ==================================================
    uint8, uint16, uint32,  scaled by the dtype's range to ``[0, 1]`` float32
    uint64                  (``x / iinfo(dtype).max``, as ``img_as_float``)
    bool                    float32 0.0 / 1.0
    int8 ... int64          8-bit intensities: values in ``0..255`` are
                            scaled by 255 to float32 (as uint8); any value
                            outside ``0..255`` raises ``ValueError`` naming
                            the parameter (use uint16 for 16-bit data, or
                            floats in ``[0, 1]``), and so does an image of
                            only 0s and 1s (ambiguous: pass bool or uint8).
    float16                 float32, values kept
    float32, float64        kept (no copy), values kept
    object                  the rule of the dtype numpy infers from the
                            entries (Python ints -> int64 -> 8-bit rule)
    complex, str, ...       ``TypeError``
    ======================  ==================================================

    The signed rule exists because ``np.array`` of Python lists makes ``int64``
    images: reading them by their dtype's range (as ``img_as_float`` does) would
    turn a 0..255 image all black; reading them unscaled would turn it all white.
    It has one scale, so the same values give the same image in every call and
    every batch (a rule that guessed 8- or 16-bit from the largest value would
    scale two batches of one data set differently).

One-image rule
    A function on ONE image reads a 3-D array ``(H, W, C)`` as an image whose last
    axis holds channels only when ``C <= 4`` (grey, grey+alpha, RGB, RGBA). A
    longer last axis, as in a batch ``(5, 32, 32)``, raises ``ValueError`` unless
    the caller names the axis with ``channel_axis=-1`` (functions that filter
    channels independently take that argument, as in scikit-image).

Channel rule (:func:`convert_channels`)
    grey -> RGB repeats the grey plane; RGB -> grey is the ITU-R BT.709 luma
    ``0.2125 R + 0.7154 G + 0.0721 B`` (as :func:`skimage.color.rgb2gray`);
    alpha is dropped, never composited (as Pillow's ``convert("RGB")``);
    grey+alpha is grey; a missing alpha is opaque (1.0). A list that mixes
    channel counts becomes RGB when any image has colour, grey otherwise;
    estimators fitted on one channel count convert new images to it.

Path rule (the fourth input form)
    A list, tuple or 1-D array of ``str`` / ``os.PathLike`` is a list of image
    files, decoded by :func:`skcv.io.imread` (uint8 or uint16, channels as in the
    file) and then validated like a list of arrays. Estimators decode ``fit``
    input at once and stream ``transform``/``predict`` input in batches of
    ``batch_size`` (:mod:`skcv.base`), so memory does not grow with the number of
    files; :func:`check_size_policy` validates the optional ``image_size`` +
    ``resize`` policy that brings files to one size while they are decoded.

* NaN/inf, values beyond ``MAX_MAGNITUDE`` (1e12, which would overflow float32
  sums of squares), empty images, non-numeric (object) data, ragged lists and
  wrong ``ndim`` raise ``ValueError``/``TypeError`` with a message naming the
  parameter.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

_FLOATS = (np.float32, np.float64)
# Largest magnitude an image may hold: far above any intensity (floats in [0, 1],
# 8- or 16-bit ranges), far below what overflows float32 sums of squares.
MAX_MAGNITUDE = 1e12
# ITU-R BT.709 luma weights, as in skimage.color.rgb2gray.
_LUMA = np.array([0.2125, 0.7154, 0.0721])
# The longest last axis read as channels without ``channel_axis`` (RGBA).
MAX_CHANNELS = 4
_CHANNELS = ("grey", 1, 2, 3, 4)


def channels_to_grey(image: np.ndarray) -> np.ndarray:
    """Collapse the last (channel) axis to grey, keeping the float dtype.

    RGB and RGBA become BT.709 luma (alpha dropped), grey+alpha its grey plane,
    any other channel count the channel mean. Works on one image ``(H, W, C)``
    or a batch ``(n, H, W, C)``.
    """
    if image.shape[-1] in (3, 4):
        return image[..., :3] @ _LUMA.astype(image.dtype)
    if image.shape[-1] in (1, 2):
        return image[..., 0]
    return image.mean(axis=-1, dtype=image.dtype)


def _convert_last_axis(arr: np.ndarray, has_channels: bool, channels) -> np.ndarray:
    """Apply the channel rule to an image or batch whose channel axis is last."""
    c = arr.shape[-1] if has_channels else 1
    if channels == "grey" and not has_channels:
        return arr
    if has_channels and c == channels:
        return arr
    if c > MAX_CHANNELS:
        raise ValueError(
            f"cannot convert an image with {c} channels to {channels!r}: the "
            "channel rule knows grey, grey+alpha, RGB and RGBA (1 to 4 channels)."
        )
    colour = arr[..., :3] if c >= 3 else (arr[..., 0] if has_channels else arr)
    alpha = arr[..., -1] if c in (2, 4) else None
    if channels in ("grey", 1, 2):
        grey = colour @ _LUMA.astype(arr.dtype) if c >= 3 else colour
        if channels == "grey":
            return np.ascontiguousarray(grey)
        planes = [grey]
    else:
        planes = [colour[..., i] for i in range(3)] if c >= 3 else [colour] * 3
    if channels in (2, 4):
        planes.append(np.ones_like(planes[0]) if alpha is None else alpha)
    return np.stack(planes, axis=-1)


def convert_channels(image, channels):
    """Convert one validated image to the channels an algorithm needs.

    The one channel rule of skcv (module docstring): grey -> RGB repeats the
    grey plane; RGB -> grey is the BT.709 luma ``0.2125 R + 0.7154 G +
    0.0721 B``; alpha is dropped (not composited); a missing alpha is opaque.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, C) with C <= 4
        A float image, e.g. from :func:`check_image`.
    channels : {"grey", 1, 2, 3, 4}
        ``"grey"`` gives ``(H, W)``; an int ``c`` gives ``(H, W, c)``: 1 grey,
        2 grey+alpha, 3 RGB, 4 RGBA.

    Returns
    -------
    converted : ndarray
        The image itself when it already has the channels asked for.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils import convert_channels
    >>> convert_channels(np.full((2, 2), 0.5), 3).shape
    (2, 2, 3)
    >>> rgba = np.zeros((1, 1, 4)); rgba[..., 1] = 1.0
    >>> convert_channels(rgba, "grey")
    array([[0.7154]])
    """
    if channels not in _CHANNELS or isinstance(channels, bool):
        raise ValueError(f"channels must be one of {_CHANNELS}; got {channels!r}.")
    arr = as_array(image, "image")
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"image must have shape (H, W) or (H, W, C); got shape {arr.shape}."
        )
    return _convert_last_axis(arr, arr.ndim == 3, channels)


def convert_images(images, channels):
    """:func:`convert_channels` on a batch ``(n, H, W[, C])`` or a list of images."""
    if isinstance(images, np.ndarray):
        return _convert_last_axis(images, images.ndim == 4, channels)
    return [_convert_last_axis(im, im.ndim == 3, channels) for im in images]


def _check_signed(arr: np.ndarray, name: str) -> None:
    """Signed integer images must hold 8-bit values (the dtype rule)."""
    if arr.size == 0:
        return
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi > 255:
        bad = lo if lo < 0 else hi
        raise ValueError(
            f"{name} has signed integer dtype {arr.dtype} with the value {bad}: "
            "signed integer images must hold 8-bit intensities 0..255 (scaled "
            "by 255). Pass 16-bit data as uint16, or floats in [0, 1], e.g. "
            "(x - x.min()) / (x.max() - x.min())."
        )
    if hi == 1:
        raise ValueError(
            f"{name} is a signed integer image of 0s and 1s, which is ambiguous: "
            "as 8-bit intensities it is almost black (1/255). Pass a binary "
            "image as bool (0/1 -> 0.0/1.0), or 8-bit intensities as uint8."
        )


def _as_float(arr: np.ndarray, name: str) -> np.ndarray:
    """Convert a numeric array to float following the dtype rule."""
    kind = arr.dtype.kind
    if arr.dtype in _FLOATS:
        return arr
    if kind == "b":
        return arr.astype(np.float32)
    if kind in "ui":
        if kind == "i":
            _check_signed(arr, name)
        scale = 1.0 / (255 if kind == "i" else np.iinfo(arr.dtype).max)
        if kind == "i" or arr.dtype.itemsize <= 2:  # values exact in float32
            return arr.astype(np.float32) * np.float32(scale)
        return (arr * np.float64(scale)).astype(np.float32)
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if kind == "f":  # longdouble
        return arr.astype(np.float64)
    if kind == "O":
        inferred = np.asarray(arr.tolist()) if arr.size else arr
        if inferred.dtype.kind in "biuf" and inferred.shape == arr.shape:
            return _as_float(inferred, name)  # Python ints follow the int rule
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} has dtype object with non-numeric entries; expected a "
                f"numeric array (argument must be a string or a real number): {exc}"
            ) from exc
    raise TypeError(
        f"{name} must hold real numbers (bool, unsigned or signed int, float); "
        f"got dtype {arr.dtype}."
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


def _extremes(arr: np.ndarray) -> tuple[float, float]:
    """``(min, max)`` of a non-empty array in two reductions, without a copy.

    NaN propagates through both, infinity shows in one of them.
    """
    return float(arr.min()), float(arr.max())


def _raise_magnitude(lo: float, hi: float, name: str) -> None:
    if max(-lo, hi) > MAX_MAGNITUDE:
        raise ValueError(
            f"{name} holds values of magnitude {max(-lo, hi):.3g}; "
            f"values must lie within +-{MAX_MAGNITUDE:g} (image intensities are "
            "floats in [0, 1] or 8/16-bit integers; scale features): larger ones "
            "overflow float32 sums."
        )


def check_magnitude(arr: np.ndarray, name: str) -> None:
    """Raise unless every value of the finite image ``arr`` is within MAX_MAGNITUDE."""
    if arr.size:
        _raise_magnitude(*_extremes(arr), name)


def _check_finite(arr: np.ndarray, name: str) -> None:
    """Raise on NaN, infinity or values beyond MAX_MAGNITUDE (one pass each way)."""
    if not arr.size:
        return
    lo, hi = _extremes(arr)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        what = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} contains {what}; images must be finite.")
    _raise_magnitude(lo, hi, name)


def _ndim(x) -> int:
    """``np.ndim`` that gives -1 for a ragged nested list."""
    try:
        return np.ndim(x)
    except ValueError:
        return -1


def _check_channel_axis(channel_axis) -> int | None:
    if channel_axis is None:
        return None
    if (
        isinstance(channel_axis, numbers.Integral)
        and not isinstance(channel_axis, bool)
        and int(channel_axis) in (-1, 2)
    ):
        return -1
    raise ValueError(
        "channel_axis must be None (a last axis of at most 4 is read as "
        "channels) or -1 (the last axis holds channels, however many: skcv "
        f"images are channels last); got {channel_axis!r}."
    )


def check_image(
    image,
    *,
    name: str = "image",
    allow_color: bool = True,
    min_size: int = 1,
    channels: tuple[int, ...] | None = None,
    channel_axis: int | None = None,
) -> np.ndarray:
    """Validate one image and return it as a float array.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image, channels last; converted by the dtype rule (module
        docstring): unsigned ints scaled by their range to ``[0, 1]`` float32.
    name : str, default="image"
        Parameter name used in error messages.
    allow_color : bool, default=True
        If False, a 3-D image raises.
    min_size : int, default=1
        Smallest allowed height and width.
    channels : tuple of int, default=None
        Allowed channel counts of a 3-D image (e.g. ``(1, 3, 4)``); None allows
        any count the one-image rule allows.
    channel_axis : {None, -1}, default=None
        The one-image rule: with None a 3-D image whose last axis is longer than
        4 raises (it is probably a batch ``(n, H, W)``); -1 declares that the
        last axis holds channels, however many.

    Returns
    -------
    image : ndarray of float32 or float64
        The validated image (no copy when it is already float and finite).

    Raises
    ------
    ValueError
        If the image is empty, has the wrong number of dimensions, looks like a
        batch, holds out-of-range signed integers or is not finite.
    TypeError
        If the image does not hold real numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils import check_image
    >>> check_image(np.full((2, 2), 65535, dtype=np.uint16))
    array([[1., 1.],
           [1., 1.]], dtype=float32)
    """
    if isinstance(image, (str, bytes)) or image is None:
        raise TypeError(f"{name} must be an array; got {type(image).__name__}.")
    channel_axis = _check_channel_axis(channel_axis)
    arr = as_array(image, name)
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
    if arr.ndim == 3:
        n = arr.shape[2]
        batch_hint = (
            "A 3-D array whose last axis is not a channel axis is probably a "
            f"batch of images ({arr.shape[0]} of them): pass one image at a time, "
            "or the batch to the matching transformer"
        )
        if channels is not None and n not in channels:
            raise ValueError(
                f"{name} has shape {arr.shape}: {n} channels, but one of "
                f"{tuple(channels)} is expected. {batch_hint}."
            )
        if channels is None and channel_axis is None and n > MAX_CHANNELS:
            raise ValueError(
                f"{name} has shape {arr.shape}: {n} channels is more than the "
                f"{MAX_CHANNELS} of grey, grey+alpha, RGB or RGBA. {batch_hint}. "
                "(Functions that filter channels independently take more with "
                "channel_axis=-1.)"
            )
    arr = _as_float(arr, name)
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


RESIZE_POLICIES = ("stretch", "crop", "pad")


def _is_path(value) -> bool:
    return isinstance(value, (str, os.PathLike))


def as_paths(X, name: str = "X") -> list | None:
    """Return the file paths of ``X`` when it is the fourth input form, else None.

    A list, tuple or 1-D array (or pandas Series) whose entries are all ``str`` or
    ``os.PathLike`` is a list of image files. A single path raises ``TypeError``
    (wrap it in a list).

    Examples
    --------
    >>> from pathlib import Path
    >>> from skcv.utils import as_paths
    >>> as_paths(["a.png", Path("b.jpg")])
    ['a.png', PosixPath('b.jpg')]
    >>> as_paths([[0.0, 1.0]]) is None
    True
    """
    if _is_path(X):
        raise TypeError(
            f"{name} is the single path {os.fspath(X)!r}; pass a list of image "
            "paths (or an array of images)."
        )
    if hasattr(X, "to_numpy") and getattr(X, "ndim", 0) == 1:
        X = X.to_numpy()  # pandas Series of file names
    if isinstance(X, np.ndarray):
        if X.ndim != 1 or X.dtype.kind not in "OU" or not len(X):
            return None
    elif not isinstance(X, (list, tuple)) or not len(X):
        return None
    if not _is_path(X[0]) or not all(_is_path(p) for p in X):
        return None
    return list(X)


def check_size_policy(image_size, resize):
    """Validate the size policy ``(image_size, resize)`` of path input.

    ``resize`` is None (files keep their size) or one of "stretch" (to
    ``image_size``, aspect ratio not kept), "crop" (cover ``image_size``, crop
    the centre) and "pad" (fit inside, pad with zeros), as in
    :func:`skcv.io.imread`; ``image_size`` is an int or ``(height, width)``.

    Examples
    --------
    >>> from skcv.utils import check_size_policy
    >>> check_size_policy(32, "crop")
    ((32, 32), 'crop')
    >>> check_size_policy(None, None)
    (None, None)
    """
    if resize is not None and resize not in RESIZE_POLICIES:
        raise ValueError(
            f"resize must be None or one of {RESIZE_POLICIES}; got {resize!r}."
        )
    if image_size is None:
        if resize is not None:
            raise ValueError(f"resize={resize!r} needs image_size (height, width).")
        return None, None
    size = (
        (image_size, image_size)
        if isinstance(image_size, numbers.Integral)
        else image_size
    )
    try:
        ok = len(size) == 2 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
            for v in size
        )
    except TypeError:
        ok = False
    if not ok or isinstance(image_size, bool):
        raise ValueError(
            "image_size must be None, a positive int or a pair (height, width) of "
            f"positive ints; got {image_size!r}."
        )
    if resize is None:
        raise ValueError(
            f"image_size={image_size!r} needs resize in {RESIZE_POLICIES}."
        )
    return (int(size[0]), int(size[1])), resize


def read_images(paths, *, image_size=None, resize=None) -> list[np.ndarray]:
    """Decode image files with :func:`skcv.io.imread` under a size policy.

    Each file is decoded completely (an unreadable one raises
    :class:`skcv.io.ImageReadError` naming it); the arrays keep the file's
    depth and channels, for the dtype and channel rules to apply.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> from PIL import Image
    >>> from skcv.utils import read_images
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "grey.png")
    >>> Image.new("L", (6, 4), 128).save(path)
    >>> [im.shape for im in read_images([path], image_size=(2, 3), resize="pad")]
    [(2, 3)]
    >>> shutil.rmtree(folder)
    """
    from skcv.io import imread

    size, resize = check_size_policy(image_size, resize)
    if isinstance(paths, (str, bytes, os.PathLike)) or not np.iterable(paths):
        raise TypeError(f"paths must be a list of file paths; got {paths!r}.")
    return [imread(p, size=size, resize=resize or "stretch") for p in paths]


class LazyImages:
    """Image files decoded on access: a list-like for ``fit`` on many paths.

    ``images[i]`` decodes and validates one file, ``images[a:b]`` a list of
    them (dtype and channel rules as for a list of arrays), so a transformer
    that reads its training images batch by batch holds one batch at a time.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> from PIL import Image
    >>> from skcv.utils._validation import LazyImages, read_images
    >>> folder = tempfile.mkdtemp()
    >>> paths = [os.path.join(folder, f"{i}.png") for i in range(3)]
    >>> for p in paths:
    ...     Image.new("L", (5, 4), 255).save(p)
    >>> images = LazyImages(paths, read_images)
    >>> len(images), images[0].shape, float(images[1:][1].max())
    (3, (4, 5), 1.0)
    >>> shutil.rmtree(folder)
    """

    def __init__(self, paths, reader, name: str = "X"):
        self.paths = list(paths)
        self._reader = reader
        self._name = name

    def __len__(self) -> int:
        return len(self.paths)

    def _load(self, paths) -> list[np.ndarray]:
        images = check_images(self._reader(paths), name=self._name)
        return list(images) if isinstance(images, np.ndarray) else images

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._load(self.paths[index])
        if isinstance(index, numbers.Integral):
            return self._load([self.paths[index]])[0]
        raise TypeError(f"indices must be ints or slices; got {index!r}.")

    def __iter__(self):
        for path in self.paths:
            yield self._load([path])[0]


def _channel_key(image: np.ndarray) -> int:
    """0 for a 2-D grey image, else the length of the channel axis."""
    return 0 if image.ndim == 2 else image.shape[2]


def _check_channels_param(channels):
    if channels == "auto" or (channels in _CHANNELS and not isinstance(channels, bool)):
        return channels
    raise ValueError(
        f"channels must be 'auto' or one of {_CHANNELS}; got {channels!r}."
    )


def check_images(
    X,
    image_shape=None,
    *,
    name: str = "X",
    allow_list: bool = True,
    channels="auto",
) -> np.ndarray | list[np.ndarray]:
    """Validate a batch of images in any of the four input forms.

    Parameters
    ----------
    X : array-like or list of arrays
        One of

        1. a batch ``(n, H, W)`` or ``(n, H, W, C)``;
        2. a list of images ``(H, W)`` / ``(H, W, C)``, possibly of different
           sizes and channel counts;
        3. flattened rows ``(n, H*W*C)``, reshaped with ``image_shape`` (or by
           :func:`infer_image_shape` when it is None);
        4. image file paths (:func:`as_paths`), decoded by :func:`read_images`.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` for flattened rows; ignored for other forms
        except that a batch whose shape differs raises.
    name : str, default="X"
        Parameter name for error messages.
    allow_list : bool, default=True
        Whether a list of differently sized images is allowed.
    channels : {"auto", "grey", 1, 2, 3, 4}, default="auto"
        The channel rule (:func:`convert_channels`). ``"auto"`` keeps the
        channels of images that agree and converts a list that mixes channel
        counts to RGB when any image has colour (alpha dropped), to grey
        otherwise. Any other value converts every image to it.

    Returns
    -------
    images : ndarray of shape (n, H, W[, C]) or list of ndarray
        Float images (dtype rule of the module docstring). A list is returned
        only when the images differ in size.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils import check_images
    >>> check_images(np.zeros((4, 48)), image_shape=(4, 4, 3)).shape
    (4, 4, 4, 3)
    >>> [im.shape for im in check_images([np.zeros((5, 6)), np.zeros((7, 8))])]
    [(5, 6), (7, 8)]
    >>> check_images([np.zeros((5, 6)), np.zeros((5, 6, 4))]).shape
    (2, 5, 6, 3)
    """
    channels = _check_channels_param(channels)
    paths = as_paths(X, name)
    if paths is not None:
        X = read_images(paths)
    if isinstance(X, (list, tuple)) and len(X) and _ndim(X[0]) >= 2:
        images = [
            check_image(im, name=f"{name}[{i}]", channel_axis=-1)
            for i, im in enumerate(X)
        ]
        keys = {_channel_key(im) for im in images}
        if channels == "auto" and len(keys) > 1:
            channels = 3 if max(keys) >= 3 else "grey"
        if channels != "auto":
            images = [_convert_last_axis(im, im.ndim == 3, channels) for im in images]
        shapes = {im.shape for im in images}
        if len(shapes) == 1:
            dtype = np.result_type(*{im.dtype for im in images})
            return np.stack(images).astype(dtype, copy=False)
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
        arr = rows_to_images(arr, shape)
    elif image_shape is not None:
        shape = check_image_shape(image_shape)
        if arr.shape[1:] != shape:
            raise ValueError(
                f"{name} has images of shape {arr.shape[1:]}, but image_shape={shape}."
            )
    if channels != "auto":
        arr = _convert_last_axis(arr, arr.ndim == 4, channels)
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
