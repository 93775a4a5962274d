"""Scale-out: a real dask.distributed LocalCluster gives the sequential results.

Runs a ``GridSearchCV`` (and skcv's ``CoarseToFineSearchCV``) and image feature
extraction under ``joblib.parallel_backend("dask")`` on two worker processes bound to
the loopback interface, and checks the results equal the sequential run.
"""

import importlib

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import RidgeClassifier, SGDClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcv.utils._parallel import map_batches

distributed = pytest.importorskip("distributed")

pytestmark = [
    pytest.mark.slow,
    # distributed may warn while shutting a cluster down; the results are checked.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

# skcv image transformers that loop over images with n_jobs, most preferred first.
# The first that exists in this checkout is tested.
_TRANSFORMERS = [
    ("skcv.feature", "GISTExtractor", {"n_blocks": 2, "image_size": 32}),
    ("skcv.feature", "FilterBankExtractor", {}),
    ("skcv.feature", "CannyEdgeDetector", {}),
]


def _skcv_transformer():
    for module_name, name, params in _TRANSFORMERS:
        module = importlib.import_module(module_name)
        if name in getattr(module, "__all__", ()):
            est = getattr(module, name)()
            known = est.get_params()
            est.set_params(**{k: v for k, v in params.items() if k in known})
            return est
    return None


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        # A free port: with None the scheduler's HTTP server still wants 8787, and
        # a second cluster (another xdist worker, another job) turns that into a
        # "Port 8787 is already in use" warning, an error under pytest.
        dashboard_address=":0",
        silence_logs=50,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def test_cluster_is_local_processes(client):
    info = client.scheduler_info()
    assert len(info["workers"]) == 2
    for address in info["workers"]:
        assert address.startswith("tcp://127.0.0.1:")
    pids = client.run(lambda: __import__("os").getpid())
    assert len(set(pids.values())) == 2  # two distinct worker processes


def test_grid_search_on_dask_equals_sequential(client, digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), RidgeClassifier())
    grid = {"ridgeclassifier__alpha": [0.1, 1.0, 10.0]}
    cv = StratifiedKFold(2, shuffle=True, random_state=0)
    sequential = GridSearchCV(pipe, grid, cv=cv, n_jobs=None).fit(X, y)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            on_dask = GridSearchCV(pipe, grid, cv=cv, n_jobs=-1).fit(X, y)
    assert len(tasks.data) > 0  # the fits ran on the cluster
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )
    assert on_dask.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(on_dask.predict(X), sequential.predict(X))


def test_coarse_to_fine_on_dask_equals_sequential(client, digits):
    from scipy.stats import loguniform

    from skcv.model_selection import CoarseToFineSearchCV

    X, y = digits
    search = CoarseToFineSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-6, 1e-1)},
        n_coarse=3,
        top_k=2,
        n_fine_per_param=2,
        coarse_params={"max_iter": 2, "tol": None},
        cv=2,
        random_state=0,
    )
    sequential = search.fit(X, y).cv_results_
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            on_dask = search.set_params(n_jobs=-1).fit(X, y).cv_results_
    assert len(tasks.data) > 0
    assert list(on_dask["stage"]) == list(sequential["stage"])
    assert on_dask["params"] == sequential["params"]
    np.testing.assert_allclose(
        on_dask["mean_test_score"], sequential["mean_test_score"]
    )


def test_feature_extraction_on_dask_equals_sequential(client, digits):
    X, _ = digits
    images = X.reshape(-1, 8, 8)
    # skcv's batch map, which every image transformer uses for n_jobs.
    pca = PCA(n_components=5, random_state=0).fit(X)
    sequential = map_batches(pca.transform, X, batch_size=50, n_jobs=None)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            on_dask = map_batches(pca.transform, X, batch_size=50, n_jobs=-1)
    assert len(tasks.data) > 0
    np.testing.assert_allclose(on_dask, sequential)

    transformer = _skcv_transformer()
    if transformer is None:
        # TODO(lead): no skcv image transformer on this branch yet; the map above is
        # what they run. Remove this branch once skcv.feature has one.
        return
    # More images than one batch (64), so transform maps several batches.
    sequential = transformer.set_params(n_jobs=None).fit_transform(images)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            on_dask = transformer.set_params(n_jobs=-1).fit_transform(images)
    assert len(tasks.data) > 0
    assert on_dask.shape == sequential.shape
    np.testing.assert_allclose(on_dask, sequential, rtol=1e-6, atol=1e-8)
