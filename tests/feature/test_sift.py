import numpy as np
import pytest
from skimage import data
from skimage.color import rgb2gray

from skcv.feature import dense_sift, sift
from skcv.feature._sift import _normalize_descriptors


def _ramp(angle_deg, size=48):
    """Linear ramp whose gradient points at ``angle_deg`` (counter-clockwise)."""
    a = np.deg2rad(angle_deg)
    r, c = np.mgrid[:size, :size].astype(float)
    return (np.cos(a) * c - np.sin(a) * r) / size


def test_shape_dtype_and_unit_norm():
    image = data.gravel()[:96, :96]
    keypoints, desc = dense_sift(image)
    assert desc.shape == (len(keypoints), 128)
    assert desc.dtype == np.float32
    norms = np.linalg.norm(desc, axis=1)
    assert (norms > 0).all()
    np.testing.assert_allclose(norms, 1, atol=1e-5)
    assert (desc >= 0).all()


def test_descriptor_length_follows_bins():
    _, desc = dense_sift(
        np.random.default_rng(0).random((40, 40)),
        n_spatial_bins=2,
        n_orientations=6,
        patch_size=12,
    )
    assert desc.shape[1] == 2 * 2 * 6


def test_lowe_normalisation_clips_at_0_2():
    raw = np.zeros((2, 128), np.float32)
    raw[0, :2] = [3, 4]
    raw[1, :4] = 1e-4  # below the contrast threshold
    out = _normalize_descriptors(raw, contrast_threshold=1e-3, root_sift=False)
    # [0.6, 0.8] -> clipped [0.2, 0.2] -> renormalised [1/sqrt2, 1/sqrt2]
    np.testing.assert_allclose(out[0, :2], [2**-0.5, 2**-0.5], rtol=1e-6)
    assert np.count_nonzero(out[1]) == 0


def test_clipping_flattens_a_single_orientation_patch():
    # A ramp puts one orientation in every spatial bin; the Gaussian window
    # makes corner bins 0.57x the centre ones, clipping at 0.2 evens them out.
    _, desc = dense_sift(_ramp(0), sigma=0)
    d = desc[len(desc) // 2].reshape(16, 8)
    assert np.count_nonzero(d[:, 1:] > 1e-6) == 0
    ratio = d[:, 0].min() / d[:, 0].max()
    assert 0.9 < ratio < 1.0
    np.testing.assert_allclose(np.linalg.norm(d), 1, atol=1e-6)


@pytest.mark.parametrize("angle", [10.0, 30.0, 200.0])
def test_rotating_the_gradient_shifts_orientation_bins(angle):
    def orient_hist(a):
        keypoints, desc = dense_sift(_ramp(a, 64), sigma=0, contrast_threshold=0)
        # interior keypoints only: one-sided differences at the border bend angles
        inside = (keypoints[:, :2].min(1) > 10) & (keypoints[:, :2].max(1) < 53)
        return desc[inside].reshape(-1, 16, 8).sum(axis=(0, 1))

    h = orient_hist(angle)
    assert np.argmax(h) == round(angle / 45) % 8
    for k in (1, 3):
        np.testing.assert_allclose(
            orient_hist(angle + 45 * k), np.roll(h, k), rtol=1e-3, atol=1e-3
        )


def test_soft_binning_splits_between_neighbours():
    _, desc = dense_sift(_ramp(22.5), sigma=0)
    hist = desc.reshape(len(desc), 16, 8).sum(axis=(0, 1))
    np.testing.assert_allclose(hist[0], hist[1], rtol=1e-3)
    assert hist[2:].max() < 1e-3 * hist[0]


def test_zero_contrast_gives_zero_descriptors():
    _, desc = dense_sift(np.full((48, 48), 0.5))
    assert desc.shape[0] > 0 and not desc.any()
    # Half textured, half flat: only the flat half is zeroed.
    image = np.zeros((48, 96))
    image[:, :48] = np.random.default_rng(0).random((48, 48))
    keypoints, desc = dense_sift(image)
    flat = keypoints[:, 1] - 8 > 48 + 2  # support entirely in the flat half
    assert flat.any() and not desc[flat].any()
    assert (np.linalg.norm(desc[keypoints[:, 1] + 8 < 48], axis=1) > 0.99).all()


def test_grid_keypoint_coordinates():
    keypoints, _ = dense_sift(
        np.random.default_rng(0).random((40, 50)), step=8, patch_size=16
    )
    rows = np.unique(keypoints[:, 0])
    cols = np.unique(keypoints[:, 1])
    np.testing.assert_array_equal(rows, [7.5, 15.5, 23.5, 31.5])
    np.testing.assert_array_equal(cols, [8.5, 16.5, 24.5, 32.5, 40.5])
    np.testing.assert_array_equal(keypoints[:2, :2], [[7.5, 8.5], [7.5, 16.5]])
    assert (keypoints[:, 2] == 16).all()


def test_multiple_patch_sizes_phow():
    image = np.random.default_rng(0).random((64, 64))
    keypoints, desc = dense_sift(image, step=8, patch_size=(8, 16))
    sizes, counts = np.unique(keypoints[:, 2], return_counts=True)
    np.testing.assert_array_equal(sizes, [8, 16])
    np.testing.assert_array_equal(counts, [8 * 8, 7 * 7])
    assert desc.shape == (8 * 8 + 7 * 7, 128)
    single = dense_sift(image, step=8, patch_size=16)[1]
    np.testing.assert_allclose(desc[64:], single, atol=1e-6)


def test_same_patch_in_two_images_gives_same_descriptor():
    rng = np.random.default_rng(1)
    patch = rng.random((32, 32))
    a = rng.random((96, 96))
    b = rng.random((80, 112))
    a[16:48, 24:56] = patch  # grid-aligned at different places
    b[40:72, 64:96] = patch
    ka, da = dense_sift(a, sigma=0)
    kb, db = dense_sift(b, sigma=0)
    # The keypoint centred in the patch: its support (16 + 4 + 2 px) is inside.
    ia = np.flatnonzero((ka[:, 0] == 31.5) & (ka[:, 1] == 39.5))
    ib = np.flatnonzero((kb[:, 0] == 55.5) & (kb[:, 1] == 79.5))
    assert len(ia) == len(ib) == 1
    np.testing.assert_allclose(da[ia], db[ib], atol=1e-5)
    assert np.abs(da[ia] - da[ia + 1]).max() > 0.05  # and it is distinctive


def test_matches_opencv_on_the_same_keypoints():
    cv2 = pytest.importorskip("cv2")
    image = data.brick()[:128, :128]
    keypoints, desc = dense_sift(image, contrast_threshold=0)
    # OpenCV's spatial bin is 3 * size / 2 pixels wide: size = patch / 6.
    kps = [cv2.KeyPoint(float(c), float(r), 16 / 6, 0) for r, c, _ in keypoints]
    _, ref = cv2.SIFT_create().compute(image, kps)
    ref = ref / np.linalg.norm(ref, axis=1, keepdims=True)
    cosine = np.sum(desc * ref, axis=1)
    assert np.median(cosine) > 0.9


def test_root_sift():
    image = data.grass()[:64, :64]
    _, desc = dense_sift(image)
    _, root = dense_sift(image, root_sift=True)
    np.testing.assert_allclose(np.linalg.norm(root, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(root**2, desc / desc.sum(1, keepdims=True), atol=1e-6)


def test_colour_is_converted_to_grey():
    image = data.astronaut()[:64, :64]
    _, colour = dense_sift(image)
    _, grey = dense_sift(rgb2gray(image).astype(np.float32))
    np.testing.assert_allclose(colour, grey, atol=1e-4)


def test_tiny_image_is_padded():
    keypoints, desc = dense_sift(np.random.default_rng(0).random((5, 7)))
    assert desc.shape == (1, 128)
    assert keypoints.shape == (1, 3)


def test_uint8_equals_scaled_float():
    image = data.gravel()[:48, :48]
    np.testing.assert_allclose(
        dense_sift(image)[1], dense_sift(image / 255.0)[1], atol=1e-5
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"step": 0}, "step"),
        ({"patch_size": [16, 0]}, "patch_size"),
        ({"patch_size": "16"}, "patch_size"),
        ({"n_orientations": 0}, "n_orientations"),
        ({"n_spatial_bins": 1.5}, "n_spatial_bins"),
        ({"sigma": -1.0}, "sigma"),
        ({"contrast_threshold": -0.1}, "contrast_threshold"),
    ],
)
def test_dense_sift_bad_parameters(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        dense_sift(np.zeros((32, 32)), **kwargs)


def test_dense_sift_bad_images():
    with pytest.raises(ValueError, match="image must have shape"):
        dense_sift(np.zeros(32))
    with pytest.raises(ValueError, match="NaN"):
        dense_sift(np.full((32, 32), np.nan))
    with pytest.raises(ValueError, match="empty"):
        dense_sift(np.zeros((0, 32)))


def test_sift_dog_keypoints_match_skimage():
    from skimage.feature import SIFT

    image = data.brick()[:128, :128]
    keypoints, desc = sift(image)
    ref = SIFT()
    ref.detect_and_extract(image / 255.0)
    np.testing.assert_allclose(keypoints[:, :2], ref.keypoints)
    np.testing.assert_allclose(keypoints[:, 2], ref.sigmas, rtol=1e-6)
    assert desc.shape == (len(ref.keypoints), 128) and desc.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(desc, axis=1), 1, atol=1e-5)
    expected = ref.descriptors / np.linalg.norm(ref.descriptors, axis=1, keepdims=True)
    np.testing.assert_allclose(desc, expected, atol=1e-6)


def test_sift_flat_image_and_max_keypoints():
    keypoints, desc = sift(np.zeros((64, 64)))
    assert keypoints.shape == (0, 4) and desc.shape == (0, 128)
    keypoints, desc = sift(data.brick()[:128, :128], max_keypoints=5)
    assert len(keypoints) == len(desc) == 5
    _, root = sift(data.brick()[:128, :128], max_keypoints=5, root_sift=True)
    np.testing.assert_allclose(root**2, desc / desc.sum(1, keepdims=True), atol=1e-6)


def test_sift_bad_parameters():
    with pytest.raises(ValueError, match="upsampling"):
        sift(np.zeros((32, 32)), upsampling=3.5)
    with pytest.raises(ValueError, match="max_keypoints"):
        sift(np.zeros((32, 32)), max_keypoints=0)


# ------------------------------------------------------------- PHOW scales
def test_phow_scales_share_one_grid_and_match_single_sizes():
    # 64 x 80 with step 8: the 16 px grid contains the 32 px grid
    image = np.random.default_rng(3).random((64, 80)).astype(np.float32)
    keypoints, desc = dense_sift(image, step=8, scales=(4, 6, 8))
    sizes = keypoints[:, 2]
    assert sorted(set(sizes.tolist())) == [16.0, 24.0, 32.0]
    per_size = [keypoints[sizes == s, :2] for s in (16, 24, 32)]
    # every size is described at the same points (the grid of the largest window)
    np.testing.assert_array_equal(per_size[0], per_size[2])
    np.testing.assert_array_equal(per_size[1], per_size[2])
    # each size's descriptor is the single-size descriptor at that point, with
    # PHOW's smoothing sigma = sqrt((scale / 6)**2 - 1/4) for that size
    for size in (16, 32):
        kp, d = dense_sift(image, step=8, patch_size=size)
        rows = {tuple(p): i for i, p in enumerate(kp[:, :2].tolist())}
        index = [rows[tuple(p)] for p in per_size[2].tolist()]
        np.testing.assert_allclose(desc[sizes == size], d[index], atol=1e-6)


def test_phow_needs_either_patch_size_or_scales():
    with pytest.raises(ValueError, match="either patch_size or scales"):
        dense_sift(np.zeros((32, 32)), patch_size=16, scales=(4,))
    with pytest.raises(ValueError, match="scales"):
        dense_sift(np.zeros((32, 32)), scales=(4, 0))


@pytest.mark.parametrize("color", ["rgb", "hsv", "opponent"])
def test_colour_variants_describe_each_channel(color):
    rgb = data.astronaut()[100:164, 150:214] / 255.0
    keypoints, desc = dense_sift(rgb, step=8, scales=(4, 6), color=color)
    grey_kp, grey = dense_sift(rgb, step=8, scales=(4, 6))
    np.testing.assert_array_equal(keypoints, grey_kp)
    assert desc.shape == (len(grey), 3 * 128) and desc.dtype == np.float32
    norms = np.linalg.norm(desc.reshape(len(desc), 3, 128), axis=2)
    assert np.all((np.abs(norms - 1) < 1e-5) | (norms == 0))
    if color == "rgb":
        red = dense_sift(rgb[..., 0], step=8, scales=(4, 6))[1]
        np.testing.assert_allclose(desc[:, :128], red, atol=1e-6)
    if color == "opponent":
        # the first opponent channel is the intensity: the grey descriptor
        np.testing.assert_allclose(desc[:, :128], grey, atol=1e-5)


def test_colour_of_a_grey_image_is_three_equal_channels():
    grey = data.camera()[:48, :48] / 255.0
    desc = dense_sift(grey, step=8, color="rgb")[1]
    np.testing.assert_array_equal(desc[:, :128], desc[:, 128:256])
    with pytest.raises(ValueError, match="color"):
        dense_sift(grey, color="lab")
