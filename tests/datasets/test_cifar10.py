import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from skcv.datasets import _cifar10 as cifar_module
from skcv.datasets import get_data_home, load_cifar10

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
