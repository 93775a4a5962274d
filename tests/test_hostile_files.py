"""Hostile files: crafted pickles, truncated, empty and wrong-shape data files.

skcv reads two kinds of files a user may have downloaded from anywhere: CIFAR-10
batches (Python pickles, read by ``load_cifar10`` with a restricted unpickler) and
``CNNClassifier`` checkpoints (``torch.load(weights_only=True)``). Each hostile
file below must be refused with a clear error that names the file, and have no
side effect: a payload that ran would create a canary file, and a file that
claims a huge array must not allocate it.
"""

import io
import os
import pickle
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from skcv.datasets import load_cifar10
from tests import _pickles

NAMES = ["airplane", "automobile", "bird", "cat", "deer"] + [
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]


class _Reduce:
    """Pickles as ``func(*args)``: what an attacker writes into a pickle."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _code_payloads(canary):
    """Pickles that would create ``canary`` if they ran."""
    touch = f"touch {canary}"
    create = f"open({str(canary)!r}, 'w').close()"
    payloads = {
        "os.system": _Reduce(os.system, touch),
        "builtins.eval": _Reduce(eval, create),
        "builtins.exec": _Reduce(exec, create),
        "builtins.open": _Reduce(open, str(canary), "w"),
        "builtins.getattr": _Reduce(getattr, _Reduce(__import__, "os"), "system"),
    }
    out = {}
    for name, obj in payloads.items():
        for protocol in (0, 2, 4):
            out[f"{name}-p{protocol}"] = pickle.dumps(
                {b"data": obj, b"labels": [0]}, protocol=protocol
            )
    # The same through opcodes only: GLOBAL posix system, STACK_GLOBAL, INST.
    arg = _pickles.text(touch)
    out["posix.system-GLOBAL"] = b"\x80\x02cposix\nsystem\n" + arg + b"\x85R."
    out["os.system-STACK_GLOBAL"] = (
        b"\x80\x04\x8c\x02os\x8c\x06system\x93" + arg + b"\x85R."
    )
    out["os.system-INST"] = b"(" + arg + b"ios\nsystem\n."
    out["subprocess.call"] = (
        b"\x80\x02csubprocess\ncall\n" + _pickles.text("touch") + b"\x85R."
    )
    return out


def _numpy_payloads():
    """Pickles that use numpy names to allocate memory or read uninitialised memory."""
    ndarray = b"cnumpy\nndarray\n"
    shape = _pickles.tuple_(_pickles.integer(2**20), _pickles.integer(3072))
    return {
        # ndarray(shape, dtype) directly: 3 GiB of uninitialised "images".
        "ndarray-constructor": _pickles.dict_(
            [
                ("data", ndarray + _pickles.tuple_(shape, _pickles.dtype()) + b"R"),
                ("labels", _pickles.list_([_pickles.integer(0)])),
            ]
        ),
        # The original reconstruction path claiming a huge shape with 16 bytes.
        "huge-shape": _pickles.dict_(
            [
                ("labels", _pickles.list_([_pickles.integer(0)])),
                ("data", _pickles.array((2**20, 3072), b"\x00" * 16)),
            ]
        ),
        "huge-shape-2**40": _pickles.dict_(
            [("data", _pickles.array((2**40, 3072), b"\x00" * 16))]
        ),
        # Small files announcing 2**60 bytes (BINBYTES8) or 4 GiB (BINBYTES) of
        # data: the C unpickler would allocate that much before reading it.
        "huge-length": b"\x80\x04\x8e" + struct.pack("<Q", 2**60) + b"\x00" * 4,
        "huge-length-4GiB": b"\x80\x03B" + struct.pack("<I", 2**32 - 1) + b"\x00" * 4,
        "huge-bytearray": b"\x80\x05\x96" + struct.pack("<Q", 2**32) + b"\x00" * 4,
        # protocol 5 rebuilds arrays with numpy's _frombuffer: not CIFAR's path.
        "protocol-5-array": pickle.dumps(
            {b"data": np.zeros((1, 3072), np.uint8), b"labels": [0]}, protocol=5
        ),
        "object-array": pickle.dumps(
            {b"data": np.array([None, 1], dtype=object), b"labels": [0]}, protocol=2
        ),
        "numpy.load": pickle.dumps(_Reduce(np.load, "/etc/passwd"), protocol=2),
        "codecs-base64": (
            b"\x80\x02c_codecs\nencode\n"
            + _pickles.text("abc")
            + _pickles.text("base64")
            + b"\x86R."
        ),
        "unregistered-extension": b"\x80\x02\x82\x01.",
    }


def _cifar_folder(root):
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rows = np.zeros((2, 3072), np.uint8)
    for name in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(_pickles.batch(rows, [1, 2]))
    (folder / "batches.meta").write_bytes(_pickles.meta(NAMES))
    return folder


def _refused_without_side_effect(load, match, canary=None):
    """``load()`` raises with ``match``; no canary, no large allocation."""
    tracemalloc.start()
    try:
        with pytest.raises((pickle.UnpicklingError, ValueError), match=match):
            load()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB allocated while refusing"
    if canary is not None:
        assert not canary.exists(), "the payload ran"


# ----------------------------------------------------------------- CIFAR-10
#: What load_cifar10 says about each payload of ``_numpy_payloads``.
_NUMPY_REFUSALS = {
    "ndarray-constructor": r"refusing to call numpy\.ndarray",
    "huge-shape": r"an array claims shape \(1048576, 3072\) .* holds 16 bytes",
    "huge-shape-2**40": r"an array claims shape \(1099511627776, 3072\)",
    "huge-length": r"is truncated",
    "huge-length-4GiB": r"is truncated",
    "huge-bytearray": r"refusing the pickle opcode BYTEARRAY8",
    "protocol-5-array": r"refusing to load global numpy\..*_frombuffer",
    "object-array": r"refusing numpy\.dtype\('O",
    "numpy.load": r"refusing to load global numpy\.load",
    "codecs-base64": r"refusing codecs\.encode with encoding=b?'base64'",
    "unregistered-extension": r"refusing the pickle opcode EXT1",
}


def _cifar_cases(canary):
    cases = {
        name: (payload, "refusing to load global")
        for name, payload in _code_payloads(canary).items()
    }
    for name, payload in _numpy_payloads().items():
        cases[name] = (payload, _NUMPY_REFUSALS[name])
    return cases


@pytest.mark.parametrize("name", sorted(_cifar_cases("canary")))
def test_crafted_cifar_batch_is_refused(tmp_path, name):
    canary = tmp_path / "canary"
    folder = _cifar_folder(tmp_path / "home")
    payload, match = _cifar_cases(canary)[name]
    (folder / "data_batch_3").write_bytes(payload)
    _refused_without_side_effect(
        lambda: load_cifar10(data_home=tmp_path / "home"),
        match=rf"data_batch_3(: | ){match}",
        canary=canary,
    )


def test_crafted_meta_file_is_refused(tmp_path):
    canary = tmp_path / "canary"
    folder = _cifar_folder(tmp_path / "home")
    payload = _code_payloads(canary)["builtins.eval-p2"]
    (folder / "batches.meta").write_bytes(payload)
    _refused_without_side_effect(
        lambda: load_cifar10(data_home=tmp_path / "home"),
        match=r"batches\.meta: refusing to load global (__builtin__|builtins)\.eval",
        canary=canary,
    )


def _wrong_batches():
    rows = np.zeros((2, 3072), np.uint8)
    good = _pickles.batch(rows, [1, 2])
    return {
        "empty": (b"", "is empty"),
        "one byte": (good[:1], r"is truncated \(1 bytes\)"),
        "half": (good[: len(good) // 2], "is truncated"),
        "no STOP": (good[:-1], "is truncated"),
        "text": (b"not a pickle at all\n", "not a readable CIFAR-10 batch"),
        "a list": (pickle.dumps([1, 2], protocol=2), "expected a dict"),
        "no data": (_pickles.dict_([("labels", _pickles.list_([]))]), "got nothing"),
        "rows of 3071": (
            _pickles.batch(np.zeros((2, 3071), np.uint8), [1, 2]),
            r"\(n, 3072\) with n >= 1; got uint8 of shape \(2, 3071\)",
        ),
        "1-D data": (
            _pickles.dict_([("data", _pickles.array((3072,), b"\x00" * 3072))]),
            r"got uint8 of shape \(3072,\)",
        ),
        "no images": (
            _pickles.batch(np.zeros((0, 3072), np.uint8), []),
            r"got uint8 of shape \(0, 3072\)",
        ),
        "int64 data": (
            _pickles.dict_(
                [
                    ("labels", _pickles.list_([_pickles.integer(0)])),
                    (
                        "data",
                        _pickles.array(
                            (1, 3072), b"\x00" * 8 * 3072, spec="i8", order="<"
                        ),
                    ),
                ]
            ),
            r"got int64 of shape \(1, 3072\)",
        ),
        "labels count": (
            _pickles.batch(rows, [1]),
            "holds 2 images but 'labels' holds 1",
        ),
        "label 10": (_pickles.batch(rows, [1, 10]), r"0\.\.9; got \[10\]"),
    }


@pytest.mark.parametrize("name", sorted(_wrong_batches()))
def test_truncated_empty_or_wrong_shape_cifar_batch(tmp_path, name):
    payload, match = _wrong_batches()[name]
    folder = _cifar_folder(tmp_path)
    (folder / "test_batch").write_bytes(payload)
    _refused_without_side_effect(
        lambda: load_cifar10(data_home=tmp_path, subset="test"),
        match=rf"test_batch.*{match}",
    )


# -------------------------------------------------------- torch checkpoints
@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch = pytest.importorskip("torch")
    from sklearn.datasets import load_digits

    from skcv.cnn import CNNClassifier

    d = load_digits()
    X, y = (d.images[:64] / 16).astype(np.float32), d.target[:64]
    clf = CNNClassifier(
        module="simple",
        module_params={"widths": (4,)},
        epochs=1,
        random_state=0,
        device="cpu",
    ).fit(X, y)
    path = tmp_path_factory.mktemp("ckpt") / "good.pt"
    clf.save_checkpoint(path)
    return clf, path.read_bytes(), torch


#: Code-running payloads also written the way torch.save writes (zip format).
_ZIPPED = {"os.system": os.system, "builtins.eval": eval, "builtins.exec": exec}
_READ_ERROR = "not a readable CNNClassifier checkpoint"


def _checkpoint_names():
    return sorted(
        [*_code_payloads("canary"), *(f"numpy-{n}" for n in _numpy_payloads())]
        + [f"zip-{name}" for name in _ZIPPED]
        + ["empty", "truncated", "text", "deflated-zip"]
    )


def _checkpoint_case(name, canary, good, torch):
    """``(payload, match)`` of the hostile checkpoint ``name``."""
    if name.startswith("zip-"):
        func = _ZIPPED[name[4:]]
        arg = (
            f"touch {canary}"
            if func is os.system
            else (f"open({str(canary)!r}, 'w').close()")
        )
        payload = _saved(torch, {"state_dict": _Reduce(func, arg)})
        return (
            payload,
            rf"{_READ_ERROR} \(UnpicklingError: .*"
            r"GLOBAL (posix\.system|eval|exec) (was not|whose)",
        )
    if name.startswith("numpy-"):
        return _numpy_payloads()[name[6:]], _READ_ERROR
    fixed = {
        "empty": (b"", rf"{_READ_ERROR} \(the file is empty\)"),
        "deflated-zip": (_compressed(good), r"claims \d+ bytes \(compression 8\)"),
        "truncated": (good[: len(good) // 2], _READ_ERROR),
        "text": (b"hello world", _READ_ERROR),
    }
    if name in fixed:
        return fixed[name]
    return _code_payloads(canary)[name], _READ_ERROR


def _compressed(checkpoint):
    """The same records, deflated (torch.save stores them; a zip bomb deflates)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(checkpoint)) as src,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    return out.getvalue()


def _saved(torch, obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@pytest.mark.parametrize("name", _checkpoint_names())
def test_crafted_checkpoint_is_refused(checkpoint, tmp_path, name):
    clf, good, torch = checkpoint
    from sklearn.base import clone

    canary = tmp_path / "canary"
    payload, match = _checkpoint_case(name, canary, good, torch)
    path = tmp_path / "hostile.pt"
    path.write_bytes(payload)
    other = clone(clf)
    _refused_without_side_effect(
        lambda: other.load_checkpoint(path),
        match=rf"hostile\.pt.*{match}",
        canary=canary,
    )
    assert not hasattr(other, "module_")


def test_wrong_shape_checkpoint_is_refused(checkpoint, tmp_path):
    clf, good, torch = checkpoint
    from sklearn.base import clone

    ckpt = torch.load(io.BytesIO(good), weights_only=True)
    state = dict(ckpt["state_dict"])
    name = next(k for k, v in state.items() if v.ndim == 4 and "weight" in k)
    state[name] = torch.zeros(*state[name].shape[:-1], state[name].shape[-1] + 2)
    path = tmp_path / "shapes.pt"
    torch.save({**ckpt, "state_dict": state}, path)
    other = clone(clf)
    _refused_without_side_effect(
        lambda: other.load_checkpoint(path),
        match=r"(?s)shapes\.pt: the checkpoint's weights do not fit module='simple'.*"
        r"size mismatch",
    )
    # A checkpoint of 3-channel images for grey weights: refused the same way.
    path.write_bytes(_saved(torch, {**ckpt, "image_shape": [8, 8, 3]}))
    with pytest.raises(ValueError, match=r"shapes\.pt.*must hold 3 channel values"):
        other.load_checkpoint(path)
    assert not hasattr(other, "module_")
