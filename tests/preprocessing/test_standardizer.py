import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from skcv.preprocessing import ImageStandardizer


@pytest.fixture
def colour_images():
    rng = np.random.default_rng(0)
    base = rng.random((40, 6, 5, 3))
    return base * np.array([1.0, 2.0, 0.5]) + np.array([0.1, -1.0, 3.0])


def test_pixel_mode_matches_standard_scaler(colour_images):
    rows = colour_images.reshape(40, -1)
    ours = ImageStandardizer(epsilon=0).fit_transform(colour_images)
    np.testing.assert_allclose(ours, StandardScaler().fit_transform(rows), atol=1e-10)
    std = ImageStandardizer().fit(colour_images)
    assert std.mean_.shape == (6, 5, 3)
    np.testing.assert_allclose(std.mean_, colour_images.mean(axis=0))


def test_channel_mode(colour_images):
    std = ImageStandardizer(mode="channel").fit(colour_images)
    np.testing.assert_allclose(std.mean_, colour_images.mean(axis=(0, 1, 2)))
    np.testing.assert_allclose(std.var_, colour_images.var(axis=(0, 1, 2)))
    out = std.transform(colour_images).reshape(colour_images.shape)
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-6)
    grey = ImageStandardizer(mode="channel").fit(colour_images[..., 0])
    assert grey.mean_.shape == (1,)


def test_image_mode_normalises_each_image(colour_images):
    std = ImageStandardizer(mode="image").fit(colour_images[:5])
    out = std.transform(colour_images)
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=1), 1, atol=1e-6)
    assert not hasattr(std, "inverse_transform")
    with pytest.raises(AttributeError, match="inverse_transform") as exc:
        std.inverse_transform(out)
    # scikit-learn's available_if keeps our explanation as the cause.
    assert "mode='image'" in str(exc.value.__cause__)


def test_with_std_false_only_centres(colour_images):
    out = ImageStandardizer(with_std=False).fit_transform(colour_images)
    expected = colour_images - colour_images.mean(axis=0)
    np.testing.assert_allclose(out, expected.reshape(40, -1), atol=1e-12)


@pytest.mark.parametrize("mode", ["pixel", "channel"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inverse_round_trip_and_dtype(colour_images, mode, dtype):
    X = colour_images.astype(dtype)
    std = ImageStandardizer(mode=mode).fit(X)
    out = std.transform(X)
    assert out.dtype == dtype
    back = std.inverse_transform(out)
    assert back.dtype == dtype
    np.testing.assert_allclose(back, X.reshape(40, -1), atol=1e-4)
    # image-shaped input to inverse_transform is flattened
    np.testing.assert_allclose(
        std.inverse_transform(out.reshape(X.shape)), back, atol=1e-6
    )


def test_uint8_becomes_float32_and_forms_agree():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(10, 4, 4, 3), dtype=np.uint8)
    batch = ImageStandardizer(mode="channel").fit(images)
    out = batch.transform(images)
    assert out.dtype == np.float32
    as_list = ImageStandardizer(mode="channel").fit(list(images)).transform(images)
    rows = images.reshape(10, -1)
    from_rows = ImageStandardizer(mode="channel", image_shape=(4, 4, 3)).fit(rows)
    as_rows = from_rows.transform(rows)
    np.testing.assert_allclose(as_list, out)
    np.testing.assert_allclose(as_rows, out)
    np.testing.assert_allclose(batch.mean_, (images / 255.0).mean(axis=(0, 1, 2)))


def test_feature_names(colour_images):
    std = ImageStandardizer().fit(colour_images)
    names = std.get_feature_names_out()
    assert len(names) == 90 and names[0] == "pixel_0_0_0" and names[-1] == "pixel_5_4_2"
    grey = ImageStandardizer().fit(colour_images[..., 0])
    assert grey.get_feature_names_out()[7] == "pixel_1_2"
    with pytest.raises(ValueError, match="length equal to number of features"):
        std.get_feature_names_out(["a", "b"])


def test_errors(colour_images):
    with pytest.raises(ValueError, match="'mode' parameter .* Got 'mean'"):
        ImageStandardizer(mode="mean").fit(colour_images)
    with pytest.raises(ValueError, match="'epsilon' parameter"):
        ImageStandardizer(epsilon=-1.0).fit(colour_images)
    std = ImageStandardizer().fit(colour_images)
    with pytest.raises(ValueError, match="fitted on images of shape"):
        std.transform(colour_images[:, :4])
    with pytest.raises(ValueError, match="expects 90 features"):
        std.inverse_transform(np.zeros((2, 7)))
    with pytest.raises(ValueError, match="Reshape your data"):
        std.transform(np.zeros(90))
