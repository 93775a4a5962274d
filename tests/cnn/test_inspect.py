"""Looking inside a trained CNN: filters, feature maps, saliency, occlusion."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skcv.cnn import (  # noqa: E402
    CNNClassifier,
    build_module,
    conv_filters,
    feature_maps,
    occlusion_map,
    saliency_map,
)

SIZE, SQUARE = 16, 4


def _squares(n, seed):
    """Noise images with one 4x4 square at a known, even position.

    Class 1 has a red square, class 0 a blue one: only the square tells them
    apart.
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 0.3, (n, SIZE, SIZE, 3)).astype(np.float32)
    y = rng.integers(0, 2, n)
    pos = 2 * rng.integers(0, (SIZE - SQUARE) // 2 + 1, (n, 2))
    for i, (r, c) in enumerate(pos):
        X[i, r : r + SQUARE, c : c + SQUARE, 0 if y[i] == 1 else 2] = 1.0
    return X, y, pos


@pytest.fixture(scope="module")
def trained():
    X, y, _ = _squares(600, seed=0)
    clf = CNNClassifier(
        module="simple",
        module_params={"widths": (8, 16)},
        epochs=6,
        batch_size=32,
        solver="adam",
        learning_rate_init=0.01,
        lr_schedule="constant",
        weight_decay=0.0,
        random_state=0,
        device="cpu",
    ).fit(X, y)
    Xt, yt, pt = _squares(30, seed=1)
    assert clf.score(Xt, yt) > 0.95  # the test below needs a working model
    return clf, Xt, yt, pt


def test_occluding_the_object_lowers_the_class_probability_most(trained):
    clf, X, y, pos = trained
    stride = 2
    occ = occlusion_map(clf, X, target=y, size=SQUARE, stride=stride)
    n_pos = (SIZE - SQUARE) // stride + 1
    assert occ.shape == (len(X), n_pos, n_pos)
    p0 = clf.predict_proba(X)[np.arange(len(X)), y]
    for k, (r, c) in enumerate(pos):
        on_object = occ[k, r // stride, c // stride]  # the square hides it exactly
        rows = np.arange(n_pos) * stride
        # Squares that do not touch the object, along rows or along columns.
        apart_r = (rows + SQUARE <= r) | (rows >= r + SQUARE)
        apart_c = (rows + SQUARE <= c) | (rows >= c + SQUARE)
        disjoint = apart_r[:, None] | apart_c[None, :]
        background = occ[k][disjoint]
        # Hiding the object costs more probability than hiding any background.
        assert p0[k] - on_object > (p0[k] - background).max(), k
        assert on_object < background.min()


def test_saliency_is_largest_on_the_object(trained):
    clf, X, y, pos = trained
    sal = saliency_map(clf, X, target=y)
    assert sal.shape == (len(X), SIZE, SIZE) and sal.dtype == np.float32
    assert (sal >= 0).all()
    for k, (r, c) in enumerate(pos):
        mask = np.zeros((SIZE, SIZE), bool)
        mask[r : r + SQUARE, c : c + SQUARE] = True
        assert sal[k][mask].mean() > 2 * sal[k][~mask].mean(), k


def test_saliency_is_the_input_gradient_of_the_class_score(trained):
    clf, X, _, _ = trained
    net = clf.module_
    x = clf._to_tensor(X[:3]).contiguous().requires_grad_(True)
    scores = net(x)
    target = scores.argmax(1)
    scores[torch.arange(3), target].sum().backward()
    expected = x.grad.abs().amax(1).numpy()
    np.testing.assert_allclose(saliency_map(clf, X[:3]), expected, rtol=1e-6)
    assert clf.module_.training is False


def test_against_captum(trained):
    captum_attr = pytest.importorskip("captum.attr")
    clf, X, _, _ = trained
    net = clf.module_
    x = clf._to_tensor(X[:4]).contiguous()
    target = torch.as_tensor(np.searchsorted(clf.classes_, clf.predict(X[:4])))
    sal = captum_attr.Saliency(net).attribute(
        x.clone().requires_grad_(True), target=target, abs=True
    )
    np.testing.assert_allclose(saliency_map(clf, X[:4]), sal.amax(1).numpy())

    # Captum's Occlusion gives each pixel the mean drop of the windows covering
    # it; rebuild that from ZFNet's per-position map.
    def proba(inp):
        return torch.softmax(net(inp), 1)

    base = torch.as_tensor(clf.mean_).reshape(1, 3, 1, 1).expand_as(x).contiguous()
    attr = captum_attr.Occlusion(proba).attribute(
        x,
        sliding_window_shapes=(3, SQUARE, SQUARE),
        strides=(3, 2, 2),
        baselines=base,
        target=target,
    )
    occ = occlusion_map(clf, X[:4], size=SQUARE, stride=2)
    p0 = clf.predict_proba(X[:4]).max(1)
    drop, count = np.zeros((4, SIZE, SIZE)), np.zeros((SIZE, SIZE))
    for i, r in enumerate(range(0, SIZE - SQUARE + 1, 2)):
        for j, c in enumerate(range(0, SIZE - SQUARE + 1, 2)):
            drop[:, r : r + SQUARE, c : c + SQUARE] += (p0 - occ[:, i, j])[
                :, None, None
            ]
            count[r : r + SQUARE, c : c + SQUARE] += 1
    np.testing.assert_allclose(drop / count, attr[:, 0].numpy(), atol=1e-6)


def test_occlusion_is_batched_consistently(trained):
    clf, X, _, _ = trained
    a = occlusion_map(clf, X[:2], size=6, stride=3, batch_size=1)
    b = occlusion_map(clf, X[:2], size=6, stride=3, batch_size=1000)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    # (16 - 6) / 3 + 1 is not an integer: floor, the last pixel row is uncovered.
    assert a.shape == (2, 4, 4)


def test_occlusion_fill_and_one_image(trained):
    clf, X, _, _ = trained
    # A square the size of the image filled with a value gives the probability
    # of the uniform image of that value.
    full = occlusion_map(clf, X[0], size=SIZE, stride=1, fill=0.5, target=1)
    flat = np.full((1, SIZE, SIZE, 3), 0.5, np.float32)
    np.testing.assert_allclose(full[0, 0, 0], clf.predict_proba(flat)[0, 1])
    assert full.shape == (1, 1, 1)


def test_feature_maps_match_a_forward_hook(trained):
    clf, X, _, _ = trained
    maps = feature_maps(clf, X[:5], layer=0)
    assert maps.shape == (5, SIZE, SIZE, 8)
    body = clf.module_.body
    x = (clf._to_tensor(X[:5]) - clf.module_.mean) * clf.module_.inv_std
    with torch.no_grad():
        conv = body.features[0](x)
    np.testing.assert_allclose(maps, conv.permute(0, 2, 3, 1).numpy(), atol=1e-5)
    # The conv's output is copied before the in-place ReLU clips it ...
    assert maps.min() < 0
    # ... and the ReLU's own output (by name) is non-negative.
    relu = feature_maps(clf, X[:5], layer="features.2")
    assert relu.min() >= 0 and relu.shape == maps.shape
    assert feature_maps(clf, X[:5], layer=1).shape == (5, SIZE // 2, SIZE // 2, 16)
    assert feature_maps(clf, X[:5], layer="head.2").shape == (5, 2)


def test_conv_filters(trained):
    clf, _, _, _ = trained
    w = conv_filters(clf)
    expected = clf.module_.body.features[0].weight.detach().numpy()
    np.testing.assert_array_equal(w, expected.transpose(0, 2, 3, 1))
    assert conv_filters(clf, layer=-1).shape == (16, 3, 3, 8)
    net = build_module("alexnet", 3, 10, (224, 224))
    assert conv_filters(net).shape == (96, 11, 11, 3)
    assert conv_filters(net, layer="features.3").shape == (256, 5, 5, 96)


@pytest.mark.parametrize(
    ("func", "kwargs", "error", "match"),
    [
        (conv_filters, {"layer": 2}, ValueError, "out of range: the network has 2"),
        (conv_filters, {"layer": "nope"}, ValueError, "not a module of the network"),
        (conv_filters, {"layer": "features.2"}, ValueError, "is a ReLU, not a Conv2d"),
        (conv_filters, {"layer": 0.5}, TypeError, "layer must be an int"),
        (saliency_map, {"target": 7}, ValueError, r"labels \[7\] that are not"),
        (saliency_map, {"target": [0, 1]}, ValueError, "one label per image"),
        (occlusion_map, {"size": 20}, ValueError, "larger than the images"),
        (occlusion_map, {"stride": 0}, ValueError, "stride must be a positive"),
        (occlusion_map, {"fill": "grey"}, ValueError, "fill must be 'mean'"),
        (occlusion_map, {"batch_size": 0}, ValueError, "batch_size must be"),
    ],
)
def test_errors(trained, func, kwargs, error, match):
    clf, X, _, _ = trained
    args = (clf,) if func is conv_filters else (clf, X[:3])
    with pytest.raises(error, match=match):
        func(*args, **kwargs)


def test_unfitted_and_wrong_type():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        saliency_map(CNNClassifier(), np.zeros((1, 8, 8)))
    with pytest.raises(TypeError, match="fitted CNNClassifier or an nn.Module"):
        conv_filters("alexnet")
