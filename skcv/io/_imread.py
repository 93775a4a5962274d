"""Read image files into channels-last numpy arrays (Pillow)."""

from __future__ import annotations

import numbers
import os
import struct
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
from joblib import Parallel, delayed
from PIL import Image, ImageOps

__all__ = ["IMAGE_EXTENSIONS", "ImageReadError", "imread", "imread_collection"]

# File suffixes that skcv treats as images when listing a folder (lower case).
IMAGE_EXTENSIONS = (
    ".bmp",
    ".gif",
    ".jpeg",
    ".jpg",
    ".pbm",
    ".pgm",
    ".png",
    ".ppm",
    ".tif",
    ".tiff",
    ".webp",
)

RESIZE_POLICIES = ("stretch", "crop", "pad")
ON_ERROR = ("raise", "skip")

# 8-bit Pillow modes -> the mode whose array imread returns when ``channels=None``
# (grey, RGB or RGBA; grey + alpha and palettes with transparency become RGBA).
_NATIVE_8BIT = {
    "1": "L",
    "L": "L",
    "P": "RGB",  # "RGBA" when the palette has a transparent entry
    "PA": "RGBA",
    "LA": "RGBA",
    "La": "RGBA",
    "RGB": "RGB",
    "RGBA": "RGBA",
    "RGBa": "RGBA",
    "RGBX": "RGB",
    "CMYK": "RGB",
    "YCbCr": "RGB",
    "HSV": "RGB",
}
_CHANNEL_MODES = {1: "L", 3: "RGB", 4: "RGBA"}
# Single-band modes deeper than 8 bits -> numpy dtype of the returned array.
_DEEP = {
    "I;16": np.uint16,
    "I;16L": np.uint16,
    "I;16B": np.uint16,
    "I;16N": np.uint16,
    "I": np.int32,
    "F": np.float32,
}
_ORIENTATION_TAG = 0x0112
# Exceptions that decoders raise on corrupt data (Pillow documents OSError,
# SyntaxError, ValueError, EOFError and struct.error; plugins also raise IndexError
# and KeyError on broken headers). Anything else is a bug and propagates.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
)


class ImageReadError(ValueError):
    """A file could not be decoded as an image (corrupt, truncated, not an image).

    The message names the file; the file's path is also in the attribute ``path``.

    Examples
    --------
    >>> from skcv.io import ImageReadError
    >>> issubclass(ImageReadError, ValueError)
    True
    """

    def __init__(self, message: str, path: str | os.PathLike | None = None):
        super().__init__(message)
        self.path = path


def _check_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if (
        isinstance(size, Sequence)
        and not isinstance(size, str)
        and len(size) == 2
        and all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in size
        )
        and min(size) >= 1
    ):
        return int(size[0]), int(size[1])
    raise ValueError(
        "size must be None, a positive int or a pair (height, width) of positive "
        f"ints; got {size!r}."
    )


def _check_channels(channels, as_grey) -> int | None:
    if not isinstance(as_grey, bool | np.bool_):
        raise TypeError(f"as_grey must be a bool; got {as_grey!r}.")
    if channels is not None and channels not in _CHANNEL_MODES:
        raise ValueError(f"channels must be None, 1, 3 or 4; got {channels!r}.")
    if as_grey:
        if channels not in (None, 1):
            raise ValueError(
                f"as_grey=True asks for 1 channel but channels={channels!r}; "
                "give one of them."
            )
        return 1
    return channels


def _check_choice(value, name, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}.")


def _check_path(path) -> str | os.PathLike:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"path must be a str or os.PathLike; got {type(path).__name__}: {path!r}."
        )
    # A numpy str (an entry of load_image_folder's filenames) is a plain str in
    # messages: 'a.jpg', not np.str_('a.jpg').
    return str(path) if isinstance(path, str) else path


def _intermediate_size(shape, size, resize) -> tuple[int, int]:
    """``(h, w)`` to resize to before a crop or pad gives exactly ``size``."""
    (H, W), (h, w) = shape, size
    if resize == "stretch":
        return h, w
    scale = max(h / H, w / W) if resize == "crop" else min(h / H, w / W)
    ih, iw = max(1, round(H * scale)), max(1, round(W * scale))
    if resize == "crop":
        return max(h, ih), max(w, iw)
    return min(h, ih), min(w, iw)


def _fit(arr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre-crop or zero-pad ``arr`` (already resized) to exactly ``size``."""
    if arr.shape[:2] == size:
        return arr
    h, w = size
    H, W = arr.shape[:2]
    if H > h or W > w:
        top, left = (H - h) // 2, (W - w) // 2
        arr = np.ascontiguousarray(arr[top : top + h, left : left + w])
    if H < h or W < w:
        out = np.zeros((h, w, *arr.shape[2:]), dtype=arr.dtype)
        top, left = (h - H) // 2, (w - W) // 2
        out[top : top + H, left : left + W] = arr
        arr = out
    return arr


def _deep_array(img: Image.Image, fmt: str | None, target) -> np.ndarray:
    """Array of a single-band image deeper than 8 bits (uint16, int32, float32).

    Resizing goes through Pillow's float mode, then rounds back to the dtype.
    """
    dtype = np.dtype(_DEEP[img.mode])
    if img.mode == "I" and fmt == "PNG":
        dtype = np.dtype(np.uint16)  # older Pillow opens 16-bit PNG as "I"
    arr = np.asarray(img)
    if target is not None and target != arr.shape:
        resized = Image.fromarray(arr.astype(np.float32), "F").resize(
            target[::-1], Image.Resampling.BILINEAR
        )
        arr = np.asarray(resized)
        if dtype.kind != "f":
            info = np.iinfo(dtype)
            arr = np.clip(np.rint(arr), info.min, info.max)
    return arr.astype(dtype)  # native byte order, owned and writeable


def _to_channels(arr: np.ndarray, channels: int | None) -> np.ndarray:
    """Replicate a single-band deep image to 3 or 4 channels (alpha opaque)."""
    if channels not in (3, 4):
        return arr
    out = np.repeat(arr[..., None], channels, axis=-1)
    if channels == 4:
        out[..., 3] = 1.0 if arr.dtype.kind == "f" else np.iinfo(arr.dtype).max
    return out


def _check_pixels(img: Image.Image, path) -> None:
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and img.size[0] * img.size[1] > limit:
        raise ImageReadError(_bomb_message(path, img.size, limit), path)


def _bomb_message(path, size, limit) -> str:
    shown = f" ({size[0]}x{size[1]} pixels)" if size else ""
    return (
        f"cannot read image {os.fspath(path)!r}{shown}: it exceeds Pillow's "
        f"decompression-bomb limit PIL.Image.MAX_IMAGE_PIXELS={limit}. If you trust "
        "the file, raise PIL.Image.MAX_IMAGE_PIXELS (None disables the check)."
    )


def _fast_jpeg():
    """Return the ``simplejpeg`` module if installed (``pip install 'skcv[fast]'``)."""
    global _SIMPLEJPEG
    if _SIMPLEJPEG is False:
        try:
            import simplejpeg
        except ImportError:
            simplejpeg = None
        _SIMPLEJPEG = simplejpeg
    return _SIMPLEJPEG


_SIMPLEJPEG = False  # not looked up yet; None once found missing

# EXIF orientation -> numpy operations that show the stored image upright (the
# same as PIL.ImageOps.exif_transpose).
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}


def _draft_scale(size, stored) -> int:
    """DCT scale (1, 2, 4 or 8) that Pillow's ``draft`` picks for ``stored``."""
    if stored is None:
        return 1
    most = min(size[0] // stored[0], size[1] // stored[1])
    return next((a for a in (8, 4, 2) if most >= a), 1)


def _decode_fast(fast, data: bytes, grey: bool, size, stored) -> np.ndarray:
    """Decode JPEG bytes with simplejpeg, as Pillow would (bit-identical).

    Both use libjpeg-turbo; the reduce-on-decode scale is Pillow's (1/2^k), and
    ``strict=True`` turns libjpeg's warnings (a truncated file) into errors.
    """
    scale = _draft_scale(size, stored)
    arr = fast.decode_jpeg(
        data,
        colorspace="GRAY" if grey else "RGB",
        min_height=-(-size[1] // scale),
        min_width=-(-size[0] // scale),
        min_factor=scale,
        strict=True,
    )
    return arr[..., 0] if grey else arr


def _decode(path, channels, size, resize) -> np.ndarray:
    with open(path, "rb") as fh:  # a missing file is a FileNotFoundError
        with Image.open(fh) as img:  # reads the header only
            _check_pixels(img, path)
            fmt = img.format
            orientation = img.getexif().get(_ORIENTATION_TAG, 1)
            if orientation not in _ORIENT:
                orientation = 1
            shape = img.size[::-1] if orientation < 5 else img.size
            target = None if size is None else _intermediate_size(shape, size, resize)
            # For JPEG: reduce on decode (DCT scaling) to no less than the target
            # (in the stored orientation), and decode only the luma plane for grey.
            stored = None if target is None else target[::-1]
            if stored is not None and orientation >= 5:
                stored = stored[::-1]
            grey = img.mode == "L" or (channels == 1 and img.mode == "RGB")
            fast = _fast_jpeg() if fmt == "JPEG" and img.mode in ("L", "RGB") else None
            if fast is not None:
                fh.seek(0)
                arr = _decode_fast(fast, fh.read(), grey, img.size, stored)
                if orientation != 1:
                    arr = _ORIENT[orientation](arr)
                return _finish_8bit(arr, None, channels, target, size)
            if fmt == "JPEG" and (grey or target is not None):
                img.draft("L" if grey else None, stored)
            img.load()  # full decode inside the try: a truncated file raises here
            if orientation != 1:
                img = ImageOps.exif_transpose(img)
            if img.mode in _DEEP:
                arr = _to_channels(_deep_array(img, fmt, target), channels)
                return _fit(arr, size) if size is not None else arr
            if img.mode not in _NATIVE_8BIT:
                raise ImageReadError(
                    f"cannot read image {os.fspath(path)!r}: Pillow mode "
                    f"{img.mode!r} is not supported.",
                    path,
                )
            mode = _NATIVE_8BIT[img.mode]
            if img.mode in ("P", "PA") and channels is None:
                if "transparency" in img.info or img.mode == "PA":
                    mode = "RGBA"
            if img.mode != mode:
                img = img.convert(mode)
            return _finish_8bit(None, img, channels, target, size)


def _finish_8bit(arr, img, channels, target, size) -> np.ndarray:
    """Convert channels, resize and fit an 8-bit image given as array or Pillow."""
    if img is None:
        img_mode = "L" if arr.ndim == 2 else "RGB"
    else:
        img_mode = img.mode
    mode = _CHANNEL_MODES.get(channels, img_mode)
    shape = arr.shape[:2] if img is None else img.size[::-1]
    if mode != img_mode or (target is not None and target != shape):
        img = Image.fromarray(arr) if img is None else img
        if mode != img.mode:
            img = img.convert(mode)
        if target is not None and target != shape:
            img = img.resize(target[::-1], Image.Resampling.BILINEAR)
        arr = None
    if arr is None:
        arr = np.array(img)  # a writeable copy
    elif not arr.flags.writeable or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr).copy()
    if size is not None and arr.shape[:2] != size:
        arr = _fit(arr, size)
    return arr


def _read(path, channels, size, resize) -> np.ndarray:
    """Decode one file; every decoder failure becomes an ImageReadError."""
    name = os.fspath(path)
    try:
        return _decode(path, channels, size, resize)
    except ImageReadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageReadError(
            _bomb_message(path, None, Image.MAX_IMAGE_PIXELS), path
        ) from exc
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except _DECODE_ERRORS as exc:  # what Pillow and simplejpeg raise on bad data
        reason = str(exc) or type(exc).__name__
        if "cannot identify image file" in reason:
            reason = "not an image file, or a format Pillow cannot read"
        raise ImageReadError(
            f"cannot read image {name!r}: {reason} (the file is corrupt, "
            "truncated or not an image).",
            path,
        ) from exc


def imread(
    path: str | os.PathLike,
    *,
    as_grey: bool = False,
    channels: int | None = None,
    size: int | tuple[int, int] | None = None,
    resize: str = "stretch",
    on_error: str = "raise",
) -> np.ndarray | None:
    """Read one image file into a channels-last numpy array.

    Decoding uses Pillow. The EXIF orientation is applied, so the array is the image
    as a viewer shows it. The whole file is decoded before anything is returned: a
    corrupt, truncated or non-image file raises :class:`ImageReadError` naming the
    file (Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` is never set by skcv).

    Parameters
    ----------
    path : str or os.PathLike
        The image file (any format Pillow reads: JPEG, PNG, TIFF, BMP, GIF, WebP...).
    as_grey : bool, default=False
        Return a grey image ``(H, W)``; the same as ``channels=1``. For JPEG files
        the luma plane is decoded directly (no colour conversion).
    channels : {None, 1, 3, 4}, default=None
        Channels of the result. None keeps the file's own: grey ``(H, W)``, RGB
        ``(H, W, 3)`` or, when the file has alpha, RGBA ``(H, W, 4)``. 1 gives grey
        (alpha dropped), 3 gives RGB (grey replicated, alpha dropped), 4 gives RGBA
        (opaque alpha added where the file has none).
    size : int or (height, width), default=None
        Output size; an int ``s`` means ``(s, s)``. None keeps the file's size. A
        JPEG asked for a smaller size is first reduced while decoding (by 1/2, 1/4
        or 1/8, never below the size asked), then resized exactly.
    resize : {"stretch", "crop", "pad"}, default="stretch"
        How ``size`` is reached. "stretch" resizes to ``size`` (the aspect ratio may
        change); "crop" keeps the aspect ratio, covers ``size`` and crops the centre;
        "pad" keeps the aspect ratio, fits inside ``size`` and pads with zeros.
        Resampling is Pillow's bilinear filter, antialiased when shrinking.
    on_error : {"raise", "skip"}, default="raise"
        What to do with a file that cannot be read: raise, or warn and return None.

    Returns
    -------
    image : ndarray of shape (H, W) or (H, W, C), or None
        The dtype follows the file: uint8 for 8-bit images (palette, CMYK and YCbCr
        files become RGB, grey+alpha becomes RGBA), uint16 for 16-bit grey PNG and
        TIFF, float32 for float TIFF, int32 for 32-bit integer TIFF. skcv's image
        validation scales unsigned integers by their range, so uint8 and uint16 both
        map to ``[0, 1]``. None only with ``on_error="skip"``.

    Raises
    ------
    ImageReadError
        A ``ValueError``: the file is corrupt, truncated, not an image, in an
        unsupported mode, or larger than ``PIL.Image.MAX_IMAGE_PIXELS``.
    FileNotFoundError
        The file does not exist (with ``on_error="raise"``).

    See Also
    --------
    imread_collection : Read many files, skipping the unreadable ones if asked.
    skcv.datasets.load_image_folder : A folder with one subfolder per class.

    Notes
    -----
    Pillow cannot hold 16-bit colour: a 48-bit RGB PNG is read as 8-bit RGB.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skcv.io import imread
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "red.png")
    >>> Image.new("RGB", (40, 30), (255, 0, 0)).save(path)
    >>> image = imread(path)
    >>> image.shape, image.dtype
    ((30, 40, 3), dtype('uint8'))
    >>> imread(path, as_grey=True, size=(15, 20)).shape
    (15, 20)
    >>> import shutil; shutil.rmtree(folder)
    """
    path = _check_path(path)
    channels = _check_channels(channels, as_grey)
    size = _check_size(size)
    _check_choice(resize, "resize", RESIZE_POLICIES)
    _check_choice(on_error, "on_error", ON_ERROR)
    try:
        return _read(path, channels, size, resize)
    except (ImageReadError, OSError) as exc:
        if on_error == "raise":
            raise
        _warn_skipped([str(exc)], 1)
        return None


def _warn_skipped(skipped: list[str], n_total: int) -> None:
    """One warning for the unreadable files; each reason names its file."""
    shown = "\n".join(f"  {reason}" for reason in skipped[:10])
    more = f"\n  ... and {len(skipped) - 10} more" if len(skipped) > 10 else ""
    warnings.warn(
        f"skipped {len(skipped)} of {n_total} image files that could not be "
        f"read:\n{shown}{more}",
        UserWarning,
        stacklevel=3,
    )


def _read_or_error(path, channels, size, resize):
    try:
        return _read(path, channels, size, resize), None
    except (ImageReadError, OSError) as exc:
        return None, exc


def imread_collection(
    paths: Iterable[str | os.PathLike],
    *,
    as_grey: bool = False,
    channels: int | None = None,
    size: int | tuple[int, int] | None = None,
    resize: str = "stretch",
    on_error: str = "raise",
    return_skipped: bool = False,
    n_jobs: int | None = None,
):
    """Read many image files; a stacked array when ``size`` is given.

    Every file is decoded completely before it joins the result, so a corrupt or
    truncated file never enters a batch half-read: it raises, or (with
    ``on_error="skip"``) it is left out and named in one warning.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        The image files, in the order of the result.
    as_grey, channels, size, resize
        As in :func:`imread`, applied to every file.
    on_error : {"raise", "skip"}, default="raise"
        "raise" stops at the first unreadable file with :class:`ImageReadError`
        (or ``FileNotFoundError``) naming it. "skip" leaves such files out and
        emits one ``UserWarning`` listing them with the reason.
    return_skipped : bool, default=False
        Also return the indices (into ``paths``) of the skipped files, so labels
        can be aligned with ``np.delete(y, skipped)``.
    n_jobs : int, default=None
        Files decoded in parallel threads (Pillow releases the GIL while decoding);
        None means 1, -1 all cores (joblib's convention).

    Returns
    -------
    images : list of ndarray, or ndarray of shape (n, height, width[, C])
        A list when ``size`` is None (images may differ in size, channels and
        dtype). With ``size``, one array; the files must then agree in channels and
        dtype (give ``channels=`` or ``as_grey=True`` for a folder that mixes grey
        and colour), or a ``ValueError`` names the first file that differs.
    skipped : list of int
        Only when ``return_skipped=True``.

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> from skcv.io import imread_collection
    >>> folder = tempfile.mkdtemp()
    >>> paths = [os.path.join(folder, f"{i}.png") for i in range(3)]
    >>> for i, path in enumerate(paths):
    ...     Image.new("RGB", (10 + i, 8), (0, 80 * i, 0)).save(path)
    >>> [image.shape for image in imread_collection(paths)]
    [(8, 10, 3), (8, 11, 3), (8, 12, 3)]
    >>> imread_collection(paths, size=(4, 4), as_grey=True).shape
    (3, 4, 4)
    >>> import shutil; shutil.rmtree(folder)
    """
    if isinstance(paths, str | os.PathLike):
        raise TypeError(
            "paths must be an iterable of file paths; got a single path "
            f"{paths!r} (use imread for one file)."
        )
    paths = [_check_path(p) for p in paths]
    channels = _check_channels(channels, as_grey)
    size = _check_size(size)
    _check_choice(resize, "resize", RESIZE_POLICIES)
    _check_choice(on_error, "on_error", ON_ERROR)
    if on_error == "raise" and (n_jobs is None or n_jobs == 1):
        results = [(_read(p, channels, size, resize), None) for p in paths]
    else:
        results = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(_read_or_error)(p, channels, size, resize) for p in paths
        )
    images, skipped, reasons = [], [], []
    for i, (image, exc) in enumerate(results):
        if exc is None:
            images.append(image)
        elif on_error == "raise":
            raise exc
        else:
            skipped.append(i)
            reasons.append(str(exc))
    if reasons:
        _warn_skipped(reasons, len(paths))
    if size is not None:
        dropped = set(skipped)
        images = _stack(images, [p for i, p in enumerate(paths) if i not in dropped])
    return (images, skipped) if return_skipped else images


def _stack(images: list[np.ndarray], paths: list) -> np.ndarray:
    if not images:
        raise ValueError("no image could be read: paths is empty or all were skipped.")
    first = images[0]
    for image, path in zip(images, paths, strict=True):
        if image.shape != first.shape or image.dtype != first.dtype:
            raise ValueError(
                f"cannot stack {os.fspath(path)!r} (shape {image.shape}, dtype "
                f"{image.dtype}) with {os.fspath(paths[0])!r} (shape {first.shape}, "
                f"dtype {first.dtype}); give channels= (or as_grey=True) so that "
                "every file has the same channels, or size=None for a list."
            )
    return np.stack(images)
