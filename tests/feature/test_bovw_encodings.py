"""Defining properties of the kernel-codebook, LLC and Fisher-vector encodings."""

import numpy as np
import pytest

from skcv.feature import BagOfVisualWords, dense_sift
from skcv.feature._bovw import _CHUNK, llc_codes
from tests.registry.sift import texture_patches

FAST = {"step": 8, "patch_size": 16}


@pytest.fixture(scope="module")
def textures():
    X, y = texture_patches(n_per_class=5, size=48, seed=1)
    return X, y


def _fit(X, **params):
    base = dict(descriptor_params=FAST, random_state=0, pyramid_levels=2)
    return BagOfVisualWords(**{**base, **params}).fit(X)


# ------------------------------------------------------------------ Fisher
def _reference_fisher(bovw, image):
    """Textbook improved Fisher vector of one image, one descriptor at a time."""
    _, descriptors = dense_sift(image, **FAST)
    x = bovw.pca_.transform(descriptors)
    gmm = bovw.gmm_
    gamma = gmm.predict_proba(x)
    mu, var, w = gmm.means_, gmm.covariances_, gmm.weights_
    n_words, dim = mu.shape
    u = np.zeros((n_words, dim))
    v = np.zeros((n_words, dim))
    for t in range(len(x)):
        for k in range(n_words):
            z = (x[t] - mu[k]) / np.sqrt(var[k])
            u[k] += gamma[t, k] * z
            v[k] += gamma[t, k] * (z**2 - 1)
    u /= len(x) * np.sqrt(w)[:, None]
    v /= len(x) * np.sqrt(2 * w)[:, None]
    return np.concatenate([u.ravel(), v.ravel()])


def test_fisher_dimension_is_2KD_per_cell(textures):
    X, _ = textures
    bovw = _fit(X, encoding="fisher", n_words=3, pca_components=5)
    F = bovw.transform(X)
    assert bovw.pca_.n_components_ == 5 and bovw.gmm_.means_.shape == (3, 5)
    assert F.shape == (len(X), (1 + 4) * 2 * 3 * 5) == (len(X), bovw.n_features_out_)
    assert F.dtype == np.float32
    names = bovw.get_feature_names_out()
    assert len(names) == F.shape[1]
    assert names[0] == "bovw_l0_c0_mean_w0_d0"
    assert names[2 * 3 * 5 - 1] == "bovw_l0_c0_sigma_w2_d4"
    assert names[-1] == "bovw_l1_c3_sigma_w2_d4"


def test_fisher_matches_textbook_formula_and_keeps_signs(textures):
    X, _ = textures
    bovw = _fit(X, encoding="fisher", n_words=3, pca_components=6, pyramid_levels=1)
    F = bovw.transform(X[:3])
    for image, fv in zip(X[:3], F, strict=True):
        raw = _reference_fisher(bovw, image / 255.0)
        # power normalisation keeps every sign; L2 makes the norm one
        np.testing.assert_array_equal(np.sign(fv), np.sign(raw).astype(np.float32))
        expected = np.sign(raw) * np.sqrt(np.abs(raw))
        expected /= np.linalg.norm(expected)
        np.testing.assert_allclose(fv, expected, rtol=1e-4, atol=1e-6)
        assert np.linalg.norm(fv) == pytest.approx(1.0, abs=1e-5)


def test_fisher_pyramid_level0_is_the_whole_image(textures):
    X, _ = textures
    flat = _fit(X, encoding="fisher", n_words=2, pca_components=4, pyramid_levels=1)
    pyr = _fit(X, encoding="fisher", n_words=2, pca_components=4, pyramid_levels=3)
    width = 2 * 2 * 4
    np.testing.assert_allclose(
        pyr.transform(X)[:, :width], flat.transform(X), rtol=1e-4, atol=1e-6
    )
    # each of the 1 + 4 + 16 cells is L2-normalised (or empty)
    cells = pyr.transform(X).reshape(len(X), 21, width)
    norms = np.linalg.norm(cells, axis=2)
    assert np.all((np.abs(norms - 1) < 1e-5) | (norms == 0))


def test_fisher_needs_enough_descriptors():
    X = np.random.default_rng(0).random((2, 16, 16))
    with pytest.raises(ValueError, match="n_words=50"):
        _fit(X, encoding="fisher", n_words=50)


@pytest.mark.parametrize(("seed", "n_words"), [(1, 32), (3, 16), (5, 16)])
def test_fisher_fits_images_with_flat_regions(seed, n_words):
    # Half flat, half faint noise: the flat half gives identical (all-zero) PHOW
    # descriptors. Fitted on float32 descriptors, the Gaussian that took them got a
    # negative variance from round-off and GaussianMixture raised "ill-defined
    # empirical covariance" on these three seeds (as on KTH-TIPS with 5 or 20
    # training images per class); the mixture is now fitted in float64.
    rng = np.random.default_rng(seed)
    X = np.full((8, 64, 64), 0.5, np.float32)
    X[:, :, 32:] = rng.random((8, 64, 32)) * 0.1 + 0.45
    bovw = BagOfVisualWords(
        n_words=n_words,
        encoding="fisher",
        pyramid_levels=1,
        pca_components=32,
        descriptor_params={"step": 4, "scales": (4, 6)},
        random_state=seed,
    ).fit(X)
    assert bovw.gmm_.covariances_.min() > 0
    F = bovw.transform(X)
    assert F.shape == (8, 2 * n_words * 32) and np.isfinite(F).all()


# -------------------------------------------------------------------- LLC
def test_llc_codes_sum_to_one_and_reconstruct_inside_the_simplex():
    rng = np.random.default_rng(0)
    codebook = rng.normal(size=(12, 3))
    descriptors = rng.normal(size=(40, 3))
    words = np.argsort(((descriptors[:, None] - codebook) ** 2).sum(-1), axis=1)[:, :4]
    codes = llc_codes(descriptors, codebook, words)
    assert codes.shape == (40, 4)
    np.testing.assert_allclose(codes.sum(axis=1), 1.0, atol=1e-12)
    # A point that is a convex combination of its k = d + 1 words is coded by
    # (almost exactly) those barycentric weights.
    bary = rng.dirichlet(np.ones(4), size=5)
    chosen = np.stack([rng.choice(12, 4, replace=False) for _ in range(5)])
    points = np.einsum("nk,nkd->nd", bary, codebook[chosen])
    np.testing.assert_allclose(
        llc_codes(points, codebook, chosen, beta=1e-10), bary, atol=1e-6
    )


def test_llc_has_at_most_k_nonzeros_and_unit_norm(textures):
    X, _ = textures
    bovw = _fit(X, encoding="llc", n_words=12, n_neighbors=3, pyramid_levels=1)
    _, descriptors = dense_sift(X[0] / 255.0, **FAST)
    words, _ = bovw._nearest_words(descriptors, bovw.n_neighbors)
    dense = np.zeros((len(descriptors), 12))
    np.put_along_axis(dense, words, llc_codes(descriptors, bovw.codebook_, words), 1)
    assert ((dense != 0).sum(axis=1) <= 3).all()
    np.testing.assert_allclose(dense.sum(axis=1), 1.0, atol=1e-9)
    F = bovw.transform(X[:1])
    # max pooling of those codes, then the L2 norm
    pooled = np.maximum(dense.max(axis=0), 0)
    np.testing.assert_allclose(F[0], pooled / np.linalg.norm(pooled), atol=1e-6)
    assert np.linalg.norm(F, axis=1) == pytest.approx(1.0)


# ------------------------------------------------------- kernel codebook
def test_kernel_codebook_becomes_hard_as_bandwidth_goes_to_zero(textures):
    X, _ = textures
    hard = _fit(X, encoding="hard", n_words=8).transform(X)
    soft = _fit(X, encoding="kernel_codebook", n_words=8, bandwidth=1e-4)
    np.testing.assert_allclose(soft.transform(X), hard, atol=1e-12)
    # a wide kernel spreads each descriptor evenly over its neighbours
    wide = _fit(X, encoding="kernel_codebook", n_words=8, bandwidth=1e6)
    assert (wide.transform(X) > 0).sum() > (hard > 0).sum()


def test_soft_is_the_default_kernel_codebook(textures):
    X, _ = textures
    a = _fit(X, encoding="soft", n_words=8).transform(X)
    b = _fit(X, encoding="kernel_codebook", n_words=8).transform(X)
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------- scale
def test_nearest_words_in_blocks_equal_the_full_matrix(textures):
    X, _ = textures
    bovw = _fit(X, n_words=10)
    x = np.random.default_rng(0).random((2 * _CHUNK + 7, 128)).astype(np.float32)
    words, d2 = bovw._nearest_words(x, 3)
    full = ((x[:, None, :] - bovw.codebook_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(words[:, 0], full.argmin(axis=1))
    np.testing.assert_allclose(d2, np.sort(full, axis=1)[:, :3], rtol=1e-3, atol=1e-4)


def test_vocabulary_of_a_thousand_words():
    X, _ = texture_patches(n_per_class=4, size=64, seed=2)
    bovw = BagOfVisualWords(
        n_words=1024,
        encoding="llc",
        pyramid_levels=1,
        descriptor_params={"step": 4, "patch_size": 8},
        max_descriptors=3_000,
        batch_size=4,
        random_state=0,
    ).fit(X)
    assert bovw.codebook_.shape == (1024, 128)
    F = bovw.transform(X)
    assert F.shape == (len(X), 1024) and np.isfinite(F).all()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"encoding": "sparse"}, "encoding"),
        ({"n_neighbors": 0}, "n_neighbors"),
        ({"bandwidth": 0.0}, "bandwidth"),
        ({"pca_components": 0}, "pca_components"),
    ],
)
def test_bad_encoding_parameters(params, match):
    X = np.random.default_rng(0).random((2, 16, 16))
    with pytest.raises(ValueError, match=match):
        BagOfVisualWords(**params).fit(X)
