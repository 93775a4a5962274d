"""ObjectLocalizer: classification and box regression with one multi-task network.

This is the only module of :mod:`skcv.detection` that imports torch; the
subpackage loads it lazily, on first use of :class:`ObjectLocalizer`.
"""

from __future__ import annotations

import copy
from numbers import Integral, Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

from skcv._optim._losses import log_softmax, softmax
from skcv.base import ImageInputMixin
from skcv.cnn._architectures import (
    MODULES,
    VGG,
    AlexNet,
    GoogLeNet,
    LeNet5,
    ResNet,
    SimpleConvNet,
    build_module,
)
from skcv.cnn._augment import AUGMENTATIONS, flip_mask, parse_augment
from skcv.cnn._engine import (
    TRAINING_CONSTRAINTS,
    TorchTrainerMixin,
    register_normalization,
)
from skcv.cnn._fast import FastNet
from skcv.detection._boxes import box_iou, check_boxes
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted

__all__ = ["ObjectLocalizer"]


# --------------------------------------------------------------------- network
class _GoogLeNetFeatures(nn.Module):
    """GoogLeNet without its classifier heads: stem and Inception modules."""

    def __init__(self, net):
        super().__init__()
        self.stem, self.blocks, self.pool = net.stem, net.blocks, net.pool

    def forward(self, x):
        x = self.stem(x)
        for name, block in self.blocks.items():
            if name in ("4a", "5a"):
                x = self.pool(x)
            x = block(x)
        return x


class _FastNetFeatures(nn.Module):
    """FastNet without pooling, classifier and test-time flipping (flips boxes)."""

    def __init__(self, net):
        super().__init__()
        self.whiten, self.act, self.groups = net.whiten, net.act, net.groups
        self._net = [net]  # not a submodule: only for initialize_from_data

    def initialize_from_data(self, images, random_state=None):
        self._net[0].initialize_from_data(images, random_state)

    def forward(self, x):
        return self.groups(self.act(self.whiten(x)))


def feature_extractor(net: nn.Module) -> nn.Module:
    """Return the convolutional part of a classification network (no head).

    Parameters
    ----------
    net : nn.Module
        A network from :data:`skcv.cnn.MODULES` or any module. Known
        architectures lose their pooling and classifier; other modules give
        their ``features`` attribute when they have one, else themselves.

    Returns
    -------
    features : nn.Module
        Maps ``(n, C, H, W)`` images to a feature map ``(n, C', h, w)`` (or a
        feature vector ``(n, d)`` for a user module without spatial output).
    """
    if isinstance(net, ResNet):
        return nn.Sequential(net.stem, net.layers)
    if isinstance(net, GoogLeNet):
        return _GoogLeNetFeatures(net)
    if isinstance(net, FastNet):
        return _FastNetFeatures(net)
    if isinstance(net, (SimpleConvNet, LeNet5, AlexNet, VGG)):
        return net.features
    features = getattr(net, "features", None)
    return features if isinstance(features, nn.Module) else net


class LocalizerNet(nn.Module):
    """Backbone, shared fully connected layer, and two (or three) heads.

    ``forward`` normalises the images per channel, zero-pads images smaller
    than ``min_size``, runs the backbone, average-pools its feature map to
    ``pool_size x pool_size`` cells (keeping the layout the box head needs),
    applies one shared hidden layer and returns ``(scores, boxes)`` or
    ``(scores, boxes, keypoints)``: class scores ``(n, n_classes)``, boxes
    ``(n, 4)`` and keypoints ``(n, 2k)`` in standardised units (the estimator
    multiplies them by the training standard deviation and adds the mean to get
    coordinates as fractions of the image size).
    """

    def __init__(
        self,
        backbone,
        in_channels,
        input_size,
        n_classes,
        n_keypoints=0,
        hidden_size=128,
        pool_size=4,
        dropout=0.0,
        mean=None,
        std=None,
        min_size=1,
    ):
        super().__init__()
        mean = np.zeros(in_channels) if mean is None else mean
        std = np.ones(in_channels) if std is None else std
        register_normalization(self, mean, std)
        self.min_size = int(min_size)
        self.backbone = backbone
        with torch.no_grad():  # one dry run gives the size of the features
            was = backbone.training
            probe = self._pad(torch.zeros(1, in_channels, *input_size))
            out = backbone.eval()(probe)
            backbone.train(was)
        self.spatial = out.ndim == 4
        if self.spatial:
            self.pool = nn.AdaptiveAvgPool2d(pool_size)
            n_features = out.shape[1] * pool_size * pool_size
        else:
            self.pool = nn.Identity()
            n_features = out.reshape(1, -1).shape[1]
        self.hidden = nn.Sequential(
            nn.Flatten(),
            nn.Linear(n_features, hidden_size),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
        )
        self.classifier = nn.Linear(hidden_size, n_classes)
        self.regressor = nn.Linear(hidden_size, 4)
        self.n_keypoints = int(n_keypoints)
        self.keypoint_regressor = (
            nn.Linear(hidden_size, 2 * self.n_keypoints) if self.n_keypoints else None
        )
        # Start the regressors at the mean target (zero in standardised units).
        for layer in (self.regressor, self.keypoint_regressor):
            if layer is not None:
                nn.init.zeros_(layer.bias)
                with torch.no_grad():
                    layer.weight.mul_(0.1)

    def _pad(self, x):
        h, w = x.shape[-2:]
        if h < self.min_size or w < self.min_size:
            ph, pw = max(self.min_size - h, 0), max(self.min_size - w, 0)
            x = F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))
        return x

    def forward(self, x):
        """``(scores, boxes[, keypoints])`` of a batch of NCHW images."""
        x = self._pad((x - self.mean) * self.inv_std)
        h = self.hidden(self.pool(self.backbone(x)))
        out = (self.classifier(h), self.regressor(h))
        if self.keypoint_regressor is not None:
            out = (*out, self.keypoint_regressor(h))
        return out


def build_localizer_net(
    module,
    in_channels,
    input_size,
    n_classes,
    n_keypoints=0,
    module_params=None,
    hidden_size=128,
    pool_size=4,
    dropout=0.0,
    mean=None,
    std=None,
):
    """Build a :class:`LocalizerNet` on the features of a :mod:`skcv.cnn` network."""
    if isinstance(module, nn.Module):
        module = copy.deepcopy(module)
    net = build_module(
        module,
        in_channels=in_channels,
        n_classes=n_classes,
        input_size=tuple(input_size),
        module_params=module_params,
    )
    return LocalizerNet(
        feature_extractor(net),
        in_channels=in_channels,
        input_size=tuple(input_size),
        n_classes=n_classes,
        n_keypoints=n_keypoints,
        hidden_size=hidden_size,
        pool_size=pool_size,
        dropout=dropout,
        mean=mean,
        std=std,
        min_size=getattr(net, "min_size", 1),
    )


def regression_loss(pred, target, kind="smooth_l1"):
    """Per-sample box (or keypoint) loss summed over coordinates, batch mean.

    Parameters
    ----------
    pred, target : Tensor of shape (n, d)
        Predicted and true coordinates in standardised units.
    kind : {"smooth_l1", "l1", "l2"}
        Smooth L1 (Huber with threshold 1, as in Fast R-CNN), L1 or squared L2.

    Returns
    -------
    loss : Tensor (scalar)
    """
    pred = pred.float()
    if kind == "smooth_l1":
        per = F.smooth_l1_loss(pred, target, reduction="none", beta=1.0)
    elif kind == "l1":
        per = (pred - target).abs()
    else:
        per = (pred - target) ** 2
    return per.sum(1).mean()


def paired_iou(a, b):
    """IoU of ``a[i]`` with ``b[i]`` for tensors of ordered boxes ``(n, 4)``."""
    iw = (torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])).clamp(0)
    ih = (torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])).clamp(0)
    inter = iw * ih
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), 0.0)


def _order_boxes(unit):
    """Clip boxes (fractions of the image) to [0, 1] and put corners in order."""
    unit = unit.clamp(0.0, 1.0)
    x0 = torch.minimum(unit[:, 0], unit[:, 2])
    x1 = torch.maximum(unit[:, 0], unit[:, 2])
    y0 = torch.minimum(unit[:, 1], unit[:, 3])
    y1 = torch.maximum(unit[:, 1], unit[:, 3])
    return torch.stack([x0, y0, x1, y1], 1)


_BOX_SAFE_AUGMENT = ("flip", "color_jitter")


# ------------------------------------------------------------------- estimator
class ObjectLocalizer(
    TorchTrainerMixin, ImageInputMixin, ClassifierMixin, BaseEstimator
):
    """Classification and localisation of one object per image with one network.

    A convolutional backbone (any network of :mod:`skcv.cnn` without its
    classifier) feeds one shared fully connected layer and two heads: class
    scores and a box ``(x_min, y_min, x_max, y_max)``; optionally a third head
    regresses ``keypoints`` points. The network is trained on the sum of the
    cross-entropy of the class scores and ``box_weight`` times a (smooth) L1 or
    L2 loss of the box: the course's multi-task network.

    Parameters
    ----------
    module : str or nn.Module subclass or nn.Module, default="simple"
        The backbone: a name from :data:`skcv.cnn.MODULES` (``"simple"``,
        ``"lenet5"``, ``"vgg11"``, ``"resnet20"``, ``"fast"`` ...) whose
        convolutional part is kept, or an ``nn.Module`` subclass or instance
        (its ``features`` attribute when it has one, else the whole module;
        its output may be a feature map ``(n, C, h, w)`` or a vector ``(n, d)``).
    module_params : dict, default=None
        Extra arguments of the backbone's constructor (e.g.
        ``{"widths": (16, 32)}`` for ``"simple"``).
    hidden_size : int, default=128
        Units of the shared fully connected layer before the heads.
    pool_size : int, default=4
        The backbone's feature map is average-pooled to ``pool_size x
        pool_size`` cells before the shared layer (global pooling would throw
        away where the object is).
    dropout : float, default=0.0
        Dropout after the shared layer.
    box_loss : {"smooth_l1", "l1", "l2"}, default="smooth_l1"
        Loss of the box (and keypoint) regression, on standardised coordinates.
    box_weight : float, default=1.0
        Weight of the box loss relative to the cross-entropy.
    keypoints : int, default=None
        Number of keypoints per image for an extra regression head; ``fit`` then
        needs ``keypoints`` of shape ``(n, keypoints, 2)``. None: no keypoint
        head.
    keypoint_weight : float, default=1.0
        Weight of the keypoint loss.
    epochs : int, default=20
        Passes over the training data.
    batch_size : int, default=64
        Images per gradient step.
    solver : {"sgd", "nesterov", "adam", "adamw"}, default="adam"
        ``torch.optim`` optimiser.
    learning_rate_init : float, default=0.002
        Peak learning rate.
    momentum : float, default=0.9
        Momentum of the SGD solvers (beta1 of Adam/AdamW).
    weight_decay : float, default=0.0
        L2 penalty (decoupled for ``"adamw"``).
    lr_schedule : {"constant", "step", "cosine", "onecycle", "plateau"}, \
            default="cosine"
        Learning-rate schedule, as in :class:`skcv.cnn.CNNClassifier`.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy.
    augment : None, "flip", "color_jitter" or list of them, default=None
        Training-time augmentation that keeps the targets right: ``"flip"``
        mirrors the image and its box (and keypoint x coordinates; their order
        is kept); ``"color_jitter"`` changes brightness and contrast only.
        Ops that move pixels otherwise (crops, translations) are refused.
    normalize : bool, default=True
        Standardise each channel with the training mean and standard deviation.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified by
        class when every class has 2 images and both parts can hold one of
        each), stop when its mean box IoU has
        not improved by ``tol`` for ``n_iter_no_change``
        epochs, and restore the best weights.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    n_iter_no_change : int, default=5
        Patience in epochs (early stopping and the plateau schedule).
    tol : float, default=1e-4
        Minimum improvement of the validation mean IoU.
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Training device, resolved to ``device_`` in ``fit``.
        Set it on a fitted model (``set_params(device="cpu")``) to move the
        network there for prediction; "auto" leaves it where it is.
    precision : {"auto", "float32", "bf16"}, default="auto"
        "auto" uses bfloat16 autocast on CUDA and float32 on the CPU.
    channels_last : bool or "auto", default="auto"
        NHWC memory format for the convolutions.
    compile : bool, default=False
        ``torch.compile`` the training network (inductor: CUDA kernels on a GPU,
        C++ on the CPU, which needs a C++ compiler); the first epoch pays the
        compilation.
    num_workers : int, default=0
        DataLoader worker processes that decode image files (file-path input,
        streamed batch by batch, see :mod:`skcv.cnn._streaming`) and gather
        batches of arrays that do not fit on the GPU (0: in the main process).
    file_cache : bool or "auto", default="auto"
        Keep the 8-bit images that the first epoch decodes from image files
        in a temporary file (in ``$TMPDIR``, deleted when ``fit`` ends), so
        that later epochs read them back instead of decoding them again
        (:class:`skcv.cnn._streaming.DecodeCache`). "auto": when the fit has
        more than one epoch and the decoded training images take at most
        4 GiB and half the free space there. Memory does not grow with the
        number of files either way; the cache saves the decoding time, which
        dominates for small networks (measured in ``benchmarks/bench_io.py``).
    record_batches : bool, default=False
        Also record every minibatch's training loss, in ``batch_loss_curve_``
        (the per-epoch record is ``history_``, with the same keys as the numpy
        estimators').
    n_jobs : int, default=None
        Torch intra-op threads during ``fit`` and ``predict``; the caller's
        ``torch.get_num_threads()`` is restored afterwards. None: one thread per
        physical core but one, at least 1 (1 on a 2-core machine): with every
        core busy, one competing process made a 2-thread fit several times
        slower (``bench_cnn.py --part threads``). -1: every core.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened rows (see :mod:`skcv.base`).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, data order, dropout, augmentation and the
        validation split.
    verbose : int, default=0
        Show a progress bar over epochs.
    warm_start : bool, default=False
        Continue training the fitted network in ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    module_ : LocalizerNet
        The trained network, in evaluation mode.
    device_ : str
        The device used.
    box_mean_, box_std_ : ndarray of shape (4,)
        Mean and standard deviation of the training boxes as fractions of the
        image size; the box head predicts standardised values.
    keypoint_mean_, keypoint_std_ : ndarray of shape (2 * keypoints,)
        The same for the keypoints (only with ``keypoints``).
    batch_loss_curve_ : list of float or None
        Every minibatch's training loss of the last fit with
        ``record_batches=True``, else None.
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss``, ``train_iou`` (mean box IoU of the
        training batches), ``valid_loss``, ``valid_iou`` (NaN without early
        stopping), ``lr``, ``seconds``.
    loss_curve_ : list of float
        Training loss per epoch.
    validation_scores_ : list of float
        Validation mean IoU per epoch (early stopping only).
    best_epoch_ : int
        Epoch (1-based) whose weights were kept.
    n_iter_ : int
        Epochs trained.
    interrupted_ : bool
        True when training was stopped by KeyboardInterrupt.
    image_shape_ : tuple of int
        Shape of one training image.
    n_features_in_ : int
        Values per image.

    See Also
    --------
    skcv.cnn.CNNClassifier : The same backbones for classification only.
    skcv.detection.SlidingWindowDetector : Several objects per image.

    Notes
    -----
    The multi-task network, as the course teaches it:

    1. a convolutional backbone turns the image into a feature map, which is
       average-pooled to a small grid (so the position of the object
       survives) and fed through one shared fully connected layer;
    2. the classification head gives class scores, trained with the softmax
       cross-entropy;
    3. the localisation head regresses four numbers, the box corners as
       fractions of the image width and height, standardised with the mean
       and standard deviation of the training boxes; its loss is the smooth L1
       loss summed over the four coordinates (quadratic for errors below one
       standard deviation, linear above, so outliers do not dominate);
    4. the total loss is ``cross_entropy + box_weight * box_loss`` (plus
       ``keypoint_weight`` times the keypoint loss): one backward pass trains
       both heads and the shared backbone;
    5. at prediction the box is de-standardised, clipped to the image, its
       corners put in order, and scaled to pixels.

    Training (optimiser, schedule, early stopping, divergence) is the shared
    torch engine of :class:`skcv.cnn.CNNClassifier`.

    References
    ----------
    .. [1] Sermanet, P., Eigen, D., Zhang, X., Mathieu, M., Fergus, R., LeCun,
       Y. (2014). OverFeat: integrated recognition, localization and detection
       using convolutional networks. ICLR. arXiv:1312.6229.
    .. [2] Girshick, R. (2015). Fast R-CNN. ICCV.
       :doi:`10.1109/ICCV.2015.169`
    .. [3] Toshev, A., Szegedy, C. (2014). DeepPose: human pose estimation via
       deep neural networks. CVPR. :doi:`10.1109/CVPR.2014.214`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.detection import ObjectLocalizer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 0.2, (64, 12, 12)).astype("float32")
    >>> boxes = np.zeros((64, 4))
    >>> for i, (r, c) in enumerate(rng.integers(0, 8, (64, 2))):
    ...     X[i, r : r + 4, c : c + 4] = 1.0
    ...     boxes[i] = c, r, c + 4, r + 4
    >>> y = (boxes[:, 0] > 3).astype(int)
    >>> loc = ObjectLocalizer(epochs=2, batch_size=16, random_state=0,
    ...                       device="cpu").fit(X, y, boxes)
    >>> loc.predict_boxes(X[:2]).shape
    (2, 4)
    >>> 0.0 <= loc.box_score(X, boxes) <= 1.0
    True
    """

    _metric_name = "iou"
    _stratify_validation = True

    _parameter_constraints = {
        "module": [StrOptions(set(MODULES)), type, nn.Module],
        "module_params": [dict, None],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "box_loss": [StrOptions({"smooth_l1", "l1", "l2"})],
        "box_weight": [Interval(Real, 0, None, closed="left")],
        "keypoints": [Interval(Integral, 1, None, closed="left"), None],
        "keypoint_weight": [Interval(Real, 0, None, closed="left")],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "normalize": ["boolean"],
        "image_shape": [None, tuple, list],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(
        self,
        module="simple",
        module_params=None,
        hidden_size=128,
        pool_size=4,
        dropout=0.0,
        box_loss="smooth_l1",
        box_weight=1.0,
        keypoints=None,
        keypoint_weight=1.0,
        epochs=20,
        batch_size=64,
        solver="adam",
        learning_rate_init=0.002,
        momentum=0.9,
        weight_decay=0.0,
        lr_schedule="cosine",
        label_smoothing=0.0,
        augment=None,
        normalize=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        tol=1e-4,
        device="auto",
        precision="auto",
        channels_last="auto",
        compile=False,
        num_workers=0,
        file_cache="auto",
        record_batches=False,
        n_jobs=None,
        image_shape=None,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.module = module
        self.module_params = module_params
        self.hidden_size = hidden_size
        self.pool_size = pool_size
        self.dropout = dropout
        self.box_loss = box_loss
        self.box_weight = box_weight
        self.keypoints = keypoints
        self.keypoint_weight = keypoint_weight
        self.epochs = epochs
        self.batch_size = batch_size
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.normalize = normalize
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.precision = precision
        self.channels_last = channels_last
        self.compile = compile
        self.num_workers = num_workers
        self.file_cache = file_cache
        self.record_batches = record_batches
        self.n_jobs = n_jobs
        self.image_shape = image_shape
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------ validation
    def _check_y(self, y, n):
        y = self._check_class_labels(y)
        if len(y) != n:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {n} and {len(y)}."
            )
        return y

    @staticmethod
    def _check_boxes(boxes, n, image_hw):
        if boxes is None:
            raise ValueError(
                "ObjectLocalizer requires boxes of shape (n_samples, 4) as "
                "(x_min, y_min, x_max, y_max) in pixels; got boxes=None."
            )
        boxes = check_boxes(boxes, name="boxes")
        if len(boxes) != n:
            raise ValueError(
                f"X and boxes have inconsistent numbers of samples: {n} and "
                f"{len(boxes)} (one box per image)."
            )
        h, w = image_hw
        outside = (boxes[:, :2] < 0).any(1) | (boxes[:, 2] > w) | (boxes[:, 3] > h)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise ValueError(
                f"boxes must lie inside the image: 0 <= x_min, x_max <= {w} "
                f"(width) and 0 <= y_min, y_max <= {h} (height); got "
                f"{boxes[i].tolist()} at row {i}."
            )
        return boxes

    def _check_keypoints(self, keypoints, n, image_hw):
        k = self.keypoints
        if k is None:
            if keypoints is not None:
                raise ValueError(
                    "keypoints were passed to fit but the keypoint head is off; "
                    "set the parameter keypoints to the number of keypoints per "
                    "image (it is None)."
                )
            return None
        if keypoints is None:
            raise ValueError(
                f"keypoints={k} needs keypoints of shape (n_samples, {k}, 2) in "
                "fit; got None."
            )
        try:
            arr = np.asarray(keypoints, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"keypoints must be a numeric array of shape (n_samples, {k}, 2); "
                f"got {type(keypoints).__name__}."
            ) from exc
        if arr.shape != (n, k, 2):
            raise ValueError(
                f"keypoints must have shape (n_samples, keypoints, 2) = "
                f"({n}, {k}, 2) as (x, y) in pixels; got shape {arr.shape}."
            )
        if not np.isfinite(arr).all():
            raise ValueError("keypoints contain NaN or infinity; they must be finite.")
        h, w = image_hw
        if (arr < 0).any() or (arr[..., 0] > w).any() or (arr[..., 1] > h).any():
            raise ValueError(
                f"keypoints must lie inside the image: 0 <= x <= {w} and 0 <= y <= {h}."
            )
        return arr.reshape(n, 2 * k)

    def _check_augment(self):
        ops = parse_augment(self.augment)
        bad = [name for name, _ in ops if name not in _BOX_SAFE_AUGMENT]
        if bad:
            raise ValueError(
                f"augment for ObjectLocalizer must be None or ops from "
                f"{list(_BOX_SAFE_AUGMENT)} (ops that move pixels would move the "
                f"boxes); got {self.augment!r}."
            )

    # -------------------------------------------------------------- training
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, boxes=None, keypoints=None):
        """Train the network on images, their labels and their boxes.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Training images (uint8 scaled to [0, 1]).
        y : array-like of shape (n,)
            Class label of the object in each image.
        boxes : array-like of shape (n, 4)
            One box per image, ``(x_min, y_min, x_max, y_max)`` in pixels (x is
            the column; maxima exclusive), inside the image.
        keypoints : array-like of shape (n, keypoints, 2), default=None
            ``(x, y)`` pixel coordinates of the keypoints (only with the
            ``keypoints`` parameter).

        Returns
        -------
        self : ObjectLocalizer
        """
        warm = self.warm_start and hasattr(self, "module_")
        images = self._validate_images(X, reset=not warm)
        n = len(images)
        hw = images.shape[1:3]
        y = self._check_y(y, n)
        boxes = self._check_boxes(boxes, n, hw)
        kps = self._check_keypoints(keypoints, n, hw)
        self._check_augment()
        if not warm:
            self.classes_ = np.unique(y)
        elif not np.isin(y, self.classes_).all():
            raise ValueError(
                f"y holds labels {np.setdiff1d(y, self.classes_).tolist()} that were "
                f"not seen in the first fit; classes_ is {self.classes_.tolist()}."
            )
        y_idx = np.searchsorted(self.classes_, y).astype(np.int64)
        box_unit = boxes / self._scale(4)
        if not warm:
            self.box_mean_, self.box_std_ = _moments(box_unit)
        targets = [
            torch.from_numpy(y_idx),
            torch.from_numpy(
                ((box_unit - self.box_mean_) / self.box_std_).astype(np.float32)
            ),
        ]
        if kps is not None:
            kp_unit = kps / self._scale(kps.shape[1])
            if not warm:
                self.keypoint_mean_, self.keypoint_std_ = _moments(kp_unit)
            targets.append(
                torch.from_numpy(
                    ((kp_unit - self.keypoint_mean_) / self.keypoint_std_).astype(
                        np.float32
                    )
                )
            )

        seed, rng = self._start_fit(reset=not warm)
        with self._torch_seed(seed):
            if not warm:
                self._init_network(images, seed)
            return self._train_network(
                self._to_tensor(images),
                targets,
                epochs=self.epochs,
                partial=False,
                seed=seed,
                rng=rng,
            )

    def _init_network(self, images, seed):
        mean, std = self._input_statistics(images)
        net = build_localizer_net(
            self.module,
            in_channels=images.shape[3] if images.ndim == 4 else 1,
            input_size=tuple(images.shape[1:3]),
            n_classes=len(self.classes_),
            n_keypoints=self.keypoints or 0,
            module_params=self.module_params,
            hidden_size=self.hidden_size,
            pool_size=self.pool_size,
            dropout=self.dropout,
            mean=mean,
            std=std,
        )
        if hasattr(net.backbone, "initialize_from_data"):
            sub = self._first_images(images, 5000)  # files: at most 256 MiB
            net.backbone.initialize_from_data((sub - mean) / std, seed)
        self.module_ = net.to(self.device_)
        self._reset_training_state()

    def _scale(self, d):
        h, w = self.image_shape_[:2]
        return np.tile(np.array([w, h], dtype=np.float64), d // 2)

    def _stats(self, name, device):
        mean = getattr(self, f"{name}_mean_")
        std = getattr(self, f"{name}_std_")
        return (
            torch.as_tensor(mean, dtype=torch.float32, device=device),
            torch.as_tensor(std, dtype=torch.float32, device=device),
        )

    def _unit_boxes(self, standardised):
        mean, std = self._stats("box", standardised.device)
        return _order_boxes(standardised.float() * std + mean)

    # ----------------------------------------------------------------- hooks
    def _batch_loss(self, out, targets):
        loss = F.cross_entropy(
            out[0].float(), targets[0], label_smoothing=float(self.label_smoothing)
        )
        loss = loss + self.box_weight * regression_loss(
            out[1], targets[1], self.box_loss
        )
        if self.keypoints:
            loss = loss + self.keypoint_weight * regression_loss(
                out[2], targets[2], self.box_loss
            )
        return loss

    def _batch_metric(self, out, targets):
        with torch.no_grad():
            iou = paired_iou(
                self._unit_boxes(out[1].detach()), self._unit_boxes(targets[1])
            )
        return iou.double().sum(), len(iou)

    def _validation_metrics(self, net, X, targets):
        out = self._forward_batches(net, X)
        targets = tuple(t.to(out[0].device) for t in targets)
        with torch.no_grad():
            loss = float(self._batch_loss(out, targets))
            score_sum, count = self._batch_metric(out, targets)
        return loss, float(score_sum) / count

    def _augment_batch(self, augmenter, xb, targets):
        targets = list(targets)
        for fn, params in augmenter.ops:
            if fn is not AUGMENTATIONS["flip"]:
                xb = fn(xb, augmenter.generator, **params)
                continue
            mask = flip_mask(xb, augmenter.generator, params.get("p", 0.5))
            xb = torch.where(mask[:, None, None, None], xb.flip(-1), xb)
            mean, std = self._stats("box", xb.device)
            unit = targets[1] * std + mean
            mirrored = torch.stack(
                [1 - unit[:, 2], unit[:, 1], 1 - unit[:, 0], unit[:, 3]], 1
            )
            unit = torch.where(mask[:, None], mirrored, unit)
            targets[1] = (unit - mean) / std
            if self.keypoints:
                mean, std = self._stats("keypoint", xb.device)
                unit = targets[2] * std + mean
                mirrored = unit.clone()
                mirrored[:, 0::2] = 1 - unit[:, 0::2]
                unit = torch.where(mask[:, None], mirrored, unit)
                targets[2] = (unit - mean) / std
        return xb, tuple(targets)

    # ------------------------------------------------------------ prediction
    def _outputs(self, X):
        check_is_fitted(self, "module_")
        images = self._validate_images(X, reset=False)
        return self._forward_batches(self.module_, self._to_tensor(images))

    def predict_proba(self, X):
        """Class probabilities (softmax of the class scores).

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
        """
        scores = self._outputs(X)[0].cpu().numpy().astype(np.float64)
        return softmax(scores)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.

        Returns
        -------
        log_proba : ndarray of shape (n, n_classes)
        """
        scores = self._outputs(X)[0].cpu().numpy().astype(np.float64)
        return log_softmax(scores)

    def predict(self, X):
        """Class label of the object in each image.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.

        Returns
        -------
        y : ndarray of shape (n,)
        """
        scores = self._outputs(X)[0].cpu().numpy()
        return self.classes_[scores.argmax(axis=1)]

    def predict_boxes(self, X):
        """Box of the object in each image, in pixels.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.

        Returns
        -------
        boxes : ndarray of shape (n, 4), dtype float64
            ``(x_min, y_min, x_max, y_max)``, inside the image, with
            ``x_min <= x_max`` and ``y_min <= y_max``.
        """
        unit = self._unit_boxes(self._outputs(X)[1]).cpu().numpy()
        return unit.astype(np.float64) * self._scale(4)

    def predict_keypoints(self, X):
        """Keypoints of each image, in pixels (needs the ``keypoints`` head).

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.

        Returns
        -------
        keypoints : ndarray of shape (n, keypoints, 2), dtype float64
            ``(x, y)`` of each keypoint, clipped to the image.
        """
        check_is_fitted(self, "module_")
        if not self.keypoints:
            raise ValueError(
                "predict_keypoints needs a keypoint head: fit with the parameter "
                "keypoints set to the number of keypoints (it is None)."
            )
        out = self._outputs(X)[2]
        mean, std = self._stats("keypoint", out.device)
        unit = (out.float() * std + mean).clamp(0.0, 1.0).cpu().numpy()
        pixels = unit.astype(np.float64) * self._scale(unit.shape[1])
        return pixels.reshape(len(pixels), -1, 2)

    def box_score(self, X, boxes):
        """Mean intersection over union of the predicted and the true boxes.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.
        boxes : array-like of shape (n, 4)
            True boxes ``(x_min, y_min, x_max, y_max)`` in pixels.

        Returns
        -------
        score : float
            Mean IoU over the images, in [0, 1].
        """
        pred = self.predict_boxes(X)
        boxes = check_boxes(boxes, name="boxes")
        if len(boxes) != len(pred):
            raise ValueError(
                f"X and boxes have inconsistent numbers of samples: {len(pred)} "
                f"and {len(boxes)}."
            )
        return float(np.mean(_paired_box_iou(pred, boxes)))


def _moments(values):
    """Mean and standard deviation per column (1 where a column is constant)."""
    mean = values.mean(0)
    std = values.std(0)
    return mean, np.where(std > 1e-6, std, 1.0)


def _paired_box_iou(a, b, chunk=256):
    """IoU of ``a[i]`` with ``b[i]`` through :func:`box_iou` on small blocks."""
    return np.concatenate(
        [
            np.diagonal(box_iou(a[i : i + chunk], b[i : i + chunk]))
            for i in range(0, len(a), chunk)
        ]
    )
