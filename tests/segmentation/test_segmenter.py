import numpy as np
import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402
from sklearn.base import clone  # noqa: E402

from skcv.datasets import make_shapes_segmentation  # noqa: E402
from skcv.metrics import mean_iou  # noqa: E402
from skcv.segmentation import FCNSegmenter  # noqa: E402
from tests.registry.segmentation import STRUCTURED  # noqa: E402
from tests.structured_checks import STRUCTURED_CHECKS  # noqa: E402


@pytest.fixture(scope="module")
def data():
    X, Y = make_shapes_segmentation(12, image_size=16, n_classes=3, random_state=0)
    return X, Y


def _fast(**params):
    return clone(STRUCTURED[0]).set_params(**params)


@pytest.mark.parametrize("check", STRUCTURED_CHECKS, ids=lambda c: c.__name__)
def test_structured_checks(check, data):
    X, Y = data
    check(clone(STRUCTURED[0]), X, (Y,), predict_method="predict")


def test_grey_images_and_rows(data):
    X, Y = data
    grey = X.mean(axis=-1)
    seg = _fast().fit(grey, Y)
    assert seg.predict(grey).shape == Y.shape
    # flattened rows of square grey images: the shape is guessed; masks as rows
    seg2 = _fast().fit(grey.reshape(len(grey), -1), Y.reshape(len(Y), -1))
    np.testing.assert_array_equal(
        seg2.predict(grey.reshape(len(grey), -1)), seg.predict(grey)
    )


def test_outputs_shapes_probabilities_and_score(data):
    X, Y = data
    seg = _fast().fit(X, Y)
    assert seg.n_iter_ == 2 and len(seg.history_) == 2
    np.testing.assert_array_equal(seg.classes_, [0, 1, 2])
    proba = seg.predict_proba(X)
    assert proba.shape == (*Y.shape, 3)
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)
    pred = seg.predict(X)
    assert pred.dtype == np.int64
    np.testing.assert_array_equal(pred, proba.argmax(-1))
    assert seg.score(X, Y) == pytest.approx(mean_iou(Y, pred, labels=[0, 1, 2]))


def test_predicts_images_of_any_size(data):
    # Fully convolutional: a batch of another size, or a list of images of
    # different sizes, is segmented as it is (sides that are not multiples of the
    # total stride are padded inside the network and the scores cropped back).
    X, Y = data
    seg = _fast().fit(X, Y)
    big, _ = make_shapes_segmentation(3, image_size=27, n_classes=3, random_state=1)
    proba = seg.predict_proba(big)
    assert proba.shape == (3, 27, 27, 3)
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)
    with torch.no_grad():
        scores = seg.module_(torch.from_numpy(big).permute(0, 3, 1, 2).contiguous())
    np.testing.assert_allclose(
        proba, torch.softmax(scores, 1).permute(0, 2, 3, 1).numpy(), atol=1e-5
    )
    small = X[:2, :9, :13]
    assert seg.predict(small).shape == (2, 9, 13)
    # A list of images of different sizes: a list of masks, equal to predicting
    # the batches; images of one size inside the list run together.
    images = [X[0], big[1], small[1], X[1], big[2]]
    masks = seg.predict(images)
    assert isinstance(masks, list)
    assert [m.shape for m in masks] == [
        (16, 16),
        (27, 27),
        (9, 13),
        (16, 16),
        (27, 27),
    ]
    batches = [seg.predict(X[:2]), seg.predict(big), seg.predict(small)]
    for got, want in zip(
        masks,
        [batches[0][0], batches[1][1], batches[2][1], batches[0][1], batches[1][2]],
        strict=True,
    ):
        np.testing.assert_array_equal(got, want)
    probas = seg.predict_proba(images[:3])
    assert [p.shape for p in probas] == [(16, 16, 3), (27, 27, 3), (9, 13, 3)]
    # A list of same-size images still gives a list.
    same = seg.predict([X[0], X[1]])
    assert isinstance(same, list) and len(same) == 2
    np.testing.assert_array_equal(same[1], batches[0][1])
    # uint8 images of another size are scaled like in fit.
    as_uint8 = np.round(big * 255).astype(np.uint8)
    np.testing.assert_allclose(
        seg.predict_proba(as_uint8),
        seg.predict_proba(as_uint8.astype(np.float32) / 255),
        atol=1e-6,
    )


@pytest.mark.parametrize("size", [(1, 1), (2, 3), (5, 1), (7, 9)])
@pytest.mark.parametrize(
    ("upsampling", "downsampling"),
    [("transposed", "pool"), ("unpool", "pool"), ("bilinear", "strided")],
)
def test_tiny_images(data, size, upsampling, downsampling):
    X, Y = data
    seg = _fast(upsampling=upsampling, downsampling=downsampling).fit(X, Y)
    proba = seg.predict_proba(X[:2, : size[0], : size[1]])
    assert proba.shape == (2, *size, 3)
    np.testing.assert_allclose(proba.sum(-1), 1, atol=1e-5)


def test_score_over_a_list_pools_all_pixels(data):
    X, Y = data
    seg = _fast(ignore_index=255).fit(X, Y)
    images = [X[0], X[1, :9, :13], X[2, :12, :10]]
    masks = seg.predict(images)
    truth = [Y[0].copy(), Y[1, :9, :13], Y[2, :12, :10]]
    truth[0][:] = 255  # an image with no labelled pixel counts for nothing
    pooled_true = np.concatenate([t.ravel() for t in truth])
    pooled_pred = np.concatenate([m.ravel() for m in masks])
    expected = mean_iou(pooled_true, pooled_pred, labels=[0, 1, 2], ignore_index=255)
    assert seg.score(images, truth) == pytest.approx(expected)
    with pytest.raises(ValueError, match="list of 3 masks"):
        seg.score(images, Y[:4])
    with pytest.raises(ValueError, match="requires masks Y"):
        seg.score(images, None)
    with pytest.raises(ValueError, match=r"Y\[1\] must have the shape of image 1"):
        seg.score(images, [Y[0], Y[1], Y[2, :12, :10]])
    with pytest.raises(ValueError, match="no labelled pixel"):
        seg.score(images, [np.full(m.shape, 255) for m in masks])


def test_predict_size_errors(data):
    X, Y = data
    seg = _fast().fit(X, Y)
    with pytest.raises(ValueError, match="channel shape .* any height and width"):
        seg.predict(X[..., :2])
    with pytest.raises(ValueError, match="channel shape"):
        seg.predict(X.mean(-1))  # grey images for a colour model
    # Flattened rows carry no shape: they must have the fitted one.
    with pytest.raises(ValueError, match="features"):
        seg.predict(X[:, :8, :8].reshape(len(X), -1))
    with pytest.raises(ValueError, match="Reshape your data"):
        seg.predict(X[0].ravel())
    with pytest.raises(ValueError, match=r"image\[None\] for one colour image"):
        seg.predict(X[0])  # one colour image is not a batch
    # A grey model reads a 3-D array as a batch of grey images; one colour image
    # (H, W, 3) would be H images 3 pixels wide: a clear error, not nonsense.
    grey = _fast().fit(X.mean(-1), Y)
    with pytest.raises(ValueError, match=r"3 pixel\(s\) wide"):
        grey.predict(X[0, :21, :13])
    assert grey.predict(X[:2, :11, :13].mean(-1)).shape == (2, 11, 13)


@pytest.mark.parametrize("encoder", ["simple", "vgg", "resnet"])
@pytest.mark.parametrize(
    ("upsampling", "downsampling"),
    [
        ("transposed", "pool"),
        ("unpool", "pool"),
        ("nearest", "strided"),
        ("zeros", "pool"),
        ("bilinear", "strided"),
    ],
)
def test_every_encoder_and_upsampling_fits(data, encoder, upsampling, downsampling):
    X, Y = data
    seg = _fast(
        encoder=encoder,
        upsampling=upsampling,
        downsampling=downsampling,
        epochs=1,
        skip_connections=encoder != "vgg",
    ).fit(X[:6], Y[:6])
    assert seg.predict(X[:2]).shape == (2, 16, 16)


@pytest.mark.slow
def test_learns_foreground_on_easy_shapes():
    X, Y = make_shapes_segmentation(160, 16, n_classes=2, noise=0.02, random_state=0)
    seg = FCNSegmenter(
        depth=2,
        width=8,
        epochs=15,
        batch_size=16,
        learning_rate_init=0.01,
        random_state=0,
        device="cpu",
    ).fit(X[:120], Y[:120])
    assert seg.score(X[120:], Y[120:]) > 0.75
    assert seg.loss_curve_[-1] < seg.loss_curve_[0]


def test_ignore_index_and_class_weight(data):
    X, Y = data
    Yi = Y.copy()
    Yi[:, :4] = 255
    seg = _fast(ignore_index=255).fit(X, Yi)
    assert len(seg.classes_) == 3
    # ignored pixels do not count in the score
    pred = seg.predict(X)
    expected = mean_iou(Yi, pred, labels=[0, 1, 2], ignore_index=255)
    assert seg.score(X, Yi) == pytest.approx(expected)
    bal = _fast(class_weight="balanced").fit(X, Y)
    counts = np.bincount(Y.ravel(), minlength=3)
    np.testing.assert_allclose(bal.class_weight_, Y.size / (3 * counts), rtol=1e-6)
    w = _fast(class_weight={2: 5.0}).fit(X, Y).class_weight_
    np.testing.assert_array_equal(w, [1, 1, 5])
    w = _fast(class_weight=[1.0, 2.0, 3.0]).fit(X, Y).class_weight_
    np.testing.assert_array_equal(w, [1, 2, 3])


def test_loss_is_pixelwise_weighted_cross_entropy(data):
    X, Y = data
    seg = _fast(class_weight=[1.0, 2.0, 0.5], ignore_index=255).fit(X, Y)
    logits = torch.randn(2, 3, 4, 4)
    mask = torch.randint(0, 3, (2, 4, 4))
    mask[0, 0] = 255
    loss = seg._batch_loss(logits, (mask,))
    logp = torch.log_softmax(logits, 1)
    keep = mask != 255
    m = mask.clamp(max=2)
    nll = -logp.gather(1, m[:, None])[:, 0]
    w = torch.tensor([1.0, 2.0, 0.5])[m]
    expected = (nll * w)[keep].sum() / w[keep].sum()
    assert float(loss) == pytest.approx(float(expected), rel=1e-5)


def test_n_classes_and_augment(data):
    X, Y = data
    seg = _fast(n_classes=5, augment="standard").fit(X, Y)
    assert seg.predict_proba(X[:1]).shape == (1, 16, 16, 5)
    seg = _fast(augment=["flip", "color_jitter", ("translate", {"padding": 3})])
    seg.fit(X, Y)
    assert seg.n_iter_ == 2


def test_augmentation_moves_masks_with_images():
    seg = _fast(augment=["flip", ("translate", {"padding": 3})], random_state=0)
    from skcv.cnn._augment import Augmenter, parse_augment

    gen = torch.Generator().manual_seed(0)
    aug = Augmenter(parse_augment(seg.augment), gen)
    mask = torch.randint(0, 4, (8, 10, 10))
    x = mask[:, None].float().repeat(1, 3, 1, 1) / 3  # image encodes its mask
    xa, (ma,) = seg._augment_batch(aug, x, (mask,))
    np.testing.assert_array_equal((xa[:, 0] * 3).round().long().numpy(), ma.numpy())
    assert not torch.equal(ma, mask)


def test_early_stopping_tracks_validation_mean_iou(data):
    X, Y = data
    seg = _fast(early_stopping=True, validation_fraction=0.25, epochs=3).fit(X, Y)
    assert len(seg.validation_scores_) == seg.n_iter_
    assert all(0 <= s <= 1 for s in seg.validation_scores_)
    assert {"train_mean_iou", "valid_mean_iou"} <= set(seg.history_[0])


def test_warm_start_continues(data):
    X, Y = data
    seg = _fast(warm_start=True).fit(X, Y)
    seg.fit(X, Y)
    assert seg.n_iter_ == 4


@pytest.mark.parametrize(
    ("Y_bad", "error", "match"),
    [
        (lambda Y: Y[:, :8], ValueError, r"Y must hold one mask per image, of shape"),
        (lambda Y: Y[:-1], ValueError, r"Y must hold one mask per image"),
        (lambda Y: np.where(Y == 1, -1, Y), ValueError, "negative label -1"),
        (lambda Y: np.where(Y == 1, np.nan, Y), ValueError, "Y must not contain NaN"),
        (lambda Y: Y + 0.5, ValueError, "non-integral"),
        (lambda Y: Y.astype(str), TypeError, "Y must hold integer class labels"),
        (lambda Y: np.zeros_like(Y), ValueError, "at least 2 classes"),
        (lambda Y: None, ValueError, "requires masks Y"),
    ],
)
def test_bad_masks(data, Y_bad, error, match):
    X, Y = data
    with pytest.raises(error, match=match):
        _fast().fit(X, Y_bad(Y))


def test_labels_outside_range(data):
    X, Y = data
    with pytest.raises(ValueError, match=r"Y must hold labels 0 .. 1 \(n_classes=2\)"):
        _fast(n_classes=2).fit(X, Y)
    seg = _fast().fit(X, Y)
    with pytest.raises(ValueError, match=r"labels 0 .. 2 .*got label 7"):
        seg.score(X, np.where(Y == 1, 7, Y))


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"upsampling": "deconv"}, ValueError, "upsampling"),
        ({"encoder": "unet"}, ValueError, "encoder"),
        (
            {"upsampling": "unpool", "downsampling": "strided"},
            ValueError,
            "upsampling='unpool' needs the pooling indices",
        ),
        ({"augment": "resized_crop"}, ValueError, "geometric ops move the masks"),
        ({"class_weight": [1.0, 2.0]}, ValueError, r"one weight per class \(3\)"),
        ({"class_weight": {7: 2.0}}, ValueError, r"class_weight keys must be labels"),
        ({"class_weight": [1.0, -1.0, 1.0]}, ValueError, "non-negative"),
        ({"depth": 0}, ValueError, "depth"),
        (
            {"device": "cuda:99" if not torch.cuda.is_available() else "nope"},
            ValueError,
            "device",
        ),
    ],
)
def test_bad_parameters(data, params, error, match):
    X, Y = data
    with pytest.raises(error, match=match):
        _fast(**params).fit(X, Y)


def test_divergence_names_learning_rate(data):
    X, Y = data
    with pytest.raises(ValueError, match="learning_rate_init"):
        _fast(
            learning_rate_init=1e30, solver="sgd", momentum=0.0, lr_schedule="constant"
        ).fit(X, Y)


# ------------------------------------------------------------ review of issue #11
def test_batch_without_scored_pixel_trains_and_is_skipped_by_the_metric(data):
    X, Y = data
    Y = Y.copy()
    Y[0] = 255  # one image with no labelled pixel: a batch of its own
    seg = _fast(ignore_index=255, batch_size=1).fit(X, Y)
    for record in seg.history_:
        assert np.isfinite(record["train_loss"])
        assert 0 <= record["train_mean_iou"] <= 1
    assert np.isfinite(seg.predict_proba(X)).all()
    # the empty batch: loss 0 with finite gradients, metric count 0
    logits = torch.randn(1, 3, 4, 4, requires_grad=True)
    empty = torch.full((1, 4, 4), 255)
    loss = seg._batch_loss(logits, (empty,))
    loss.backward()
    assert float(loss.detach()) == 0 and torch.isfinite(logits.grad).all()
    score, count = seg._batch_metric(logits, (empty,))
    assert float(count) == 0 and float(score) == 0
    # all class weights of the batch's pixels are 0: the same
    zero = _fast(class_weight=[0.0, 1.0, 1.0]).fit(X, Y.clip(max=2))
    loss = zero._batch_loss(logits, (torch.zeros((1, 4, 4), dtype=torch.long),))
    assert float(loss.detach()) == 0


@pytest.mark.parametrize(("ignore_index", "fill"), [(None, -100), (255, 255)])
def test_crop_pads_masks_with_ignore(data, ignore_index, fill):
    X, Y = data
    seg = _fast(augment=[("crop", {"padding": 4})], ignore_index=ignore_index)
    seg.fit(X, Y)
    from skcv.cnn._augment import Augmenter, parse_augment

    aug = Augmenter(parse_augment(seg.augment), torch.Generator().manual_seed(0))
    mask = torch.full((8, 10, 10), 2)
    xa, (ma,) = seg._augment_batch(aug, torch.rand(8, 3, 10, 10), (mask,))
    assert set(ma.unique().tolist()) == {2, fill}
    # the padded border takes no part in the loss or the metric
    logits = torch.randn(8, 3, 10, 10)
    keep = ma != fill
    expected = F.cross_entropy(logits.permute(0, 2, 3, 1)[keep], ma[keep])
    assert float(seg._batch_loss(logits, (ma,))) == pytest.approx(float(expected))
    pred = logits.argmax(1)
    score, count = seg._batch_metric(logits, (ma,))
    expected = mean_iou(ma.numpy(), pred.numpy(), labels=[0, 1, 2], ignore_index=fill)
    assert float(score) / float(count) == pytest.approx(expected)


def test_batch_metric_is_the_batch_mean_iou():
    seg = _fast(ignore_index=255)
    seg.classes_ = np.arange(4)
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 4, 6, 6, generator=gen)
    mask = torch.randint(0, 3, (3, 6, 6), generator=gen)  # class 3 absent
    mask[0, :2] = 255
    score, count = seg._batch_metric(logits, (mask,))
    expected = mean_iou(mask.numpy(), logits.argmax(1).numpy(), ignore_index=255)
    assert float(count) == 1
    assert float(score) == pytest.approx(expected)


def _batch_sizes(seg):
    sizes = []
    seg.module_.register_forward_pre_hook(lambda m, a: sizes.append(len(a[0])))
    return sizes


def test_prediction_and_validation_reduce_each_batch(data):
    X, Y = data
    seg = _fast(batch_size=5).fit(X, Y)
    sizes = _batch_sizes(seg)
    proba = seg.predict_proba(X)
    assert sizes == [5, 5, 2]  # the segmenter's batch size, not 256
    np.testing.assert_array_equal(seg.predict(X), proba.argmax(-1))
    full = seg.module_(seg._to_tensor(X))
    np.testing.assert_allclose(
        proba, torch.softmax(full, 1).permute(0, 2, 3, 1).detach().numpy(), atol=1e-6
    )
    # validation: loss and mean IoU over all pixels, accumulated batch by batch
    seg.set_params(ignore_index=255, class_weight=[1.0, 2.0, 0.5])
    seg.class_weight_ = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    Yi = torch.from_numpy(np.where(np.arange(16) < 3, 255, Y))
    sizes.clear()
    loss, score = seg._validation_metrics(seg.module_, seg._to_tensor(X), (Yi,))
    assert sizes == [5, 5, 2]
    with torch.no_grad():
        expected = seg._batch_loss(full, (Yi,))
    assert loss == pytest.approx(float(expected), rel=1e-5)
    expected = mean_iou(
        Yi.numpy(), full.argmax(1).numpy(), labels=[0, 1, 2], ignore_index=255
    )
    assert score == pytest.approx(expected)


def test_class_weight_tensor_is_made_once_per_fit(data, monkeypatch):
    X, Y = data
    weights = []
    cross_entropy = F.cross_entropy

    def spy(*args, weight=None, **kwargs):
        weights.append(weight)
        return cross_entropy(*args, weight=weight, **kwargs)

    monkeypatch.setattr(F, "cross_entropy", spy)
    _fast(class_weight="balanced", batch_size=4).fit(X, Y)
    # 3 batches x 2 epochs, and once per epoch the divergence check's probe batch
    assert len(weights) == 8
    assert all(w is weights[0] for w in weights)


def test_one_dimensional_x_names_its_dimensions(data):
    _, Y = data
    with pytest.raises(ValueError, match=r"got an array with 1 dimension\(s\)"):
        _fast().fit(np.zeros(16 * 16 * 3), Y[:1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_training_step_does_not_sync_the_gpu(data):
    X, Y = data
    seg = _fast(ignore_index=255, device="cuda").fit(X, Y)
    logits = torch.randn(4, 3, 16, 16, device="cuda", requires_grad=True)
    mask = torch.from_numpy(Y[:4]).cuda()
    seg._batch_loss(logits, (mask,))  # makes the cached weight tensor
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        seg._batch_loss(logits, (mask,)).backward()
        seg._batch_metric(logits, (mask,))
    finally:
        torch.cuda.set_sync_debug_mode("default")


@pytest.mark.parametrize(
    ("params", "n", "match"),
    [
        ({"batch_size": 1}, 4, r"depth=4 and batch_size=1 on 4 .* of 16x16"),
        ({"batch_size": 16}, 1, r"depth=4 and batch_size=16 on 1 training image"),
        (
            {"batch_size": 1, "early_stopping": True, "validation_fraction": 0.25},
            4,
            r"depth=4 and batch_size=1 on 3 training image\(s\) of 16x16",
        ),
    ],
)
def test_one_image_batches_with_a_1x1_bottleneck_raise(data, params, n, match):
    # batch normalisation cannot train on one value per channel: a batch of one
    # image whose coarsest map is 1x1 (16 / 2**4 = 1)
    X, Y = data
    with pytest.raises(ValueError, match=match):
        _fast(depth=4, **params).fit(X[:n], Y[:n])


def test_one_image_batches_train_when_the_bottleneck_is_larger(data):
    X, Y = data
    # 16 / 2**3 = 2: a 2x2 coarsest map gives batch normalisation 4 values
    seg = _fast(depth=3, batch_size=1, epochs=1).fit(X[:2], Y[:2])
    assert seg.predict(X[:1]).shape == (1, 16, 16)
    # 3 images in batches of 2: the engine trains on one batch of 3, never 1
    seg = _fast(depth=4, batch_size=2, epochs=1).fit(X[:3], Y[:3])
    assert seg.n_iter_ == 1


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        (
            {"ignore_index": True},
            TypeError,
            r"ignore_index must be an int or None; got True",
        ),
        (
            {"ignore_index": False},
            TypeError,
            r"ignore_index must be an int or None; got False",
        ),
        (
            {"class_weight": {True: 2.0}},
            ValueError,
            r"keys must be labels 0 .. 2 \(ints, not bools\); got \[True\]",
        ),
    ],
)
def test_bools_are_not_labels(data, params, error, match):
    X, Y = data
    with pytest.raises(error, match=match):
        _fast(**params).fit(X, Y)


def test_divergence_keeps_the_last_finite_state(data):
    X, Y = data
    seg = _fast(epochs=1, solver="sgd", momentum=0.0).fit(X, Y)
    proba = seg.predict_proba(X)
    seg.set_params(warm_start=True, learning_rate_init=1e30, epochs=3)
    with pytest.raises(
        ValueError,
        match=r"Training diverged at epoch \d+ \(loss=.+\); the last finite weights "
        r"\(parameters and buffers\) were kept\. Lower learning_rate_init",
    ):
        seg.fit(X, Y)
    after = seg.predict_proba(X)
    assert np.isfinite(after).all()
    np.testing.assert_array_equal(after, proba)
