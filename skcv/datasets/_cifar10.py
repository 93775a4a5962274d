"""CIFAR-10 from the standard ``cifar-10-batches-py`` files, unpickled safely."""

from __future__ import annotations

import codecs
import hashlib
import http.client
import io
import math
import os
import pickle
import shutil
import struct
import tarfile
import urllib.request
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from skcv.utils._sklearn import StrOptions, validate_params

__all__ = ["get_data_home", "load_cifar10"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
_FOLDER = "cifar-10-batches-py"
_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST = ("test_batch",)
_META = "batches.meta"

# Patched by the tests to serve a local archive: never reach the network there.
_urlopen = urllib.request.urlopen
#: Seconds a connection attempt or a single read may stall before the download
#: fails (a stalled server must not hang a fit or a benchmark forever).
DOWNLOAD_TIMEOUT = 60


def get_data_home(data_home=None) -> Path:
    """Return the folder that holds skcv's downloaded data sets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder. None uses the environment variable ``SKCV_DATA`` when set,
        otherwise ``~/skcv_data``.

    Returns
    -------
    data_home : pathlib.Path
        The folder, with ``~`` expanded (it is not created).

    Examples
    --------
    >>> from skcv.datasets import get_data_home
    >>> get_data_home("/tmp/skcv").as_posix()
    '/tmp/skcv'
    """
    if data_home is None:
        data_home = os.environ.get("SKCV_DATA") or Path("~", "skcv_data")
    return Path(data_home).expanduser()


class _Refused(pickle.UnpicklingError):
    """A pickle refused by the checks below (not merely malformed)."""


def _encode_latin1(obj, encoding="utf-8", errors="strict"):
    """``_codecs.encode`` as pickled by Python 3 for bytes (latin-1 only)."""
    if encoding not in ("latin1", "latin-1") or not isinstance(obj, str):
        raise _Refused(
            f"refusing codecs.encode with encoding={encoding!r}: CIFAR-10 files "
            "only use it to rebuild bytes from latin-1 text."
        )
    return codecs.encode(obj, encoding, errors)


def _text(value):
    """Return a Python 2 ``str`` (loaded as bytes) or a Python 3 ``str`` as str."""
    return value.decode("latin-1") if isinstance(value, bytes) else value


#: The dtypes an array of a batch may have: ``data`` is uint8; labels saved as
#: an array (files rewritten by Python 3) are integers.
_ARRAY_DTYPES = frozenset(f"{kind}{size}" for kind in "ui" for size in (1, 2, 4, 8))


class _Dtype:
    """``numpy.dtype(spec, False, True)`` while a batch loads (a plain integer dtype).

    Pickles rebuild a dtype as ``dtype(spec, align=False, copy=True)`` followed
    by a BUILD with its state ``(3, byteorder, None, None, None, -1, -1, 0)``;
    only that, for the integer dtypes of :data:`_ARRAY_DTYPES`, is accepted.
    """

    def __init__(self, spec, align=False, copy=False):
        spec = _text(spec)
        if (
            not isinstance(spec, str)
            or spec not in _ARRAY_DTYPES
            or align not in (0, False)
            or copy not in (1, True)
        ):
            raise _Refused(
                f"refusing numpy.dtype{(spec, align, copy)!r}: a CIFAR-10 batch "
                "only holds uint8 images and integer labels."
            )
        self.base = np.dtype(spec)
        self.dtype = None  # set by BUILD

    def __setstate__(self, state):
        byteorders = ("|",) if self.base.itemsize == 1 else ("<", ">", "=")
        if (
            not isinstance(state, tuple)
            or len(state) != 8
            or state[0] != 3
            or _text(state[1]) not in byteorders
            or state[2:] != (None, None, None, -1, -1, 0)
        ):
            raise _Refused(
                f"refusing the state {state!r} of numpy.dtype({self.base.str!r}): "
                "it is not that of a plain integer dtype."
            )
        order = _text(state[1])
        self.dtype = self.base if order == "|" else self.base.newbyteorder(order)


class _NdarrayName:
    """``numpy.ndarray``: only the first argument of numpy's ``_reconstruct``.

    Calling it would allocate an array of any shape filled with whatever the
    memory held (a 115-byte file could claim gigabytes of images).
    """

    def __call__(self, *args, **kwargs):
        raise _Refused(
            "refusing to call numpy.ndarray: CIFAR-10 files rebuild arrays with "
            "numpy's _reconstruct and their bytes, never with the constructor."
        )


_NDARRAY = _NdarrayName()


class _Array:
    """The object ``_reconstruct`` returns; the BUILD that follows fills it.

    The state ``(1, shape, dtype, is_fortran, rawdata)`` is checked before any
    array exists: ``rawdata`` must hold exactly ``prod(shape) * itemsize``
    bytes, so the array is a view of bytes actually present in the file.
    """

    def __init__(self):
        self.array = None

    def __setstate__(self, state):
        ok = isinstance(state, tuple) and len(state) == 5 and state[0] == 1
        shape, dtype, fortran, raw = state[1:] if ok else (None,) * 4
        ok = (
            ok
            and isinstance(shape, tuple)
            and len(shape) in (1, 2)
            and all(type(d) is int and d >= 0 for d in shape)
            and isinstance(dtype, _Dtype)
            and dtype.dtype is not None
            and fortran in (0, False)
            and isinstance(raw, bytes)
        )
        if not ok:
            raise _Refused(
                "refusing an array state that is not (1, shape, integer dtype, "
                "False, bytes) with a 1-D or 2-D shape."
            )
        expected = math.prod(shape) * dtype.dtype.itemsize
        if len(raw) != expected:
            raise _Refused(
                f"an array claims shape {shape} of {dtype.dtype} ({expected} bytes) "
                f"but the file holds {len(raw)} bytes for it."
            )
        self.array = np.frombuffer(raw, dtype=dtype.dtype).reshape(shape)


def _reconstruct(subtype, shape, typecode):
    """Stand in for numpy's ``_reconstruct(ndarray, (0,), b"b")`` (see _Array)."""
    if subtype is not _NDARRAY or shape != (0,) or _text(typecode) != "b":
        raise _Refused(
            f"refusing numpy _reconstruct{(subtype, shape, typecode)!r}: CIFAR-10 "
            "files only call it as _reconstruct(numpy.ndarray, (0,), b'b')."
        )
    return _Array()


# The only globals a CIFAR-10 batch (Python 2 pickle of numpy arrays, or the
# same written by Python 3 with protocol 2 to 4) refers to.
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _Dtype,
    ("_codecs", "encode"): _encode_latin1,
    ("codecs", "encode"): _encode_latin1,
}


def _refused_opcode(name):
    def refuse(unpickler):
        raise _Refused(
            f"refusing the pickle opcode {name}: CIFAR-10 files never use it."
        )

    return refuse


class _RestrictedUnpickler(pickle._Unpickler):
    """Unpickler that resolves only the globals listed in ``_ALLOWED_GLOBALS``.

    A pickle can call any importable callable while it loads (``os.system``,
    ``builtins.eval``...). CIFAR-10 batches only need numpy's array
    reconstruction path (``_reconstruct(ndarray, (0,), b"b")`` then its state),
    ``numpy.dtype`` and latin-1 encoding, so everything else is refused before it
    is imported, and those three are stand-ins that accept only the arguments
    real files use (see :class:`_Array`).

    It is the pure-Python unpickler (as fast here: a batch is a few thousand
    opcodes and one large string): it never allocates more than a read returns,
    whereas the C one allocates the length a BINBYTES opcode claims before
    reading it (4 GiB from a 9-byte file). Opcodes that allocate first or reach
    outside the pickle (out-of-band buffers, persistent ids, the extension
    registry) are refused.
    """

    dispatch = {
        **pickle._Unpickler.dispatch,
        **{
            op[0]: _refused_opcode(name)
            for name, op in [
                ("BYTEARRAY8", pickle.BYTEARRAY8),
                ("NEXT_BUFFER", pickle.NEXT_BUFFER),
                ("READONLY_BUFFER", pickle.READONLY_BUFFER),
                ("PERSID", pickle.PERSID),
                ("BINPERSID", pickle.BINPERSID),
                ("EXT1", pickle.EXT1),
                ("EXT2", pickle.EXT2),
                ("EXT4", pickle.EXT4),
            ]
        },
    }

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise _Refused(
                f"refusing to load global {module}.{name}: a CIFAR-10 batch file "
                "only contains numpy arrays, lists and strings, so this file is "
                "corrupt or malicious."
            ) from None


def _loads(payload: bytes, source) -> object:
    """Unpickle ``payload`` with the CIFAR-10 restrictions; errors name ``source``.

    Arrays come back as numpy arrays (read-only views of the payload); dict keys
    stay as pickled (Python 2 ``str`` as bytes).
    """
    if not payload:
        raise pickle.UnpicklingError(
            f"{source} is empty: not a CIFAR-10 batch (re-extract the archive)."
        )
    try:
        obj = _RestrictedUnpickler(io.BytesIO(payload), encoding="bytes").load()
    except (EOFError, IndexError, struct.error, pickle.UnpicklingError) as exc:
        # The pure-Python unpickler reports a short read in any of these ways.
        if not isinstance(exc, pickle.UnpicklingError) or "truncated" in str(exc):
            raise pickle.UnpicklingError(
                f"{source} is truncated ({len(payload)} bytes): not a complete "
                "CIFAR-10 batch (re-extract the archive)."
            ) from exc
        if isinstance(exc, _Refused):
            raise pickle.UnpicklingError(f"{source}: {exc}") from exc
        raise pickle.UnpicklingError(
            f"{source} is not a readable CIFAR-10 batch: {exc}"
        ) from exc
    except Exception as exc:  # any malformed pickle: a clear error naming the file
        raise pickle.UnpicklingError(
            f"{source} is not a readable CIFAR-10 batch: {type(exc).__name__}: {exc}"
        ) from exc

    def unwrap(value):
        return value.array if isinstance(value, _Array) else value

    if isinstance(obj, dict):
        return {key: unwrap(value) for key, value in obj.items()}
    return unwrap(obj)


def _safe_load(path: Path) -> dict:
    """Load one batch file with the restricted unpickler (keys decoded to str)."""
    obj = _loads(path.read_bytes(), path)
    if not isinstance(obj, dict):
        raise ValueError(f"{path} is not a CIFAR-10 batch: expected a dict.")
    return {_text(k): v for k, v in obj.items()}


def _load_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    batch = _safe_load(path)
    data, labels = batch.get("data"), batch.get("labels")
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != 3072
        or data.shape[0] == 0
    ):
        got = (
            f"{data.dtype} of shape {data.shape}"
            if isinstance(data, np.ndarray)
            else ("nothing" if data is None else type(data).__name__)
        )
        raise ValueError(
            f"{path} is not a CIFAR-10 batch: expected 'data' uint8 of shape "
            f"(n, 3072) with n >= 1; got {got}."
        )
    n = data.shape[0]
    if (
        isinstance(labels, np.ndarray)
        and labels.ndim == 1
        and labels.dtype.kind in "ui"
    ):
        bad = labels[(labels < 0) | (labels > 9)]
    elif isinstance(labels, list) and all(type(v) is int for v in labels):
        bad = [v for v in labels if not 0 <= v <= 9]
    else:
        raise ValueError(
            f"{path} is not a CIFAR-10 batch: expected 'labels' as a list of "
            f"integers; got {'nothing' if labels is None else type(labels).__name__}."
        )
    if len(labels) != n:
        raise ValueError(
            f"{path} is not a CIFAR-10 batch: 'data' holds {n} images but "
            f"'labels' holds {len(labels)} labels."
        )
    if len(bad):
        raise ValueError(
            f"{path} is not a CIFAR-10 batch: labels must be integers in 0..9; got "
            f"{[int(v) for v in bad[:5]]} (first bad values)."
        )
    # Rows are channel-planar (1024 red, 1024 green, 1024 blue): to NHWC.
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, np.asarray(labels, dtype=np.int64)


def _missing_message(folder: Path) -> str:
    return (
        f"CIFAR-10 not found: {folder} does not exist or lacks the batch files. "
        f"Either pass download=True to fetch {CIFAR10_URL} (163 MB) into "
        f"{folder.parent}, or download and extract that archive yourself so that "
        f"{folder} holds data_batch_1..5, test_batch and batches.meta; the folder "
        "above it is data_home (default: $SKCV_DATA, else ~/skcv_data)."
    )


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _safe_extract(archive: Path, data_home: Path) -> None:
    """Extract the batch files of the archive, refusing unsafe members.

    Only regular files and folders under ``cifar-10-batches-py/`` are allowed (no
    absolute paths, no ``..``, no links or devices).
    """
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for m in members:
            parts = Path(m.name).parts
            if (
                Path(m.name).is_absolute()
                or ".." in parts
                or not parts
                or parts[0] != _FOLDER
                or not (m.isfile() or m.isdir())
            ):
                raise ValueError(
                    f"refusing to extract {m.name!r} from {archive}: the CIFAR-10 "
                    f"archive only holds regular files under {_FOLDER}/."
                )
        try:
            tar.extractall(data_home, members=members, filter="data")
        except TypeError:  # Python < 3.10.12 / 3.11.4: no extraction filters;
            # the member checks above already refuse what filter="data" would.
            tar.extractall(data_home, members=members)


def _download(data_home: Path) -> None:
    data_home.mkdir(parents=True, exist_ok=True)
    archive = data_home / "cifar-10-python.tar.gz"
    partial = archive.with_suffix(".part")
    try:
        with (
            _urlopen(CIFAR10_URL, timeout=DOWNLOAD_TIMEOUT) as response,
            open(partial, "wb") as f,
        ):
            shutil.copyfileobj(response, f, length=1 << 20)
    except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts,
        # disk errors, a connection cut mid-transfer (IncompleteRead)
        partial.unlink(missing_ok=True)
        raise OSError(
            f"downloading {CIFAR10_URL} failed ({exc}); no partial file was kept. "
            "Retry, or place cifar-10-batches-py/ under data_home by hand."
        ) from exc
    md5 = _md5(partial)
    if md5 != CIFAR10_MD5:
        partial.unlink()
        raise OSError(
            f"MD5 mismatch for {CIFAR10_URL}: expected {CIFAR10_MD5}, got {md5}; "
            "the download is corrupt or was tampered with (file removed)."
        )
    partial.replace(archive)
    _safe_extract(archive, data_home)
    archive.unlink()


DESCR = """CIFAR-10 (Krizhevsky, 2009)
--------------------------
60,000 colour images of 32 x 32 pixels in 10 classes (6,000 per class):
50,000 training images (data_batch_1..5) and 10,000 test images (test_batch).
Images are uint8, channels last (n, 32, 32, 3).
https://www.cs.toronto.edu/~kriz/cifar.html
"""


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "download": ["boolean"],
        "return_X_y": ["boolean"],
        "subset": [StrOptions({"all", "train", "test"})],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar10(data_home=None, download=False, return_X_y=False, subset="all"):
    """Load CIFAR-10 from the standard ``cifar-10-batches-py`` files.

    The files are Python pickles; they are read with a restricted unpickler that
    admits only the path the original files use to rebuild an array (numpy's
    ``_reconstruct(ndarray, (0,), b"b")`` then its bytes, integer dtypes) and
    latin-1 ``codecs.encode``, so a tampered file cannot run code nor claim more
    memory than its own bytes (it raises :class:`pickle.UnpicklingError`). Each
    batch must hold ``data`` as uint8 of shape ``(n, 3072)`` and ``n`` integer
    labels in 0..9. Every error names the file.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``cifar-10-batches-py/``. None uses ``$SKCV_DATA`` or
        ``~/skcv_data`` (:func:`get_data_home`).
    download : bool, default=False
        If the files are missing, download the official archive
        (``https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz``, 163 MB),
        check its published MD5 (``c58f30108f718f92721af3b95e74349a``) and
        extract it safely into ``data_home``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    subset : {"all", "train", "test"}, default="all"
        Which split ``data``/``target`` hold: the 50,000 training images, the
        10,000 test images, or both (training first).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields

        - ``data``: uint8 ndarray of shape (n, 32, 32, 3), channels last;
        - ``target``: int64 ndarray of shape (n,), labels 0..9;
        - ``target_names``: list of the 10 class names;
        - ``X_train``, ``y_train`` (subset "all" or "train") and ``X_test``,
          ``y_test`` (subset "all" or "test"): the official split; with
          ``subset="all"`` they are views of ``data``/``target``;
        - ``DESCR``: a description.
    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    FileNotFoundError
        If the files are missing and ``download`` is False; the message says how
        to get them.
    pickle.UnpicklingError
        If a file is empty, truncated or not a pickle, refers to anything but
        numpy arrays, or holds an array whose bytes do not match its shape (a
        crafted pickle).
    ValueError
        If a file is a pickle but not a CIFAR-10 batch (wrong keys, shape, dtype,
        or labels outside 0..9).
    OSError
        If the downloaded archive does not have the published MD5.

    References
    ----------
    .. [1] A. Krizhevsky, "Learning multiple layers of features from tiny
       images", Tech. report, University of Toronto, 2009.

    Examples
    --------
    >>> from skcv.datasets import load_cifar10
    >>> cifar = load_cifar10(subset="test")  # doctest: +SKIP
    >>> cifar.data.shape, cifar.data.dtype  # doctest: +SKIP
    ((10000, 32, 32, 3), dtype('uint8'))
    """
    home = get_data_home(data_home)
    folder = home / _FOLDER
    needed = (*_TRAIN, *_TEST, _META)
    if not all((folder / name).is_file() for name in needed):
        if not download:
            raise FileNotFoundError(_missing_message(folder))
        _download(home)
        if not all((folder / name).is_file() for name in needed):
            raise FileNotFoundError(_missing_message(folder))
    meta = _safe_load(folder / _META)
    names = meta.get("label_names")
    if (
        not isinstance(names, list)
        or len(names) != 10
        or not all(isinstance(name, (bytes, str)) for name in names)
    ):
        raise ValueError(f"{folder / _META} has no list of 10 text 'label_names'.")
    target_names = [_text(name) for name in names]

    def load(files):
        parts = [_load_batch(folder / name) for name in files]
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        return images, labels, sum(len(p[1]) for p in parts[: len(_TRAIN)])

    bunch = Bunch(target_names=target_names, DESCR=DESCR)
    if subset == "all":
        data, target, n = load((*_TRAIN, *_TEST))
        bunch.update(
            X_train=data[:n], y_train=target[:n], X_test=data[n:], y_test=target[n:]
        )
    elif subset == "train":
        data, target, _ = load(_TRAIN)
        bunch.update(X_train=data, y_train=target)
    else:
        data, target, _ = load(_TEST)
        bunch.update(X_test=data, y_test=target)
    if return_X_y:
        return data, target
    bunch.update(data=data, target=target)
    return bunch


def _restricted_loads(payload: bytes):
    """Unpickle bytes with the CIFAR-10 restrictions (used by the tests)."""
    return _loads(payload, "<bytes>")
