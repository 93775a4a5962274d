import numpy as np
import pytest
from scipy import ndimage

from skcv.datasets import make_shapes_segmentation
from skcv.datasets._segmentation import SHAPE_NAMES


def test_shapes_dtypes_and_classes():
    X, Y = make_shapes_segmentation(20, image_size=32, random_state=0)
    assert X.shape == (20, 32, 32, 3) and X.dtype == np.float32
    assert Y.shape == (20, 32, 32) and Y.dtype == np.int64
    assert X.min() >= 0 and X.max() <= 1
    assert set(np.unique(Y)) == {0, 1, 2, 3}
    assert len(SHAPE_NAMES) == 4 and SHAPE_NAMES[0] == "background"
    # every image has at least one shape and at most max_shapes components
    for mask in Y:
        n_objects = ndimage.label(mask > 0)[1]
        assert 1 <= n_objects <= 3


def test_shapes_seeded_grey_and_size():
    X1, Y1 = make_shapes_segmentation(5, image_size=(24, 40), random_state=3)
    X2, Y2 = make_shapes_segmentation(5, image_size=(24, 40), random_state=3)
    X3, _ = make_shapes_segmentation(5, image_size=(24, 40), random_state=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, X3)
    assert X1.shape == (5, 24, 40, 3)
    G, M = make_shapes_segmentation(5, image_size=24, color=False, random_state=3)
    assert G.shape == (5, 24, 24) and M.shape == (5, 24, 24)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_n_classes_limits_the_shape_kinds(n_classes):
    _, Y = make_shapes_segmentation(30, 32, n_classes=n_classes, random_state=0)
    assert set(np.unique(Y)) == set(range(n_classes))


def test_shapes_have_the_course_geometry():
    # Shapes are sized to about the same area: no class is a give-away by size.
    _, Y = make_shapes_segmentation(300, 64, max_shapes=1, noise=0, random_state=1)
    areas = [np.mean([(m == c).sum() for m in Y if (m == c).any()]) for c in (1, 2, 3)]
    assert max(areas) / min(areas) < 1.3
    # A circle is convex and round: its area fills ~pi/4 of its bounding box.
    circles = [m == 1 for m in Y if (m == 1).any()]
    fill = [
        c.sum() / (np.ptp(np.nonzero(c)[0]) + 1) / (np.ptp(np.nonzero(c)[1]) + 1)
        for c in circles
    ]
    assert abs(np.median(fill) - np.pi / 4) < 0.06
    # An axis-aligned bounding box of a triangle is at most half filled... plus edges
    tri = [m == 3 for m in Y if (m == 3).any()]
    fill_t = [
        c.sum() / (np.ptp(np.nonzero(c)[0]) + 1) / (np.ptp(np.nonzero(c)[1]) + 1)
        for c in tri
    ]
    assert np.median(fill_t) < np.median(fill)


def test_shapes_differ_from_background_and_noise_is_added():
    X0, Y0 = make_shapes_segmentation(10, 32, noise=0.0, random_state=2)
    Xn, Yn = make_shapes_segmentation(10, 32, noise=0.2, random_state=2)
    np.testing.assert_array_equal(Y0, Yn)
    assert np.abs(Xn - X0).mean() > 0.05
    # the tint of each shape differs from the mean background colour
    for x, y in zip(X0, Y0, strict=True):
        bg = x[y == 0].mean(axis=0)
        fg = x[y > 0].mean(axis=0)
        assert np.abs(fg - bg).max() > 0.1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_samples": 0}, "n_samples"),
        ({"image_size": 8}, "image_size"),
        ({"image_size": (32, 8)}, r"image_size must be an int or a pair"),
        ({"n_classes": 5}, "n_classes"),
        ({"noise": -1.0}, "noise"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_shapes_segmentation(**{"n_samples": 2, **kwargs})
