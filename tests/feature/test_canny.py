import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skcv.feature import CannyEdgeDetector
from skcv.feature._canny import edge_orientation_histogram
from skcv.filters import canny


def _squares(n=6, size=24, seed=0):
    rng = np.random.default_rng(seed)
    X = np.zeros((n, size, size))
    for i in range(n):
        a, b = rng.integers(3, 8, size=2)
        X[i, a : a + 12, b : b + 10] = 1.0
    return X


def test_edges_output_matches_function():
    X = _squares()
    det = CannyEdgeDetector(sigma=1.2, low_threshold=0.1, high_threshold=0.3)
    out = det.fit_transform(X)
    assert out.shape == (6, 24 * 24) and det.n_features_out_ == 576
    for i in range(6):
        np.testing.assert_array_equal(out[i], canny(X[i], 1.2, 0.1, 0.3).ravel())
    assert out.dtype == np.float64
    assert det.fit_transform(X.astype(np.float32)).dtype == np.float32
    names = det.get_feature_names_out()
    assert names[0] == "canny_edge0" and len(names) == 576
    with pytest.raises(ValueError, match="fitted on images of shape"):
        det.transform(np.zeros((2, 10, 10)))


def test_histogram_output_values_and_variable_sizes():
    X = _squares()
    det = CannyEdgeDetector(output="histogram", grid=(2, 3), n_orientations=4)
    H = det.fit_transform(X)
    assert H.shape == (6, 24) and det.n_features_out_ == 24
    # Each cell is 12 x 8 pixels: counts = density * area, summing to the edges.
    for i in range(6):
        assert (H[i] * 96).sum() == pytest.approx(canny(X[i]).sum())
    assert (H >= 0).all() and (H <= 1).all()
    images = [X[0], np.zeros((40, 30)), np.ones((17, 50))]
    out = det.transform(images)
    assert out.shape == (3, 24)
    assert det.get_feature_names_out()[5] == "canny_r0_c1_o1"
    det_list = CannyEdgeDetector(output="histogram").fit(images)
    assert det_list.image_shape_ is None
    with pytest.raises(ValueError, match="images of one size"):
        CannyEdgeDetector(output="edges").fit(images)


def test_orientation_bins():
    edges = np.zeros((8, 8), bool)
    edges[:, 3] = True  # vertical edge: gradient along x -> bin 0
    hist = edge_orientation_histogram(
        edges, np.zeros((8, 8)), np.ones((8, 8)), grid=(1, 1), n_orientations=4
    )
    np.testing.assert_allclose(hist, [8 / 64, 0, 0, 0])
    hist = edge_orientation_histogram(
        edges, np.ones((8, 8)), np.zeros((8, 8)), grid=(1, 1), n_orientations=4
    )
    np.testing.assert_allclose(hist, [0, 0, 8 / 64, 0])
    # Opposite gradients (dark-to-bright vs bright-to-dark) share a bin.
    hist_neg = edge_orientation_histogram(
        edges, -np.ones((8, 8)), np.zeros((8, 8)), grid=(1, 1), n_orientations=4
    )
    np.testing.assert_allclose(hist_neg, hist)


def test_in_a_pipeline_classifies_orientation():
    rng = np.random.default_rng(0)
    X, y = [], []
    for i in range(40):
        im = np.zeros((20, 20))
        k = rng.integers(5, 15)
        if i % 2:
            im[:, k:] = 1.0
        else:
            im[k:, :] = 1.0
        X.append(im + 0.05 * rng.standard_normal((20, 20)))
        y.append(i % 2)
    X, y = np.array(X), np.array(y)
    pipe = make_pipeline(
        CannyEdgeDetector(sigma=1.5, output="histogram", grid=(1, 1)),
        LogisticRegression(),
    )
    assert pipe.fit(X[:30], y[:30]).score(X[30:], y[30:]) == 1.0


def test_bad_params():
    X = _squares(2)
    with pytest.raises(ValueError, match="grid must be a pair"):
        CannyEdgeDetector(grid=(0, 2)).fit(X)
    with pytest.raises(ValueError, match="output"):
        CannyEdgeDetector(output="map").fit(X)
    with pytest.raises(ValueError, match="low_threshold"):
        CannyEdgeDetector(low_threshold="mean").fit(X)


@pytest.mark.slow
def test_n_jobs_gives_the_same_result():
    X = _squares(70)  # more than one batch of 64, so joblib runs two jobs
    one = CannyEdgeDetector(output="histogram").fit_transform(X)
    two = CannyEdgeDetector(output="histogram", n_jobs=2).fit(X).transform(X)
    np.testing.assert_array_equal(one, two)
