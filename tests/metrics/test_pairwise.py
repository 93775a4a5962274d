import functools

import numpy as np
import pytest
from sklearn.svm import SVC

from skcv.metrics import histogram_intersection_kernel, pyramid_match_kernel


def _hist(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d)) * (rng.random((n, d)) < 0.5)
    return X / X.sum(1, keepdims=True)


def test_intersection_matches_naive():
    X, Y = _hist(7, 13, 0), _hist(5, 13, 1)
    naive = np.minimum(X[:, None, :], Y[None, :, :]).sum(-1)
    np.testing.assert_allclose(histogram_intersection_kernel(X, Y), naive, atol=1e-12)
    K = histogram_intersection_kernel(X)
    np.testing.assert_allclose(K, K.T)
    np.testing.assert_allclose(np.diag(K), 1.0)  # l1-normalised histograms
    assert np.linalg.eigvalsh(K).min() > -1e-10  # positive semi-definite


def test_float32_and_lists():
    X = _hist(4, 6, 2)
    np.testing.assert_allclose(
        histogram_intersection_kernel(X.astype(np.float32)),
        histogram_intersection_kernel(X.tolist()),
        atol=1e-6,
    )


def test_svc_callable_and_precomputed_agree():
    rng = np.random.default_rng(0)
    X = np.vstack(
        [
            _hist(20, 8, 1) * [4, 4, 1, 1, 1, 1, 1, 1],
            _hist(20, 8, 2) * [1, 1, 1, 1, 1, 1, 4, 4],
        ]
    )
    X /= X.sum(1, keepdims=True)
    y = np.repeat([0, 1], 20)
    test = rng.permutation(40)[:10]
    callable_svc = SVC(kernel=histogram_intersection_kernel).fit(X, y)
    pre = SVC(kernel="precomputed").fit(histogram_intersection_kernel(X), y)
    np.testing.assert_array_equal(
        callable_svc.predict(X[test]),
        pre.predict(histogram_intersection_kernel(X[test], X)),
    )
    np.testing.assert_allclose(
        callable_svc.decision_function(X[test]),
        pre.decision_function(histogram_intersection_kernel(X[test], X)),
    )
    assert callable_svc.score(X, y) > 0.9


def test_pyramid_match_kernel_formula():
    n_words, levels = 3, 3
    X, Y = _hist(4, n_words * 21, 3), _hist(3, n_words * 21, 4)
    blocks = [(0, 3), (3, 15), (15, 63)]
    inter = [np.minimum(X[:, None, a:b], Y[None, :, a:b]).sum(-1) for a, b in blocks]
    # eq. 3 of Lazebnik et al.: I_L + sum_l (I_l - I_{l+1}) / 2**(L-l)
    expected = inter[2] + (inter[1] - inter[2]) / 2 + (inter[0] - inter[1]) / 4
    np.testing.assert_allclose(
        pyramid_match_kernel(X, Y, pyramid_levels=levels), expected, atol=1e-12
    )
    kernel = functools.partial(pyramid_match_kernel, pyramid_levels=levels)
    assert SVC(kernel=kernel).fit(X, [0, 1, 0, 1]).predict(Y).shape == (3,)


def test_errors():
    with pytest.raises(ValueError, match="non-negative"):
        histogram_intersection_kernel(np.array([[-1.0, 2.0]]))
    with pytest.raises(ValueError, match="non-negative"):
        histogram_intersection_kernel(np.ones((1, 2)), np.array([[1.0, -2.0]]))
    with pytest.raises(ValueError, match="Incompatible dimension"):
        histogram_intersection_kernel(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="pyramid_levels"):
        pyramid_match_kernel(np.ones((2, 10)), pyramid_levels=3)
    with pytest.raises(ValueError, match="pyramid_levels"):
        pyramid_match_kernel(np.ones((2, 10)), pyramid_levels=0)


def test_sparse_and_dense_columns_agree_with_naive():
    rng = np.random.default_rng(5)
    # Column 0 dense, the rest very sparse: both code paths are used.
    X = rng.random((60, 30)) * (rng.random((60, 30)) < 0.05)
    Y = rng.random((40, 30)) * (rng.random((40, 30)) < 0.05)
    X[:, 0] = rng.random(60)
    Y[:, 0] = rng.random(40)
    naive = np.minimum(X[:, None, :], Y[None, :, :]).sum(-1)
    np.testing.assert_allclose(histogram_intersection_kernel(X, Y), naive, atol=1e-12)
    empty = np.zeros((3, 30))
    np.testing.assert_array_equal(histogram_intersection_kernel(empty, Y), 0)
