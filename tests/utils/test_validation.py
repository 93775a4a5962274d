import numpy as np
import pytest
from sklearn.base import BaseEstimator

from skcv.base import ImageTransformerMixin
from skcv.utils import (
    check_image,
    check_image_shape,
    check_images,
    infer_image_shape,
    rows_to_images,
)


def test_uint8_scaled_to_float32():
    img = np.array([[0, 255]], dtype=np.uint8)
    out = check_image(img)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_kept(dtype):
    assert check_image(np.zeros((3, 3), dtype)).dtype == dtype
    assert check_images(np.zeros((2, 3, 3), dtype)).dtype == dtype


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
def test_unsigned_scaled_by_range(dtype):
    top = np.iinfo(dtype).max
    out = check_image(np.array([[0, top // 2, top]], dtype=dtype))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, (top // 2) / top, 1.0]], rtol=1e-6)
    batch = check_images(np.full((2, 3, 3), top, dtype=dtype))
    assert batch.dtype == np.float32 and batch.max() == 1.0


def test_bool_becomes_zero_one_float32():
    out = check_image(np.array([[True, False]]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1.0, 0.0]])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_signed_0_255_read_as_8_bit(dtype):
    values = np.arange(0, 128, dtype=dtype).reshape(8, 16)
    out = check_image(values)
    np.testing.assert_array_equal(out, check_image(values.astype(np.uint8)))
    assert out.dtype == np.float32
    # np.array of Python lists (int64): equal to the uint8 image, not all white.
    rgb = np.random.default_rng(0).integers(0, 256, (6, 5, 3))
    np.testing.assert_array_equal(check_image(rgb), check_image(rgb.astype("u1")))
    assert check_image(rgb).max() <= 1.0


@pytest.mark.parametrize("bad, value", [(-1, "-1"), (256, "256"), (40000, "40000")])
def test_signed_outside_8_bit_raises(bad, value):
    img = np.zeros((3, 3), dtype=np.int32)
    img[1, 1] = bad
    with pytest.raises(ValueError, match=rf"image has signed integer .* {value}:"):
        check_image(img)
    with pytest.raises(ValueError, match=r"X has signed integer.*uint16"):
        check_images(np.stack([img, img]))
    with pytest.raises(ValueError, match=r"X\[1\] has signed integer"):
        check_images([np.zeros((3, 3), int), img])


def test_object_arrays_follow_the_rule_of_their_entries():
    as_uint8 = check_image(np.array([[0, 51, 255]], dtype=np.uint8))
    np.testing.assert_array_equal(
        check_image(np.array([[0, 51, 255]], dtype=object)), as_uint8
    )
    assert check_image(np.array([[0.5, 1.0]], dtype=object)).dtype == np.float64


def test_signed_zero_one_image_is_ambiguous():
    with pytest.raises(ValueError, match="image is a signed integer image of 0s and"):
        check_image(np.eye(4, dtype=np.int64))
    # the same values as bool or uint8 are unambiguous; all zeros are black anyway
    np.testing.assert_array_equal(check_image(np.eye(4, dtype=bool)), np.eye(4))
    assert check_image(np.eye(4, dtype=np.uint8)).max() == np.float32(1 / 255)
    assert check_image(np.zeros((4, 4), np.int64)).max() == 0


def test_float16_to_float32_and_complex_rejected():
    assert check_image(np.zeros((2, 2), np.float16)).dtype == np.float32
    with pytest.raises(TypeError, match="image must hold real numbers"):
        check_image(np.zeros((2, 2), complex))


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.zeros(5), "ndim=1"),
        (np.zeros((2, 2, 2, 2)), "ndim=4"),
        (np.zeros((0, 3)), "empty"),
        (np.array([[np.nan, 0.0]]), "NaN"),
        (np.array([[np.inf, 0.0]]), "infinity"),
    ],
)
def test_check_image_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        check_image(bad, name="image")


def test_check_image_type_errors():
    with pytest.raises(TypeError, match="image must be an array"):
        check_image("cat.png")
    with pytest.raises(TypeError, match="non-numeric"):
        check_image(np.array([[{"a": 1}, 2]], dtype=object))


def test_image_shape_validation():
    assert check_image_shape((4, 5)) == (4, 5)
    for bad in [(4,), (0, 3), (2.5, 3), "ab", None, (1, 2, 3, 4)]:
        with pytest.raises(ValueError, match="image_shape must be"):
            check_image_shape(bad)


def test_infer_image_shape_rule():
    assert infer_image_shape(64) == (8, 8)
    assert infer_image_shape(3 * 32 * 32) == (32, 32, 3)
    assert infer_image_shape(7) == (1, 7)
    assert infer_image_shape(1) == (1, 1)


def test_rows_to_images_mismatch():
    with pytest.raises(ValueError, match=r"image_shape=\(5, 5\) needs 25"):
        rows_to_images(np.zeros((2, 24)), (5, 5))


def test_check_images_three_forms_agree():
    rng = np.random.default_rng(0)
    batch = rng.random((3, 4, 5, 3))
    np.testing.assert_array_equal(check_images(batch), batch)
    np.testing.assert_array_equal(
        check_images(batch.reshape(3, -1), image_shape=(4, 5, 3)), batch
    )
    np.testing.assert_array_equal(check_images(list(batch)), batch)


def test_check_images_lists():
    out = check_images([np.zeros((4, 4)), np.ones((6, 5))])
    assert isinstance(out, list) and out[1].shape == (6, 5)
    with pytest.raises(ValueError, match="different sizes"):
        check_images([np.zeros((4, 4)), np.ones((6, 5))], allow_list=False)
    mixed = check_images([np.zeros((4, 4)), np.ones((6, 5, 3))])
    assert [im.shape for im in mixed] == [(4, 4, 3), (6, 5, 3)]
    with pytest.raises(ValueError, match=r"X\[1\] contains NaN"):
        check_images([np.zeros((4, 4)), np.full((6, 5), np.nan)])


def test_check_images_errors():
    with pytest.raises(ValueError, match="empty"):
        check_images(np.zeros((0, 4, 4)))
    with pytest.raises(ValueError, match="ndim=1"):
        check_images(np.zeros(4))
    with pytest.raises(ValueError, match=r"image_shape=\(5, 5\)"):
        check_images(np.zeros((2, 4, 4)), image_shape=(5, 5))
    with pytest.raises(TypeError, match="X must be an array"):
        check_images(42)


class _Flatten(ImageTransformerMixin, BaseEstimator):
    def __init__(self, image_shape=None):
        self.image_shape = image_shape

    def fit(self, X, y=None):
        self._validate_images(X, reset=True)
        return self

    def transform(self, X):
        images = self._validate_images(X, reset=False)
        return np.asarray(images).reshape(len(images), -1)


class _Pool(_Flatten):
    _allows_variable_size = True

    def transform(self, X):
        images = self._validate_images(X, reset=False)
        return np.array([[im.mean()] for im in images])


def test_mixin_rows_infer_and_store_shape():
    est = _Flatten().fit(np.zeros((2, 48)))
    assert est.image_shape_ == (4, 4, 3)
    assert est.n_features_in_ == 48
    est = _Flatten(image_shape=(1, 48)).fit(np.zeros((2, 48)))
    assert est.image_shape_ == (1, 48)


def test_mixin_rows_uint8_scaled():
    out = _Flatten().fit_transform(np.full((2, 4), 255, dtype=np.uint8))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 1.0)


def test_mixin_shape_mismatch_at_transform():
    est = _Flatten().fit(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="fitted on images of shape"):
        est.transform(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="features"):
        est.transform(np.zeros((2, 15)))
    with pytest.raises(ValueError, match="different sizes"):
        est.transform([np.zeros((4, 4)), np.zeros((5, 5))])


def test_mixin_variable_size():
    est = _Pool().fit([np.zeros((4, 4)), np.ones((5, 6))])
    assert est.image_shape_ is None
    np.testing.assert_allclose(
        est.transform([np.ones((3, 3)), np.zeros((9, 2))]), [[1.0], [0.0]]
    )


def test_mixin_uint8_rows_scaled_in_every_form():
    X = np.full((2, 4), 255, dtype=np.uint8)
    np.testing.assert_allclose(_Flatten().fit_transform(list(X)), 1.0)
    pd = pytest.importorskip("pandas")
    np.testing.assert_allclose(_Flatten().fit_transform(pd.DataFrame(X)), 1.0)
    half = _Flatten().fit_transform(np.full((2, 4), 0.5, dtype=np.float16))
    assert half.dtype == np.float32


def test_check_image_channels_rejects_batches():
    with pytest.raises(ValueError, match="probably a batch of images"):
        check_image(np.zeros((4, 32, 32)), channels=(1, 3, 4))
    assert check_image(np.zeros((8, 8, 4)), channels=(1, 3, 4)).shape == (8, 8, 4)


@pytest.mark.parametrize("func", ["canny", "dense_sift"])
def test_single_image_functions_reject_batches(func):
    from skcv.feature import dense_sift
    from skcv.filters import canny

    f = {"canny": canny, "dense_sift": dense_sift}[func]
    with pytest.raises(ValueError, match="probably a batch of images"):
        f(np.random.default_rng(0).random((4, 32, 32)))
