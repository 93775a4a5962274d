import numpy as np
import pytest

from skcv.augmentation import (
    augment_images,
    color_jitter,
    random_crop,
    random_flip,
    random_resized_crop,
)


def _constant_batch(n=6, shape=(10, 12, 3)):
    # Image i is constant i / n: any op that moves pixels keeps it constant, so
    # the value identifies where each image went.
    return np.stack([np.full(shape, i / n) for i in range(n)])


def _id(batch):
    return batch.reshape(len(batch), -1).mean(1)


@pytest.mark.parametrize(
    "op",
    [
        lambda x: random_flip(x, random_state=0),
        lambda x: random_flip(x, direction="vertical", random_state=0),
        lambda x: random_crop(x, padding=3, random_state=0),
        lambda x: random_crop(x, padding=3, mode="edge", random_state=0),
        lambda x: random_resized_crop(x, random_state=0),
    ],
)
def test_geometric_ops_keep_shape_and_order(op):
    x = _constant_batch()
    out = op(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    np.testing.assert_allclose(_id(out), _id(x))
    assert out is not x


def test_flip_is_a_mirror():
    x = np.random.default_rng(0).random((8, 5, 6))
    out = random_flip(x, p=0.5, random_state=1)
    flipped = [np.array_equal(o, i[:, ::-1]) for o, i in zip(out, x, strict=True)]
    kept = [np.array_equal(o, i) for o, i in zip(out, x, strict=True)]
    assert all(f or k for f, k in zip(flipped, kept, strict=True))
    assert any(flipped) and any(kept)
    np.testing.assert_array_equal(random_flip(x, p=0.0), x)


def test_random_crop_is_a_window_of_the_padded_image():
    rng = np.random.default_rng(0)
    x = rng.random((5, 8, 8, 3))
    out = random_crop(x, padding=2, mode="constant", random_state=0)
    for o, im in zip(out, x, strict=True):
        padded = np.pad(im, [(2, 2), (2, 2), (0, 0)])
        windows = [
            padded[dy : dy + 8, dx : dx + 8] for dy in range(5) for dx in range(5)
        ]
        assert any(np.array_equal(o, w) for w in windows)
    np.testing.assert_array_equal(random_crop(x, padding=0), x)


def test_random_resized_crop_full_scale_is_identity():
    x = np.random.default_rng(0).random((3, 9, 9))
    out = random_resized_crop(x, scale=(1.0, 1.0), ratio=(1.0, 1.0), random_state=0)
    np.testing.assert_allclose(out, x, atol=1e-12)


def test_color_jitter_properties():
    rng = np.random.default_rng(0)
    x = rng.random((4, 6, 6, 3)) * 0.5 + 0.25
    out = color_jitter(x, random_state=0)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    # Brightness alone scales each image by one factor.
    b = color_jitter(x, contrast=0, saturation=0, random_state=0)
    ratio = b / x
    np.testing.assert_allclose(ratio, ratio[:, :1, :1, :1] * np.ones_like(ratio))
    # Saturation alone keeps the grey value of every pixel.
    s = color_jitter(x, brightness=0, contrast=0, clip=False, random_state=0)
    w = np.array([0.299, 0.587, 0.114])
    np.testing.assert_allclose(s @ w, x @ w)
    # Grey images only get brightness and contrast.
    g = color_jitter(x[..., 0], random_state=0)
    assert g.shape == x.shape[:3]


def test_uint8_input_is_scaled():
    x = np.full((2, 4, 4), 255, dtype=np.uint8)
    out = random_flip(x, random_state=0)
    assert out.dtype == np.float32 and out.max() == 1.0


def test_augment_images_keeps_labels_aligned():
    x = _constant_batch(5, (8, 8))
    y = np.array([10, 11, 12, 13, 14])
    X_aug, y_aug = augment_images(
        x,
        y,
        ops=["flip", ("crop", {"padding": 2}), "resized_crop"],
        n_copies=3,
        random_state=0,
    )
    assert X_aug.shape == (20, 8, 8)
    np.testing.assert_array_equal(y_aug, np.tile(y, 4))
    np.testing.assert_allclose(_id(X_aug), np.tile(_id(x), 4))
    X_only, y_only = augment_images(x, y, include_original=False, random_state=0)
    assert len(X_only) == 5 and list(y_only) == list(y)


def test_reproducible_with_random_state():
    x = np.random.default_rng(0).random((6, 8, 8, 3))
    a = augment_images(x, np.arange(6), ops=["crop", "color_jitter"], random_state=3)
    b = augment_images(x, np.arange(6), ops=["crop", "color_jitter"], random_state=3)
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: random_flip(x, p=1.5), "p"),
        (lambda x: random_flip(x, direction="diagonal"), "direction"),
        (lambda x: random_crop(x, padding=-1), "padding"),
        (lambda x: random_crop(x, mode="wrap"), "mode"),
        (lambda x: random_resized_crop(x, scale=(0.5, 2.0)), "scale"),
        (lambda x: random_resized_crop(x, ratio=(2.0, 1.0)), "ratio"),
        (lambda x: color_jitter(x, brightness=2.0), "brightness"),
        (lambda x: augment_images(x, [0, 1, 2], ops=["rotate"]), "ops"),
        (lambda x: augment_images(x, [0, 1], ops=["flip"]), "inconsistent"),
        (lambda x: random_flip(x[0, 0]), "ndim|Reshape|rows"),
    ],
)
def test_errors(call, match):
    x = np.zeros((3, 8, 8))
    with pytest.raises(ValueError, match=match):
        call(x)


def test_nan_raises():
    x = np.zeros((2, 4, 4))
    x[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        random_flip(x)
