"""The image-input rules of skcv.utils._validation, at every entry point.

Dtype rule (issue 18 item 4), one-image rule (item 5) and channel rule (issue 17
item 3): each test here failed before the rule was written once.
"""

import numpy as np
import pytest
from skimage import data

from skcv.feature import dense_sift, gist
from skcv.filters import (
    add_gaussian_noise,
    add_impulse_noise,
    add_salt_and_pepper,
    canny,
    convolve,
    correlate,
    gaussian_filter,
    image_gradients,
    mean_filter,
    median_filter,
)

CAMERA = data.camera()[::4, ::4]  # uint8 (128, 128)


# -- dtype rule ---------------------------------------------------------------------
def test_canny_uint16_same_edges_as_scaled_float():
    u16 = CAMERA.astype(np.uint16) * 257  # full 16-bit range
    scaled = (u16 / 65535.0).astype(np.float32)
    edges = canny(u16)
    assert edges.any()
    np.testing.assert_array_equal(edges, canny(scaled))
    np.testing.assert_array_equal(edges, canny(CAMERA))


def test_gaussian_noise_on_uint16_is_not_all_ones():
    u16 = CAMERA.astype(np.uint16) * 257
    noisy = add_gaussian_noise(u16, 0.05, random_state=0)
    assert noisy.dtype == np.float32
    assert (noisy == 1.0).mean() < 0.05
    np.testing.assert_allclose(noisy.mean(), u16.mean() / 65535, atol=0.01)


@pytest.mark.parametrize(
    "func",
    [
        canny,
        gaussian_filter,
        median_filter,
        lambda im: image_gradients(im)[2],
        lambda im: add_gaussian_noise(im, 0.1, random_state=0),
        lambda im: gist(im, image_size=32, boundary_extension=4),
        lambda im: dense_sift(im, step=16)[1],
    ],
)
def test_int64_0_255_image_equals_uint8_result(func):
    as_int64 = np.array(CAMERA.tolist())  # what np.array of Python lists gives
    assert as_int64.dtype == np.int64
    np.testing.assert_array_equal(func(as_int64), func(CAMERA))


def test_int64_outside_8_bit_raises_naming_the_parameter():
    with pytest.raises(ValueError, match="image has signed integer dtype int64"):
        gaussian_filter(CAMERA.astype(np.int64) * 4)
    with pytest.raises(ValueError, match=r"X has signed integer .* -3"):
        from skcv.feature import GISTExtractor

        GISTExtractor().fit(np.full((2, 8, 8), -3))


def test_bool_image_is_zero_one():
    mask = CAMERA > 128
    np.testing.assert_array_equal(
        gaussian_filter(mask, 1.0), gaussian_filter(mask.astype(np.float32), 1.0)
    )


def test_transformers_scale_integer_rows_like_images():
    from skcv.feature import FilterBankExtractor

    ext = FilterBankExtractor("schmid", size=7)
    u16 = (CAMERA[None, :32, :32].astype(np.uint16) * 257).reshape(1, -1)
    as_float = u16 / 65535.0
    np.testing.assert_allclose(
        ext.fit_transform(u16), ext.fit_transform(as_float), rtol=1e-5, atol=1e-7
    )


# -- one-image rule -----------------------------------------------------------------
BATCH = np.random.default_rng(0).random((5, 32, 32))
ONE_IMAGE = {
    "gaussian_filter": lambda im, **kw: gaussian_filter(im, 2.0, **kw),
    "mean_filter": lambda im, **kw: mean_filter(im, 3, **kw),
    "median_filter": lambda im, **kw: median_filter(im, 3, **kw),
    "convolve": lambda im, **kw: convolve(im, np.ones((3, 3)) / 9, **kw),
    "correlate": lambda im, **kw: correlate(im, np.eye(3), **kw),
    "image_gradients": lambda im, **kw: image_gradients(im, **kw),
    "add_gaussian_noise": lambda im, **kw: add_gaussian_noise(im, 0.1, **kw),
    "add_salt_and_pepper": lambda im, **kw: add_salt_and_pepper(im, 0.1, **kw),
    "add_impulse_noise": lambda im, **kw: add_impulse_noise(im, 0.1, **kw),
}


@pytest.mark.parametrize("name", sorted(ONE_IMAGE))
def test_one_image_function_rejects_a_batch(name):
    func = ONE_IMAGE[name]
    with pytest.raises(
        ValueError, match=r"image has shape \(5, 32, 32\): 32 channels .* batch"
    ):
        func(BATCH)
    # named: the last axis holds 32 channels, each filtered independently
    out = func(BATCH, channel_axis=-1)
    out = out[0] if isinstance(out, tuple) else out
    assert out.shape == BATCH.shape
    with pytest.raises(
        ValueError, match=r"channel_axis must be None .* or -1 .*; got 0"
    ):
        func(BATCH, channel_axis=0)


@pytest.mark.parametrize(
    "func",
    [canny, lambda im: gist(im, image_size=32), lambda im: dense_sift(im, step=8)],
    ids=["canny", "gist", "dense_sift"],
)
def test_grey_functions_reject_a_batch(func):
    with pytest.raises(ValueError, match=r"image has shape \(5, 32, 32\).*batch"):
        func(BATCH)


def test_channel_axis_filters_channels_independently():
    stack = np.random.default_rng(1).random((16, 16, 6))
    out = gaussian_filter(stack, 1.5, channel_axis=-1)
    np.testing.assert_allclose(out[..., 4], gaussian_filter(stack[..., 4], 1.5))
