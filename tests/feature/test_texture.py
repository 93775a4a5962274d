"""FilterBankExtractor and TextonEncoder: shapes, definitions, errors, accuracy."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.kernel_approximation import AdditiveChi2Sampler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import chi2_kernel
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from skcv.datasets import load_textures
from skcv.feature import (
    FilterBankExtractor,
    TextonEncoder,
    filter_responses,
    leung_malik_bank,
    max_response_8,
    rfs_bank,
)


def texture_patches(patch=32, per_class=24, seed=0):
    """Labelled patches of scikit-image's bundled brick, grass and gravel."""
    return load_textures(
        patch_size=patch, n_patches=per_class, random_state=seed, return_X_y=True
    )


# ------------------------------------------------------------ FilterBankExtractor
def test_lm_mean_vector_is_mean_absolute_response():
    rng = np.random.default_rng(0)
    X = rng.random((3, 40, 36))
    ext = FilterBankExtractor(statistics=("mean", "std")).fit(X)
    F = ext.transform(X)
    assert F.shape == (3, 96)
    r = np.abs(filter_responses(X, leung_malik_bank()))
    np.testing.assert_allclose(F[:, :48], r.mean(axis=(2, 3)), rtol=1e-5)
    np.testing.assert_allclose(F[:, 48:], r.std(axis=(2, 3)), rtol=1e-4)
    names = ext.get_feature_names_out()
    assert names[0] == "lm_edge_s0_o0_mean" and names[-1] == "lm_log3_s3_std"
    assert len(names) == 96


def test_signed_statistics_grid_and_mr8():
    rng = np.random.default_rng(1)
    X = rng.random((2, 30, 41)).astype(np.float32)
    ext = FilterBankExtractor(
        bank="mr8", statistics=("mean", "max", "energy"), absolute=False, grid=(2, 3)
    ).fit(X)
    F = ext.transform(X)
    assert F.dtype == np.float32 and F.shape == (2, 6 * 3 * 8)
    mr8 = max_response_8(filter_responses(X, rfs_bank()))
    cell = mr8[:, :, 15:30, 27:41]  # last cell: rows 15..29, cols 27..40
    np.testing.assert_allclose(F[:, -24:-16], cell.mean(axis=(2, 3)), rtol=1e-4)
    np.testing.assert_allclose(F[:, -16:-8], cell.max(axis=(2, 3)), rtol=1e-5)
    np.testing.assert_allclose(F[:, -8:], (cell**2).mean(axis=(2, 3)), rtol=1e-4)
    names = ext.get_feature_names_out()
    assert names[0] == "mr8_cell0_0_edge_s0_mean"
    assert names[-1] == "mr8_cell1_2_log_energy"


def test_other_banks_and_custom_array():
    X = np.random.default_rng(2).random((2, 20, 20))
    for bank, width in (("schmid", 13), ("gabor", 48), ("lms", 48), ("rfs", 38)):
        ext = FilterBankExtractor(bank=bank, statistics="mean", size=15).fit(X)
        assert ext.transform(X).shape == (2, width)
    custom = np.random.default_rng(3).standard_normal((4, 5, 5))
    ext = FilterBankExtractor(bank=custom, statistics=("mean",)).fit(X)
    assert ext.get_feature_names_out().tolist() == [f"bank_f{i}_mean" for i in range(4)]
    np.testing.assert_allclose(
        ext.transform(X), np.abs(filter_responses(X, custom)).mean(axis=(2, 3)), 1e-5
    )


def test_variable_sizes_colour_and_parallel_agree():
    rng = np.random.default_rng(4)
    a, b = rng.random((24, 30)), rng.random((33, 21))
    ext = FilterBankExtractor(size=9).fit([a, b])
    F = ext.transform([a, b])
    np.testing.assert_allclose(F[0], ext.transform(a[None])[0])
    np.testing.assert_allclose(F[1], ext.transform(b[None])[0])
    # Colour images are converted to grey with the BT.709 luma weights.
    rgb = rng.random((2, 16, 16, 3))
    grey = rgb @ np.array([0.2125, 0.7154, 0.0721])
    np.testing.assert_allclose(ext.transform(rgb), ext.transform(grey), rtol=1e-5)
    # batch size and joblib (threading) do not change the result
    X = rng.random((5, 16, 16))
    ref = ext.transform(X)
    from joblib import parallel_backend

    with parallel_backend("threading"):
        par = clone(ext).set_params(batch_size=2, n_jobs=2).fit(X).transform(X)
    np.testing.assert_allclose(par, ref, rtol=1e-6)


def test_extractor_bad_parameters():
    X = np.zeros((2, 8, 8))
    with pytest.raises(ValueError, match="statistics must be .* got"):
        FilterBankExtractor(statistics=("mean", "median")).fit(X)
    with pytest.raises(ValueError, match="statistics must be"):
        FilterBankExtractor(statistics=()).fit(X)
    with pytest.raises(ValueError, match="grid must be a pair"):
        FilterBankExtractor(grid=(0, 2)).fit(X)
    with pytest.raises(ValueError, match="bank"):
        FilterBankExtractor(bank="leung").fit(X)
    with pytest.raises(ValueError, match="size must be None or an odd"):
        FilterBankExtractor(size=8).fit(X)
    with pytest.raises(ValueError, match="bank must have shape"):
        FilterBankExtractor(bank=np.zeros((2, 2, 2, 2))).fit(X)


# ----------------------------------------------------------------- TextonEncoder
def test_textons_dictionary_size_and_histograms():
    X, y = texture_patches(patch=24, per_class=6)
    enc = TextonEncoder(n_textons=4, max_pixels=200, size=15, random_state=0)
    H = enc.fit(X, y).transform(X)
    assert enc.textons_.shape == (3 * 4, 8)
    np.testing.assert_array_equal(np.bincount(enc.texton_labels_), [4, 4, 4])
    assert H.shape == (len(X), 12)
    np.testing.assert_allclose(H.sum(axis=1), 1.0, rtol=1e-6)
    assert np.all(H >= 0)
    assert enc.get_feature_names_out()[-1] == "texton11"
    # without classes: one k-means over everything
    pooled = clone(enc).set_params(per_class=False).fit(X, y)
    assert pooled.textons_.shape == (4, 8)
    assert clone(enc).fit(X).textons_.shape == (4, 8)
    # l2 and raw counts
    H2 = clone(enc).set_params(normalize="l2").fit(X, y).transform(X)
    np.testing.assert_allclose(np.linalg.norm(H2, axis=1), 1.0, rtol=1e-6)
    counts = clone(enc).set_params(normalize=None).fit(X, y).transform(X)
    np.testing.assert_allclose(counts.sum(axis=1), 24 * 24)


def test_textons_nearest_assignment_by_hand():
    X, y = texture_patches(patch=16, per_class=3, seed=5)
    enc = TextonEncoder(
        bank="schmid", n_textons=3, size=9, weber=False, random_state=0
    ).fit(X, y)
    image = X[0] / 255.0
    z = (image - image.mean()) / image.std()
    r = filter_responses(z, enc.filters_).reshape(13, -1).T
    d = ((r[:, None, :] - enc.textons_[None].astype(np.float32)) ** 2).sum(-1)
    expected = np.bincount(d.argmin(1), minlength=len(enc.textons_)) / r.shape[0]
    np.testing.assert_allclose(enc.transform(X[:1])[0], expected, atol=1e-12)


def test_textons_tiny_classes_and_bad_parameters():
    X = np.zeros((4, 6, 6))
    X[2:] = 1.0
    enc = TextonEncoder(n_textons=5, size=5, random_state=0).fit(X, [0, 0, 1, 1])
    # constant images have one distinct response vector: one texton per class
    assert enc.textons_.shape[0] == 2
    with pytest.raises(ValueError, match="n_textons"):
        TextonEncoder(n_textons=0).fit(X)
    with pytest.raises(ValueError, match="normalize"):
        TextonEncoder(normalize="l3").fit(X)
    with pytest.raises(ValueError, match="size must be None or an odd"):
        TextonEncoder(size=4).fit(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        TextonEncoder(size=5).fit(X, [0, 1])


@pytest.mark.parametrize(
    "y, match",
    [
        ([0.0, np.nan, 1.0, 1.0], "Input y contains NaN; with per_class=True"),
        (
            [0.1, 0.7, 1.3, 2.9],
            r"Unknown label type: continuous; y must hold class labels",
        ),
    ],
)
def test_textons_reject_non_class_y(y, match):
    # Regression: a continuous y made one class per distinct value (36 textons
    # from 12 images), and NaN was one more class.
    X = np.random.default_rng(0).random((4, 8, 8))
    with pytest.raises(ValueError, match=match):
        TextonEncoder(n_textons=3, size=5, random_state=0).fit(X, y)
    # y is not used without per_class: no error
    enc = TextonEncoder(n_textons=3, size=5, per_class=False, random_state=0)
    assert enc.fit(X, y).textons_.shape[0] == 3


@pytest.mark.slow
def test_textons_with_chi2_kernel_svm_and_additive_sampler():
    X, y = texture_patches(patch=32, per_class=16)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    accs_kernel, accs_linear = [], []
    for train, test in cv.split(X, y):
        enc = TextonEncoder(n_textons=8, max_pixels=300, random_state=0)
        Htr = enc.fit(X[train], y[train]).transform(X[train])
        Hte = enc.transform(X[test])
        svm = SVC(kernel="precomputed", C=10).fit(chi2_kernel(Htr, Htr), y[train])
        accs_kernel.append(svm.score(chi2_kernel(Hte, Htr), y[test]))
        lin = make_pipeline(AdditiveChi2Sampler(), LinearSVC(C=1.0)).fit(Htr, y[train])
        accs_linear.append(lin.score(Hte, y[test]))
    assert np.mean(accs_kernel) >= 0.9
    assert np.mean(accs_linear) >= 0.85


@pytest.mark.slow
def test_lm_mean_pipeline_classifies_textures():
    X, y = texture_patches(patch=64, per_class=16)
    pipe = make_pipeline(
        FilterBankExtractor(statistics=("mean",)),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    )
    scores = cross_val_score(
        pipe, X, y, cv=StratifiedKFold(4, shuffle=True, random_state=0)
    )
    assert scores.mean() >= 0.9
