import numpy as np
import pytest

from skcv.datasets import load_face_patches, make_detection_scenes
from skcv.detection import box_iou


@pytest.mark.parametrize("objects", ["faces", "shapes"])
@pytest.mark.parametrize("background", ["textures", "photos", "noise", "plain"])
def test_scenes_shapes_and_boxes(objects, background):
    images, boxes, labels = make_detection_scenes(
        4,
        image_size=(64, 80),
        objects=objects,
        n_objects=(0, 3),
        object_size=(12, 24),
        background=background,
        random_state=0,
    )
    assert images.shape == (4, 64, 80) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    assert len(boxes) == len(labels) == 4
    for b, lab in zip(boxes, labels, strict=True):
        assert b.shape == (len(lab), 4) and lab.dtype == np.int64
        assert (b[:, [0, 1]] >= 0).all() and (b[:, 2] <= 80).all()
        assert (b[:, 3] <= 64).all()
        side = b[:, 2:] - b[:, :2]
        assert ((side >= 12) & (side <= 24)).all()
        if objects == "faces":
            assert (lab == 1).all() and (side[:, 0] == side[:, 1]).all()
        else:
            assert np.isin(lab, [1, 2, 3]).all()
        if len(b) > 1:  # objects never overlap
            iou = box_iou(b, b)
            assert (iou[~np.eye(len(b), dtype=bool)] == 0).all()


def test_scenes_deterministic_and_single_object():
    a = make_detection_scenes(3, n_objects=1, random_state=3)
    b = make_detection_scenes(3, n_objects=1, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(np.stack(a[1]), np.stack(b[1]))
    assert np.stack(a[1]).shape == (3, 1, 4)
    c = make_detection_scenes(3, n_objects=1, random_state=4)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("object_size", [(2, 5), (8, 15), (24, 33)])
def test_scene_shape_fills_its_box(object_size):
    # Every shape (rectangle, disk, triangle), at odd and even heights and
    # widths, covers exactly its stored box: the changed pixels' bounding box.
    images, boxes, labels = make_detection_scenes(
        60,
        image_size=(40, 40),
        objects="shapes",
        background="plain",
        n_objects=1,
        object_size=object_size,
        random_state=0,
    )
    seen = set()
    for image, box, label in zip(images, boxes, labels, strict=True):
        x0, y0, x1, y1 = box[0].astype(int)
        rows, cols = np.nonzero(image != image[0, 0])
        if (y0, x0) == (0, 0):  # the corner pixel may be the shape's own
            rows, cols = np.nonzero(image != image[-1, -1])
        got = (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)
        assert got == (y0, y1, x0, x1), (label[0], box[0])
        seen.add((int(label[0]), (y1 - y0) % 2, (x1 - x0) % 2))
    assert seen == {(k, ph, pw) for k in (1, 2, 3) for ph in (0, 1) for pw in (0, 1)}


def test_scene_face_is_pasted_in_its_box():
    images, boxes, _ = make_detection_scenes(
        1, background="plain", n_objects=1, random_state=1
    )
    x0, y0, x1, y1 = boxes[0][0].astype(int)
    outside = images[0].copy()
    outside[y0:y1, x0:x1] = np.nan
    assert np.nanmax(outside) == np.nanmin(outside)  # plain background elsewhere
    assert images[0][y0:y1, x0:x1].std() > 0.05


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"objects": "cars"}, "objects"),
        ({"background": "sky"}, "background"),
        ({"object_size": (40, 20)}, r"object_size must be \(min, max\)"),
        ({"object_size": (20, 200)}, "object_size max must fit"),
        ({"image_size": (0, 10)}, "image_size must be a pair of ints"),
        ({"n_objects": (3, 1)}, r"n_objects must be \(min, max\)"),
        ({"n_objects": -1}, "n_objects"),
    ],
)
def test_scenes_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_detection_scenes(1, **kwargs)


def test_face_patches():
    X, y = load_face_patches(patch_size=20, n_negatives=30, random_state=0)
    assert X.shape == (230, 20, 20) and X.dtype == np.float32
    assert y.tolist() == [1] * 200 + [0] * 30
    np.testing.assert_array_equal(X[100], X[0][:, ::-1])  # mirrored copy
    X2, _ = load_face_patches(patch_size=20, n_negatives=30, random_state=0)
    np.testing.assert_array_equal(X, X2)


def test_face_patches_subsets_are_disjoint():
    Xtr, ytr = load_face_patches(16, 10, subset="train", mirror=False, random_state=0)
    Xte, yte = load_face_patches(16, 10, subset="test", mirror=False, random_state=0)
    assert ytr.sum() == 70 and yte.sum() == 30
    faces_tr, faces_te = Xtr[ytr == 1], Xte[yte == 1]
    assert not (faces_tr[:, None] == faces_te[None]).all(axis=(2, 3)).any()


def test_face_patches_errors():
    with pytest.raises(ValueError, match="patch_size"):
        load_face_patches(patch_size=2)
    with pytest.raises(ValueError, match="subset"):
        load_face_patches(subset="val")
