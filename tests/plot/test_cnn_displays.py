"""Displays of a CNN's filters, feature maps and attributions (scikit-learn style)."""

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skcv.plot import (  # noqa: E402
    AttributionDisplay,
    FeatureMapsDisplay,
    FiltersDisplay,
    plot_filters,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_plot_module_does_not_import_torch():
    code = (
        "import sys\n"
        "from skcv.plot import AttributionDisplay, FeatureMapsDisplay\n"
        "from skcv.plot import FiltersDisplay, plot_filters\n"
        "sys.exit(3 if 'torch' in sys.modules else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr or "skcv.plot imported torch"


def test_filters_are_normalised_each_and_tiled():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 3, 3, 3))
    w[1] *= 100  # a large filter does not wash out the others
    _, ax = plt.subplots()
    disp = FiltersDisplay(w).plot(ax=ax, n_cols=3)
    assert disp.ax_ is ax and disp.figure_ is ax.figure
    img = disp.image_
    assert img.shape == (2 * 3 + 1, 3 * 3 + 2, 3)
    for i in range(5):
        r, c = divmod(i, 3)
        tile = img[4 * r : 4 * r + 3, 4 * c : 4 * c + 3]
        assert tile.min() == 0 and tile.max() == 1
        # Per filter min-max over the three channels together.
        expected = (w[i] - w[i].min()) / (w[i].max() - w[i].min())
        np.testing.assert_allclose(tile, expected)
    assert np.isnan(img[3]).all() and np.isnan(img[4:, 8:]).all()  # gaps, empty cell


def test_filters_grey_and_in_channel():
    w = np.random.default_rng(0).normal(size=(4, 5, 5, 8))
    with pytest.raises(ValueError, match="8 input channels.*in_channel"):
        FiltersDisplay(w).plot()
    disp = FiltersDisplay(w, in_channel=2).plot()
    assert disp.image_.shape == (11, 11)
    with pytest.raises(ValueError, match="in_channel=8 is out of range"):
        FiltersDisplay(w, in_channel=8).plot()
    with pytest.raises(ValueError, match="filters must have shape"):
        FiltersDisplay(w[0]).plot()
    with pytest.raises(ValueError, match="n_cols must be a positive int"):
        FiltersDisplay(w[..., :1]).plot(n_cols=0)
    const = np.ones((2, 3, 3, 1))
    assert np.nanmax(FiltersDisplay(const).plot().image_) == 0.5


def test_feature_maps_display():
    maps = np.random.default_rng(0).random((6, 6, 10))
    _, ax = plt.subplots()
    disp = FeatureMapsDisplay(maps, layer="features.1").plot(ax=ax, max_maps=4)
    assert disp.image_.shape == (13, 13) and disp.ax_ is ax
    assert ax.get_title() == "layer features.1: 4 of 10 maps 6x6"
    with pytest.raises(ValueError, match="maps must have shape"):
        FeatureMapsDisplay(maps[0]).plot()
    with pytest.raises(ValueError, match="max_maps must be a positive int"):
        FeatureMapsDisplay(maps).plot(max_maps=0)


def test_attribution_display_places_occlusion_cells():
    image = np.zeros((16, 16))
    occ = np.arange(49.0).reshape(7, 7)
    disp = AttributionDisplay(occ, image, method="occlusion", size=4, stride=2)
    disp.plot(colorbar=False)
    # Cell (0, 0) covers pixels 0..3, centred at 1.5, and spans one stride.
    assert disp.im_.get_extent() == pytest.approx((0.5, 14.5, 14.5, 0.5))
    assert disp.ax_.get_xlim() == (-0.5, 15.5)
    sal = AttributionDisplay(np.ones((16, 16)), image).plot()
    assert sal.im_.get_extent() == pytest.approx((-0.5, 15.5, 15.5, -0.5))
    with pytest.raises(ValueError, match="image's shape"):
        AttributionDisplay(np.ones((8, 8)), image).plot()
    with pytest.raises(ValueError, match="needs size and stride"):
        AttributionDisplay(occ, image, method="occlusion").plot()
    with pytest.raises(ValueError, match="method must be"):
        AttributionDisplay(occ, image, method="gradcam").plot()


def test_from_estimator():
    pytest.importorskip("torch")
    from sklearn.datasets import load_digits

    from skcv.cnn import CNNClassifier, conv_filters, occlusion_map

    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16
    clf = CNNClassifier(
        module="lenet5", epochs=2, batch_size=32, solver="adam", image_shape=(8, 8),
        learning_rate_init=0.01, random_state=0, device="cpu",
    ).fit(X, y[:300])  # fmt: skip
    fig, axes = plt.subplots(1, 4)
    disp = plot_filters(clf, ax=axes[0], n_cols=6)
    assert isinstance(disp, FiltersDisplay) and disp.ax_ is axes[0]
    assert disp.image_.shape == (5, 5 * 6 + 5)  # six 5x5 grey filters
    np.testing.assert_array_equal(disp.filters, conv_filters(clf))
    fm = FeatureMapsDisplay.from_estimator(clf, X[0], layer=1, ax=axes[1])
    # 8x8 padded to 9x9, conv1 keeps 9, pool to 5, 5x5 conv2: 1x1x16.
    assert fm.maps.shape == (1, 1, 16) and fm.ax_ is axes[1]
    sal = AttributionDisplay.from_estimator(clf, X[0], ax=axes[2])
    assert sal.attribution.shape == (8, 8) and sal.image.shape == (8, 8)
    assert sal.target == clf.predict(X[:1])[0]
    occ = AttributionDisplay.from_estimator(
        clf, X[0], method="occlusion", size=4, stride=2, target=3, ax=axes[3]
    )
    np.testing.assert_allclose(
        occ.attribution, occlusion_map(clf, X[:1], target=3, size=4, stride=2)[0]
    )
    assert occ.ax_.get_title() == "occlusion of class 3"
    with pytest.raises(ValueError, match="method must be"):
        AttributionDisplay.from_estimator(clf, X[0], method="gradcam")
