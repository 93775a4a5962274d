"""The code paths a GPU run takes, exercised where torch allows it: on the CPU.

bf16 autocast, channels_last, torch.compile (inductor's C++ backend), the
training metrics that never wait for the device, and moving a fitted model
between devices (``set_params(device=...)``, pickling). Tests marked ``gpu``
repeat the device moves on CUDA and are skipped without it.
"""

import os
import pickle
import shutil
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from torch import nn  # noqa: E402

from skcv.datasets import make_detection_scenes, make_shapes_segmentation  # noqa: E402
from tests.registry.cnn import ESTIMATORS as CNN  # noqa: E402
from tests.registry.localizer import STRUCTURED as LOCALIZER  # noqa: E402
from tests.registry.segmentation import STRUCTURED as SEGMENTER  # noqa: E402


def _classification():
    rng = np.random.RandomState(0)
    X = rng.rand(64, 8, 8, 3).astype(np.float32)
    y = np.arange(64) % 2
    X[y == 1, 2:6, 2:6] += 0.8
    return X, (y,)


def _segmentation():
    X, Y = make_shapes_segmentation(12, image_size=16, n_classes=3, random_state=0)
    return X, (Y,)


def _localization():
    X, boxes, labels = make_detection_scenes(
        32,
        image_size=(16, 16),
        objects="shapes",
        n_objects=1,
        object_size=(4, 8),
        background="textures",
        random_state=0,
    )
    return X, (np.concatenate(labels), np.concatenate(boxes))


#: (estimator, data, prediction methods) for every torch-backed estimator.
CASES = {
    "CNNClassifier": (CNN[0], _classification, ["predict_proba"]),
    "FCNSegmenter": (SEGMENTER[0], _segmentation, ["predict_proba"]),
    "ObjectLocalizer": (
        LOCALIZER[0],
        _localization,
        ["predict_proba", "predict_boxes"],
    ),
}


def _fit(name, **params):
    est, data, methods = CASES[name]
    X, targets = data()
    est = clone(est).set_params(**params).fit(X, *targets)
    return est, X, methods


def _outputs(est, X, methods):
    return {m: np.asarray(getattr(est, m)(X)) for m in methods}


def _assert_same(a, b, atol=1e-5):
    for m in a:
        np.testing.assert_allclose(a[m], b[m], atol=atol, err_msg=m)


@pytest.fixture
def conv_output_dtypes():
    """The dtypes of every Conv2d output while the fixture is active."""
    seen = set()

    def hook(module, args, out):
        if isinstance(module, nn.Conv2d):
            seen.add(out.dtype)

    handle = nn.modules.module.register_module_forward_hook(hook)
    yield seen
    handle.remove()


@pytest.mark.parametrize("name", sorted(CASES))
def test_bf16_autocast_on_cpu(name, conv_output_dtypes):
    est, X, methods = _fit(name, precision="bf16")
    assert torch.bfloat16 in conv_output_dtypes  # autocast really ran in bf16
    out = _outputs(est, X, methods)
    for m, values in out.items():
        assert np.isfinite(values).all(), m
        assert values.dtype in (np.float32, np.float64), m  # never bf16 outside
    assert np.isfinite(est.loss_curve_).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_precision_stays_float32(name, conv_output_dtypes):
    _fit(name, precision="float32")
    assert conv_output_dtypes == {torch.float32}


@pytest.mark.parametrize("name", sorted(CASES))
def test_channels_last_changes_layout_not_results(name):
    fast, X, methods = _fit(name, channels_last=True)
    plain, _, _ = _fit(name, channels_last=False)
    convs = [m for m in fast.module_.modules() if isinstance(m, nn.Conv2d)]
    assert convs and all(
        c.weight.is_contiguous(memory_format=torch.channels_last)
        for c in convs
        if c.weight.shape[-1] > 1
    )
    _assert_same(_outputs(fast, X, methods), _outputs(plain, X, methods), atol=1e-3)


def _count_host_syncs(monkeypatch):
    """Count skcv's tensor -> Python conversions (on a GPU each one waits).

    Only conversions made by skcv's own code count: torch's optimisers read
    their step counters, which live on the CPU even when training on a GPU.
    """
    calls = []
    package = os.sep + "skcv" + os.sep
    for attr in ("item", "__float__", "__int__", "__bool__", "tolist"):
        original = getattr(torch.Tensor, attr)

        def counting(self, *a, _original=original, **k):
            if package in sys._getframe(1).f_code.co_filename:
                calls.append(1)
            return _original(self, *a, **k)

        monkeypatch.setattr(torch.Tensor, attr, counting)
    return calls


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_metrics_do_not_sync_per_batch(name, monkeypatch):
    # Same epochs, 8x as many batches: a per-batch .item() would show up.
    est, data, _ = CASES[name]
    X, targets = data()
    counts = []
    for batch_size in (32, 4):
        calls = _count_host_syncs(monkeypatch)
        clone(est).set_params(batch_size=batch_size, epochs=2).fit(X, *targets)
        counts.append(len(calls))
        monkeypatch.undo()
    assert counts[0] > 0  # the epoch-level reads are seen
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("name", sorted(CASES))
def test_device_round_trip_and_pickle(name):
    est, X, methods = _fit(name, device="cpu")
    before = _outputs(est, X, methods)
    est.set_params(device="cpu")
    _assert_same(before, _outputs(est, X, methods))
    assert est.device_ == "cpu"
    loaded = pickle.loads(pickle.dumps(est))
    assert loaded.device_ == "cpu"
    assert next(loaded.module_.parameters()).device.type == "cpu"
    _assert_same(before, _outputs(loaded, X, methods))


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_moving_to_a_missing_gpu_is_a_clear_error():
    est, X, _ = _fit("CNNClassifier", device="cpu")
    est.set_params(device="cuda")
    with pytest.raises(ValueError, match="CUDA is not available"):
        est.predict(X)


def _has_cxx():
    return any(shutil.which(c) for c in ("g++", "c++", "clang++"))


@pytest.mark.slow
# torch's own inductor code path still calls the deprecated torch.jit API
@pytest.mark.filterwarnings("ignore:`torch.jit.script_method`:DeprecationWarning")
@pytest.mark.skipif(not _has_cxx(), reason="inductor on the CPU needs a C++ compiler")
def test_compile_on_cpu():
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    est, X, methods = _fit("CNNClassifier", compile=True, epochs=1, batch_size=64)
    assert counters["stats"]["unique_graphs"] >= 1  # the compiled network ran
    assert np.isfinite(est.loss_curve_).all()
    ref, _, _ = _fit("CNNClassifier", compile=False, epochs=1, batch_size=64)
    _assert_same(_outputs(est, X, methods), _outputs(ref, X, methods), atol=1e-3)
    torch._dynamo.reset()


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(CASES))
def test_gpu_fit_moves_to_cpu(name):
    est, X, methods = _fit(name, device="cuda")
    assert est.device_.startswith("cuda")
    on_gpu = _outputs(est, X, methods)
    loaded = pickle.loads(pickle.dumps(est))
    assert next(loaded.module_.parameters()).device.type == "cpu"
    _assert_same(on_gpu, _outputs(loaded, X, methods), atol=1e-2)
    est.set_params(device="cpu")
    _assert_same(on_gpu, _outputs(est, X, methods), atol=1e-2)
    assert est.device_ == "cpu"
    est.set_params(device="cuda")
    _assert_same(on_gpu, _outputs(est, X, methods), atol=1e-5)
    assert est.device_.startswith("cuda")


@pytest.mark.gpu
def test_gpu_compile_and_autocast():
    est, X, methods = _fit("CNNClassifier", device="cuda", compile=True)
    assert np.isfinite(est.loss_curve_).all()
    assert np.isfinite(_outputs(est, X, methods)["predict_proba"]).all()
