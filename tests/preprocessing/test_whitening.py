import numpy as np
import pytest
from scipy.signal import correlate
from sklearn.decomposition import PCA

from skcv.datasets import load_digits_images, load_textures
from skcv.preprocessing import Whitener, patch_whitening_filters
from skcv.preprocessing._whitening import _mean_and_covariance, _row_chunks


@pytest.fixture
def correlated():
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(12, 12)) * np.linspace(3, 0.1, 12)
    return rng.normal(size=(800, 12)) @ mixing + 5.0


def _max_cov_error(Z):
    return np.abs(np.cov(Z, rowvar=False) - np.eye(Z.shape[1])).max()


def test_chunked_covariance_matches_numpy(correlated):
    n, mean, cov = _mean_and_covariance(_row_chunks(correlated, chunk_values=100))
    assert n == 800
    np.testing.assert_allclose(mean, correlated.mean(axis=0))
    np.testing.assert_allclose(cov, np.cov(correlated, rowvar=False), atol=1e-10)


@pytest.mark.parametrize("method", ["zca", "pca"])
def test_output_covariance_is_identity(correlated, method):
    Z = Whitener(method=method, epsilon=1e-12).fit_transform(correlated)
    assert _max_cov_error(Z) < 1e-3
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-8)


def test_digits_pca_whitening_identity_and_sklearn():
    X = load_digits_images().data
    white = Whitener(method="pca", n_components=40, epsilon=0).fit(X)
    Z = white.transform(X)
    assert Z.shape == (1797, 40)
    assert _max_cov_error(Z) < 1e-3
    pca = PCA(n_components=40, whiten=True, svd_solver="full").fit(X.reshape(1797, -1))
    np.testing.assert_allclose(white.explained_variance_, pca.explained_variance_)
    np.testing.assert_allclose(
        white.explained_variance_ratio_, pca.explained_variance_ratio_, atol=1e-12
    )
    ref = pca.transform(X.reshape(1797, -1))
    signs = np.sign(np.sum(ref * Z, axis=0))
    np.testing.assert_allclose(Z, ref * signs, atol=1e-7)
    # inverse of a reduced PCA is the projection onto the kept directions
    np.testing.assert_allclose(
        white.inverse_transform(Z), pca.inverse_transform(ref), atol=1e-10
    )


def test_zca_keeps_image_layout():
    """ZCA of a texture gives local filters centred on their own pixel."""
    X = load_textures(patch_size=8).data
    white = Whitener(method="zca", epsilon=1e-4).fit(X)
    assert white.image_shape_ == (8, 8)
    np.testing.assert_allclose(white.whitening_, white.whitening_.T, atol=1e-8)
    centre = np.argmax(np.abs(white.whitening_), axis=1)
    assert np.mean(centre == np.arange(64)) > 0.95
    Z = white.transform(X)
    assert Z.shape == (len(X), 64)
    images = Z.reshape(-1, *white.image_shape_)
    assert images.shape == (len(X), 8, 8)
    np.testing.assert_array_equal(
        white.get_feature_names_out()[:3], ["pixel_0_0", "pixel_0_1", "pixel_0_2"]
    )
    # ZCA is the whitening closest to the centred input (Kessy et al. 2018).
    centred = X.reshape(len(X), -1) / 255.0 - white.mean_
    pca = Whitener(method="pca", epsilon=1e-4).fit_transform(X)
    assert np.sum((Z - centred) ** 2) < np.sum((pca - centred) ** 2)


@pytest.mark.parametrize("method", ["zca", "pca"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inverse_round_trip_and_dtype(correlated, method, dtype):
    X = correlated.astype(dtype)
    white = Whitener(method=method, epsilon=1e-10).fit(X)
    Z = white.transform(X)
    assert Z.dtype == dtype
    back = white.inverse_transform(Z)
    assert back.dtype == dtype
    np.testing.assert_allclose(back, X, atol=1e-4)


def test_float32_close_to_float64(correlated):
    Z64 = Whitener().fit_transform(correlated)
    Z32 = Whitener().fit_transform(correlated.astype(np.float32))
    np.testing.assert_allclose(Z32, Z64, atol=1e-3)


def test_colour_images_rows_and_batches_agree():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(60, 4, 4, 3), dtype=np.uint8)
    batch = Whitener().fit(images)
    rows = images.reshape(60, -1)
    from_rows = Whitener(image_shape=(4, 4, 3)).fit(rows)
    assert batch.transform(images).dtype == np.float32
    np.testing.assert_allclose(batch.transform(images), from_rows.transform(rows))
    assert batch.get_feature_names_out()[5] == "pixel_0_1_2"


def test_n_components_fraction_and_names(correlated):
    white = Whitener(method="pca", n_components=0.9).fit(correlated)
    ratio = np.cumsum(Whitener(method="pca").fit(correlated).explained_variance_ratio_)
    k = white.n_components_
    assert ratio[k - 1] >= 0.9 and (k == 1 or ratio[k - 2] < 0.9)
    assert white.transform(correlated).shape == (800, k)
    assert list(white.get_feature_names_out()) == [f"whitener{i}" for i in range(k)]
    zca = Whitener(method="zca", n_components=3).fit(correlated)
    assert zca.transform(correlated).shape == (800, 12)
    assert np.linalg.matrix_rank(zca.whitening_) == 3


def test_epsilon_shrinks_variance(correlated):
    white = Whitener(method="pca", epsilon=1.0).fit(correlated)
    var = np.var(white.transform(correlated), axis=0, ddof=1)
    lam = white.explained_variance_
    np.testing.assert_allclose(var, lam / (lam + 1.0), rtol=1e-8)


def test_errors(correlated):
    with pytest.raises(ValueError, match="'method' parameter .* Got 'ica'"):
        Whitener(method="ica").fit(correlated)
    with pytest.raises(ValueError, match="n_components=20 must be <= n_features=12"):
        Whitener(n_components=20).fit(correlated)
    with pytest.raises(ValueError, match="at least 2 samples"):
        Whitener().fit(correlated[:1])
    white = Whitener(method="pca", n_components=4).fit(correlated)
    with pytest.raises(ValueError, match="expects 4 features"):
        white.inverse_transform(np.zeros((3, 12)))


def _valid_correlation(images, filters):
    """Reference: scipy's valid-mode correlation of each image with each filter."""
    out = [[correlate(im, f, mode="valid")[..., 0] for f in filters] for im in images]
    return np.asarray(out).transpose(0, 2, 3, 1).reshape(-1, len(filters))


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_patch_filters_whiten_patches(method):
    rng = np.random.default_rng(0)
    smooth = rng.random((30, 10, 10, 3))
    smooth = smooth + np.roll(smooth, 1, axis=1) + np.roll(smooth, 1, axis=2)
    filters = patch_whitening_filters(smooth, patch_size=2, epsilon=1e-9, method=method)
    assert filters.shape == (12, 2, 2, 3) and filters.dtype == np.float32
    responses = _valid_correlation(smooth, filters.astype(np.float64))
    assert _max_cov_error(responses) < 1e-3
    # The same numbers as a Whitener fitted on the extracted patches.
    patches = np.lib.stride_tricks.sliding_window_view(smooth, (2, 2), axis=(1, 2))
    patches = patches.transpose(0, 1, 2, 4, 5, 3).reshape(-1, 12)
    white = Whitener(method=method, epsilon=1e-9).fit(patches)
    np.testing.assert_allclose(
        filters.reshape(12, -1), white.whitening_.T.astype(np.float32), rtol=1e-5
    )


def test_patch_filters_grey_sampling_and_errors():
    X = load_digits_images().data
    filters = patch_whitening_filters(X, patch_size=3, max_patches=500, random_state=0)
    assert filters.shape == (9, 3, 3, 1)
    again = patch_whitening_filters(X, patch_size=3, max_patches=500, random_state=0)
    np.testing.assert_array_equal(filters, again)
    other = patch_whitening_filters(X, patch_size=3, max_patches=500, random_state=1)
    assert not np.array_equal(filters, other)
    with pytest.raises(ValueError, match="patch_size must be <= the image height"):
        patch_whitening_filters(X, patch_size=9)
    with pytest.raises(ValueError, match="'method' parameter"):
        patch_whitening_filters(X, method="ica")
    with pytest.raises(ValueError, match="images must have|ndim"):
        patch_whitening_filters(np.zeros((2, 3, 4, 5, 6)))


def test_zero_epsilon_with_zero_variance_direction_raises():
    rng = np.random.default_rng(0)
    X = rng.random((3, 16))  # 3 samples: at most 2 directions with variance
    with pytest.raises(ValueError, match="epsilon=0 leaves a retained direction"):
        Whitener(epsilon=0).fit(X)
    assert np.isfinite(Whitener(epsilon=1e-3).fit(X).transform(X)).all()
