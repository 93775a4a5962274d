"""skcv.datasets.load_image_folder on folders written into tmp_path."""

import os

import numpy as np
import pytest
from PIL import Image

from skcv.datasets import load_image_folder
from skcv.io import ImageReadError


def _write(path, colour, size=(12, 10), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    """cat: 3 images (one nested, one grey), dog: 2; plus junk to ignore."""
    root = tmp_path / "pets"
    _write(root / "cat" / "b.png", (200, 0, 0))
    _write(root / "cat" / "a.jpg", (210, 0, 0), size=(16, 8))
    _write(root / "cat" / "garden" / "c.PNG", 90, mode="L")
    _write(root / "dog" / "x.png", (0, 0, 200))
    _write(root / "dog" / "y.tif", (0, 0, 190))
    (root / "cat" / ".DS_Store").write_bytes(b"\0\0")
    (root / "cat" / "readme.txt").write_text("not an image")
    _write(root / "dog" / ".hidden" / "z.png", (0, 0, 0))
    _write(root / ".git" / "w.png", (0, 0, 0))
    (root / "labels.csv").write_text("a,b\n")
    return root


def test_layout_order_and_ignored(folder):
    bunch = load_image_folder(folder)
    assert bunch.target_names == ["cat", "dog"]
    names = [os.path.relpath(f, folder) for f in bunch.filenames]
    assert names == [
        os.path.join("cat", "a.jpg"),
        os.path.join("cat", "b.png"),
        os.path.join("cat", "garden", "c.PNG"),
        os.path.join("dog", "x.png"),
        os.path.join("dog", "y.tif"),
    ]
    assert bunch.target.dtype == np.int64
    assert bunch.target.tolist() == [0, 0, 0, 1, 1]
    ignored = sorted(os.path.relpath(p, folder) for p in bunch.ignored)
    assert ignored == sorted(
        [
            ".git",
            "labels.csv",
            os.path.join("cat", ".DS_Store"),
            os.path.join("cat", "readme.txt"),
            os.path.join("dog", ".hidden"),
        ]
    )
    assert bunch.n_ignored == 5
    assert "5 images in 2 classes" in bunch.DESCR
    assert "ignored 5" in bunch.DESCR
    assert "data" not in bunch
    # Same result twice (deterministic), and paths as given.
    again = load_image_folder(str(folder))
    np.testing.assert_array_equal(again.filenames, bunch.filenames)


def test_classes_select_and_order(folder):
    bunch = load_image_folder(folder, classes=["dog", "cat"])
    assert bunch.target_names == ["dog", "cat"]
    assert bunch.target.tolist() == [0, 0, 1, 1, 1]
    only = load_image_folder(folder, classes=["dog"])
    assert only.target.tolist() == [0, 0]
    assert any(p.endswith("cat") for p in only.ignored)
    with pytest.raises(ValueError, match=r"no folder for \['bird'\]"):
        load_image_folder(folder, classes=["cat", "bird"])
    with pytest.raises(ValueError, match="distinct subfolders"):
        load_image_folder(folder, classes=["cat", "cat"])
    with pytest.raises(TypeError, match="classes must be None or a list"):
        load_image_folder(folder, classes="cat")


def test_extensions(folder):
    bunch = load_image_folder(folder, extensions=[".PNG"])
    assert [os.path.basename(f) for f in bunch.filenames] == ["b.png", "c.PNG", "x.png"]
    with pytest.raises(ValueError, match="extensions must be a non-empty list"):
        load_image_folder(folder, extensions=["png"])
    with pytest.raises(ValueError, match=r"holds no image file.*\('\.bmp',\)"):
        load_image_folder(folder, extensions=".bmp")


def test_shuffle_is_seeded_and_keeps_pairs(folder):
    plain = load_image_folder(folder)
    one = load_image_folder(folder, shuffle=True, random_state=0)
    two = load_image_folder(folder, shuffle=True, random_state=0)
    np.testing.assert_array_equal(one.filenames, two.filenames)
    assert sorted(one.filenames) == sorted(plain.filenames)
    pairs = dict(zip(plain.filenames, plain.target, strict=True))
    assert all(pairs[f] == t for f, t in zip(one.filenames, one.target, strict=True))
    assert list(one.filenames) != list(plain.filenames)  # 5! orders; seed 0 moves


def test_decoded_data(folder):
    bunch = load_image_folder(folder, return_paths=False)
    assert len(bunch.data) == 5 and bunch.skipped == []
    assert bunch.data[0].shape == (8, 16, 3)  # a.jpg
    assert bunch.data[2].shape == (10, 12)  # the grey PNG stays grey
    np.testing.assert_array_equal(bunch.data[1], np.full((10, 12, 3), (200, 0, 0)))
    X, y = load_image_folder(
        folder, return_paths=False, size=(6, 6), channels=3, return_X_y=True
    )
    assert X.shape == (5, 6, 6, 3) and X.dtype == np.uint8
    assert y.tolist() == [0, 0, 0, 1, 1]
    paths, y = load_image_folder(folder, return_X_y=True)
    assert len(paths) == 5 and isinstance(paths[0], str)


def test_unreadable_file_raises_or_is_skipped(folder):
    (folder / "dog" / "broken.jpg").write_text("not a jpeg")
    # Listing does not decode.
    assert len(load_image_folder(folder).filenames) == 6
    with pytest.raises(ImageReadError, match=r"broken\.jpg"):
        load_image_folder(folder, return_paths=False)
    with pytest.warns(UserWarning, match=r"(?s)skipped 1 of 6.*broken\.jpg"):
        bunch = load_image_folder(
            folder, return_paths=False, on_error="skip", as_grey=True, size=4
        )
    assert bunch.data.shape == (5, 4, 4)
    assert [os.path.basename(p) for p in bunch.skipped] == ["broken.jpg"]
    assert bunch.target.tolist() == [0, 0, 0, 1, 1]
    assert not any(f.endswith("broken.jpg") for f in bunch.filenames)
    assert "skipped 1 unreadable" in bunch.DESCR


def test_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_image_folder(tmp_path / "missing")
    afile = tmp_path / "file.png"
    afile.write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        load_image_folder(afile)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="is empty"):
        load_image_folder(empty)
    flat = tmp_path / "flat"
    _write(flat / "a.png", (1, 2, 3))
    with pytest.raises(ValueError, match="has no class subfolders"):
        load_image_folder(flat)
    _write(flat / "cls" / "b.png", (1, 2, 3))
    (flat / "nothing").mkdir()
    with pytest.raises(ValueError, match=r"nothing.*holds no image file"):
        load_image_folder(flat)
    assert load_image_folder(flat, classes=["cls"]).n_ignored == 2
    with pytest.raises(TypeError, match="root must be"):
        load_image_folder(None)
    with pytest.raises(TypeError, match="shuffle must be a bool"):
        load_image_folder(flat, shuffle="yes")
