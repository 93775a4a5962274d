"""skcv.io.imread / imread_collection on real files written into tmp_path."""

import re
import warnings

import numpy as np
import pytest
from PIL import Image, ImageFile, JpegImagePlugin

import skcv.io._imread as imread_module
from skcv.io import ImageReadError, imread, imread_collection


def _rgb(h=24, w=32):
    """A smooth colour image with distinct rows and columns (survives JPEG)."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack(
        [255 * x / (w - 1), 255 * y / (h - 1), 128 + 60 * np.sin(x / 5.0)], axis=-1
    ).astype(np.uint8)


def _blocks(h=40, w=24):
    """Four flat quadrants of different colours: orientation shows up exactly."""
    image = np.zeros((h, w, 3), np.uint8)
    image[: h // 2, : w // 2] = (250, 10, 10)
    image[: h // 2, w // 2 :] = (10, 250, 10)
    image[h // 2 :, : w // 2] = (10, 10, 250)
    image[h // 2 :, w // 2 :] = (240, 240, 240)
    return image


def _save(image, path, **kwargs):
    image.save(path, **kwargs)
    return path


@pytest.fixture(params=["pillow", "simplejpeg"])
def decoder(request, monkeypatch):
    """Run a JPEG test with Pillow's decoder and with the optional simplejpeg."""
    if request.param == "pillow":
        module = None
    else:
        module = pytest.importorskip("simplejpeg")
    monkeypatch.setattr(imread_module, "_SIMPLEJPEG", module)
    return request.param


def _jpeg_close(got, expected, mean=3.0):
    assert got.shape == expected.shape
    diff = np.abs(got.astype(float) - expected.astype(float))
    assert diff.mean() < mean, diff.mean()


# --------------------------------------------------------------- modes and dtypes
def test_rgb_png_exact(tmp_path):
    rgb = _rgb()
    got = imread(_save(Image.fromarray(rgb), tmp_path / "rgb.png"))
    assert got.dtype == np.uint8 and got.flags.writeable
    np.testing.assert_array_equal(got, rgb)


def test_grey_png_exact(tmp_path):
    grey = _rgb()[..., 0]
    got = imread(_save(Image.fromarray(grey), tmp_path / "grey.png"))
    assert got.shape == grey.shape and got.dtype == np.uint8
    np.testing.assert_array_equal(got, grey)


def test_bilevel_png_is_uint8_0_255(tmp_path):
    mask = _rgb()[..., 0] > 128
    got = imread(_save(Image.fromarray(mask), tmp_path / "mask.png"))
    np.testing.assert_array_equal(got, np.where(mask, 255, 0).astype(np.uint8))


def test_palette_png_to_rgb_exact(tmp_path):
    rgb = _blocks()
    palette = Image.fromarray(rgb).quantize(colors=4)
    assert palette.mode == "P"
    got = imread(_save(palette, tmp_path / "palette.png"))
    assert got.shape == rgb.shape
    np.testing.assert_array_equal(got, rgb)  # four colours fit a 4-entry palette


def test_palette_with_transparency_to_rgba(tmp_path):
    palette = Image.fromarray(_blocks()).quantize(colors=4)
    index = np.asarray(palette)
    transparent = int(index[0, 0])
    got = imread(_save(palette, tmp_path / "t.png", transparency=transparent))
    assert got.shape == (40, 24, 4)
    np.testing.assert_array_equal(got[..., 3], np.where(index == transparent, 0, 255))
    np.testing.assert_array_equal(got[..., :3], _blocks())


def test_gif_reads_as_rgb(tmp_path):
    got = imread(_save(Image.fromarray(_blocks()), tmp_path / "b.gif"))
    np.testing.assert_array_equal(got, _blocks())


def test_grey_alpha_to_rgba_exact(tmp_path):
    grey = _rgb()[..., 1]
    alpha = _rgb()[..., 0]
    la = Image.fromarray(np.stack([grey, alpha], axis=-1), "LA")
    got = imread(_save(la, tmp_path / "la.png"))
    assert got.shape == (*grey.shape, 4) and got.dtype == np.uint8
    for c in range(3):
        np.testing.assert_array_equal(got[..., c], grey)
    np.testing.assert_array_equal(got[..., 3], alpha)
    np.testing.assert_array_equal(imread(tmp_path / "la.png", as_grey=True), grey)


def test_rgba_png_exact_and_channels(tmp_path):
    rgba = np.dstack([_rgb(), _rgb()[..., 2]])
    path = _save(Image.fromarray(rgba, "RGBA"), tmp_path / "rgba.png")
    np.testing.assert_array_equal(imread(path), rgba)
    np.testing.assert_array_equal(imread(path, channels=3), rgba[..., :3])
    expected_grey = np.asarray(Image.fromarray(rgba[..., :3]).convert("L"))
    np.testing.assert_array_equal(imread(path, channels=1), expected_grey)


def test_channels_on_grey_and_rgb(tmp_path):
    grey = _rgb()[..., 0]
    path = _save(Image.fromarray(grey), tmp_path / "g.png")
    np.testing.assert_array_equal(imread(path, channels=3), np.dstack([grey] * 3))
    rgba = imread(path, channels=4)
    np.testing.assert_array_equal(rgba[..., 3], 255)
    np.testing.assert_array_equal(rgba[..., 0], grey)
    rgb_path = _save(Image.fromarray(_rgb()), tmp_path / "rgb.png")
    np.testing.assert_array_equal(imread(rgb_path, channels=4)[..., 3], 255)
    np.testing.assert_array_equal(
        imread(rgb_path, as_grey=True),
        np.asarray(Image.fromarray(_rgb()).convert("L")),
    )


def test_rgb_jpeg_within_tolerance(tmp_path, decoder):
    rgb = _rgb(64, 80)
    path = _save(Image.fromarray(rgb), tmp_path / "rgb.jpg", quality=95)
    got = imread(path)
    assert got.dtype == np.uint8
    _jpeg_close(got, rgb)
    grey = imread(path, as_grey=True)  # luma plane decoded directly
    _jpeg_close(grey, np.asarray(Image.fromarray(rgb).convert("L")))


def test_cmyk_jpeg_to_rgb(tmp_path):
    rgb = _rgb(48, 64)
    cmyk = Image.fromarray(rgb).convert("CMYK")
    path = _save(cmyk, tmp_path / "cmyk.jpg", quality=95)
    with Image.open(path) as check:
        assert check.mode == "CMYK"
    got = imread(path)
    assert got.shape == rgb.shape and got.dtype == np.uint8
    _jpeg_close(got, rgb, mean=4.0)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_grey_exact(tmp_path, suffix):
    deep = (np.arange(24 * 32, dtype=np.uint16).reshape(24, 32) * 83).astype(np.uint16)
    path = _save(Image.fromarray(deep), tmp_path / f"deep{suffix}")
    got = imread(path)
    assert got.dtype == np.uint16 and got.dtype.isnative and got.flags.writeable
    np.testing.assert_array_equal(got, deep)
    rgb = imread(path, channels=3)
    assert rgb.dtype == np.uint16
    np.testing.assert_array_equal(rgb, np.dstack([deep] * 3))
    np.testing.assert_array_equal(imread(path, channels=4)[..., 3], 65535)
    small = imread(path, size=(12, 16))
    assert small.dtype == np.uint16 and small.shape == (12, 16)
    assert abs(float(small.mean()) - float(deep.mean())) < 0.01 * deep.mean()


def test_float_and_int32_tiff(tmp_path):
    values = np.linspace(-1.5, 2.5, 24 * 32, dtype=np.float32).reshape(24, 32)
    path = _save(Image.fromarray(values), tmp_path / "f.tif")
    got = imread(path)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, values)
    assert imread(path, channels=4)[..., 3].min() == 1.0
    ints = (values * 1000).astype(np.int32)
    got = imread(_save(Image.fromarray(ints), tmp_path / "i.tif"))
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, ints)


# --------------------------------------------------------------------- orientation
@pytest.mark.parametrize(("orientation", "k"), [(6, -1), (8, 1), (3, 2)])
def test_exif_orientation_applied(tmp_path, orientation, k, decoder):
    stored = _blocks(40, 24)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = _save(
        Image.fromarray(stored),
        tmp_path / "o.jpg",
        exif=exif,
        quality=95,
        subsampling=0,
    )
    with Image.open(path) as check:  # the tag really is in the file
        assert check.getexif()[0x0112] == orientation
    expected = np.rot90(stored, k=k)  # np.rot90 k=-1 turns clockwise
    got = imread(path)
    _jpeg_close(got, expected)
    wrong = np.rot90(stored, k=k + 2)  # the other way round: far off
    assert np.abs(got.astype(float) - wrong).mean() > 50
    # Reduce-on-decode with a size asked in the displayed orientation.
    small = imread(path, size=(expected.shape[0] // 2, expected.shape[1] // 2))
    reference = np.asarray(
        Image.fromarray(expected).resize(small.shape[1::-1], Image.Resampling.BILINEAR)
    )
    _jpeg_close(small, reference, mean=6.0)


# --------------------------------------------------------------------- size policy
def test_resize_policies_exact_on_png(tmp_path):
    rgb = _rgb(20, 40)
    path = _save(Image.fromarray(rgb), tmp_path / "wide.png")
    crop = imread(path, size=(20, 20), resize="crop")  # scale 1: a pure centre crop
    np.testing.assert_array_equal(crop, rgb[:, 10:30])
    pad = imread(path, size=(40, 40), resize="pad")  # scale 1: a pure pad
    np.testing.assert_array_equal(pad[10:30], rgb)
    assert not pad[:10].any() and not pad[30:].any()
    stretch = imread(path, size=(10, 10))
    assert stretch.shape == (10, 10, 3)
    assert imread(path, size=16, resize="crop").shape == (16, 16, 3)
    assert imread(path, size=(7, 9), resize="pad").shape == (7, 9, 3)
    # Same size asked: untouched.
    np.testing.assert_array_equal(imread(path, size=(20, 40), resize="crop"), rgb)


def test_jpeg_reduce_on_decode(tmp_path, monkeypatch, decoder):
    rgb = np.asarray(Image.fromarray(_rgb(64, 64)).resize((512, 512)))
    path = _save(Image.fromarray(rgb), tmp_path / "big.jpg", quality=95)
    decoded = []  # the size each call decoded at
    if decoder == "pillow":
        original = JpegImagePlugin.JpegImageFile.draft

        def spy(self, mode, size):
            result = original(self, mode, size)
            decoded.append(self.size)
            return result

        monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    else:
        simplejpeg = imread_module._SIMPLEJPEG

        class Spy:
            def decode_jpeg(self, *args, **kwargs):
                out = simplejpeg.decode_jpeg(*args, **kwargs)
                decoded.append(out.shape[1::-1])
                return out

        monkeypatch.setattr(imread_module, "_SIMPLEJPEG", Spy())
    small = imread(path, size=(64, 64))
    assert decoded == [(64, 64)]  # decoded at 1/8 scale, not 512x512
    reference = np.asarray(
        Image.fromarray(rgb).resize((64, 64), Image.Resampling.BILINEAR)
    )
    _jpeg_close(small, reference, mean=4.0)
    decoded.clear()
    assert imread(path, size=(100, 100)).shape == (100, 100, 3)
    assert decoded == [(128, 128)]  # 1/4: never below the size asked


def test_jpeg_upscale(tmp_path, decoder):
    rgb = _rgb(20, 30)
    path = _save(Image.fromarray(rgb), tmp_path / "small.jpg", quality=95)
    big = imread(path, size=(60, 90))
    assert big.shape == (60, 90, 3)
    reference = Image.fromarray(imread(path)).resize((90, 60), Image.BILINEAR)
    np.testing.assert_array_equal(big, np.asarray(reference))
    assert imread(path, size=(40, 10), resize="crop", as_grey=True).shape == (40, 10)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_fast_decoder_equals_pillow(tmp_path, monkeypatch, orientation):
    simplejpeg = pytest.importorskip("simplejpeg")
    exif = Image.Exif()
    exif[0x0112] = orientation
    rgb = _rgb(48, 30)
    path = _save(Image.fromarray(rgb), tmp_path / "o.jpg", exif=exif, quality=90)
    grey = _save(Image.fromarray(rgb).convert("L"), tmp_path / "g.jpg", exif=exif)
    options = [
        {},
        {"as_grey": True},
        {"channels": 4},
        {"size": (24, 15)},
        {"size": 8, "resize": "crop"},
    ]
    for kwargs in options:
        for file in (path, grey):
            monkeypatch.setattr(imread_module, "_SIMPLEJPEG", None)
            slow = imread(file, **kwargs)
            monkeypatch.setattr(imread_module, "_SIMPLEJPEG", simplejpeg)
            fast = imread(file, **kwargs)
            assert fast.flags.writeable and fast.flags.c_contiguous
            assert fast.dtype == slow.dtype and fast.shape == slow.shape
            # Same libjpeg-turbo, same DCT scale: bit-identical.
            np.testing.assert_array_equal(fast, slow)


# --------------------------------------------------------------- unreadable files
def _truncated_jpeg(tmp_path):
    path = _save(Image.fromarray(_rgb(64, 64)), tmp_path / "cut.jpg", quality=95)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _truncated_png(tmp_path):
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    path = _save(Image.fromarray(noise), tmp_path / "cut.png")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("make", [_truncated_jpeg, _truncated_png])
def test_truncated_file_raises_naming_it(tmp_path, make, decoder):
    path = make(tmp_path)
    with pytest.raises(ImageReadError, match=re.escape(str(path))) as info:
        imread(path)
    assert info.value.path == path
    assert isinstance(info.value, ValueError)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_empty_and_text_files_raise(tmp_path, decoder):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageReadError, match=r"empty\.png.*not an image"):
        imread(empty)
    text = tmp_path / "notes.jpg"
    text.write_text("this is not a JPEG\n" * 20)
    with pytest.raises(ImageReadError, match=r"notes\.jpg.*not an image"):
        imread(text)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.png"):
        imread(tmp_path / "nope.png")
    with pytest.raises(IsADirectoryError):
        imread(tmp_path)


def test_decompression_bomb_limit(tmp_path, monkeypatch):
    path = _save(Image.fromarray(_rgb(20, 20)), tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 400 > 2 x limit: Pillow
    with pytest.raises(ImageReadError, match=r"bomb\.png.*MAX_IMAGE_PIXELS=100"):
        imread(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)  # over 1x: skcv's own check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(ImageReadError, match=r"bomb\.png.*decompression-bomb"):
            imread(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert imread(path).shape == (20, 20, 3)


def test_imread_skip_warns_and_returns_none(tmp_path):
    text = tmp_path / "bad.jpg"
    text.write_text("no")
    with pytest.warns(UserWarning, match=r"(?s)skipped 1 of 1 .*bad\.jpg"):
        assert imread(text, on_error="skip") is None


def test_collection_raise_names_the_bad_file(tmp_path, decoder):
    good = [_save(Image.fromarray(_rgb()), tmp_path / f"{i}.png") for i in range(3)]
    bad = _truncated_jpeg(tmp_path)
    with pytest.raises(ImageReadError, match=r"cut\.jpg"):
        imread_collection([good[0], bad, good[1]])
    with pytest.raises(ImageReadError, match=r"cut\.jpg"):
        imread_collection([good[0], bad, good[1]], n_jobs=2)


def test_collection_skip_reports_and_keeps_only_whole_images(tmp_path):
    rgb = _rgb()
    good = [_save(Image.fromarray(rgb + i), tmp_path / f"{i}.png") for i in range(3)]
    cut = _truncated_png(tmp_path)
    text = tmp_path / "text.jpg"
    text.write_text("hello")
    paths = [good[0], cut, good[1], text, good[2]]
    with pytest.warns(UserWarning, match=r"skipped 2 of 5") as record:
        images, skipped = imread_collection(paths, on_error="skip", return_skipped=True)
    message = str(record[0].message)
    assert "cut.png" in message and "text.jpg" in message
    assert skipped == [1, 3]
    assert len(images) == 3
    for i, image in enumerate(images):
        np.testing.assert_array_equal(image, rgb + i)
    with pytest.warns(UserWarning, match="skipped 2 of 5"):
        stacked = imread_collection(paths, size=(8, 8), on_error="skip", n_jobs=2)
    assert stacked.shape == (3, 8, 8, 3)


def test_collection_list_stack_and_parallel(tmp_path):
    paths = [
        _save(Image.fromarray(_rgb(20 + i, 30)), tmp_path / f"{i}.png")
        for i in range(4)
    ]
    grey = _save(Image.fromarray(_rgb()[..., 0]), tmp_path / "grey.png")
    images = imread_collection(paths + [grey])
    assert [im.shape for im in images] == [
        (20, 30, 3),
        (21, 30, 3),
        (22, 30, 3),
        (23, 30, 3),
        (24, 32),
    ]
    with pytest.raises(ValueError, match=r"grey\.png.*channels="):
        imread_collection(paths + [grey], size=(10, 10))
    stacked = imread_collection(paths + [grey], size=(10, 10), channels=3)
    assert stacked.shape == (5, 10, 10, 3) and stacked.dtype == np.uint8
    parallel = imread_collection(paths + [grey], size=(10, 10), channels=3, n_jobs=2)
    np.testing.assert_array_equal(parallel, stacked)
    assert imread_collection([]) == []


# ------------------------------------------------------------------ bad arguments
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"size": 0}, ValueError, "size must be"),
        ({"size": (1, 2, 3)}, ValueError, "size must be"),
        ({"size": (4.0, 4)}, ValueError, "size must be"),
        ({"resize": "fit"}, ValueError, "resize must be one of"),
        ({"on_error": "ignore"}, ValueError, "on_error must be one of"),
        ({"channels": 2}, ValueError, "channels must be None, 1, 3 or 4"),
        ({"as_grey": True, "channels": 3}, ValueError, "as_grey=True"),
        ({"as_grey": "yes"}, TypeError, "as_grey must be a bool"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, error, match):
    path = _save(Image.fromarray(_rgb()), tmp_path / "x.png")
    with pytest.raises(error, match=match):
        imread(path, **kwargs)


def test_bad_path_types(tmp_path):
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        imread(3)
    with pytest.raises(TypeError, match="single path"):
        imread_collection(str(tmp_path / "x.png"))
    with pytest.raises(TypeError, match="path must be a str"):
        imread_collection([tmp_path / "x.png", None])


def test_big_endian_16bit_tiff_is_native_uint16(tmp_path):
    deep = (np.arange(20 * 30).reshape(20, 30) * 100).astype(np.uint16)
    image = Image.frombuffer("I;16B", (30, 20), deep.astype(">u2").tobytes())
    path = _save(image, tmp_path / "be.tif")
    with Image.open(path) as check:
        assert check.mode == "I;16B"
    got = imread(path)
    assert got.dtype == np.dtype(np.uint16) and got.dtype.isnative
    np.testing.assert_array_equal(got, deep)


def test_png_exif_orientation_exact(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    rgb = _rgb(20, 30)
    path = _save(Image.fromarray(rgb), tmp_path / "o.png", exif=exif)
    np.testing.assert_array_equal(imread(path), np.rot90(rgb, -1))


def test_progressive_jpeg(tmp_path, decoder):
    rgb = _rgb(40, 50)
    path = _save(Image.fromarray(rgb), tmp_path / "p.jpg", progressive=True, quality=95)
    _jpeg_close(imread(path), rgb)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ImageReadError, match=r"p\.jpg"):
        imread(path)


def test_numpy_str_path_is_named_plainly(tmp_path):
    # load_image_folder's filenames are numpy strings: messages showed
    # "cannot read image np.str_('.../bad.jpg')".
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    path = np.asarray([str(bad)])[0]
    with pytest.raises(ImageReadError, match=r"cannot read image '[^']*bad\.jpg'"):
        imread(path)
