"""Homogeneous kernel maps and kernel-SVM accuracy at linear cost."""

import numpy as np
import pytest
from sklearn.kernel_approximation import AdditiveChi2Sampler
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC, LinearSVC

from skcv.feature import BagOfVisualWords, HomogeneousKernelMap
from skcv.metrics import histogram_intersection_kernel
from tests.registry.sift import texture_patches


def _chi2(X, Y):
    num = 2 * X[:, None, :] * Y[None, :, :]
    den = X[:, None, :] + Y[None, :, :]
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0).sum(-1)


def _js(X, Y):
    x, y = X[:, None, :], Y[None, :, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = x / 2 * np.log2((x + y) / x) + y / 2 * np.log2((x + y) / y)
    return np.nan_to_num(t).sum(-1)


@pytest.fixture(scope="module")
def histograms():
    rng = np.random.default_rng(0)
    X = rng.dirichlet(np.full(30, 0.3), size=40)
    X[:, :3] = 0  # empty bins map to zeros
    return X


@pytest.mark.parametrize(
    ("kernel", "exact", "order", "tol"),
    [
        ("intersection", histogram_intersection_kernel, 3, 0.1),
        ("chi2", _chi2, 2, 0.015),
        ("jensen_shannon", _js, 2, 0.015),
    ],
)
def test_dot_products_approximate_the_kernel(histograms, kernel, exact, order, tol):
    X = histograms
    F = HomogeneousKernelMap(kernel=kernel, order=order).fit_transform(X)
    assert F.shape == (40, 30 * (2 * order + 1))
    K = exact(X, X)
    assert np.abs(F @ F.T - K).max() <= tol * K.max()
    # a finer map is a better one
    coarse = HomogeneousKernelMap(kernel=kernel, order=0).fit_transform(X)
    assert np.abs(coarse @ coarse.T - K).mean() > np.abs(F @ F.T - K).mean()


@pytest.mark.parametrize("order", [1, 2])
def test_chi2_map_is_at_least_as_close_as_sklearns(histograms, order):
    # same kernel, same number of frequencies: the rectangular window of the
    # signature beats scikit-learn's sampled spectrum (uniform window)
    X = histograms
    K = _chi2(X, X)
    ours = HomogeneousKernelMap(kernel="chi2", order=order).fit_transform(X)
    theirs = AdditiveChi2Sampler(sample_steps=order + 1).fit_transform(X)
    assert ours.shape == theirs.shape
    assert np.abs(ours @ ours.T - K).max() < np.abs(theirs @ theirs.T - K).max()


def test_intersection_spectrum_has_the_closed_form():
    hkm = HomogeneousKernelMap(order=3, period=6.0).fit(np.ones((1, 2)))
    j = np.arange(4)
    step = 2 * np.pi / 6.0
    closed = (1 - (-1.0) ** j * np.exp(-6.0 / 4)) / (6.0 * (0.25 + (j * step) ** 2))
    np.testing.assert_allclose(hkm.spectrum_, closed, rtol=1e-5)
    # a value's self-similarity is x itself up to the truncation of the series
    x = np.array([[0.2, 0.5]])
    F = hkm.transform(x)
    np.testing.assert_allclose(
        (F**2).sum(), 0.7 * (2 * closed.sum() - closed[0]), rtol=1e-5
    )


def test_scale_homogeneity(histograms):
    hkm = HomogeneousKernelMap().fit(histograms)
    F, G = hkm.transform(histograms), hkm.transform(3 * histograms)
    np.testing.assert_allclose(G @ G.T, 3 * F @ F.T, rtol=1e-10)


def test_negative_input_is_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        HomogeneousKernelMap().fit(np.array([[0.1, -0.2]]))
    hkm = HomogeneousKernelMap().fit(np.array([[0.1, 0.2]]))
    with pytest.raises(ValueError, match="non-negative"):
        hkm.transform(np.array([[0.1, -0.2]]))


def test_linear_svm_on_maps_matches_the_kernel_svm():
    """Spatial-pyramid histograms: intersection / chi2 kernel SVM accuracy at
    linear cost with the explicit maps (ours and scikit-learn's)."""
    X, y = texture_patches(n_per_class=12, size=48, seed=3)
    bovw = BagOfVisualWords(
        n_words=24,
        pyramid_levels=2,
        descriptor_params={"step": 4, "patch_size": 12},
        random_state=0,
    )
    H = bovw.fit_transform(X)
    exact, mapped, chi2 = [], [], []
    for train, test in StratifiedKFold(3, shuffle=True, random_state=0).split(H, y):
        svc = SVC(kernel="precomputed", C=10).fit(
            histogram_intersection_kernel(H[train]), y[train]
        )
        exact.append(
            svc.score(histogram_intersection_kernel(H[test], H[train]), y[test])
        )
        lin = make_pipeline(HomogeneousKernelMap(order=2), LinearSVC(C=10))
        mapped.append(lin.fit(H[train], y[train]).score(H[test], y[test]))
        lin = make_pipeline(AdditiveChi2Sampler(), LinearSVC(C=10))
        chi2.append(lin.fit(H[train], y[train]).score(H[test], y[test]))
    assert np.mean(exact) >= 0.8
    assert np.mean(mapped) >= np.mean(exact) - 0.06
    assert np.mean(chi2) >= np.mean(exact) - 0.06
