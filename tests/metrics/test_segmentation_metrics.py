import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion_matrix
from sklearn.metrics import jaccard_score

from skcv.metrics import confusion_matrix, mean_iou, pixel_accuracy


def _masks(seed=0, n=3, size=9, k=4):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, size=(n, size, size))
    y_pred = np.where(
        rng.random(y_true.shape) < 0.6, y_true, rng.integers(0, k, y_true.shape)
    )
    return y_true, y_pred


def test_confusion_matrix_matches_sklearn():
    y_true, y_pred = _masks()
    expected = sk_confusion_matrix(y_true.ravel(), y_pred.ravel())
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), expected)


def test_confusion_matrix_labels_order_and_subset_match_sklearn():
    y_true, y_pred = _masks(1, k=5)
    labels = [3, 0, 4]
    expected = sk_confusion_matrix(y_true.ravel(), y_pred.ravel(), labels=labels)
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred, labels=labels), expected
    )
    # a label absent from both maps gives an empty row and column
    cm = confusion_matrix(y_true, y_pred, labels=[0, 1, 9])
    assert cm[2].sum() == 0 and cm[:, 2].sum() == 0


def test_ignore_index_drops_pixels():
    y_true, y_pred = _masks(2, k=3)
    y_true = y_true.copy()
    y_true[:, 0, :] = 255
    keep = y_true.ravel() != 255
    expected = sk_confusion_matrix(y_true.ravel()[keep], y_pred.ravel()[keep])
    cm = confusion_matrix(y_true, y_pred, ignore_index=255)
    np.testing.assert_array_equal(cm, expected)
    assert cm.sum() == keep.sum()
    acc = pixel_accuracy(y_true, y_pred, ignore_index=255)
    assert acc == pytest.approx(np.mean(y_true.ravel()[keep] == y_pred.ravel()[keep]))


def test_mean_iou_matches_jaccard_score():
    y_true, y_pred = _masks(3)
    per_class = mean_iou(y_true, y_pred, average=None)
    np.testing.assert_allclose(
        per_class, jaccard_score(y_true.ravel(), y_pred.ravel(), average=None)
    )
    assert mean_iou(y_true, y_pred) == pytest.approx(
        jaccard_score(y_true.ravel(), y_pred.ravel(), average="macro")
    )
    labels = [1, 2]
    assert mean_iou(y_true, y_pred, labels=labels) == pytest.approx(
        jaccard_score(y_true.ravel(), y_pred.ravel(), labels=labels, average="macro")
    )


def test_mean_iou_known_values_and_absent_class():
    assert mean_iou(np.zeros((4, 4), int), np.zeros((4, 4), int)) == 1.0
    y = np.array([[0, 1], [1, 1]])
    assert mean_iou(y, 1 - y) == 0.0
    # class 7 is listed but absent: NaN per class, left out of the mean
    iou = mean_iou(y, y, labels=[0, 1, 7], average=None)
    assert np.isnan(iou[2]) and iou[0] == iou[1] == 1.0
    assert mean_iou(y, y, labels=[0, 1, 7]) == 1.0


def test_pixel_accuracy_matches_sklearn_accuracy():
    from sklearn.metrics import accuracy_score

    y_true, y_pred = _masks(4)
    assert pixel_accuracy(y_true, y_pred) == pytest.approx(
        accuracy_score(y_true.ravel(), y_pred.ravel())
    )
    # dominated by the background: all-background scores the background share
    y = np.zeros((10, 10), int)
    y[:1] = 1
    assert pixel_accuracy(y, np.zeros_like(y)) == pytest.approx(0.9)
    assert mean_iou(y, np.zeros_like(y)) == pytest.approx(0.45)


def test_bool_and_integral_float_masks_accepted():
    y = np.array([[True, False]])
    assert pixel_accuracy(y, y.astype(float)) == 1.0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "match"),
    [
        (np.zeros((2, 3)), np.zeros((3, 2)), ValueError, "same shape"),
        (
            np.array([0.0, np.nan]),
            np.zeros(2),
            ValueError,
            "y_true must not contain NaN",
        ),
        (np.zeros(2), np.array([0.5, 1.0]), ValueError, "y_pred must hold integer"),
        (np.array(["a", "b"]), np.zeros(2), TypeError, "y_true must hold integer"),
        (np.zeros((0, 3)), np.zeros((0, 3)), ValueError, "empty"),
    ],
)
def test_bad_masks(y_true, y_pred, error, match):
    for func in (confusion_matrix, mean_iou, pixel_accuracy):
        with pytest.raises(error, match=match):
            func(y_true, y_pred)


def test_bad_options():
    y = np.zeros((2, 2), int)
    with pytest.raises(
        ValueError, match="average must be 'macro' or None; got 'micro'"
    ):
        mean_iou(y, y, average="micro")
    with pytest.raises(TypeError, match="ignore_index must be an int or None"):
        confusion_matrix(y, y, ignore_index=1.5)
    with pytest.raises(ValueError, match="labels must be unique"):
        confusion_matrix(y, y, labels=[0, 0])
    with pytest.raises(ValueError, match="labels must be a non-empty"):
        confusion_matrix(y, y, labels=[])
    with pytest.raises(TypeError, match="labels must be integers"):
        confusion_matrix(y, y, labels=[0.5])


def test_metrics_do_not_import_torch():
    code = (
        "import sys, numpy as np\n"
        "from skcv.metrics import mean_iou, confusion_matrix, pixel_accuracy\n"
        "mean_iou(np.zeros(3, int), np.zeros(3, int))\n"
        "sys.exit(3 if 'torch' in sys.modules else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_prediction_equal_to_ignore_index_is_an_error_not_dropped():
    # ignore_index drops pixels by their TRUE label only: a real pixel
    # predicted as 255 is wrong (a false negative of its class), not ignored
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 255, 1, 1])
    np.testing.assert_allclose(
        mean_iou(y_true, y_pred, ignore_index=255, average=None), [0.5, 1.0]
    )
    assert mean_iou(y_true, y_pred, ignore_index=255) == pytest.approx(0.75)
    assert pixel_accuracy(y_true, y_pred, ignore_index=255) == pytest.approx(0.75)
    # the square matrix over the labels has no column for 255: that pixel is
    # not in it (documented), but the scores above do not depend on that
    cm = confusion_matrix(y_true, y_pred, ignore_index=255)
    np.testing.assert_array_equal(cm, [[1, 0], [0, 2]])
    # the same with the labels listed
    np.testing.assert_allclose(
        mean_iou(y_true, y_pred, labels=[0, 1], ignore_index=255, average=None),
        [0.5, 1.0],
    )
    assert pixel_accuracy(
        y_true, y_pred, labels=[0, 1], ignore_index=255
    ) == pytest.approx(0.75)
    # pixels whose true label is 255 still do not count, whatever is predicted
    y_true = np.array([0, 0, 1, 1, 255, 255])
    y_pred = np.array([0, 255, 1, 1, 0, 255])
    np.testing.assert_allclose(
        mean_iou(y_true, y_pred, ignore_index=255, average=None), [0.5, 1.0]
    )
    assert pixel_accuracy(y_true, y_pred, ignore_index=255) == pytest.approx(0.75)


def test_prediction_outside_labels_counts_as_wrong():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 2, 1, 1, 2, 0])
    # class 2 is not listed: its pixels are not scored, and the pixel of
    # class 0 predicted as 2 is a wrong pixel and a false negative of 0
    assert pixel_accuracy(y_true, y_pred, labels=[0, 1]) == pytest.approx(0.75)
    np.testing.assert_allclose(
        mean_iou(y_true, y_pred, labels=[0, 1], average=None),
        jaccard_score(y_true, y_pred, labels=[0, 1], average=None),
    )
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred, labels=[0, 1]),
        sk_confusion_matrix(y_true, y_pred, labels=[0, 1]),
    )


def test_every_pixel_ignored_gives_nan():
    y_true, y_pred = np.full(4, 255), np.zeros(4, int)
    assert np.isnan(mean_iou(y_true, y_pred, ignore_index=255))
    assert mean_iou(y_true, y_pred, ignore_index=255, average=None).shape == (0,)
    iou = mean_iou(y_true, y_pred, labels=[0, 1, 2], ignore_index=255, average=None)
    assert iou.shape == (3,) and np.isnan(iou).all()
    assert np.isnan(mean_iou(y_true, y_pred, labels=[0, 1], ignore_index=255))
    assert np.isnan(pixel_accuracy(y_true, y_pred, ignore_index=255))
    assert confusion_matrix(y_true, y_pred, ignore_index=255).shape == (0, 0)
