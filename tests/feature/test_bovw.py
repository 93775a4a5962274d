import numpy as np
import pytest
from skimage import data
from sklearn.base import clone

from skcv.feature import BagOfVisualWords
from skcv.feature._bovw import pyramid_level_weights
from skcv.metrics import histogram_intersection_kernel, pyramid_match_kernel
from tests.registry.sift import texture_patches

FAST = {"step": 8, "patch_size": 16}


@pytest.fixture(scope="module")
def textures():
    X, y = texture_patches(n_per_class=6, size=48, seed=0)
    return X, y


def _levels(features, n_words, n_levels, width=1):
    start, out = 0, []
    for level in range(n_levels):
        stop = start + 4**level * n_words * width
        out.append(features[:, start:stop])
        start = stop
    assert start == features.shape[1]
    return out


def test_shape_and_feature_names(textures):
    X, _ = textures
    bovw = BagOfVisualWords(
        n_words=10, pyramid_levels=3, descriptor_params=FAST, random_state=0
    ).fit(X)
    F = bovw.transform(X)
    assert F.shape == (len(X), 10 * (1 + 4 + 16)) == (len(X), bovw.n_features_out_)
    names = bovw.get_feature_names_out()
    assert len(names) == F.shape[1]
    assert names[0] == "bovw_l0_c0_w0"
    assert names[10 + 2 * 10 + 7] == "bovw_l1_c2_w7"
    assert names[-1] == "bovw_l2_c15_w9"
    assert bovw.codebook_.shape == (10, 128)


def test_histograms_sum_to_one_per_level(textures):
    X, _ = textures
    for encoding in ("hard", "soft"):
        bovw = BagOfVisualWords(
            n_words=8,
            pyramid_levels=3,
            encoding=encoding,
            descriptor_params=FAST,
            random_state=0,
        )
        F = bovw.fit_transform(X)
        for level, block in enumerate(_levels(F, 8, 3)):
            weight = bovw.level_weights_[level]
            np.testing.assert_allclose(block.sum(axis=1) / weight, 1.0, atol=1e-9)
            assert (block >= 0).all()


def test_pyramid_weights_follow_lazebnik():
    np.testing.assert_allclose(pyramid_level_weights(1), [1.0])
    np.testing.assert_allclose(pyramid_level_weights(2), [0.5, 0.5])
    np.testing.assert_allclose(pyramid_level_weights(3), [0.25, 0.25, 0.5])
    np.testing.assert_allclose(pyramid_level_weights(4), [1 / 8, 1 / 8, 1 / 4, 1 / 2])
    # weights sum to 1 - 1/2**L + 1/2**L = 1
    assert pyramid_level_weights(5).sum() == pytest.approx(1.0)


def test_intersection_of_features_is_pyramid_match_kernel(textures):
    X, _ = textures
    bovw = BagOfVisualWords(
        n_words=6, pyramid_levels=3, descriptor_params=FAST, random_state=0
    )
    F = bovw.fit_transform(X)
    unweighted = np.hstack(
        [b / w for b, w in zip(_levels(F, 6, 3), bovw.level_weights_, strict=True)]
    )
    np.testing.assert_allclose(
        histogram_intersection_kernel(F),
        pyramid_match_kernel(unweighted, pyramid_levels=3),
        atol=1e-12,
    )


def test_spatial_cells_follow_keypoints():
    # The same texture in the top-left or the bottom-right quadrant (shifted by
    # a multiple of the grid step, zeros around): the same bag of words at level
    # 0, moved from cell 0 to cell 3 at level 1.
    texture = data.gravel()[:32, :32] / 255.0
    image = np.zeros((96, 96))
    image[8:40, 8:40] = texture
    other = np.zeros((96, 96))
    other[56:88, 56:88] = texture
    X = np.stack([image, other])
    bovw = BagOfVisualWords(
        n_words=5,
        pyramid_levels=2,
        descriptor_params={"step": 4, "patch_size": 8},
        random_state=0,
    ).fit(X)
    level0, level1 = _levels(bovw.transform(X), 5, 2)
    np.testing.assert_allclose(level0[0], level0[1])
    cells0 = level1[0].reshape(4, 5)
    cells1 = level1[1].reshape(4, 5)
    # Flat patches (zero descriptors) fall in one word; the cells hold 11x11 or
    # 12x12 keypoints, so compare the textured words only.
    flat = np.argmin(np.linalg.norm(bovw.codebook_, axis=1))
    words = np.arange(5) != flat
    np.testing.assert_allclose(cells0[0, words], cells1[3, words])
    np.testing.assert_allclose(cells0[3, words], cells1[0, words])
    assert cells0[0, words].sum() > 0.01 and cells0[3, words].sum() == 0


def test_plain_bag_of_words_with_one_level(textures):
    X, _ = textures
    F = BagOfVisualWords(
        n_words=7, pyramid_levels=1, descriptor_params=FAST, random_state=0
    ).fit_transform(X)
    assert F.shape == (len(X), 7)
    np.testing.assert_allclose(F.sum(1), 1)


def test_normalizations_and_vlad(textures):
    X, _ = textures
    base = BagOfVisualWords(
        n_words=4, pyramid_levels=2, descriptor_params=FAST, random_state=0
    )
    for normalize in ("l2", "hellinger"):
        F = clone(base).set_params(normalize=normalize).fit_transform(X)
        for level, block in enumerate(_levels(F, 4, 2)):
            norm = np.linalg.norm(block, axis=1) / pyramid_level_weights(2)[level]
            np.testing.assert_allclose(norm, 1, atol=1e-9)
    vlad = clone(base).set_params(encoding="vlad", pyramid_levels=1)
    F = vlad.fit_transform(X)
    assert F.shape == (len(X), 4 * 128)
    assert (F < 0).any()
    np.testing.assert_allclose(np.abs(F).sum(1), 1)
    assert vlad.get_feature_names_out()[129] == "bovw_l0_c0_w1_d1"


def test_hard_assignment_counts_nearest_words():
    from skcv.feature import dense_sift

    X, _ = texture_patches(n_per_class=2, size=32, seed=3)
    bovw = BagOfVisualWords(
        n_words=6, pyramid_levels=1, descriptor_params=FAST, random_state=0
    ).fit(X)
    _, desc = dense_sift(X[0], **FAST)
    words = bovw.kmeans_.predict(desc.astype(bovw.kmeans_.cluster_centers_.dtype))
    expected = np.bincount(words, minlength=6) / len(words)
    np.testing.assert_allclose(bovw.transform(X[:1])[0], expected)


@pytest.mark.slow
def test_dog_detector_works(textures):
    X, _ = textures
    bovw = BagOfVisualWords(detector="dog", n_words=5, pyramid_levels=2, random_state=0)
    F = bovw.fit_transform(X)
    assert F.shape == (len(X), 25)
    assert np.isfinite(F).all()
    level0 = F[:, :5].sum(1)  # 0.5 with keypoints, 0 for a patch without any
    assert np.isin(np.round(level0, 12), [0.0, 0.5]).all()
    assert (level0 > 0).mean() > 0.8
    # A flat image has no DoG keypoints: an all-zero encoding, not an error.
    assert not bovw.transform(np.zeros((1, 48, 48))).any()


def test_deterministic_with_random_state(textures):
    X, _ = textures
    est = BagOfVisualWords(
        n_words=8, descriptor_params=FAST, max_descriptors=60, random_state=3
    )
    a = clone(est).fit(X)
    b = clone(est).fit(X)
    np.testing.assert_array_equal(a.codebook_, b.codebook_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    c = clone(est).set_params(random_state=4).fit(X)
    assert not np.allclose(a.codebook_, c.codebook_)
    assert a.n_descriptors_fit_ == 60


def test_variable_sized_images():
    images = [data.brick()[:40, :56], data.grass()[:64, :48], data.gravel()[:33, :33]]
    bovw = BagOfVisualWords(
        n_words=4, pyramid_levels=2, descriptor_params=FAST, random_state=0
    ).fit(images)
    assert bovw.image_shape_ is None
    F = bovw.transform(images + [data.brick()[:100, :100]])
    assert F.shape == (4, 20)
    np.testing.assert_allclose(F[:, :4].sum(1), 0.5)


def test_fewer_descriptors_than_words_fills_codebook():
    X = np.random.default_rng(0).random((2, 16, 16))
    bovw = BagOfVisualWords(
        n_words=5, pyramid_levels=1, descriptor_params=FAST, random_state=0
    ).fit(X)
    assert bovw.codebook_.shape == (5, 128)
    F = bovw.transform(X)
    np.testing.assert_allclose(F.sum(1), 1)


@pytest.mark.slow
def test_parallel_equals_serial(textures):
    X, _ = textures
    est = BagOfVisualWords(
        n_words=6, descriptor_params=FAST, random_state=0, batch_size=5
    )
    serial = clone(est).fit(X).transform(X)
    parallel = clone(est).set_params(n_jobs=2).fit(X).transform(X)
    np.testing.assert_allclose(parallel, serial)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"detector": "harris"}, "detector"),
        ({"descriptor_params": {"stride": 3}}, "descriptor_params"),
        ({"n_words": 0}, "n_words"),
        ({"encoding": "fisher"}, "encoding"),
        ({"pyramid_levels": 0}, "pyramid_levels"),
        ({"normalize": "max"}, "normalize"),
        ({"max_descriptors": 0}, "max_descriptors"),
    ],
)
def test_bad_parameters(textures, params, match):
    X, _ = textures
    with pytest.raises(ValueError, match=match):
        BagOfVisualWords(**params).fit(X[:3])


def test_bad_descriptor_values_name_the_parameter(textures):
    X, _ = textures
    with pytest.raises(ValueError, match="step"):
        BagOfVisualWords(descriptor_params={"step": 0}).fit(X[:3])


def test_transform_before_fit_and_1d_input(textures):
    from sklearn.exceptions import NotFittedError

    X, _ = textures
    with pytest.raises(NotFittedError):
        BagOfVisualWords().transform(X)
    with pytest.raises(ValueError, match="Reshape your data"):
        BagOfVisualWords().fit(np.zeros(10))


@pytest.mark.slow
def test_intersection_svm_separates_textures():
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    X, y = texture_patches(n_per_class=15, size=48, seed=1)
    pipe = make_pipeline(
        BagOfVisualWords(
            n_words=20, pyramid_levels=2, descriptor_params=FAST, random_state=0
        ),
        SVC(kernel=histogram_intersection_kernel),
    )
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.8
