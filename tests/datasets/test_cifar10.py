import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from skcv.datasets import _cifar10 as cifar_module
from skcv.datasets import get_data_home, load_cifar10
from tests import _pickles

NAMES = [b"airplane", b"automobile", b"bird", b"cat", b"deer"] + [
    b"dog",
    b"frog",
    b"horse",
    b"ship",
    b"truck",
]


def _batch(n, seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, size=n)]
    return {b"batch_label": b"fake", b"labels": labels, b"data": data}


def _write_fake_cifar(root, n=4):
    """Tiny batches in the standard format (protocol-2 pickles, bytes keys)."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    batches = {}
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        batches[name] = _batch(n + i, seed=i)
        with open(folder / name, "wb") as f:
            pickle.dump(batches[name], f, protocol=2)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": NAMES, b"num_vis": 3072}, f, protocol=2)
    return batches


def _nhwc(rows):
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def test_load_fake_batches(tmp_path):
    batches = _write_fake_cifar(tmp_path)
    bunch = load_cifar10(data_home=tmp_path)
    train = [batches[f"data_batch_{k}"] for k in range(1, 6)]
    X_train = np.concatenate([_nhwc(b[b"data"]) for b in train])
    y_train = np.concatenate([b[b"labels"] for b in train])
    X_test = _nhwc(batches["test_batch"][b"data"])
    assert bunch.data.dtype == np.uint8 and bunch.data.shape[1:] == (32, 32, 3)
    np.testing.assert_array_equal(bunch.X_train, X_train)
    np.testing.assert_array_equal(bunch.y_train, y_train)
    np.testing.assert_array_equal(bunch.X_test, X_test)
    np.testing.assert_array_equal(bunch.data, np.concatenate([X_train, X_test]))
    assert bunch.target_names[0] == "airplane" and len(bunch.target_names) == 10
    # The channel-planar rows become channels-last images: red plane first.
    row = train[0][b"data"][0]
    np.testing.assert_array_equal(bunch.X_train[0, 0, :, 0], row[:32])
    np.testing.assert_array_equal(bunch.X_train[0, 0, :, 1], row[1024:1056])


def test_subsets_and_return_X_y(tmp_path, monkeypatch):
    batches = _write_fake_cifar(tmp_path)
    monkeypatch.setenv("SKCV_DATA", str(tmp_path))
    X, y = load_cifar10(subset="test", return_X_y=True)
    np.testing.assert_array_equal(X, _nhwc(batches["test_batch"][b"data"]))
    train = load_cifar10(subset="train")
    assert "X_test" not in train and len(train.data) == len(train.y_train) == 4 * 5 + 10


def test_get_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("SKCV_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    monkeypatch.delenv("SKCV_DATA")
    assert str(get_data_home()) == os.path.expanduser(os.path.join("~", "skcv_data"))


def test_missing_folder_says_how_to_get_data(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_cifar10(data_home=tmp_path / "nowhere")


def test_bad_subset():
    with pytest.raises(ValueError, match="subset"):
        load_cifar10(subset="validation")


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("echo skcv-pwned",))


def test_crafted_pickle_is_refused(tmp_path):
    _write_fake_cifar(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    with open(path, "wb") as f:
        pickle.dump({b"data": _RunsCode(), b"labels": [0]}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="refusing .*global.*system"):
        load_cifar10(data_home=tmp_path)


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(eval, protocol=2),  # builtins.eval
        pickle.dumps(np.load, protocol=2),  # numpy function outside the list
        # codecs.encode is admitted, but only to rebuild latin-1 bytes.
        b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x06\x00\x00\x00base64\x86R.",
    ],
)
def test_restricted_unpickler_refuses_other_globals(payload):
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        cifar_module._restricted_loads(payload)


def test_not_a_batch(tmp_path):
    _write_fake_cifar(tmp_path)
    path = tmp_path / "cifar-10-batches-py" / "test_batch"
    with open(path, "wb") as f:
        pickle.dump({b"data": np.zeros((2, 5), np.uint8), b"labels": [0, 1]}, f, 2)
    with pytest.raises(ValueError, match="not a CIFAR-10 batch"):
        load_cifar10(data_home=tmp_path)


def _archive(tmp_path, *, evil=False):
    src = tmp_path / "src"
    _write_fake_cifar(src)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(src / "cifar-10-batches-py", arcname="cifar-10-batches-py")
        if evil:
            info = tarfile.TarInfo("../escaped.txt")
            info.size = 3
            tar.addfile(info, io.BytesIO(b"bad"))
    return buf.getvalue()


def _serve(monkeypatch, payload):
    calls = []

    def fake_urlopen(url, timeout=None):
        assert timeout == cifar_module.DOWNLOAD_TIMEOUT  # never an unbounded wait
        calls.append(url)
        return io.BytesIO(payload)

    monkeypatch.setattr(cifar_module, "_urlopen", fake_urlopen)
    return calls


def test_download_checks_md5_and_extracts(tmp_path, monkeypatch):
    payload = _archive(tmp_path)
    calls = _serve(monkeypatch, payload)
    monkeypatch.setattr(cifar_module, "CIFAR10_MD5", hashlib.md5(payload).hexdigest())
    home = tmp_path / "home"
    bunch = load_cifar10(data_home=home, download=True)
    assert calls == [cifar_module.CIFAR10_URL]
    assert bunch.data.shape == (6 * 4 + 15, 32, 32, 3)
    assert not (home / "cifar-10-python.tar.gz").exists()
    # Already there: no second download.
    load_cifar10(data_home=home, download=True)
    assert len(calls) == 1


def test_download_md5_mismatch(tmp_path, monkeypatch):
    _serve(monkeypatch, _archive(tmp_path))
    home = tmp_path / "home"
    with pytest.raises(OSError, match="MD5 mismatch"):
        load_cifar10(data_home=home, download=True)
    assert not (home / "cifar-10-batches-py").exists()
    assert list(home.iterdir()) == []


def test_download_refuses_path_traversal(tmp_path, monkeypatch):
    payload = _archive(tmp_path, evil=True)
    _serve(monkeypatch, payload)
    monkeypatch.setattr(cifar_module, "CIFAR10_MD5", hashlib.md5(payload).hexdigest())
    home = tmp_path / "home"
    with pytest.raises(ValueError, match="refusing to extract"):
        load_cifar10(data_home=home, download=True)
    assert not (tmp_path / "escaped.txt").exists()


def test_stalled_download_is_a_clear_error_and_leaves_nothing(tmp_path, monkeypatch):
    class Stalled(io.RawIOBase):
        def readinto(self, buffer):
            raise TimeoutError("The read operation timed out")

    monkeypatch.setattr(cifar_module, "_urlopen", lambda url, timeout: Stalled())
    home = tmp_path / "home"
    with pytest.raises(OSError, match="downloading .* failed .*timed out"):
        load_cifar10(data_home=home, download=True)
    assert list(home.iterdir()) == []


# ---------------------------------------------- issue 18, item 1: the unpickler
def _rows(n, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, 3072), dtype=np.uint8)


def _write_original_format(root, n=3):
    """Batches written with the opcodes of the original Python 2 files."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rows, labels = {}, {}
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        rows[name], labels[name] = (
            _rows(n + i, seed=i),
            [(i + j) % 10 for j in range(n + i)],
        )
        (folder / name).write_bytes(_pickles.batch(rows[name], labels[name]))
    (folder / "batches.meta").write_bytes(_pickles.meta(NAMES))
    return folder, rows, labels


def test_original_python2_format_loads(tmp_path):
    folder, rows, labels = _write_original_format(tmp_path)
    bunch = load_cifar10(data_home=tmp_path, subset="test")
    np.testing.assert_array_equal(bunch.data, _nhwc(rows["test_batch"]))
    np.testing.assert_array_equal(bunch.target, labels["test_batch"])
    assert bunch.target.dtype == np.int64
    assert bunch.target_names[:2] == ["airplane", "automobile"]
    # numpy 2 writes numpy._core.multiarray: both spellings are the same path.
    data = _rows(2)
    payload = _pickles.dict_(
        [
            ("labels", _pickles.list_([_pickles.integer(1), _pickles.integer(9)])),
            (
                "data",
                _pickles.array(
                    (2, 3072), data.tobytes(), module="numpy._core.multiarray"
                ),
            ),
        ]
    )
    loaded = cifar_module._restricted_loads(payload)
    np.testing.assert_array_equal(loaded[b"data"], data)


def test_ndarray_constructor_is_refused(tmp_path):
    # Issue 18: a 115-byte file built from allowed names only, calling
    # numpy.ndarray(shape, dtype) directly, loaded uninitialised memory as images
    # (and a large n allocated gigabytes).
    payload = _pickles.dict_(
        [
            (
                "data",
                b"cnumpy\nndarray\n"
                + _pickles.tuple_(
                    _pickles.tuple_(_pickles.integer(4), _pickles.integer(3072)),
                    _pickles.dtype("u1"),
                )
                + b"R",
            ),
            (
                "labels",
                b"cnumpy\nndarray\n"
                + _pickles.tuple_(
                    _pickles.tuple_(_pickles.integer(4)), _pickles.dtype("i8", "<")
                )
                + b"R",
            ),
        ]
    )
    assert len(payload) < 200
    folder, _, _ = _write_original_format(tmp_path)
    (folder / "data_batch_2").write_bytes(payload)
    with pytest.raises(
        pickle.UnpicklingError,
        match=r"data_batch_2: refusing to call numpy\.ndarray",
    ):
        load_cifar10(data_home=tmp_path)


@pytest.mark.parametrize(
    "shape, n_bytes",
    [
        ((4, 3072), 3072 * 3),
        ((10**6, 3072), 3072),
        ((2**40, 3072), 16),
        ((3072,), 3073),
    ],
)
def test_array_must_hold_the_bytes_it_claims(tmp_path, shape, n_bytes):
    folder, _, _ = _write_original_format(tmp_path)
    payload = _pickles.dict_(
        [
            ("labels", _pickles.list_([_pickles.integer(0)] * 4)),
            ("data", _pickles.array(shape, b"\x07" * n_bytes)),
        ]
    )
    (folder / "test_batch").write_bytes(payload)
    with pytest.raises(
        pickle.UnpicklingError,
        match=rf"test_batch: an array claims shape .* but the file holds {n_bytes} ",
    ):
        load_cifar10(data_home=tmp_path, subset="test")


@pytest.mark.parametrize(
    "piece, match",
    [
        (_pickles.dtype("O"), r"refusing numpy\.dtype\('O'"),  # object arrays
        (_pickles.dtype("f8", "<"), r"refusing numpy\.dtype\('f8'"),
        (_pickles.dtype("u1", args=(1, 1)), r"refusing numpy\.dtype\('u1', 1, 1\)"),
        (
            _pickles.dtype(
                "u1",
                state=_pickles.tuple_(
                    _pickles.integer(3),
                    _pickles.text("|"),
                    b"NNN",
                    _pickles.integer(4),
                    _pickles.integer(1),
                    _pickles.integer(0),
                ),
            ),
            r"refusing the state .* of numpy\.dtype\('\|u1'\)",
        ),
        (
            b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
            + _pickles.tuple_(_pickles.integer(5))
            + _pickles.text("b")
            + b"\x87R",
            r"refusing numpy _reconstruct",
        ),
    ],
    ids=[
        "object-dtype",
        "float-dtype",
        "dtype-args",
        "dtype-state",
        "reconstruct-args",
    ],
)
def test_only_the_original_reconstruction_path(piece, match):
    payload = _pickles.dict_([("data", piece)])
    with pytest.raises(pickle.UnpicklingError, match=match):
        cifar_module._restricted_loads(payload)


@pytest.mark.parametrize(
    "labels, match",
    [
        (
            [_pickles.integer(10)] * 3,
            r"labels must be integers in 0\.\.9; got \[10, 10, 10\]",
        ),
        (
            [_pickles.integer(1), b"J\xff\xff\xff\xff", _pickles.integer(2)],
            r"got \[-1\]",
        ),
        ([_pickles.integer(1)] * 2, "'data' holds 3 images but 'labels' holds 2"),
        ([b"G?\xf0\x00\x00\x00\x00\x00\x00"] * 3, "as a list of integers"),  # 1.0
        ([_pickles.text("cat")] * 3, "as a list of integers"),
        ([b"\x88"] * 3, "as a list of integers"),  # True is not a label
    ],
)
def test_labels_are_checked(tmp_path, labels, match):
    folder, _, _ = _write_original_format(tmp_path)
    payload = _pickles.dict_(
        [
            ("labels", _pickles.list_(labels)),
            ("data", _pickles.array((3, 3072), _rows(3).tobytes())),
        ]
    )
    (folder / "data_batch_5").write_bytes(payload)
    with pytest.raises(
        ValueError, match=rf"data_batch_5 is not a CIFAR-10 batch: .*{match}"
    ):
        load_cifar10(data_home=tmp_path, subset="train")


def test_labels_as_an_integer_array_are_accepted_and_checked(tmp_path):
    folder, _, _ = _write_original_format(tmp_path)
    data = _rows(3)
    with open(folder / "test_batch", "wb") as f:
        pickle.dump({b"data": data, b"labels": np.array([3, 4, 5], np.int32)}, f, 2)
    X, y = load_cifar10(data_home=tmp_path, subset="test", return_X_y=True)
    np.testing.assert_array_equal(y, [3, 4, 5])
    with open(folder / "test_batch", "wb") as f:
        pickle.dump({b"data": data, b"labels": np.array([3, 4, 12], np.uint8)}, f, 2)
    with pytest.raises(ValueError, match=r"test_batch .*0\.\.9; got \[12\]"):
        load_cifar10(data_home=tmp_path, subset="test")


@pytest.mark.parametrize("size", [0, 1, 40, -1])
def test_empty_or_truncated_file_names_the_file(tmp_path, size):
    folder, _, _ = _write_original_format(tmp_path)
    path = folder / "data_batch_4"
    whole = path.read_bytes()
    path.write_bytes(whole[:size])
    if size == 0:
        match = r"data_batch_4 is empty"
    else:
        match = r"data_batch_4 is truncated \(\d+ bytes\)"
    with pytest.raises(pickle.UnpicklingError, match=match):
        load_cifar10(data_home=tmp_path)


def test_meta_names_the_file(tmp_path):
    folder, _, _ = _write_original_format(tmp_path)
    (folder / "batches.meta").write_bytes(_pickles.meta(NAMES[:9]))
    with pytest.raises(ValueError, match=r"batches\.meta has no list of 10"):
        load_cifar10(data_home=tmp_path)
