import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from torch import nn  # noqa: E402

from skcv.cnn import MODULES, CNNClassifier  # noqa: E402
from skcv.cnn._augment import Augmenter, parse_augment  # noqa: E402
from skcv.datasets import make_detection_scenes  # noqa: E402
from skcv.detection import (  # noqa: E402
    ObjectLocalizer,
    box_iou,
)
from skcv.detection._localizer import (  # noqa: E402
    build_localizer_net,
    paired_iou,
    regression_loss,
)
from skcv.segmentation import FCNSegmenter  # noqa: E402
from tests.registry.localizer import STRUCTURED  # noqa: E402
from tests.structured_checks import STRUCTURED_CHECKS  # noqa: E402


def _scenes(n=48, size=16, random_state=0, subset="all"):
    X, boxes, labels = make_detection_scenes(
        n,
        image_size=(size, size),
        objects="shapes",
        n_objects=1,
        object_size=(size // 4, size // 2),
        background="textures",
        subset=subset,
        random_state=random_state,
    )
    return X, np.concatenate(labels), np.concatenate(boxes)


def _loc(**kw):
    return clone(STRUCTURED[0]).set_params(**kw)


@pytest.mark.parametrize("check", STRUCTURED_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", ["predict_boxes", "predict_proba"])
def test_structured_checks(check, method):
    X, y, boxes = _scenes(40, 12)
    check(STRUCTURED[0], X, (y, boxes), predict_method=method)


def test_fit_predict_shapes_and_history():
    X, y, boxes = _scenes()
    loc = _loc(epochs=3).fit(X, y, boxes)
    proba = loc.predict_proba(X[:5])
    assert proba.shape == (5, 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_allclose(np.exp(loc.predict_log_proba(X[:5])), proba)
    np.testing.assert_array_equal(loc.predict(X[:5]), loc.classes_[proba.argmax(1)])
    np.testing.assert_array_equal(loc.classes_, [1, 2, 3])
    pred = loc.predict_boxes(X)
    assert pred.shape == (len(X), 4) and pred.dtype == np.float64
    assert (pred[:, :2] >= 0).all() and (pred[:, 2:] <= 16).all()
    assert (pred[:, 2] >= pred[:, 0]).all() and (pred[:, 3] >= pred[:, 1]).all()
    assert loc.n_iter_ == 3 and len(loc.history_) == 3 and loc.device_ == "cpu"
    assert {"train_loss", "train_iou", "valid_iou", "lr"} <= set(loc.history_[0])
    assert 0 <= loc.history_[-1]["train_iou"] <= 1
    assert loc.box_mean_.shape == (4,) and (loc.box_std_ > 0).all()
    assert 0 <= loc.box_score(X, boxes) <= 1
    assert loc.score(X, y) == np.mean(loc.predict(X) == y)


@pytest.mark.slow
def test_learns_to_localise_held_out_scenes():
    X, y, boxes = _scenes(800, 24, random_state=0, subset="train")
    Xt, yt, bt = _scenes(200, 24, random_state=1, subset="test")
    loc = ObjectLocalizer(
        module_params={"widths": (8, 16, 32, 64)},
        pool_size=2,
        hidden_size=64,
        epochs=15,
        learning_rate_init=0.005,
        random_state=0,
        device="cpu",
    ).fit(X, y, boxes)
    # A network that predicts the mean box for every image scores far less.
    mean_box = np.tile(boxes.mean(0), (len(bt), 1))
    baseline = np.mean(np.diagonal(box_iou(mean_box, bt)))
    assert loc.box_score(Xt, bt) > max(0.5, baseline + 0.25)
    assert loc.score(Xt, yt) > 0.8
    assert loc.history_[-1]["train_loss"] < loc.history_[0]["train_loss"]


def test_box_score_is_mean_paired_iou():
    X, y, boxes = _scenes(20, 12)
    loc = _loc(epochs=1).fit(X, y, boxes)
    pred = loc.predict_boxes(X)
    expected = np.mean(np.diagonal(box_iou(pred, boxes)))
    assert loc.box_score(X, boxes) == pytest.approx(expected)
    assert loc.box_score(X[:3], pred[:3]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        loc.box_score(X, boxes[:5])


def test_paired_iou_matches_box_iou_diagonal():
    rng = np.random.default_rng(0)

    def random_boxes(n):
        p = rng.uniform(0, 10, (n, 4))
        return np.stack(
            [
                np.minimum(p[:, 0], p[:, 2]),
                np.minimum(p[:, 1], p[:, 3]),
                np.maximum(p[:, 0], p[:, 2]),
                np.maximum(p[:, 1], p[:, 3]),
            ],
            1,
        )

    a, b = random_boxes(30), random_boxes(30)
    ours = paired_iou(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(ours, np.diagonal(box_iou(a, b)), atol=1e-12)
    assert (ours > 0).any() and (ours == 0).any()


@pytest.mark.parametrize(
    ("boxes", "match"),
    [
        (np.zeros((40, 3)), r"shape \(k, 4\)"),
        (np.full((40, 4), np.nan), "NaN"),
        ([[5.0, 0.0, 2.0, 4.0]] * 40, "x_max >= x_min"),
        ([[0.0, 0.0, 13.0, 4.0]] * 40, "inside the image"),
        ([[-1.0, 0.0, 3.0, 4.0]] * 40, "inside the image"),
        ([[0.0, 2.0, 3.0, 12.5]] * 40, "inside the image"),
        (np.zeros((39, 4)), "inconsistent numbers of samples"),
        (None, "requires boxes"),
    ],
)
def test_bad_boxes(boxes, match):
    X, y, _ = _scenes(40, 12)
    with pytest.raises(ValueError, match=match):
        _loc().fit(X, y, boxes)


def test_bad_y_and_parameters():
    X, y, boxes = _scenes(40, 12)
    with pytest.raises(ValueError, match="requires y"):
        _loc().fit(X, None, boxes)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        _loc().fit(X, y[:-1], boxes)
    with pytest.raises(ValueError, match="box_loss"):
        _loc(box_loss="huber").fit(X, y, boxes)
    with pytest.raises(ValueError, match="box_weight"):
        _loc(box_weight=-1.0).fit(X, y, boxes)
    with pytest.raises(ValueError, match=r"augment .*\['flip', 'color_jitter'\]"):
        _loc(augment="standard").fit(X, y, boxes)
    with pytest.raises(ValueError, match="image"):
        _loc().fit(X, y, boxes).predict_boxes(np.zeros((2, 10, 10)))


def test_keypoint_head():
    X, y, boxes = _scenes(40, 12)
    centres = np.stack(
        [(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], 1
    )
    kps = np.stack([boxes[:, :2], centres], 1)  # (n, 2, 2): corner and centre
    loc = _loc(keypoints=2, epochs=2).fit(X, y, boxes, keypoints=kps)
    out = loc.predict_keypoints(X[:5])
    assert out.shape == (5, 2, 2)
    assert (out >= 0).all() and (out <= 12).all()
    assert loc.keypoint_mean_.shape == (4,)
    assert len(loc.module_(torch.zeros(2, 1, 12, 12))) == 3
    with pytest.raises(ValueError, match="keypoint head is off"):
        _loc().fit(X, y, boxes, keypoints=kps)
    with pytest.raises(
        ValueError, match=r"needs keypoints of shape \(n_samples, 2, 2\)"
    ):
        _loc(keypoints=2).fit(X, y, boxes)
    with pytest.raises(ValueError, match=r"shape \(n_samples, keypoints, 2\)"):
        _loc(keypoints=3).fit(X, y, boxes, keypoints=kps)
    with pytest.raises(ValueError, match="inside the image"):
        _loc(keypoints=2).fit(X, y, boxes, keypoints=kps + 20)
    with pytest.raises(ValueError, match="keypoints"):
        _loc().fit(X, y, boxes).predict_keypoints(X)


def test_multitask_loss_is_cross_entropy_plus_weighted_box_loss():
    X, y, boxes = _scenes(20, 12)
    loc = _loc(epochs=1, box_weight=2.5, box_loss="l1").fit(X, y, boxes)
    g = torch.Generator().manual_seed(0)
    scores = torch.randn(6, 3, generator=g)
    pred, true = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    loss = loc._batch_loss((scores, pred), (labels, true))
    ce = torch.nn.functional.cross_entropy(scores, labels)
    expected = ce + 2.5 * (pred - true).abs().sum(1).mean()
    assert float(loss) == pytest.approx(float(expected), rel=1e-6)


def test_regression_losses_known_values():
    pred = torch.tensor([[0.5, -2.0, 0.0, 3.0]])
    true = torch.zeros(1, 4)
    # smooth L1: 0.5 x^2 below 1, |x| - 0.5 above.
    assert float(regression_loss(pred, true, "smooth_l1")) == pytest.approx(
        0.125 + 1.5 + 0.0 + 2.5
    )
    assert float(regression_loss(pred, true, "l1")) == pytest.approx(5.5)
    assert float(regression_loss(pred, true, "l2")) == pytest.approx(13.25)
    two = torch.cat([pred, 2 * pred])
    assert float(regression_loss(two, torch.zeros(2, 4), "l1")) == pytest.approx(
        (5.5 + 11.0) / 2
    )


def test_flip_augmentation_moves_boxes_with_the_pixels():
    X, y, boxes = _scenes(20, 12)
    loc = _loc(epochs=1).fit(X, y, boxes)
    images = np.zeros((3, 12, 12), np.float32)
    true = np.array([[1, 2, 5, 6], [7, 0, 12, 3], [0, 0, 12, 12]], np.float64)
    for img, (x0, y0, x1, y1) in zip(images, true.astype(int), strict=True):
        img[y0:y1, x0:x1] = 1.0
    std = (true / 12 - loc.box_mean_) / loc.box_std_
    gen = torch.Generator().manual_seed(0)
    augmenter = Augmenter(parse_augment([("flip", {"p": 1.0})]), gen)
    xb, tb = loc._augment_batch(
        augmenter,
        loc._to_tensor(images),
        (torch.zeros(3, dtype=torch.long), torch.from_numpy(std).float()),
    )
    flipped = (tb[1].numpy() * loc.box_std_ + loc.box_mean_) * 12
    for img, box in zip(xb[:, 0].numpy(), flipped, strict=True):
        rows, cols = np.nonzero(img)
        found = [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]
        np.testing.assert_allclose(box, found, atol=1e-4)
    # Training with flips runs and keeps boxes valid.
    pred = _loc(augment=["flip", "color_jitter"]).fit(X, y, boxes).predict_boxes(X)
    assert (pred[:, 2] >= pred[:, 0]).all()


@pytest.mark.parametrize(
    ("module", "params"),
    [
        ("simple", None),
        ("lenet5", None),
        ("alexnet", {"width": 0.05, "hidden": 8}),
        ("vgg11", {"width": 0.05}),
        ("resnet20", {"width": 0.25}),
        ("googlenet", {"width": 0.05}),
        ("fast", {"widths": (4, 8, 8)}),
    ],
)
def test_backbones_give_spatial_features(module, params):
    assert module in MODULES
    net = build_localizer_net(
        module, 3, (16, 16), n_classes=4, n_keypoints=2, module_params=params
    )
    assert net.spatial
    scores, box, kp = net.eval()(torch.zeros(2, 3, 16, 16))
    assert scores.shape == (2, 4) and box.shape == (2, 4) and kp.shape == (2, 4)
    head_params = {id(p) for p in net.backbone.parameters()}
    assert head_params  # the backbone has weights


class _VectorNet(nn.Module):
    """A user backbone without ``features`` that returns a vector."""

    def __init__(self, in_channels=1, n_classes=10, **_):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 4, 3, padding=1)

    def forward(self, x):
        return self.conv(x).flatten(1)


def test_user_module_and_fastnet_whitening():
    X, y, boxes = _scenes(40, 12)
    loc = _loc(module=_VectorNet, module_params=None).fit(X, y, boxes)
    assert not loc.module_.spatial
    assert loc.predict_boxes(X[:2]).shape == (2, 4)
    loc = _loc(module="fast", module_params={"widths": (4, 8, 8)}).fit(X, y, boxes)
    w = loc.module_.backbone.whiten.weight
    assert not w.requires_grad and float(w.abs().sum()) > 0


def test_early_stopping_keeps_best_validation_iou():
    X, y, boxes = _scenes(60, 12)
    loc = _loc(epochs=4, early_stopping=True, n_iter_no_change=10).fit(X, y, boxes)
    scores = loc.validation_scores_
    assert len(scores) == loc.n_iter_ == 4
    assert all(0 <= s <= 1 for s in scores)
    assert loc.best_epoch_ == int(np.argmax(scores)) + 1


def test_warm_start_single_class_uint8_and_pickle():
    X, y, boxes = _scenes(40, 12)
    loc = _loc(warm_start=True).fit(X, y, boxes)
    loc.fit(X, y, boxes)
    assert loc.n_iter_ == 4
    with pytest.raises(ValueError, match="not seen in the first fit"):
        loc.fit(X, np.full_like(y, 9), boxes)
    X8 = np.round(X * 255).astype(np.uint8)
    one = _loc().fit(X8, np.zeros(len(X8), int), boxes)
    np.testing.assert_allclose(one.predict_proba(X8[:3]), 1.0)
    again = pickle.loads(pickle.dumps(one))
    assert again.device_ == "cpu"
    np.testing.assert_allclose(again.predict_boxes(X8), one.predict_boxes(X8))


@pytest.mark.parametrize(
    ("estimator", "stratified"),
    [(ObjectLocalizer(), True), (CNNClassifier(), True), (FCNSegmenter(), False)],
    ids=["localizer", "classifier", "segmenter"],
)
def test_early_stopping_split_is_stratified_by_class(estimator, stratified):
    # 90 / 10 classes: a stratified 20% split holds exactly 18 / 2 of them. The
    # segmenter's first target is a mask, not a label: a plain random split.
    est = clone(estimator).set_params(validation_fraction=0.2)
    y = np.repeat([0, 1], [90, 10])
    rng = np.random.RandomState(0)
    if stratified:
        for seed in range(5):
            _, valid = est._split_validation(
                100, (torch.from_numpy(y),), np.random.RandomState(seed)
            )
            assert np.bincount(y[valid]).tolist() == [18, 2]
    else:
        masks = torch.zeros((100, 4, 4), dtype=torch.int64)
        train, valid = est._split_validation(100, (masks,), rng)
        assert len(valid) == 20 and len(np.union1d(train, valid)) == 100
    # One sample of a class: no stratification possible, still a valid split.
    y_rare = np.r_[np.zeros(99, int), 1]
    train, valid = est._split_validation(100, (torch.from_numpy(y_rare),), rng)
    assert len(valid) == 20 and len(np.union1d(train, valid)) == 100
    # A training part too small for one image of each class: plain split too.
    est.set_params(validation_fraction=0.6)
    y_small = np.repeat([0, 1, 2], 2)
    train, valid = est._split_validation(6, (torch.from_numpy(y_small),), rng)
    assert len(train) == 2 and len(np.union1d(train, valid)) == 6


def test_divergence_keeps_the_last_finite_state():
    # Issue 18: learning_rate_init=1e30 left NaN weights behind the error that
    # said the last finite ones were kept.
    X, y, boxes = _scenes()
    loc = _loc(epochs=1).fit(X, y, boxes)
    proba, pred = loc.predict_proba(X), loc.predict_boxes(X)
    loc.set_params(warm_start=True, learning_rate_init=1e30, epochs=3)
    with pytest.raises(
        ValueError,
        match=r"Training diverged at epoch \d+ \(loss=.+\); the last finite weights "
        r"\(parameters and buffers\) were kept\. Lower learning_rate_init",
    ):
        loc.fit(X, y, boxes)
    assert np.isfinite(loc.predict_proba(X)).all()
    np.testing.assert_array_equal(loc.predict_proba(X), proba)
    np.testing.assert_array_equal(loc.predict_boxes(X), pred)
    fresh = ObjectLocalizer(learning_rate_init=1e30, epochs=2, random_state=0)
    with pytest.raises(ValueError, match=r"Training diverged at epoch \d"):
        fresh.fit(X, y, boxes)
    assert np.isfinite(fresh.predict_proba(X)).all()
