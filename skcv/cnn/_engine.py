"""The torch training engine shared by every torch-backed estimator in skcv.

:class:`CNNClassifier`, ``FCNSegmenter`` and ``ObjectLocalizer`` differ only in their
network, their targets and their loss; device handling, the optimiser, mixed
precision, the minibatch loop with its schedules, early stopping with best-weights
restore, divergence detection, ``KeyboardInterrupt`` handling, history and pickling
are written once, here, in :class:`TorchTrainerMixin`.

How an estimator uses it
------------------------
1. Take the training parameters by their shared names (``epochs``, ``batch_size``,
   ``solver``, ``learning_rate_init``, ``momentum``, ``weight_decay``,
   ``lr_schedule``, ``augment``, ``early_stopping``, ``validation_fraction``,
   ``n_iter_no_change``, ``tol``, ``device``, ``precision``, ``channels_last``,
   ``compile``, ``num_workers``, ``n_jobs``, ``random_state``, ``verbose``) and merge
   :data:`TRAINING_CONSTRAINTS` into ``_parameter_constraints``.
2. In ``fit``::

       seed, rng = self._start_fit(reset)          # random stream, device_
       with self._torch_seed(seed):
           if reset:
               self.module_ = net.to(self.device_)  # build the network
               self._reset_training_state()
           return self._train_network(X, (t1, t2, ...), epochs=..., partial=...,
                                      seed=seed, rng=rng)

   ``X`` is an NCHW float32 CPU tensor (:meth:`_to_tensor` turns NHWC numpy into
   one without a copy) and the targets are CPU tensors whose first axis is the
   sample axis.
3. Override the hooks:

   - ``_batch_loss(out, targets) -> loss`` (required): the training loss of one
     batch; ``out`` is the network's output (a tensor or a tuple of tensors).
   - ``_batch_metric(out, targets) -> (score_sum, count)``: a summed score of the
     training batch (e.g. the number of correct predictions); the epoch's
     ``train_<metric>`` is ``sum / count``. Either may be a device tensor (read
     once per epoch, so the step does not wait for the device); a batch with
     ``count == 0`` adds nothing. Default: no training metric (NaN).
   - ``_validation_metrics(net, X, targets) -> (loss, score)``: on the held-out
     split; higher score is better (early stopping keeps the best). Default:
     ``_batch_loss`` over the batched forward pass, and minus that loss as the
     score (so early stopping works on the loss). For dense outputs (a score per
     pixel) reduce each batch with ``_forward_batches(net, X, reduce=fn)``
     instead of concatenating every output on the device.
   - ``_split_validation(n, targets, rng) -> (train_idx, valid_idx)``: default a
     random split of ``validation_fraction``, stratified by the class labels
     ``targets[0]`` when the class attribute ``_stratify_validation`` is True
     (the classifier and the localiser), every class has 2 samples and both
     parts can hold one of each.
   - ``_augment_batch(augmenter, xb, targets) -> (xb, targets)``: default applies
     the image augmentation to ``xb`` only; a segmenter must move its masks too.
   - ``_metric_name`` (class attribute, default ``"score"``): the history keys are
     ``train_<name>`` and ``valid_<name>``.

After training: ``history_`` (one dict per epoch: ``epoch``, ``train_loss``,
``train_<name>``, ``valid_loss``, ``valid_<name>``, ``lr``, ``seconds``),
``loss_curve_``, ``validation_scores_``, ``n_iter_``, ``best_epoch_``,
``interrupted_``. Pickling moves the network to the CPU and drops the optimiser.
"""

from __future__ import annotations

import contextlib
import copy
import math
import shutil
import time
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils.validation import column_or_1d

from skcv._optim._loop import divergence_error, is_divergent, warn_interrupted
from skcv.cnn._augment import _ALIASES, AUGMENTATIONS, Augmenter, parse_augment
from skcv.cnn._device import follow_device
from skcv.cnn._streaming import (
    CACHE_LIMIT,
    STATS_CHUNK,
    BatchLoader,
    ChannelMoments,
    DecodeCache,
    FileColumn,
    cache_root,
    chunks,
    image_column,
    read_headers,
    stats_sample,
)
from skcv.cnn._threads import with_threads
from skcv.utils._sklearn import Interval, StrOptions
from skcv.utils._validation import as_paths, check_classification_targets

__all__ = [
    "TRAINING_CONSTRAINTS",
    "TorchTrainerMixin",
    "channel_statistics",
    "register_normalization",
]

#: ``_parameter_constraints`` entries of the shared training parameters.
TRAINING_CONSTRAINTS = {
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "solver": [StrOptions({"sgd", "nesterov", "adam", "adamw"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "lr_schedule": [StrOptions({"constant", "step", "cosine", "onecycle", "plateau"})],
    "augment": [None, StrOptions({*_ALIASES, *AUGMENTATIONS}), list, tuple],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "device": [str],
    "precision": [StrOptions({"auto", "float32", "bf16"})],
    "channels_last": ["boolean", StrOptions({"auto"})],
    "compile": ["boolean"],
    "num_workers": [Interval(Integral, 0, None, closed="left")],
    "file_cache": ["boolean", StrOptions({"auto"})],
    "n_jobs": [
        None,
        Interval(Integral, None, -1, closed="right"),
        Interval(Integral, 1, None, closed="left"),
    ],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "record_batches": ["boolean"],
}


def schedule_factor(kind: str, t: float) -> float:
    """Learning-rate multiplier at training progress ``t`` in [0, 1].

    ``"step"`` divides by 10 at half and three quarters of training, ``"cosine"``
    anneals to 0 on a half cosine, ``"onecycle"`` warms up linearly from 0.2 over
    the first fifth and then decays linearly to 0; anything else is constant.
    """
    t = min(max(t, 0.0), 1.0)
    if kind == "step":
        return 0.1 ** ((t >= 0.5) + (t >= 0.75))
    if kind == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * t))
    if kind == "onecycle":
        warm = 0.2
        if t < warm:
            return 0.2 + 0.8 * t / warm
        return max(1.0 - (t - warm) / (1.0 - warm), 0.0)
    return 1.0


def channel_statistics(images: np.ndarray, normalize: bool = True):
    """Per-channel mean and standard deviation of NHWC images, as float32.

    With ``normalize=False`` (or a constant channel) the statistics are 0 and 1,
    so normalising with them changes nothing. Computed chunk by chunk
    (:class:`~skcv.cnn._streaming.ChannelMoments`), as for image files.
    """
    x = images if images.ndim == 4 else images[..., None]
    if not normalize:
        n_channels = x.shape[-1]
        return np.zeros(n_channels, np.float32), np.ones(n_channels, np.float32)
    moments = ChannelMoments()
    for part in chunks(len(x), STATS_CHUNK):
        moments.update(x[part.start : part.stop])
    return moments.result()


def register_normalization(module: torch.nn.Module, mean, std) -> None:
    """Give ``module`` per-channel ``mean`` and ``inv_std`` buffers (NCHW shape).

    Its forward pass then standardises with ``(x - self.mean) * self.inv_std``;
    as buffers they move with the module between devices and are pickled and
    checkpointed with it.
    """
    mean = torch.as_tensor(np.asarray(mean), dtype=torch.float32).reshape(1, -1, 1, 1)
    std = torch.as_tensor(np.asarray(std), dtype=torch.float32).reshape(1, -1, 1, 1)
    module.register_buffer("mean", mean)
    module.register_buffer("inv_std", 1.0 / std)


def _cat_outputs(outs):
    """Concatenate batched outputs (tensors, or tuples of tensors)."""
    if isinstance(outs[0], (tuple, list)):
        return tuple(torch.cat(parts) for parts in zip(*outs, strict=True))
    return torch.cat(outs)


def _take(column, index):
    """Select the samples at ``index`` of a CPU tensor or a :class:`FileColumn`."""
    if isinstance(column, FileColumn):
        return column.take(index.numpy())
    return column[index]


def _finite(state) -> bool:
    """Whether every floating tensor of a state dict is finite (one device sync)."""
    checks = [torch.isfinite(v).all() for v in state.values() if v.is_floating_point()]
    return bool(torch.stack(checks).all()) if checks else True


def _as_float(out):
    if isinstance(out, (tuple, list)):
        return tuple(o.float() for o in out)
    return out.float()


class TorchTrainerMixin:
    """Device, optimiser, precision, the training loop and pickling for torch nets.

    See the module docstring for the parameters it reads and the hooks to
    override.
    """

    _metric_name = "score"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def _check_class_labels(self, y):
        """``y`` as a 1-D array of finite classification labels, or a clear error."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = column_or_1d(y, warn=True)
        if y.dtype.kind in "fc":
            assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        return y

    # ------------------------------------------------------------------ hooks
    def _batch_loss(self, out, targets):  # pragma: no cover - abstract
        raise NotImplementedError

    def _batch_metric(self, out, targets):
        return None

    def _validation_metrics(self, net, X, targets):
        out = self._forward_batches(net, X)
        targets = tuple(t.to(self.device_) for t in targets)
        loss = float(self._batch_loss(out, targets))
        return loss, -loss  # higher is better: early stopping on the loss

    #: Stratify the early-stopping split by ``targets[0]`` (class labels).
    _stratify_validation = False

    def _split_validation(self, n, targets, rng):
        n_val = self._n_validation(n)
        strat = None
        if self._stratify_validation:
            y_idx = targets[0].numpy()
            counts = np.bincount(y_idx)
            present = counts[counts > 0]
            # Both parts must be able to hold one sample of every class.
            fits = n_val >= len(present) and n - n_val >= len(present)
            if present.min() >= 2 and fits:
                strat = y_idx
        return train_test_split(
            np.arange(n), test_size=n_val, random_state=rng, stratify=strat
        )

    def _augment_batch(self, augmenter, xb, targets):
        return augmenter(xb), targets

    # ------------------------------------------------------------------ setup
    def _resolve_device(self) -> str:
        dev = self.device
        if dev == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        try:
            parsed = torch.device(dev)
        except (RuntimeError, ValueError) as exc:
            raise ValueError(
                f"device must be 'auto', 'cpu', 'cuda' or a torch device string; "
                f"got {dev!r}."
            ) from exc
        if parsed.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={dev!r} was requested but CUDA is not available; use "
                "device='auto' or 'cpu'."
            )
        return str(parsed)

    @staticmethod
    def _to_tensor(images: np.ndarray) -> torch.Tensor:
        """NHWC numpy -> NCHW float32 tensor (channels-last strides, no copy).

        Image files (a :class:`FileColumn`) stay files: the engine decodes them
        batch by batch.
        """
        if isinstance(images, FileColumn):
            return images
        if images.ndim == 3:
            images = images[..., None]
        arr = np.asarray(images, dtype=np.float32)
        return torch.from_numpy(arr).permute(0, 3, 1, 2)

    def _make_optimizer(self, net):
        params = [p for p in net.parameters() if p.requires_grad]
        lr, wd, mom = self.learning_rate_init, self.weight_decay, self.momentum
        if self.solver in ("sgd", "nesterov"):
            return torch.optim.SGD(
                params,
                lr=lr,
                momentum=mom,
                nesterov=self.solver == "nesterov" and mom > 0,
                weight_decay=wd,
            )
        cls = torch.optim.Adam if self.solver == "adam" else torch.optim.AdamW
        return cls(params, lr=lr, betas=(mom, 0.999), weight_decay=wd)

    def _use_channels_last(self):
        return self.channels_last is True or self.channels_last == "auto"

    def _autocast(self):
        dev_type = torch.device(self.device_).type
        bf16 = self.precision == "bf16" or (
            self.precision == "auto" and dev_type == "cuda"
        )
        return torch.autocast(dev_type, dtype=torch.bfloat16, enabled=bf16)

    def _start_fit(self, reset: bool):
        """Random stream and device of a fit; returns ``(seed, rng)``.

        A fresh fit starts the random stream from ``random_state``; later
        ``partial_fit`` / warm-start calls continue it, so each call draws new
        shuffles, augmentations and dropout masks instead of repeating them.
        """
        if reset or getattr(self, "_rng", None) is None:
            self._rng = check_random_state(self.random_state)
        rng = self._rng
        seed = int(rng.randint(np.iinfo(np.int32).max))
        self.device_ = self._resolve_device() if reset else self.device_
        return seed, rng

    @contextlib.contextmanager
    def _torch_seed(self, seed: int):
        """Seed torch inside, leaving the global torch random state untouched."""
        dev = torch.device(self.device_)
        fork = [dev.index or 0] if dev.type == "cuda" else []
        with torch.random.fork_rng(devices=fork):
            torch.manual_seed(seed)
            yield

    def _reset_training_state(self):
        self.optimizer_ = None
        self._first_loss = None
        self.history_ = []
        self.batch_loss_curve_ = None
        self.n_iter_ = 0
        self.best_epoch_ = 0
        self.interrupted_ = False

    def _n_validation(self, n: int) -> int:
        n_val = max(1, int(round(self.validation_fraction * n)))
        if n - n_val < 2:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves fewer "
                f"than 2 training samples out of {n}; lower it or pass more data."
            )
        return n_val

    # ------------------------------------------------------------ file paths
    def _validate_images(self, X, *, reset: bool):
        """As :class:`skcv.base.ImageInputMixin`, but file paths stay files.

        Paths give a :class:`FileColumn` (decoded batch by batch while
        training): a header pass sets the image shape and channels (channel
        rule for a mixed folder, the fitted channels after fit) and checks that
        the files share one size when there is no size policy.
        """
        paths = as_paths(X)
        if paths is None:
            return super()._validate_images(X, reset=reset)
        size, resize = self._size_policy()
        sizes, keys = read_headers(paths)
        fitted = None if reset else getattr(self, "image_shape_", None)
        if fitted is not None:
            channels = "grey" if len(fitted) == 2 else fitted[2]
        elif len(keys) > 1:
            channels = 3 if max(keys) >= 3 else "grey"
        else:
            channels = keys.pop() or "grey"
        hw = tuple(size or sizes[0])
        other = [i for i, s in enumerate(sizes) if s != hw] if size is None else []
        if other:
            raise ValueError(
                f"X holds image files of different sizes ({paths[0]!s}: {hw}, "
                f"{paths[other[0]]!s}: {sizes[other[0]]}), but "
                f"{type(self).__name__} needs images of one size"
                + (
                    "; pass image_size and resize (the size policy)."
                    if "resize" in self.get_params(deep=False)
                    else "."
                )
            )
        item_shape = hw if channels == "grey" else (*hw, channels)
        if reset:
            self._reset_input_attributes(item_shape)
        elif fitted is not None and item_shape != tuple(fitted):
            raise ValueError(
                f"X has images of shape {item_shape}, but {type(self).__name__} "
                f"was fitted on images of shape {tuple(fitted)}."
            )
        return image_column(
            paths, size=size, resize=resize, channels=channels, item_shape=item_shape
        )

    def _file_loader(self, columns) -> BatchLoader:
        """Return a loader of ``columns`` (``num_workers`` DataLoader workers)."""
        device = getattr(self, "device_", None) or self._resolve_device()
        return BatchLoader(
            columns, self.num_workers, torch.device(device).type == "cuda"
        )

    def _decode_caches(self, X_train, valid, epochs):
        """Attach a :class:`DecodeCache` to the image files of a fit (``file_cache``).

        Returns ``[(column, cache)]`` for the training and validation images;
        the caller detaches and deletes them when the fit ends.
        """
        columns = [c for c in (X_train, valid[0] if valid else None) if c is not None]
        columns = [c for c in columns if isinstance(c, FileColumn) and c.image]
        policy = self.file_cache
        if not columns or policy is False or (policy == "auto" and epochs < 2):
            return []
        need = sum(DecodeCache.nbytes(len(c), c.item_shape) for c in columns)
        root = cache_root()
        free = shutil.disk_usage(root).free
        if policy == "auto" and (need > CACHE_LIMIT or 2 * need > free):
            return []
        if need > free:
            raise ValueError(
                f"file_cache=True needs {need / 2**30:.2f} GiB for the decoded "
                f"images in {root!r} (set TMPDIR to change it), "
                f"which has {free / 2**30:.2f} GiB free; use file_cache='auto' or "
                "False."
            )
        out = []
        for column in columns:
            column.cache = DecodeCache(len(column), column.item_shape)
            out.append((column, column.cache))
        return out

    def _file_batches(self, columns, batches):
        """Yield decoded batches of ``columns`` (one pass, then the workers stop)."""
        loader = self._file_loader(columns)
        try:
            yield from loader(batches)
        finally:
            loader.close()

    def _input_statistics(self, images):
        """Per-channel ``(mean, std)`` of the training images, as float32.

        For an array, of all its images; for image files, of at most
        ``STATS_SAMPLE`` (2048) files evenly spaced over the list, decoded in a
        streaming pass (the same values as for the decoded array up to that
        many files).
        """
        if not self.normalize:
            return channel_statistics(self._first_images(images, 1), False)
        if not isinstance(images, FileColumn):
            return channel_statistics(images)
        sample = images.take(stats_sample(len(images)))
        moments = ChannelMoments()
        for (xb,) in self._file_batches((sample,), chunks(len(sample), STATS_CHUNK)):
            moments.update(xb.permute(0, 2, 3, 1).numpy())
        return moments.result()

    @staticmethod
    def _first_images(images, k: int, max_bytes: int = 256 << 20) -> np.ndarray:
        """Up to ``k`` first images as NHWC float32 (files: within ``max_bytes``)."""
        if isinstance(images, FileColumn):
            per_image = 4 * int(np.prod(images.item_shape))
            k = max(1, min(k, len(images), max_bytes // per_image))
            x = images.arrays(range(k))
        else:
            x = images[:k]
        return x if x.ndim == 4 else x[..., None]

    # -------------------------------------------------------------- training
    @with_threads
    def _train_network(self, X_all, targets, *, epochs, partial, seed, rng):
        """Train ``self.module_`` on ``X_all`` (NCHW) and target tensors."""
        device = self.device_
        is_cuda = torch.device(device).type == "cuda"
        net = self.module_
        fmt = torch.channels_last if self._use_channels_last() else None
        targets = tuple(targets)
        n = len(X_all)
        name = self._metric_name
        valid = None
        use_valid = self.early_stopping and not partial
        # Image (or mask) files are decoded batch by batch (skcv.cnn._streaming).
        files = any(isinstance(c, FileColumn) for c in (X_all, *targets))
        if use_valid:
            tr, va = self._split_validation(n, targets, rng)
            self._validation_idx = np.sort(va)
            va_t = torch.from_numpy(self._validation_idx)
            tr_t = torch.from_numpy(np.sort(tr))
            valid = (_take(X_all, va_t), tuple(_take(t, va_t) for t in targets))
            X_all, targets = _take(X_all, tr_t), tuple(_take(t, tr_t) for t in targets)
            n = len(tr_t)

        # Keep the data on the device when it fits (always on the CPU).
        nbytes = 0 if files else sum(t.nbytes for t in (X_all, *targets))
        on_device = not is_cuda or nbytes < 0.4 * torch.cuda.mem_get_info(device)[0]
        on_device = on_device and getattr(self, "_data_on_device", True) and not files
        if files:
            pass
        elif fmt is not None and X_all.is_contiguous(memory_format=fmt):
            pass
        elif fmt is not None:
            X_all = X_all.contiguous(memory_format=fmt)
        else:
            X_all = X_all.contiguous()
        if on_device:
            X_all = X_all.to(device)
            targets = tuple(t.to(device) for t in targets)
        elif is_cuda:
            X_all = X_all.pin_memory()
            targets = tuple(t.pin_memory() for t in targets)

        gen = torch.Generator(device=device if on_device else "cpu")
        gen.manual_seed(seed)
        aug_gen = torch.Generator(device=device)
        aug_gen.manual_seed(seed + 1)
        augmenter = Augmenter(parse_augment(self.augment), aug_gen)

        if fmt is not None:
            net = net.to(memory_format=fmt)
        train_net = net
        if self.compile:  # inductor: CUDA, or C++ on the CPU
            train_net = torch.compile(net)

        if self.optimizer_ is None or not partial:
            self.optimizer_ = self._make_optimizer(net)
        opt = self.optimizer_
        for group in opt.param_groups:
            group["lr"] = self.learning_rate_init
        bs = min(self.batch_size, n)
        steps_per_epoch = max(1, n // bs if n % bs == 1 else math.ceil(n / bs))
        total = epochs * steps_per_epoch
        sched = "constant" if partial else self.lr_schedule
        plateau = None
        if sched == "plateau":
            plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
                opt, factor=0.1, patience=self.n_iter_no_change
            )
        best_score, best_state, no_improve = -np.inf, None, 0
        last_good = self._snapshot(net)  # checked after every epoch
        # The divergence rule of skcv._optim, relative to the first batch loss of
        # the training run (kept across partial_fit calls); the weights an epoch
        # ends with are checked on one fixed training batch in eval mode.
        first_loss = getattr(self, "_first_loss", None) if partial else None
        check_batch = (X_all[:bs], tuple(t[:bs] for t in targets))

        bar = None
        if self.verbose:
            from skcv.utils._optional import import_optional

            tqdm = import_optional("tqdm").tqdm
            bar = tqdm(total=epochs, desc=type(self).__name__, unit="epoch")

        step = 0
        self.interrupted_ = False
        record_batches = getattr(self, "record_batches", False)
        batch_losses: list = []
        # One loader (its workers) for every epoch of the fit.
        loader = self._file_loader((X_all, *targets)) if files else None
        caches = self._decode_caches(X_all, valid, epochs) if files else []
        # A learning-rate range test (skcv.model_selection.lr_range_test) sets a
        # probe that gives each step's rate and ends training when done.
        lr_probe = getattr(self, "_lr_probe", None)
        try:
            for _ in range(epochs):
                t0 = time.perf_counter()
                net.train()
                perm = torch.randperm(n, generator=gen, device=gen.device)
                loss_sum = torch.zeros((), device=device)
                worst = torch.zeros((), device=device)  # largest |batch loss|
                first = None
                metric_sum = torch.zeros((), device=device)  # float32: MPS has no f64
                metric_count = 0
                seen = 0
                lr_used = None
                batches = [
                    perm[b * bs : (b + 1) * bs] for b in range(steps_per_epoch - 1)
                ]
                batches.append(perm[(steps_per_epoch - 1) * bs :])  # may hold bs+1
                source = (
                    loader(batches)
                    if files
                    else self._iter_batches(X_all, targets, batches, on_device)
                )
                for xb, *tb in source:
                    if not on_device:
                        xb = xb.to(device, non_blocking=True)
                        tb = [t.to(device, non_blocking=True) for t in tb]
                    tb = tuple(tb)
                    if sched not in ("constant", "plateau"):
                        lr_now = self.learning_rate_init * schedule_factor(
                            sched, step / total
                        )
                        for group in opt.param_groups:
                            group["lr"] = lr_now
                    if lr_probe is not None:
                        for group in opt.param_groups:
                            group["lr"] = lr_probe.next_rate()
                    if lr_used is None:  # the epoch's first learning rate
                        lr_used = opt.param_groups[0]["lr"]
                    if augmenter:
                        xb, tb = self._augment_batch(augmenter, xb, tb)
                    if fmt is not None:
                        xb = xb.contiguous(memory_format=fmt)
                    with self._autocast():
                        out = train_net(xb)
                        loss = self._batch_loss(out, tb)
                    if lr_probe is not None:
                        lr_probe.record(float(loss.detach()))
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    step += 1
                    batch_loss = loss.detach().float()
                    if record_batches:
                        batch_losses.append(batch_loss)  # read at the end: no sync
                    if first_loss is None and first is None:
                        first = batch_loss.abs()
                    # NaN propagates through maximum: read once per epoch.
                    worst = torch.maximum(worst, batch_loss.abs())
                    loss_sum += batch_loss * len(xb)
                    seen += len(xb)
                    metric = self._batch_metric(out, tb)
                    if metric is not None:
                        metric_sum += metric[0]
                        metric_count = metric_count + metric[1]  # no device sync
                train_loss = float(loss_sum) / seen
                metric_count = float(metric_count)
                record = {
                    "epoch": len(self.history_) + 1,
                    "train_loss": train_loss,
                    f"train_{name}": (
                        float(metric_sum) / metric_count
                        if metric_count
                        else float("nan")
                    ),
                    "valid_loss": float("nan"),
                    f"valid_{name}": float("nan"),
                    "lr": float(lr_used),
                }
                if first_loss is None:
                    first_loss = self._first_loss = float(first)
                state = self._snapshot(net)
                bad = self._divergent_loss(
                    net, state, float(worst), first_loss, check_batch
                )
                if bad is not None:
                    # With early stopping the best validated weights are kept;
                    # otherwise those of the last complete epoch that passed.
                    self._restore(
                        net, best_state if best_state is not None else last_good
                    )
                    self.module_ = net.eval()
                    raise divergence_error(
                        self.learning_rate_init,
                        record["epoch"],
                        bad,
                        kept=(
                            "the best validated weights were kept"
                            if best_state is not None
                            else "the last finite weights (parameters and buffers) "
                            "were kept"
                        ),
                    )
                last_good = state
                if valid is not None:
                    vl, vs = self._validation_metrics(net, valid[0], valid[1])
                    record["valid_loss"], record[f"valid_{name}"] = vl, vs
                record["seconds"] = time.perf_counter() - t0
                self.history_.append(record)
                self.n_iter_ += 1
                if plateau is not None:
                    key = "valid_loss" if valid is not None else "train_loss"
                    plateau.step(record[key])
                if bar is not None:
                    bar.set_postfix(
                        loss=f"{train_loss:.3f}",
                        **{name: f"{record[f'train_{name}']:.3f}"},
                    )
                    bar.update(1)
                if use_valid:
                    score = record[f"valid_{name}"]
                    if score > best_score + self.tol:
                        best_score, no_improve = score, 0
                        best_state = last_good
                        self.best_epoch_ = record["epoch"]
                    else:
                        no_improve += 1
                        if no_improve >= self.n_iter_no_change:
                            break
                else:
                    self.best_epoch_ = record["epoch"]
        except KeyboardInterrupt:
            self.interrupted_ = True
            warn_interrupted(
                self.n_iter_,
                "epochs",
                "the model keeps the best (or last complete-epoch) weights",
            )
            if best_state is None:
                self._restore(net, last_good)
        finally:
            if bar is not None:
                bar.close()
            if loader is not None:
                loader.close()
            for column, cache in caches:
                column.cache = None
                cache.close()
        if best_state is not None:
            self._restore(net, best_state)
        self.module_ = net.eval()
        if record_batches:  # warm starts and partial_fit append, as in _optim
            earlier = getattr(self, "batch_loss_curve_", None) or []
            new = torch.stack(batch_losses).cpu().tolist() if batch_losses else []
            self.batch_loss_curve_ = earlier + new
        else:
            self.batch_loss_curve_ = None
        self.loss_curve_ = [h["train_loss"] for h in self.history_]
        self.validation_scores_ = [
            h[f"valid_{name}"] for h in self.history_ if valid is not None
        ]
        return self

    def _divergent_loss(self, net, state, worst, first_loss, probe):
        """Return the loss that shows an epoch diverged, or None if it did not.

        The epoch diverged (:func:`skcv._optim._loop.is_divergent`) when its
        largest batch loss ``worst`` is NaN/inf or explosive, when a parameter or
        buffer of ``state`` (the weights it ends with) is not finite (reported as
        an infinite loss), or when those weights, in eval mode as ``predict``
        uses them, give a NaN/inf or explosive loss on the ``probe`` batch.
        """
        if is_divergent(worst, first_loss):
            return worst
        if not _finite(state):
            return np.inf
        out = self._forward_batches(net, probe[0])
        with torch.no_grad():
            targets = tuple(t.to(self.device_) for t in probe[1])
            loss = float(self._batch_loss(out, targets))
        return loss if is_divergent(loss, first_loss) else None

    def _iter_batches(self, X, targets, batches, on_device):
        """Yield ``(X[idx], *targets[idx])``; through DataLoader workers if asked."""
        if on_device or self.num_workers == 0:
            for idx in batches:
                yield (X[idx], *(t[idx] for t in targets))
            return
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(X, *targets),
            batch_size=None,
            sampler=[idx.tolist() for idx in batches],
            num_workers=self.num_workers,
            pin_memory=torch.cuda.is_available(),
        )
        yield from loader

    @staticmethod
    def _snapshot(net):
        return {k: v.detach().clone() for k, v in net.state_dict().items()}

    @staticmethod
    def _restore(net, state):
        net.load_state_dict(state)

    @with_threads
    @torch.no_grad()
    def _forward_batches(self, net, X: torch.Tensor, batch_size=None, reduce=None):
        """Float32 outputs of ``net`` on ``X`` (NCHW, CPU or device), in batches.

        Returns a tensor, or a tuple of tensors for a network with several heads,
        concatenated over the batches (default ``batch_size``:
        ``max(self.batch_size, 256)``). With ``reduce``, each batch's output is
        passed to ``reduce(start, out)`` (``start``: index of the batch's first
        sample in ``X``) and dropped, and None is returned: dense outputs (a score
        per pixel) never pile up on the device.
        """
        was_training = net.training
        net.eval()
        dev = follow_device(self, net)
        fmt = torch.channels_last if self._use_channels_last() else None
        bs = batch_size or max(self.batch_size, 256)
        if isinstance(X, FileColumn):  # decoded by the DataLoader workers
            parts = chunks(len(X), bs)
            source = zip(
                (p.start for p in parts), self._file_batches((X,), parts), strict=True
            )
            source = ((start, xb) for start, (xb,) in source)
        else:
            source = ((s, X[s : s + bs]) for s in range(0, len(X), bs))
        outs = []
        try:
            for start, xb in source:
                xb = xb.to(dev)
                if fmt is not None:
                    xb = xb.contiguous(memory_format=fmt)
                with self._autocast():
                    out = _as_float(net(xb))
                if reduce is None:
                    outs.append(out)
                else:
                    reduce(start, out)
        finally:
            net.train(was_training)
        return _cat_outputs(outs) if reduce is None else None

    # ------------------------------------------------------------------ pickle
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("optimizer_", None)
        net = state.get("module_")
        if net is not None and next(iter(net.parameters())).device.type != "cpu":
            state["module_"] = copy.deepcopy(net).to("cpu")
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "module_" in state:
            self.optimizer_ = None
            self.device_ = "cpu"
