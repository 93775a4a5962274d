"""save_model / load_model: skops files, torch weights inside, untrusted refused."""

import zipfile

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

pytest.importorskip("skops")

from skcv.io import load_model, save_model  # noqa: E402
from skcv.linear_model import SoftmaxClassifier  # noqa: E402


class Payload:
    """A type from outside skcv/sklearn/numpy/scipy: must not be trusted."""

    def __init__(self):
        self.command = "touch canary"


def _data():
    rng = np.random.default_rng(0)
    return rng.random((30, 6)), np.arange(30) % 3


def test_pipeline_round_trip(tmp_path):
    X, y = _data()
    model = make_pipeline(StandardScaler(), SoftmaxClassifier()).fit(X, y)
    path = tmp_path / "m.skops"
    save_model(model, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_untrusted_type_is_refused_with_its_name(tmp_path):
    import skops.io as sio

    X, y = _data()
    clf = SoftmaxClassifier().fit(X, y)
    clf.extra_ = Payload()
    path = tmp_path / "evil.skops"
    sio.dump(clf, path)
    with pytest.raises(
        ValueError, match=r"evil.skops holds types that are not trusted"
    ):
        load_model(path)
    with pytest.raises(ValueError, match=r"test_model_file\.Payload"):
        load_model(path)


def test_untrusted_type_loads_when_named(tmp_path):
    import skops.io as sio

    X, y = _data()
    clf = SoftmaxClassifier().fit(X, y)
    clf.extra_ = Payload()
    path = tmp_path / "ok.skops"
    sio.dump(clf, path)
    name = sio.get_untrusted_types(file=path)
    name = [n for n in name if n.endswith("Payload")]
    loaded = load_model(path, trusted=name)
    assert loaded.extra_.command == "touch canary"


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_not_a_model_file(tmp_path, content):
    path = tmp_path / "bad.skops"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="bad.skops is not a skcv model file"):
        load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nothing.skops")


def test_torch_estimator_weights_go_inside_the_file(tmp_path):
    pytest.importorskip("torch")
    from skcv.cnn import CNNClassifier

    rng = np.random.default_rng(0)
    X = rng.random((32, 8, 8, 3)).astype(np.float32)
    y = np.arange(32) % 2
    clf = CNNClassifier(
        module="simple",
        module_params={"widths": (4, 8)},
        epochs=1,
        batch_size=16,
        device="cpu",
        random_state=0,
    )
    model = make_pipeline(StandardScaler().set_output(transform="default"), clf)
    X_rows = X.reshape(len(X), -1)
    clf.set_params(image_shape=(8, 8, 3))
    model.fit(X_rows, y)
    path = tmp_path / "cnn.skops"
    save_model(model, path)
    with zipfile.ZipFile(path) as archive:
        assert "skcv_torch/1.pt" in archive.namelist()
    assert not list(tmp_path.glob("*.pt"))  # nothing beside the file
    loaded = load_model(path)
    np.testing.assert_allclose(
        loaded.predict_proba(X_rows), model.predict_proba(X_rows), atol=1e-6
    )
    # the fitted estimator given to save_model is untouched
    assert model.steps[1][1] is clf and hasattr(clf, "module_")


def test_function_from_a_trusted_library_is_refused(tmp_path):
    # numpy.testing's runstring execs its argument: a pipeline of
    # FunctionTransformers over trusted-library functions ran code from the file
    # at predict time while load_model trusted every name under numpy.
    import skops.io as sio
    from numpy.testing._private import utils
    from sklearn.dummy import DummyClassifier
    from sklearn.preprocessing import FunctionTransformer

    canary = tmp_path / "canary"
    model = make_pipeline(
        FunctionTransformer(
            np.full_like,
            kw_args={"fill_value": f"open({str(canary)!r}, 'w')", "dtype": "O"},
        ),
        FunctionTransformer(utils.runstring, kw_args={"dict": {}}),
        DummyClassifier(),
    )
    path = tmp_path / "evil.skops"
    sio.dump(model, path)
    with pytest.raises(
        ValueError, match=r"not trusted: .*numpy\.testing\._private\.utils\.runstring"
    ):
        load_model(path)
    assert not canary.exists()
