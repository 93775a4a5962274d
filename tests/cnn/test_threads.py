"""n_jobs of the torch estimators: thread count inside fit/predict, restored after."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402

from skcv.cnn._threads import (  # noqa: E402
    default_n_threads,
    resolve_n_threads,
    torch_threads,
)
from tests.registry.cnn import ESTIMATORS  # noqa: E402


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield before
    torch.set_num_threads(before)


def _data(n=40):
    rng = np.random.RandomState(0)
    X = rng.rand(n, 8, 8).astype(np.float32)
    y = np.arange(n) % 2
    X[y == 1, :4] += 1.0
    return X, y


def _clf(**params):
    return clone(ESTIMATORS[0]).set_params(epochs=1, batch_size=16, **params)


def test_resolve_n_threads():
    assert resolve_n_threads(3) == 3
    assert resolve_n_threads(None) == default_n_threads() >= 1
    from joblib import cpu_count

    assert resolve_n_threads(-1) == cpu_count()
    assert resolve_n_threads(-cpu_count() - 5) == 1
    with pytest.raises(ValueError, match="n_jobs must be None or a non-zero"):
        resolve_n_threads(0)


def test_default_leaves_a_physical_core(restore_threads):
    from joblib import cpu_count

    torch.set_num_threads(64)
    physical = cpu_count(only_physical_cores=True)
    assert default_n_threads() == max(1, min(64, physical - 1))
    torch.set_num_threads(1)
    assert default_n_threads() == 1  # never more than the caller allows


def test_torch_threads_restores_on_error(restore_threads):
    torch.set_num_threads(2)
    with pytest.raises(RuntimeError, match="boom"):
        with torch_threads(1) as n:
            assert n == 1 and torch.get_num_threads() == 1
            raise RuntimeError("boom")
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("n_jobs", [1, 2, None])
def test_fit_and_predict_use_n_jobs_and_restore(restore_threads, n_jobs):
    X, y = _data()
    seen = []
    clf = _clf(n_jobs=n_jobs)
    torch.set_num_threads(3)
    expected = resolve_n_threads(n_jobs)
    clf.fit(X, y)
    # record the thread count torch runs the network with
    clf.module_.register_forward_pre_hook(
        lambda *_: seen.append(torch.get_num_threads())
    )
    assert torch.get_num_threads() == 3
    clf.predict(X)
    assert torch.get_num_threads() == 3
    assert seen and set(seen) == {expected}


def test_fit_restores_threads_when_training_fails(restore_threads):
    X, y = _data()
    clf = _clf(n_jobs=1, learning_rate_init=1e10, solver="sgd")  # diverges
    torch.set_num_threads(2)
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(X, y)
    assert torch.get_num_threads() == 2


def test_n_jobs_zero_is_rejected():
    X, y = _data()
    with pytest.raises(ValueError, match="n_jobs"):
        _clf(n_jobs=0).fit(X, y)


def test_segmenter_and_localizer_take_n_jobs():
    from skcv.detection import ObjectLocalizer
    from skcv.segmentation import FCNSegmenter

    assert FCNSegmenter(n_jobs=1).get_params()["n_jobs"] == 1
    assert ObjectLocalizer(n_jobs=-1).get_params()["n_jobs"] == -1
