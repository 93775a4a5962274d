"""File paths as training data of the torch engine: decoded batch by batch.

The torch estimators (:class:`~skcv.cnn.CNNClassifier`, ``FCNSegmenter``,
``ObjectLocalizer``) take image files (and mask files) as the fourth input form
of :mod:`skcv.base`. Their ``fit`` never holds more than a few batches of
decoded images, however many files there are:

1. a header pass (Pillow opens each file and reads its size, mode and EXIF
   orientation; pixels are not decoded) gives the image shape and the channels
   of the fit, by the channel rule of :mod:`skcv.utils._validation` (a folder
   mixing grey, RGB and RGBA files trains on RGB);
2. a :class:`FileColumn` stands for the decoded images (or masks): ``take``
   selects files (the early-stopping split), ``batch`` decodes a few;
3. :class:`BatchLoader` decodes each batch of the engine's shuffled order with
   :func:`skcv.io.imread` (size policy ``image_size`` + ``resize``) in
   ``num_workers`` DataLoader processes, with pinned memory and
   ``prefetch_factor`` batches in flight per worker when a GPU is present; the
   engine's augmentation then runs on the decoded batch, on the device;
4. the per-channel normalisation statistics are those of a bounded sample: at
   most :data:`STATS_SAMPLE` files, evenly spaced over the list, read in a
   streaming pass (:class:`ChannelMoments`). With up to that many files they
   are the statistics of all of them, as for an in-memory array;
5. a :class:`DecodeCache` (``file_cache``) keeps the 8-bit images the first
   epoch decodes in a temporary file, so that later epochs read a few
   kilobytes per image instead of decoding a JPEG: a small network at a small
   size (LeNet-5 at 32x32 trains in less time than a 256x256 JPEG takes to
   decode) then trains from files about as fast as from an array. The file is
   on disk, read back batch by batch (``os.preadv``): memory does not grow with
   the number of files.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile

import numpy as np
import torch
from PIL import Image

from skcv.io import ImageReadError, imread
from skcv.utils._validation import _as_float, _convert_last_axis, check_image

__all__ = [
    "CACHE_LIMIT",
    "STATS_SAMPLE",
    "BatchLoader",
    "ChannelMoments",
    "DecodeCache",
    "FileColumn",
    "read_headers",
    "read_image_file",
    "read_mask_file",
]

#: Files read for the normalisation statistics (evenly spaced over the list).
STATS_SAMPLE = 2048
#: Images per chunk of the statistics (fixed, so arrays and files agree exactly).
STATS_CHUNK = 256
#: Batches decoded ahead per DataLoader worker.
PREFETCH = 2
#: Largest decoded training set (bytes) that ``file_cache="auto"`` keeps on disk.
CACHE_LIMIT = 4 << 30
#: Folder of the decode caches (None: :func:`tempfile.gettempdir`, ``$TMPDIR``).
CACHE_DIR = None


def cache_root() -> str:
    """Return the folder where decode caches are made."""
    return CACHE_DIR if CACHE_DIR is not None else tempfile.gettempdir()


# --------------------------------------------------------------------- headers
def _header(path) -> tuple[tuple[int, int], int]:
    """``((H, W), channel key)`` of one file as :func:`skcv.io.imread` reads it.

    The channel key is 0 (grey), 3 (RGB) or 4 (RGBA). Only the header is read
    (PNG EXIF after the pixel data is missed: the decoded shape is checked again).
    """
    from skcv.io._imread import _DEEP, _NATIVE_8BIT, _ORIENTATION_TAG

    try:
        with Image.open(path) as img:
            mode, (w, h), info = img.mode, img.size, img.info
            if img.format == "PNG":  # its getexif() decodes the whole file
                exif = Image.Exif()
                if info.get("exif"):
                    exif.load(info["exif"])
            else:
                exif = img.getexif()
            orientation = exif.get(_ORIENTATION_TAG, 1)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except Exception:
        imread(path)  # raises the ImageReadError that names the file
        raise
    if mode in _DEEP:
        key = 0
    elif mode in _NATIVE_8BIT:
        native = _NATIVE_8BIT[mode]
        if mode == "PA" or (mode == "P" and "transparency" in info):
            native = "RGBA"
        key = {"L": 0, "RGB": 3, "RGBA": 4}[native]
    else:
        imread(path)  # unsupported mode: imread's error names the file
        key = 3
    return ((w, h) if orientation in (5, 6, 7, 8) else (h, w)), key


def read_headers(paths) -> tuple[list[tuple[int, int]], set[int]]:
    """Sizes (as decoded) and the set of channel keys of image files."""
    sizes, keys = [], set()
    for path in paths:
        size, key = _header(path)
        sizes.append(size)
        keys.add(key)
    return sizes, keys


# --------------------------------------------------------------------- readers
def read_image_file(path, *, size, resize, channels, shape) -> np.ndarray:
    """Decode one image file as the in-memory form would hold it.

    :func:`skcv.io.imread` under the size policy, the dtype rule, then the
    channel rule to ``channels`` (an 8-bit file that already has them stays
    uint8: :meth:`FileColumn.arrays` scales whole batches); a file that
    decodes to another ``shape`` (an image of another size in a fit without
    ``resize``) raises a ValueError naming it.
    """
    name = os.fspath(path)
    arr = imread(path, size=size, resize=resize or "stretch")
    if arr.dtype != np.uint8 or arr.shape != tuple(shape):
        arr = check_image(arr, name=f"the image file {name!r}", channel_axis=-1)
        arr = _convert_last_axis(arr, arr.ndim == 3, channels)
    # else: 8-bit with the channels asked for; FileColumn.batch scales the batch
    if arr.shape != tuple(shape):
        raise ValueError(
            f"the image file {name!r} decodes to shape {arr.shape}, but the images "
            f"of this estimator have shape {tuple(shape)}; bring files of other "
            "sizes to one size with image_size and resize (CNNClassifier), or "
            "resize the files."
        )
    return arr if arr.dtype == np.uint8 else np.asarray(arr, dtype=np.float32)


def read_mask_file(path, *, shape=None) -> np.ndarray:
    """Decode a label mask file: one label per pixel, as stored (int64).

    Single-band files only: 8-bit grey ("L"), palette ("P": the palette
    indices are the labels, as in PASCAL VOC), 1-bit, 16- and 32-bit integer.
    A colour mask, a corrupt file or (with ``shape``) a mask of another size
    raises a ValueError naming the file.
    """
    name = os.fspath(path)
    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            if mode not in ("1", "L", "P", "I", "I;16", "I;16L", "I;16B", "I;16N"):
                raise ValueError(
                    f"the mask file {name!r} has Pillow mode {mode!r}; a mask must "
                    "be a single-band image of labels (grey 'L', palette 'P' or "
                    "16/32-bit integer), not colour."
                )
            arr = np.asarray(img).astype(np.int64)
    except (FileNotFoundError, IsADirectoryError, PermissionError, ValueError):
        raise
    except Exception as exc:
        raise ImageReadError(
            f"cannot read mask {name!r}: {exc} (the file is corrupt, truncated or "
            "not an image).",
            path,
        ) from exc
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(
            f"the mask file {name!r} has shape {arr.shape}; its image has shape "
            f"{tuple(shape)} (one label per pixel)."
        )
    return arr


# ---------------------------------------------------------------------- column
class FileColumn:
    """A data column (images or masks) held as file paths, decoded on demand.

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        One file per sample.
    read : callable
        ``read(path) -> ndarray`` of shape ``item_shape`` (picklable, for the
        DataLoader workers).
    item_shape : tuple of int
        Shape of one decoded sample.
    image : bool
        Images (batches become NCHW float32 tensors, channels-last memory) or
        masks (batches become tensors of the decoded dtype).
    """

    def __init__(self, paths, read, item_shape, *, image=True):
        # Fixed-width strings, not a list of str objects: DataLoader workers
        # touching Python objects would copy their pages (copy on write).
        self.paths = np.asarray([os.fspath(p) for p in paths], dtype=str)
        self.read = read
        self.item_shape = tuple(item_shape)
        self.image = image
        self.cache = None  # a DecodeCache, set by the engine for a fit

    @property
    def shape(self):
        return (len(self.paths), *self.item_shape)

    @property
    def ndim(self):
        return 1 + len(self.item_shape)

    def __len__(self):
        return len(self.paths)

    def take(self, index) -> FileColumn:
        """Return the column of the files at ``index`` (nothing is decoded)."""
        index = np.asarray(index, dtype=np.int64)
        return FileColumn(
            self.paths[index], self.read, self.item_shape, image=self.image
        )

    def batch(self, index) -> torch.Tensor:
        """Decode the files at ``index`` into one tensor."""
        arr = self.arrays(index)
        if not self.image:
            return torch.from_numpy(arr)
        if arr.ndim == 3:
            arr = arr[..., None]
        return torch.from_numpy(arr).permute(0, 3, 1, 2)  # NCHW, channels last

    def arrays(self, index) -> np.ndarray:
        """Decode the files at ``index`` into one NHWC (or NHW) array.

        Images are float32 by the dtype rule; 8-bit files are scaled once per
        batch (the values of a per-image conversion). With a :attr:`cache`,
        images already in it are read from it (the same values), and the 8-bit
        images decoded here are written to it.
        """
        cache = self.cache
        if cache is not None and cache.holds(index):
            return _as_float(cache.read(index), "X")
        items = [self.read(str(self.paths[i])) for i in index]
        if not self.image:
            return np.stack(items)
        if all(item.dtype == np.uint8 for item in items):
            batch = np.stack(items)
            if cache is not None:
                cache.write(index, batch)
            return _as_float(batch, "X")
        return np.stack([_as_float(item, "X") for item in items])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("a FileColumn decodes slices; use take() to select files")
        return self.batch(range(len(self))[index])


class DecodeCache:
    """The 8-bit decoded images of a :class:`FileColumn`, in a temporary file.

    One file holds ``n`` images of ``item_shape`` (uint8) and then one flag
    byte per image. Whoever decodes an 8-bit image (the main process or a
    DataLoader worker) writes it at its offset and then sets its flag
    (``os.pwrite``: processes never write the same bytes), so the first pass
    over the files fills the cache and later passes read from it. Images that
    are not 8-bit (16-bit files) are not cached: they are decoded every time.

    Parameters
    ----------
    n : int
        Number of images.
    item_shape : tuple of int
        Shape of one decoded image.
    directory : str, default=None
        Where the temporary folder goes (default: :func:`cache_root`, that is
        :func:`tempfile.gettempdir`, ``$TMPDIR``).

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.cnn._streaming import DecodeCache
    >>> cache = DecodeCache(4, (2, 2, 3))
    >>> cache.holds([0, 1])
    False
    >>> cache.write([1, 0], np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3))
    >>> cache.holds([0, 1]), int(cache.read([0])[0, 0, 0, 0])
    (True, 12)
    >>> cache.close()
    """

    def __init__(self, n, item_shape, directory=None):
        self.n = int(n)
        self.item_shape = tuple(int(s) for s in item_shape)
        self.item_bytes = int(np.prod(self.item_shape))
        root = directory if directory is not None else cache_root()
        self.directory = tempfile.mkdtemp(prefix="skcv-decoded-", dir=root)
        self.path = os.path.join(self.directory, "images.u8")
        with open(self.path, "wb") as f:  # sparse: no disk used until written
            f.truncate(self.n * (self.item_bytes + 1))
        self._fd, self._pid, self._full = None, None, False

    @staticmethod
    def nbytes(n, item_shape) -> int:
        """Disk bytes of a cache of ``n`` images of ``item_shape``."""
        return int(n) * (int(np.prod(item_shape)) + 1)

    def __getstate__(self):  # a worker process opens its own descriptor
        return {**self.__dict__, "_fd": None, "_pid": None}

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._fd, self._pid = os.open(self.path, os.O_RDWR), os.getpid()
        return self._fd

    def holds(self, index) -> bool:
        """Whether every image at ``index`` has been written."""
        if self._full:
            return True
        flags = os.pread(self._file(), self.n, self.n * self.item_bytes)
        flags = np.frombuffer(flags, dtype=np.uint8)
        if len(flags) == self.n and flags.all():
            self._full = True
        return len(flags) == self.n and bool(flags[np.asarray(index, int)].all())

    def write(self, index, images) -> None:
        """Write the uint8 ``images`` (one per index), then their flags."""
        fd = self._file()
        for i, image in zip(index, images, strict=True):
            os.pwrite(fd, np.ascontiguousarray(image).data, int(i) * self.item_bytes)
        for i in index:
            os.pwrite(fd, b"\x01", self.n * self.item_bytes + int(i))

    def read(self, index) -> np.ndarray:
        """Return the images at ``index`` as uint8, ``(len(index), *item_shape)``."""
        fd = self._file()
        out = np.empty((len(index), self.item_bytes), dtype=np.uint8)
        for row, i in zip(out, index, strict=True):
            if os.preadv(fd, [row], int(i) * self.item_bytes) != self.item_bytes:
                raise OSError(f"the decode cache {self.path!r} was truncated")
        return out.reshape(len(index), *self.item_shape)

    def close(self) -> None:
        """Delete the file (also safe while workers still hold it open)."""
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
        shutil.rmtree(self.directory, ignore_errors=True)


def image_column(paths, *, size, resize, channels, item_shape) -> FileColumn:
    """Return a :class:`FileColumn` of images read by :func:`read_image_file`."""
    read = functools.partial(
        read_image_file, size=size, resize=resize, channels=channels, shape=item_shape
    )
    return FileColumn(paths, read, item_shape)


def mask_column(paths, item_shape) -> FileColumn:
    """Return a :class:`FileColumn` of masks read by :func:`read_mask_file`."""
    read = functools.partial(read_mask_file, shape=item_shape)
    return FileColumn(paths, read, item_shape, image=False)


# ---------------------------------------------------------------------- loader
class _Failure:
    """An exception raised in a worker, carried to the main process intact."""

    def __init__(self, exc):
        self.type, self.message = type(exc), str(exc)
        self.path = getattr(exc, "path", None)

    def reraise(self):
        if issubclass(self.type, ImageReadError):
            raise ImageReadError(self.message, self.path)
        raise self.type(self.message)


class _Columns(torch.utils.data.Dataset):
    """Index a batch (a list of sample indices) of every column at once."""

    def __init__(self, columns):
        self.columns = columns

    def __len__(self):
        return len(self.columns[0])

    def __getitem__(self, index):
        try:
            return tuple(
                c.batch(index)
                if isinstance(c, FileColumn)
                else c[torch.as_tensor(index)]
                for c in self.columns
            )
        except (ValueError, OSError) as exc:  # ImageReadError is a ValueError
            if torch.utils.data.get_worker_info() is None:
                raise
            return _Failure(exc)


class _Plan:
    """The sampler of a :class:`BatchLoader`: the batches of the current pass."""

    def __init__(self):
        self.batches = []

    def __iter__(self):
        return iter(self.batches)

    def __len__(self):
        return len(self.batches)


class BatchLoader:
    """Decode batches of columns (FileColumns and CPU tensors) in workers.

    One DataLoader serves every pass (epoch) of a fit: its ``num_workers``
    processes start once and stay until :meth:`close`, each keeping
    ``PREFETCH`` batches in flight.

    Parameters
    ----------
    columns : sequence of FileColumn or torch.Tensor
        Sample-aligned columns; tensors are indexed, FileColumns decoded.
    num_workers : int
        DataLoader worker processes (0: decode in this process).
    pin_memory : bool
        Page-locked batches, for asynchronous copies to a GPU.
    """

    def __init__(self, columns, num_workers=0, pin_memory=False):
        self._plan = _Plan()
        extra = {}
        if num_workers:
            extra = {"prefetch_factor": PREFETCH, "persistent_workers": True}
        self._loader = torch.utils.data.DataLoader(
            _Columns(tuple(columns)),
            batch_size=None,
            sampler=self._plan,
            num_workers=int(num_workers),
            pin_memory=bool(pin_memory),
            # Its own generator: the worker seeds it draws must not advance the
            # global torch stream (initialisation, dropout) of the fit.
            generator=torch.Generator(),
            **extra,
        )

    def __call__(self, batches):
        """Yield the tuple of column batches of each index list in ``batches``."""
        self._plan.batches = [list(map(int, b)) for b in batches]
        if not self._plan.batches:
            return
        for batch in self._loader:
            if isinstance(batch, _Failure):
                batch.reraise()
            yield batch

    def close(self):
        """Stop the worker processes (also done when the loader is collected)."""
        iterator = getattr(self._loader, "_iterator", None)
        if iterator is not None and hasattr(iterator, "_shutdown_workers"):
            iterator._shutdown_workers()
        self._loader._iterator = None


def chunks(n: int, size: int) -> list[range]:
    """Consecutive index ranges of ``size`` covering ``range(n)``."""
    return [range(s, min(s + size, n)) for s in range(0, n, size)]


# ------------------------------------------------------------------ statistics
class ChannelMoments:
    """Per-channel mean and variance of NHWC batches, merged exactly (Chan et al.).

    Each batch contributes its float64 mean and sum of squared deviations; the
    merge is exact in real arithmetic, so the result does not depend on how the
    images are batched beyond float64 rounding.
    """

    def __init__(self):
        self.count = 0
        self.mean = None
        self.m2 = None

    def update(self, x: np.ndarray) -> None:
        flat = x.reshape(-1, x.shape[-1])
        m = flat.shape[0]
        mean = flat.mean(axis=0, dtype=np.float64)
        m2 = np.square(flat - mean).sum(axis=0)
        if self.mean is None:
            self.count, self.mean, self.m2 = m, mean, m2
            return
        n = self.count
        delta = mean - self.mean
        total = n + m
        self.mean = self.mean + delta * (m / total)
        self.m2 = self.m2 + m2 + delta**2 * (n * m / total)
        self.count = total

    def result(self):
        """``(mean, std)`` as float32; a constant channel gets std 1."""
        std = np.sqrt(self.m2 / self.count)
        std = np.where(std > 1e-8, std, 1.0)
        return self.mean.astype(np.float32), std.astype(np.float32)


def stats_sample(n: int, limit: int = STATS_SAMPLE) -> np.ndarray:
    """Return at most ``limit`` indices, evenly spaced over ``range(n)``."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))
