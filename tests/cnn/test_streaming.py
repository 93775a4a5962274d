"""Torch estimators trained from image files, decoded batch by batch (issue 17, 5).

Real PNG and JPEG files are written into tmp_path. Fitting on the paths must give
the model that fitting on the arrays ``skcv.io.imread`` decodes from them gives:
the engine visits the same batches in the same order, and with fewer files than
``STATS_SAMPLE`` the normalisation statistics are those of every image.
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")

from skcv.cnn import CNNClassifier, _engine, _streaming  # noqa: E402
from skcv.cnn._streaming import ChannelMoments, FileColumn, stats_sample  # noqa: E402
from skcv.detection import ObjectLocalizer  # noqa: E402
from skcv.io import ImageReadError, imread  # noqa: E402
from skcv.segmentation import FCNSegmenter  # noqa: E402

FAST = dict(epochs=2, batch_size=8, device="cpu", random_state=0)


def _write(folder, n, *, size=12, suffix=".png", seed=0):
    """``n`` RGB files of two classes (a bright red or green square); paths, y."""
    rng = np.random.default_rng(seed)
    paths, y = [], []
    for i in range(n):
        label = i % 2
        arr = (rng.random((size, size, 3)) * 90).astype(np.uint8)
        r, c = rng.integers(0, size // 2, 2)
        arr[r : r + size // 2, c : c + size // 2, label] = 230
        path = folder / f"{i:03d}{suffix}"
        Image.fromarray(arr).save(path)
        paths.append(str(path))
        y.append(label)
    return paths, np.array(y)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("stream")
    png, y = _write(root, 24)
    jpg, _ = _write(root, 24, suffix=".jpg")
    return png, jpg, y


@pytest.mark.parametrize("kind", ["png", "jpg"])
def test_cnn_fit_on_paths_is_fit_on_the_decoded_array(files, kind):
    png, jpg, y = files
    paths = png if kind == "png" else jpg
    X = np.stack([imread(p) for p in paths])
    params = dict(module="simple", augment="flip", **FAST)
    a = CNNClassifier(**params).fit(X, y)
    b = CNNClassifier(**params).fit(paths, y)
    np.testing.assert_array_equal(a.mean_, b.mean_)
    np.testing.assert_array_equal(a.std_, b.std_)
    assert a.loss_curve_ == b.loss_curve_  # same batches, same augmentation
    assert b.image_shape_ == (12, 12, 3)
    np.testing.assert_array_equal(a.predict(X), b.predict(paths))
    # predict on paths runs in batches of batch_size: float noise of the batching
    np.testing.assert_allclose(
        a.predict_proba(X), b.predict_proba(paths), rtol=0, atol=1e-6
    )


def test_workers_and_early_stopping_over_paths(files):
    png, _, y = files
    X = np.stack([imread(p) for p in png])
    params = dict(module="simple", early_stopping=True, validation_fraction=0.25)
    a = CNNClassifier(**params, **FAST).fit(X, y)
    b = CNNClassifier(**params, num_workers=2, **FAST).fit(png, y)
    assert a.validation_scores_ == b.validation_scores_
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a._validation_idx, b._validation_idx)


def test_statistics_come_from_a_bounded_evenly_spaced_sample(files, monkeypatch):
    png, _, y = files
    idx = stats_sample(len(png), 5)
    np.testing.assert_array_equal(idx, [0, 6, 12, 17, 23])
    clf = CNNClassifier(module="simple", **{**FAST, "epochs": 1})
    monkeypatch.setattr(_engine, "stats_sample", lambda n: stats_sample(n, 5))
    clf.fit(png, y)
    sample = np.stack([imread(png[i]) for i in idx]) / 255.0  # float64
    np.testing.assert_allclose(clf.mean_, sample.mean(axis=(0, 1, 2)), rtol=1e-6)
    np.testing.assert_allclose(clf.std_, sample.std(axis=(0, 1, 2)), rtol=1e-6)
    assert _streaming.STATS_SAMPLE == 2048


def test_channel_moments_do_not_depend_on_the_batching():
    x = np.random.default_rng(0).random((37, 5, 4, 3)).astype(np.float32)
    one, parts = ChannelMoments(), ChannelMoments()
    one.update(x)
    for s in range(0, 37, 8):
        parts.update(x[s : s + 8])
    np.testing.assert_allclose(one.result()[0], x.mean(axis=(0, 1, 2)), rtol=1e-6)
    np.testing.assert_allclose(parts.result()[1], x.std(axis=(0, 1, 2)), rtol=1e-6)
    np.testing.assert_allclose(one.result(), parts.result(), rtol=1e-6)


def test_mixed_folder_with_a_size_policy(tmp_path):
    rng = np.random.default_rng(1)
    paths, y = [], []
    for i in range(12):
        h, w = (int(v) for v in rng.integers(10, 30, 2))
        arr = (rng.random((h, w, 3)) * 255).astype(np.uint8)
        image = Image.fromarray(arr)
        image = [image, image.convert("L"), image.convert("RGBA")][i % 3]
        path = tmp_path / f"{i}.{'jpg' if i % 3 == 0 else 'png'}"
        image.save(path)
        paths.append(str(path))
        y.append(i % 2)
    params = dict(module="simple", **{**FAST, "epochs": 1})
    with pytest.raises(ValueError, match="different sizes .* image_size and resize"):
        CNNClassifier(**params).fit(paths, y)
    clf = CNNClassifier(image_size=16, resize="pad", **params).fit(paths, y)
    assert clf.image_shape_ == (16, 16, 3)  # grey and RGBA among RGB: RGB
    decoded = [imread(p, size=16, resize="pad") for p in paths]
    ref = CNNClassifier(**params).fit(decoded, y)
    assert clf.loss_curve_ == ref.loss_curve_
    np.testing.assert_array_equal(clf.predict(paths), ref.predict(decoded))
    # a folder of grey files trains a grey network; colour files are converted
    grey = CNNClassifier(image_size=16, resize="stretch", **params)
    grey.fit(paths[1::3], y[1::3])
    assert grey.image_shape_ == (16, 16)
    assert grey.predict(paths).shape == (12,)


@pytest.mark.parametrize("num_workers", [0, 1])
def test_a_corrupt_training_file_is_named(files, tmp_path, num_workers):
    png, jpg, y = files
    bad = tmp_path / "truncated.jpg"
    bad.write_bytes(Path(jpg[3]).read_bytes()[:200])  # header intact, data cut
    paths = [*png[:7], str(bad), *png[8:]]
    clf = CNNClassifier(module="simple", num_workers=num_workers, **FAST)
    with pytest.raises(ImageReadError, match="truncated.jpg") as info:
        clf.fit(paths, y)
    assert info.value.path == str(bad)
    assert "np.str_" not in str(info.value)
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(ImageReadError, match="notes.png"):
        clf.fit([*png[:5], str(text)], y[:6])


def _segmentation_files(folder, n=16, size=16):
    rng = np.random.default_rng(0)
    images, masks = [], []
    for i in range(n):
        mask = np.zeros((size, size), np.uint8)
        r, c = rng.integers(0, size // 2, 2)
        mask[r : r + size // 2, c : c + size // 2] = 1 + i % 2
        arr = (rng.random((size, size, 3)) * 60).astype(np.uint8)
        arr[mask == 1, 0] = 220
        arr[mask == 2, 2] = 220
        image_path, mask_path = folder / f"img{i}.png", folder / f"mask{i}.png"
        Image.fromarray(arr).save(image_path)
        Image.fromarray(mask).save(mask_path)  # mode "L": uint8 labels
        images.append(str(image_path))
        masks.append(str(mask_path))
    return images, masks


def test_fcn_segmenter_streams_images_and_masks(tmp_path):
    images, masks = _segmentation_files(tmp_path)
    X = np.stack([imread(p) for p in images])
    Y = np.stack([imread(p) for p in masks])
    params = dict(depth=2, width=4, class_weight="balanced", augment="flip", **FAST)
    a = FCNSegmenter(**params).fit(X, Y)
    b = FCNSegmenter(**params).fit(images, masks)
    assert len(b.classes_) == 3
    np.testing.assert_array_equal(a.class_weight_, b.class_weight_)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict(X), b.predict(images))
    assert b.score(images, masks) == pytest.approx(a.score(X, Y), abs=1e-12)
    # early stopping: the validation masks stream too
    c = FCNSegmenter(early_stopping=True, **params).fit(images, masks)
    d = FCNSegmenter(early_stopping=True, **params).fit(X, Y)
    assert c.validation_scores_ == pytest.approx(d.validation_scores_, abs=1e-6)


def test_fcn_mask_files_are_checked(tmp_path):
    images, masks = _segmentation_files(tmp_path, n=4)
    colour = tmp_path / "colour_mask.png"
    Image.new("RGB", (16, 16)).save(colour)
    with pytest.raises(ValueError, match="colour_mask.png.*single-band"):
        FCNSegmenter(**FAST).fit(images, [*masks[:3], str(colour)])
    small = tmp_path / "small_mask.png"
    Image.new("L", (8, 16)).save(small)
    with pytest.raises(ValueError, match="small_mask.png.*shape"):
        FCNSegmenter(**FAST).fit(images, [*masks[:3], str(small)])
    with pytest.raises(ValueError, match=r"labels 0 \.\. 1 \(n_classes=2\)"):
        FCNSegmenter(n_classes=2, **FAST).fit(images, masks)
    with pytest.raises(ValueError, match="one mask file per image"):
        FCNSegmenter(**FAST).fit(images, masks[:3])


def test_object_localizer_on_paths(tmp_path):
    rng = np.random.default_rng(0)
    paths, y, boxes = [], [], []
    for i in range(24):
        arr = (rng.random((16, 16)) * 50).astype(np.uint8)
        r, c = (int(v) for v in rng.integers(0, 10, 2))
        arr[r : r + 6, c : c + 6] = 240
        path = tmp_path / f"{i}.png"
        Image.fromarray(arr).save(path)
        paths.append(str(path))
        boxes.append((c, r, c + 6, r + 6))
        y.append(int(c > 4))
    X = np.stack([imread(p) for p in paths])
    a = ObjectLocalizer(**FAST).fit(X, y, boxes)
    b = ObjectLocalizer(num_workers=1, **FAST).fit(paths, y, boxes)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_allclose(b.predict_boxes(paths), a.predict_boxes(X), atol=1e-4)
    np.testing.assert_array_equal(b.predict(paths), a.predict(X))


def test_file_column_holds_paths_only(files):
    png, _, _ = files
    clf = CNNClassifier(module="simple", **FAST)
    column = clf._validate_images(png, reset=True)
    assert isinstance(column, FileColumn)
    assert column.shape == (24, 12, 12, 3)
    assert column.paths.dtype.kind == "U"  # no per-file Python objects
    part = column.take([3, 5])
    assert part[:2].shape == (2, 3, 12, 12)
    with pytest.raises(TypeError, match="take"):
        column[[1, 2]]


def _count_decodes(monkeypatch):
    calls = []
    real = _streaming.imread

    def counting(path, **kwargs):
        calls.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(_streaming, "imread", counting)
    return calls


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A private temporary folder, to see the decode cache come and go."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    # only the caches' folder: patching tempfile.tempdir would move every
    # library's temporary files (multiprocessing's, torch's) there too
    monkeypatch.setattr(_streaming, "CACHE_DIR", str(folder))
    return folder


def test_decode_cache_replaces_decoding_after_the_first_epoch(
    files, monkeypatch, cache_dir
):
    png, _, y = files
    params = dict(module="simple", augment="flip", **{**FAST, "epochs": 3})
    calls = _count_decodes(monkeypatch)
    a = CNNClassifier(**params, file_cache=False).fit(png, y)
    uncached = len(calls)
    calls.clear()
    seen = []
    real_init = _streaming.DecodeCache.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        seen.append(Path(self.path))

    monkeypatch.setattr(_streaming.DecodeCache, "__init__", spy)
    b = CNNClassifier(**params).fit(png, y)  # file_cache="auto"
    # epochs 2 and 3 read the 24 images back instead of decoding them
    assert uncached - len(calls) == 2 * len(png)
    assert a.loss_curve_ == b.loss_curve_  # the same values, batch for batch
    assert len(seen) == 1 and seen[0].parent.parent == cache_dir
    assert list(cache_dir.iterdir()) == []  # deleted at the end of fit
    np.testing.assert_array_equal(a.predict(png), b.predict(png))


def test_decode_cache_is_deleted_when_fit_fails(files, monkeypatch, cache_dir):
    png, _, y = files
    calls = []
    real = _streaming.imread

    def failing(path, **kwargs):
        calls.append(path)
        if len(calls) > 40:  # in the first epoch, after the cache exists
            raise ImageReadError(f"cannot read image {path!r}: gone", path)
        return real(path, **kwargs)

    monkeypatch.setattr(_streaming, "imread", failing)
    with pytest.raises(ImageReadError, match="gone"):
        CNNClassifier(module="simple", **{**FAST, "epochs": 3}).fit(png, y)
    assert list(cache_dir.iterdir()) == []


def test_decode_cache_with_workers_and_validation(files, cache_dir):
    png, _, y = files
    X = np.stack([imread(p) for p in png])
    params = dict(module="simple", early_stopping=True, validation_fraction=0.25)
    a = CNNClassifier(**params, **{**FAST, "epochs": 3}).fit(X, y)
    b = CNNClassifier(
        **params, num_workers=2, file_cache=True, **{**FAST, "epochs": 3}
    ).fit(png, y)
    assert a.validation_scores_ == b.validation_scores_
    assert a.loss_curve_ == b.loss_curve_
    assert list(cache_dir.iterdir()) == []


def test_decode_cache_needs_room(files, monkeypatch):
    png, _, y = files
    usage = _engine.shutil.disk_usage("/")
    tiny = type(usage)(usage.total, usage.used, 100)
    monkeypatch.setattr(_engine.shutil, "disk_usage", lambda path: tiny)
    with pytest.raises(ValueError, match="file_cache=True needs .* GiB free"):
        CNNClassifier(module="simple", file_cache=True, **FAST).fit(png, y)
    # "auto" does without the cache when there is no room
    CNNClassifier(module="simple", **FAST).fit(png, y)


def test_decode_cache_keeps_16_bit_images_out(tmp_path):
    from skcv.cnn._streaming import DecodeCache

    paths = []
    for i in range(6):
        arr = (np.arange(64, dtype=np.uint16).reshape(8, 8) * (1000 + i)).astype(
            np.uint16
        )
        path = tmp_path / f"{i}.png"
        Image.fromarray(arr).save(path)
        paths.append(str(path))
    clf = CNNClassifier(module="simple", **FAST)
    column = clf._validate_images(paths, reset=True)
    column.cache = DecodeCache(len(column), column.item_shape)
    try:
        first = column.arrays([0, 1, 2])
        assert not column.cache.holds([0])  # 16-bit: decoded every time
        np.testing.assert_array_equal(column.arrays([0, 1, 2]), first)
        assert first.dtype == np.float32 and first.max() > 0.9
    finally:
        column.cache.close()
