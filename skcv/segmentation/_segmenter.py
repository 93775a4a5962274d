"""FCNSegmenter: semantic segmentation with a fully convolutional network."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator
from torch import nn

from skcv.base import ImageInputMixin, _is_image_list, _reject_1d
from skcv.cnn._engine import (
    TRAINING_CONSTRAINTS,
    TorchTrainerMixin,
    register_normalization,
)
from skcv.cnn._streaming import chunks, mask_column, read_mask_file
from skcv.metrics._segmentation import label_array, mean_iou
from skcv.segmentation._fcn import DOWNSAMPLING, ENCODERS, FCN, UPSAMPLING
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted
from skcv.utils._validation import as_paths, check_images

__all__ = ["FCNSegmenter"]

# Augmentations that move pixels: applied to the image and its mask together.
_GEOMETRIC = {"flip", "translate", "crop"}
# Augmentations that change values only: applied to the image alone.
_PHOTOMETRIC = {"color_jitter"}


class _Normalized(nn.Module):
    """Per-channel standardisation, then the fully convolutional network."""

    def __init__(self, body, mean, std):
        super().__init__()
        self.body = body
        register_normalization(self, mean, std)

    def forward(self, x):
        return self.body((x - self.mean) * self.inv_std)


class FCNSegmenter(TorchTrainerMixin, ImageInputMixin, BaseEstimator):
    """Semantic segmentation: a class label for every pixel, with an FCN.

    Parameters
    ----------
    encoder : {"simple", "vgg", "resnet"}, default="simple"
        Convolutions at each resolution of the encoder: one 3x3 conv-BN-ReLU
        (simple), two (VGG style) or a residual basic block (ResNet style).
    upsampling : {"transposed", "unpool", "nearest", "zeros", "bilinear"}, \
            default="transposed"
        How the decoder doubles the resolution: learnable transposed
        convolution (initialised to bilinear), max-unpooling to the positions
        remembered by the encoder's pooling, nearest neighbour, zero fill ("bed
        of nails"), or fixed bilinear interpolation.
    downsampling : {"pool", "strided"}, default="pool"
        2x2 max pooling or a stride-2 3x3 convolution. ``upsampling="unpool"``
        needs ``"pool"``.
    skip_connections : bool, default=True
        Add the encoder's feature map of each resolution to the upsampled one
        (FCN-style skips).
    depth : int, default=4
        Number of downsamplings; the coarsest map is ``1 / 2**depth`` of the
        image (rounded up). When it is 1x1, ``fit`` needs training batches of
        at least 2 images (batch normalisation needs more than one value per
        channel).
    width : int, default=8
        Channels of the first stage, doubled at every downsampling.
    n_classes : int, default=None
        Number of classes; masks hold labels ``0 .. n_classes - 1``. None uses
        the largest label in the training masks plus one.
    class_weight : None, "balanced", dict or array-like, default=None
        Weights of the classes in the pixel-wise cross-entropy: None (all 1),
        ``"balanced"`` (``n_pixels / (n_classes * pixels_of_class)`` over the
        training masks), ``{label: weight}`` (missing labels get 1) or one
        weight per class.
    ignore_index : int, default=None
        Mask value of pixels that take no part in the loss or the score (e.g.
        255 for "void" borders).
    epochs : int, default=25
        Passes over the training data.
    batch_size : int, default=16
        Images per gradient step.
    solver : {"sgd", "nesterov", "adam", "adamw"}, default="adam"
        ``torch.optim`` optimiser.
    learning_rate_init : float, default=0.005
        Peak learning rate.
    momentum : float, default=0.9
        Momentum of the SGD solvers (beta1 of Adam/AdamW).
    weight_decay : float, default=0.0
        L2 penalty (decoupled for ``"adamw"``).
    lr_schedule : {"constant", "step", "cosine", "onecycle", "plateau"}, \
            default="onecycle"
        Per-step learning-rate schedule (see :class:`~skcv.cnn.CNNClassifier`).
    augment : None, str or list, default=None
        Training-time augmentation: geometric ops (``"flip"``, ``"translate"``,
        ``"crop"``, and the aliases ``"flip"``, ``"fast"``, ``"standard"``) move
        the image and its mask together (pixels padded in by ``"crop"`` take
        the label ``ignore_index``, or -100 when None, and are not scored);
        ``"color_jitter"`` changes the image only. ``"resized_crop"`` is not
        supported (it would interpolate labels).
    normalize : bool, default=True
        Standardise each channel with the training mean and standard deviation.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the images, stop when their mean
        IoU has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the best weights.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    n_iter_no_change : int, default=5
        Patience in epochs (early stopping and the plateau schedule).
    tol : float, default=1e-4
        Minimum improvement of the validation mean IoU.
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Training device; "auto" picks CUDA when available.
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
        Seeds initialisation, data order, augmentation and the validation split.
    verbose : int, default=0
        Show a progress bar over epochs.
    warm_start : bool, default=False
        Continue training the fitted network in ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        ``0 .. n_classes - 1``.
    class_weight_ : ndarray of shape (n_classes,)
        Weights used in the loss.
    module_ : nn.Module
        The trained network (normalisation included), in evaluation mode.
    device_ : str
        The device used.
    batch_loss_curve_ : list of float or None
        Every minibatch's training loss of the last fit with
        ``record_batches=True``, else None.
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss``, ``train_mean_iou`` (the average
        of the training batches' mean IoU), ``valid_loss``, ``valid_mean_iou``
        (NaN without early stopping), ``lr``, ``seconds``.
    loss_curve_ : list of float
        Training loss per epoch.
    validation_scores_ : list of float
        Validation mean IoU per epoch (early stopping only).
    best_epoch_, n_iter_ : int
        Epoch whose weights were kept; epochs trained.
    interrupted_ : bool
        True when training was stopped by KeyboardInterrupt.
    mean_, std_ : ndarray of shape (n_channels,)
        Normalisation statistics.
    image_shape_ : tuple of int
        Shape of one training image. ``predict``, ``predict_proba`` and
        ``score`` take images of any height and width with its channels;
        flattened rows must have this shape.
    n_features_in_ : int
        Values per image.

    Notes
    -----
    The course's fully convolutional network:

    1. only convolutional layers, so every output position is a class-score
       vector for one pixel, and ``predict``, ``predict_proba`` and ``score``
       take images of any size (batches, or lists of differently sized
       images): sides that are not multiples of the network's total stride are
       zero padded after the normalisation (the training mean colour in pixel
       terms) and the scores cropped back;
    2. the encoder downsamples (pooling or strided convolution) to see large
       contexts cheaply and learn *what* is there;
    3. the decoder upsamples back to the pixels: nearest neighbour, zero fill
       ("bed of nails"), max-unpooling (the values go back to where the
       encoder's maxima were) or a learnable transposed convolution;
    4. skip connections add the encoder's finer maps to recover *where*
       (sharp boundaries);
    5. training minimises the pixel-wise softmax cross-entropy, averaged over
       the pixels that are not ``ignore_index``, each weighted by its class
       weight (a batch without a scored pixel has loss 0); the training loop
       (optimiser, schedule, early stopping, divergence check) is the one of
       :class:`~skcv.cnn.CNNClassifier`.

    References
    ----------
    .. [1] Long, J., Shelhamer, E., Darrell, T. (2015). Fully convolutional
       networks for semantic segmentation. CVPR. :doi:`10.1109/CVPR.2015.7298965`
    .. [2] Noh, H., Hong, S., Han, B. (2015). Learning deconvolution network for
       semantic segmentation. ICCV. :doi:`10.1109/ICCV.2015.178`
    .. [3] Badrinarayanan, V., Kendall, A., Cipolla, R. (2017). SegNet: a deep
       convolutional encoder-decoder architecture for image segmentation. IEEE
       TPAMI 39(12). :doi:`10.1109/TPAMI.2016.2644615`

    Examples
    --------
    >>> from skcv.datasets import make_shapes_segmentation
    >>> from skcv.segmentation import FCNSegmenter
    >>> X, Y = make_shapes_segmentation(40, image_size=16, n_classes=2,
    ...                                 random_state=0)
    >>> seg = FCNSegmenter(depth=2, width=8, epochs=3, random_state=0,
    ...                    device="cpu").fit(X[:30], Y[:30])
    >>> seg.predict(X[30:]).shape, seg.predict_proba(X[30:]).shape
    ((10, 16, 16), (10, 16, 16, 2))
    >>> 0 <= seg.score(X[30:], Y[30:]) <= 1
    True
    """

    _metric_name = "mean_iou"

    _parameter_constraints = {
        **TRAINING_CONSTRAINTS,
        "encoder": [StrOptions(set(ENCODERS))],
        "upsampling": [StrOptions(set(UPSAMPLING))],
        "downsampling": [StrOptions(set(DOWNSAMPLING))],
        "skip_connections": ["boolean"],
        "depth": [Interval(Integral, 1, None, closed="left")],
        "width": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left"), None],
        "class_weight": [StrOptions({"balanced"}), dict, list, tuple, np.ndarray, None],
        "ignore_index": [Integral, None],
        "normalize": ["boolean"],
        "image_shape": [None, tuple, list],
    }

    def __init__(
        self,
        encoder="simple",
        upsampling="transposed",
        downsampling="pool",
        skip_connections=True,
        depth=4,
        width=8,
        n_classes=None,
        class_weight=None,
        ignore_index=None,
        epochs=25,
        batch_size=16,
        solver="adam",
        learning_rate_init=0.005,
        momentum=0.9,
        weight_decay=0.0,
        lr_schedule="onecycle",
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
        self.encoder = encoder
        self.upsampling = upsampling
        self.downsampling = downsampling
        self.skip_connections = skip_connections
        self.depth = depth
        self.width = width
        self.n_classes = n_classes
        self.class_weight = class_weight
        self.ignore_index = ignore_index
        self.epochs = epochs
        self.batch_size = batch_size
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------ validation
    def _check_masks(self, Y, images, *, reset):
        """Return masks as an int64 array ``(n, H, W)``; check shape and labels."""
        if Y is None:
            raise ValueError(
                f"{type(self).__name__} requires masks Y of shape (n, H, W); got None."
            )
        Y = np.asarray(Y)
        n, h, w = images.shape[:3]
        if Y.ndim == 2 and Y.shape == (n, h * w):
            Y = Y.reshape(n, h, w)  # flattened masks, one row per image
        if Y.shape != (n, h, w):
            raise ValueError(
                f"Y must hold one mask per image, of shape (n, H, W) = {(n, h, w)} "
                f"(or (n, H*W)); got shape {Y.shape}."
            )
        Y = label_array(Y, "Y")
        labels = Y if self.ignore_index is None else Y[Y != self.ignore_index]
        lo, hi = (int(labels.min()), int(labels.max())) if labels.size else (0, -1)
        return Y, self._check_labels(lo, hi, labels.size, reset=reset)

    def _check_mask_files(self, paths, images, *, reset):
        """Masks from files: a FileColumn, labels checked in one streaming pass.

        Returns the column, the number of classes and the pixel count of each
        label (for ``class_weight="balanced"``).
        """
        if len(paths) != len(images):
            raise ValueError(
                f"Y must hold one mask file per image: {len(images)} images, "
                f"{len(paths)} mask files."
            )
        masks = mask_column(paths, images.shape[1:3])
        ignore = self.ignore_index
        lo, hi, size, counts = 0, -1, 0, np.zeros(0, np.int64)
        for (mb,) in self._file_batches((masks,), chunks(len(masks), 256)):
            labels = mb.numpy()
            labels = labels if ignore is None else labels[labels != ignore]
            if labels.size:
                lo = min(lo, int(labels.min())) if size else int(labels.min())
                hi = max(hi, int(labels.max()))
                if labels.min() >= 0:  # else _check_labels raises
                    part = np.bincount(labels.ravel())
                    counts = np.pad(counts, (0, max(len(part) - len(counts), 0)))
                    counts[: len(part)] += part
                size += labels.size
        k = self._check_labels(lo, hi, size, reset=reset)
        return masks, k, counts

    def _check_labels(self, lo, hi, size, *, reset):
        """Check the range of the scored labels; return the number of classes."""
        ignore = self.ignore_index
        if size == 0:
            raise ValueError("Y has no labelled pixel (all pixels are ignore_index).")
        if lo < 0:
            raise ValueError(
                "Y must hold labels 0 .. n_classes - 1 (or ignore_index="
                f"{ignore}); got negative label {lo}."
            )
        if reset:
            k = self.n_classes if self.n_classes is not None else hi + 1
            if k < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes; the masks "
                    f"hold only label 0. Pass n_classes to set it."
                )
        else:
            k = len(self.classes_)
        if hi >= k:
            raise ValueError(
                f"Y must hold labels 0 .. {k - 1} (n_classes={k}) or "
                f"ignore_index={ignore}; got label {hi}."
            )
        return k

    def _pool_mask_list(self, Y, pred):
        """Check one mask per predicted image; return both pooled as (1, 1, N).

        Labels are checked once, on the pooled masks, exactly as for a batch.
        """
        if Y is None:
            raise ValueError(
                f"{type(self).__name__} requires masks Y, one per image of X; got None."
            )
        if isinstance(Y, np.ndarray) and Y.dtype != object:
            Y = list(Y)  # a batch of same-size masks
        if not isinstance(Y, (list, tuple, np.ndarray)) or len(Y) != len(pred):
            got = len(Y) if isinstance(Y, (list, tuple, np.ndarray)) else None
            raise ValueError(
                f"Y must be a list of {len(pred)} masks, one per image of X; got "
                f"{type(Y).__name__}"
                + ("" if got is None else f" of length {got}")
                + "."
            )
        pooled = []
        for i, (mask, p) in enumerate(zip(Y, pred, strict=True)):
            mask = np.asarray(mask)
            if mask.shape != p.shape:
                raise ValueError(
                    f"Y[{i}] must have the shape of image {i}, {p.shape}; got "
                    f"{mask.shape}."
                )
            pooled.append(mask.ravel())
        Y = np.concatenate(pooled)[None, None]
        return Y, np.concatenate([p.ravel() for p in pred])[None, None]

    def _class_weights(self, Y, k, counts=None):
        cw = self.class_weight
        if cw is None:
            return np.ones(k, dtype=np.float32)
        if isinstance(cw, str):  # "balanced"
            if counts is None:  # else: the pixel count of each label, from files
                labels = Y if self.ignore_index is None else Y[Y != self.ignore_index]
                counts = np.bincount(labels.ravel(), minlength=k)
            counts = np.pad(counts, (0, k - len(counts))).astype(np.float64)
            w = np.where(counts > 0, counts.sum() / (k * np.maximum(counts, 1)), 1.0)
            return w.astype(np.float32)
        if isinstance(cw, dict):
            bad = [
                c
                for c in cw
                if isinstance(c, bool) or not (isinstance(c, Integral) and 0 <= c < k)
            ]
            if bad:
                raise ValueError(
                    f"class_weight keys must be labels 0 .. {k - 1} (ints, not "
                    f"bools); got {bad}."
                )
            w = np.ones(k)
            for c, v in cw.items():
                w[int(c)] = v
        else:
            w = np.asarray(cw, dtype=np.float64)
            if w.shape != (k,):
                raise ValueError(
                    f"class_weight must hold one weight per class ({k}); got shape "
                    f"{w.shape}."
                )
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
            raise ValueError(
                "class_weight must be finite, non-negative and not all zero; got "
                f"{w.tolist()}."
            )
        return w.astype(np.float32)

    def _check_ignore_index(self):
        # the constraint [Integral, None] lets bools through (True acts as 1)
        if isinstance(self.ignore_index, bool):
            raise TypeError(
                f"ignore_index must be an int or None; got {self.ignore_index!r}."
            )

    def _check_batch_norm_batches(self, images):
        """Refuse training batches of one image when the coarsest map is 1x1.

        Batch normalisation in training mode needs more than one value per
        channel; at the bottleneck a batch holds ``batch * ceil(H / 2**depth)
        * ceil(W / 2**depth)`` of them. The engine's batches have
        ``min(batch_size, n_train)`` images, the last one ``bs + 1`` rather
        than 1, so only that minimum can be 1.
        """
        n, h, w = images.shape[:3]
        m = 2**self.depth
        if -(-h // m) * -(-w // m) > 1:
            return
        n_train = n - self._n_validation(n) if self.early_stopping else n
        if min(self.batch_size, n_train) > 1:
            return
        raise ValueError(
            f"{type(self).__name__} cannot train with depth={self.depth} and "
            f"batch_size={self.batch_size} on {n_train} training image(s) of "
            f"{h}x{w}: the coarsest map is 1x1 (ceil({h} / 2**{self.depth}) x "
            f"ceil({w} / 2**{self.depth})) and a training batch holds 1 image, so "
            "batch normalisation would see one value per channel. Lower depth, "
            "or train on batches of at least 2 images (batch_size >= 2 and at "
            "least 2 training images)."
        )

    def _check_augment(self):
        from skcv.cnn._augment import parse_augment

        ops = parse_augment(self.augment)
        unsupported = [name for name, _ in ops if name not in _GEOMETRIC | _PHOTOMETRIC]
        if unsupported:
            raise ValueError(
                f"augment for segmentation may use {sorted(_GEOMETRIC | _PHOTOMETRIC)}"
                f" (geometric ops move the masks too); got {unsupported} in "
                f"augment={self.augment!r}."
            )

    # -------------------------------------------------------------- training
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, Y):
        """Train the network on images ``X`` with label masks ``Y``.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or list of paths
            Training images (uint8 scaled to [0, 1]); rows need ``image_shape``
            unless it can be guessed (see :mod:`skcv.base`). Image files of one
            size are decoded batch by batch while training (``num_workers``).
        Y : array-like of int of shape (n, H, W) or (n, H*W), or list of paths
            Class of every pixel, ``0 .. n_classes - 1`` or ``ignore_index``;
            or one mask file per image (single-band PNG: grey or palette
            indices are the labels), streamed with the images.

        Returns
        -------
        self : FCNSegmenter
        """
        if self.upsampling == "unpool" and self.downsampling != "pool":
            raise ValueError(
                "upsampling='unpool' needs the pooling indices of "
                f"downsampling='pool'; got downsampling={self.downsampling!r}."
            )
        self._check_ignore_index()
        self._check_augment()
        reset = not (self.warm_start and hasattr(self, "module_"))
        images = self._validate_images(X, reset=reset)
        mask_paths, counts = as_paths(Y, "Y"), None
        if mask_paths is not None:  # streamed with the images
            Y, k, counts = self._check_mask_files(mask_paths, images, reset=reset)
        else:
            Y, k = self._check_masks(Y, images, reset=reset)
        self._check_batch_norm_batches(images)
        if reset:
            self.classes_ = np.arange(k)
            self.class_weight_ = self._class_weights(Y, k, counts)
        seed, rng = self._start_fit(reset)
        self._weight_tensor = None  # made once, on the device, by the first batch
        try:
            with self._torch_seed(seed):
                if reset:
                    self._init_network(images)
                    self._reset_training_state()
                return self._train_network(
                    self._to_tensor(images),
                    (Y if mask_paths else torch.from_numpy(np.ascontiguousarray(Y)),),
                    epochs=self.epochs,
                    partial=False,
                    seed=seed,
                    rng=rng,
                )
        finally:
            self._weight_tensor = None

    def _init_network(self, images):
        self.mean_, self.std_ = self._input_statistics(images)
        body = FCN(
            in_channels=images.shape[3] if images.ndim == 4 else 1,
            n_classes=len(self.classes_),
            encoder=self.encoder,
            downsampling=self.downsampling,
            upsampling=self.upsampling,
            skip_connections=self.skip_connections,
            depth=self.depth,
            width=self.width,
        )
        self.module_ = _Normalized(body, self.mean_, self.std_).float().to(self.device_)

    # ----------------------------------------------------------- engine hooks
    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_weight_tensor", None)
        return state

    def _ignore_label(self):
        """Mask value that scores nothing: ``ignore_index``, else torch's -100."""
        return -100 if self.ignore_index is None else int(self.ignore_index)

    def _class_weight_tensor(self, device):
        """``class_weight_`` as a float32 tensor on ``device``, made once per fit."""
        w = getattr(self, "_weight_tensor", None)
        if w is None or w.device != device:
            w = torch.as_tensor(self.class_weight_, device=device)
            self._weight_tensor = w
        return w

    def _loss_terms(self, out, mask):
        """Return the summed weighted pixel cross-entropy and the weight it sums.

        Pixels equal to ``ignore_index`` (or -100, the label of padding added by
        augmentation) count in neither, so a batch without a scored pixel gives
        ``(0, 0)`` instead of torch's ``0 / 0``.
        """
        weight = self._class_weight_tensor(out.device)
        ignore = self._ignore_label()
        total = F.cross_entropy(
            out.float(), mask, weight=weight, ignore_index=ignore, reduction="sum"
        )
        k = weight.shape[0]
        valid = (mask != ignore) & (mask >= 0) & (mask < k)
        w = torch.where(valid, weight[torch.where(valid, mask, 0)], 0.0)
        return total, w.sum()

    def _batch_loss(self, out, targets):
        (mask,) = targets
        total, count = self._loss_terms(out, mask)
        return total / count.clamp(min=torch.finfo(torch.float32).tiny)

    def _confusion(self, out, mask):
        """Confusion counts ``(k, k)`` (true, predicted) of a batch, on its device.

        No boolean indexing (it would wait for the device): unscored pixels go
        to an extra bin that is dropped.
        """
        k = out.shape[1]
        # argmax over channels is ~6x faster on channels-last memory (CPU)
        pred = out.detach().contiguous(memory_format=torch.channels_last).argmax(1)
        keep = (mask >= 0) & (mask < k)
        if self.ignore_index is not None:
            keep &= mask != self.ignore_index
        idx = torch.where(keep, mask * k + pred, k * k).flatten()
        counts = torch.zeros(k * k + 1, dtype=torch.int64, device=out.device)
        counts.scatter_add_(0, idx, torch.ones_like(idx))
        return counts[: k * k].reshape(k, k)

    @staticmethod
    def _iou_from_confusion(cm):
        """Mean IoU over the classes present in the truth or the prediction."""
        cm = cm.float()  # float32: MPS has no float64
        tp = cm.diagonal()
        iou = tp / (cm.sum(0) + cm.sum(1) - tp)  # 0 / 0 = NaN: class absent
        return iou.nanmean()  # NaN when no pixel is scored

    def _batch_metric(self, out, targets):
        """Mean IoU of the batch; a batch without a scored pixel counts 0 times."""
        (mask,) = targets
        miou = self._iou_from_confusion(self._confusion(out, mask))
        scored = ~torch.isnan(miou)
        return torch.where(scored, miou, 0.0), scored.float()

    def _validation_metrics(self, net, X, targets):
        """Loss and mean IoU over every held-out pixel, reduced batch by batch."""
        (mask,) = targets
        dev = next(iter(net.parameters())).device
        k = len(self.classes_)
        sums = {
            "loss": torch.zeros((), device=dev),
            "weight": torch.zeros((), device=dev),
            "cm": torch.zeros((k, k), dtype=torch.int64, device=dev),
        }

        def reduce(start, out):
            mb = mask[start : start + len(out)].to(dev)
            total, count = self._loss_terms(out, mb)
            sums["loss"] += total
            sums["weight"] += count
            sums["cm"] += self._confusion(out, mb)

        self._forward_batches(net, X, batch_size=self.batch_size, reduce=reduce)
        weight = sums["weight"].clamp(min=torch.finfo(torch.float32).tiny)
        loss = float(sums["loss"] / weight)
        score = float(self._iou_from_confusion(sums["cm"]))
        return loss, float(np.nan_to_num(score))

    def _augment_batch(self, augmenter, xb, targets):
        """Apply the ops; geometric ones move the mask, and padding is unscored.

        The mask and a channel of ones travel with the image as two extra
        channels; where the ones channel comes back 0 the pixel is padding, and
        its label becomes ``ignore_index`` (-100 when None).
        """
        (mask,) = targets
        c = xb.shape[1]
        fill = self._ignore_label()
        for fn, params in augmenter.ops:
            if fn.__name__ in _PHOTOMETRIC:
                xb = fn(xb, augmenter.generator, **params)
            else:
                ones = torch.ones_like(xb[:, :1])
                both = torch.cat([xb, mask[:, None].to(xb.dtype), ones], dim=1)
                both = fn(both, augmenter.generator, **params)
                inside = both[:, c + 1] > 0.5
                mask = torch.where(inside, both[:, c].round().long(), fill)
                xb = both[:, :c]
        return xb, (mask,)

    # ------------------------------------------------------------ prediction
    def _validate_predict_images(self, X):
        """Images to segment: any size, with the fitted channels.

        The network is fully convolutional, so a batch of another size (or a
        list of images of different sizes) is segmented as it is. Flattened rows
        carry no shape of their own and must have the fitted one.
        """
        check_is_fitted(self, "module_")
        X = _reject_1d(X)
        if not _is_image_list(X) and np.ndim(X) == 2:
            return self._validate_images(X, reset=False)
        images = check_images(X, allow_list=True)
        first = images if isinstance(images, np.ndarray) else images[0][None]
        channels, fitted = first.shape[3:], tuple(self.image_shape_[2:])
        if channels != fitted:
            raise ValueError(
                f"X has images with channel shape {channels or '(grey)'}, but "
                f"{type(self).__name__} was fitted on images of shape "
                f"{self.image_shape_}; any height and width work, the channels "
                "must match. A 3-D array is a batch of grey images: pass "
                "image[None] for one colour image."
            )
        width = first.shape[2]
        if not fitted and width in (1, 3, 4) and width != self.image_shape_[1]:
            raise ValueError(
                f"X has shape {first.shape[1:]} per image: images {width} pixel(s) "
                "wide for a model fitted on grey images of shape "
                f"{self.image_shape_}. A 3-D array is read as a batch of grey "
                "images; pass image[None] for one colour image (which this model "
                "cannot segment), or a list of images."
            )
        return images

    def _predict_batches(self, X, convert, shape, dtype):
        """Run the network batch by batch; ``convert`` each output onto the CPU.

        Only one batch of dense scores lives on the device at a time. A list of
        images gives a list of results; images of one size run as one batch.
        """
        images = self._validate_predict_images(X)
        if not _is_image_list(X):
            return self._predict_array(images, convert, shape, dtype)
        results = [None] * len(images)
        by_size: dict = {}
        for i, im in enumerate(images):
            by_size.setdefault(im.shape, []).append(i)
        for idx in by_size.values():
            batch = np.stack([images[i] for i in idx])
            outputs = self._predict_array(batch, convert, shape, dtype)
            for i, out in zip(idx, outputs, strict=True):
                results[i] = out
        return results

    def _predict_array(self, images, convert, shape, dtype):
        result = np.empty((len(images), *images.shape[1:3], *shape), dtype=dtype)

        def reduce(start, out):
            result[start : start + len(out)] = convert(out).cpu().numpy()

        self._forward_batches(
            self.module_,
            self._to_tensor(images),
            batch_size=self.batch_size,
            reduce=reduce,
        )
        return result

    def predict_proba(self, X):
        """Class probabilities of every pixel.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images of any height and width with the fitted channels (the
            network is fully convolutional); flattened rows need the fitted
            shape ``image_shape_``.

        Returns
        -------
        proba : ndarray of shape (n, H, W, n_classes), dtype float32, or list
            Softmax of the network's scores; sums to 1 over the last axis. A list
            of images (of one size or not) gives a list of ``(H_i, W_i,
            n_classes)`` arrays; images of one size run as one batch.
        """
        return self._predict_batches(
            X,
            lambda out: torch.softmax(out, dim=1).permute(0, 2, 3, 1),
            (len(self.classes_),),
            np.float32,
        )

    def predict(self, X):
        """Label masks.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images of any height and width with the fitted channels; flattened
            rows need the fitted shape ``image_shape_``.

        Returns
        -------
        Y : ndarray of shape (n, H, W), dtype int64, or list
            The most probable class of every pixel (a list of ``(H_i, W_i)``
            masks for a list of images).
        """
        return self._predict_batches(X, lambda out: out.argmax(1), (), np.int64)

    def score(self, X, Y):
        """Mean intersection over union of the predicted masks.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images of any height and width with the fitted channels; flattened
            rows need the fitted shape ``image_shape_``.
        Y : array-like of int of shape (n, H, W) or (n, H*W), or list
            True masks (a list of ``(H_i, W_i)`` masks, or a batch of them, for
            a list of images); pixels equal to ``ignore_index`` are not
            counted.

        Returns
        -------
        score : float
            :func:`skcv.metrics.mean_iou` over all pixels of all images, for the
            classes present in ``Y`` or the prediction.
        """
        pred = self.predict(X)
        mask_paths = as_paths(Y, "Y")
        if mask_paths is not None:
            Y = [read_mask_file(p) for p in mask_paths]
        if isinstance(pred, list):
            Y, pred = self._pool_mask_list(Y, pred)
        Y, _ = self._check_masks(Y, pred, reset=False)
        return mean_iou(Y, pred, labels=self.classes_, ignore_index=self.ignore_index)
