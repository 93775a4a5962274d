"""CNNClassifier: the course's convolutional networks as a scikit-learn classifier."""

from __future__ import annotations

import contextlib
import copy
import math
import warnings
import zipfile
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.metaestimators import available_if
from torch import nn

from skcv._optim._losses import log_softmax, softmax
from skcv.base import ImageInputMixin
from skcv.cnn._architectures import MODULES, build_module
from skcv.cnn._engine import (
    TRAINING_CONSTRAINTS,
    TorchTrainerMixin,
    register_normalization,
)
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted

__all__ = ["AUTO_PARAMS", "PRESETS", "CNNClassifier", "auto_recipe"]

#: Hyperparameter bundles for :meth:`CNNClassifier.from_preset`.
PRESETS = {
    "fast": {
        "module": "fast",
        "epochs": 10,
        "batch_size": 256,
        "solver": "nesterov",
        "learning_rate_init": 0.2,
        "momentum": 0.9,
        "weight_decay": 5e-4,
        "lr_schedule": "onecycle",
        "label_smoothing": 0.2,
        "augment": "fast",
    },
}

_AUX_WEIGHT = 0.3  # weight of auxiliary classifier losses (GoogLeNet paper)

#: Parameters whose default ``"auto"`` :func:`auto_recipe` resolves at fit.
AUTO_PARAMS = (
    "module",
    "epochs",
    "batch_size",
    "solver",
    "learning_rate_init",
    "lr_schedule",
    "label_smoothing",
    "augment",
)
#: Largest image side that gets the small-image recipe (FastNet).
_SMALL_IMAGE = 64
#: The values "auto" meant before ``module="auto"`` existed: what an explicit
#: ``module`` still gets, so code that names its network trains as it did.
_CLASSIC = {
    "epochs": 10,
    "batch_size": 128,
    "solver": "sgd",
    "learning_rate_init": 0.01,
    "lr_schedule": "cosine",
    "label_smoothing": 0.0,
    "augment": None,
}


def cpu_has_fast_bf16() -> bool:
    """Return True when this CPU multiplies bfloat16 matrices natively (AMX).

    There a bf16 matrix product ran 6.9x faster than a float32 one (510 vs 74
    GFLOP/s, one thread, ``bench_cnn.py --part time-to-accuracy``) and a fast
    preset fit about 2x faster, with the same accuracy (0.541 vs 0.532 on
    10,000 CIFAR-10 images, 2 epochs).
    """
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    try:
        return all(getattr(torch.cpu, name)() for name in checks)
    except (AttributeError, RuntimeError):
        return False


def auto_recipe(
    params: dict, image_shape: tuple, device: str, n_samples: int = 50_000
) -> dict:
    """Resolve the ``"auto"`` parameters of a :class:`CNNClassifier`.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params()``.
    image_shape : tuple of int
        ``(H, W)`` or ``(H, W, C)`` of the training images.
    device : str
        The resolved training device.
    n_samples : int, default=50_000
        Number of training images.

    Returns
    -------
    recipe : dict
        Every parameter of :data:`AUTO_PARAMS` plus ``module_params`` and
        ``precision``, with ``"auto"`` replaced (explicit values are kept).

    Notes
    -----
    ``module="auto"`` picks :class:`~skcv.cnn.FastNet` with the ``"fast"``
    preset's recipe for images of at most 64 pixels a side (8 epochs on a CPU,
    10 on a GPU, where it also gets airbench's widths 64/256/256). Its batch is
    256 (the preset's) but at most a sixteenth of the training set, in powers of
    two from 32, so small sets still get 16 steps per epoch; the learning rate
    follows the batch linearly (0.2 at 256). Grey images (one channel: often
    digits or text, which a mirror changes) get a translation only and no
    test-time flip. Larger images get ResNet-18 with He et al.'s recipe (batch
    128, Nesterov SGD at 0.1, flip + pad-4 crop) with a one-cycle schedule and
    label smoothing 0.1. With an explicit ``module`` the other ``"auto"``
    values are the classic defaults (10 epochs, batch 128, SGD at 0.01, cosine
    schedule, no label smoothing, no augmentation). ``module="auto"`` on a CPU
    with native bfloat16 matrix units (AMX) trains with bf16 autocast
    (:func:`cpu_has_fast_bf16`); ``precision="auto"`` otherwise keeps its
    meaning (bf16 on CUDA, float32 on other CPUs).

    Examples
    --------
    >>> from skcv.cnn import CNNClassifier
    >>> from skcv.cnn._classifier import auto_recipe
    >>> r = auto_recipe(CNNClassifier().get_params(), (32, 32, 3), "cpu")
    >>> r["module"], r["epochs"], r["batch_size"], r["learning_rate_init"]
    ('fast', 8, 256, 0.2)
    """

    def auto(name):
        value = params[name]
        return isinstance(value, str) and value == "auto"

    side = max(image_shape[:2])
    grey = len(image_shape) == 2 or image_shape[2] == 1
    cuda = str(device).startswith("cuda")
    module_params = params["module_params"]
    if params["module"] != "auto":
        base = {"module": params["module"], **_CLASSIC}
    elif side <= _SMALL_IMAGE:
        base = {k: v for k, v in PRESETS["fast"].items() if k in AUTO_PARAMS}
        base["epochs"] = 10 if cuda else 8
        fit_batch = 2 ** int(np.log2(max(n_samples // 16, 1)))
        base["batch_size"] = int(np.clip(fit_batch, 32, 256))
        batch = base["batch_size"] if auto("batch_size") else params["batch_size"]
        base["learning_rate_init"] = PRESETS["fast"]["learning_rate_init"] * (
            batch / PRESETS["fast"]["batch_size"]
        )
        if grey:
            base["augment"] = [("translate", {"padding": max(1, side // 16)})]
        if module_params is None and (grey or cuda):
            module_params = {"tta": not grey}
            if cuda:
                module_params["widths"] = (64, 256, 256)
    else:
        base = {
            "module": "resnet18",
            "epochs": 10,
            "batch_size": 128,
            "solver": "nesterov",
            "learning_rate_init": 0.1,
            "lr_schedule": "onecycle",
            "label_smoothing": 0.1,
            "augment": "translate" if grey else "standard",
        }
    recipe = {k: base[k] if auto(k) else params[k] for k in AUTO_PARAMS}
    recipe["module_params"] = module_params
    precision = params["precision"]
    if params["module"] == "auto" and precision == "auto" and not cuda:
        precision = "bf16" if cpu_has_fast_bf16() else "float32"
    recipe["precision"] = precision
    return recipe


#: The entries :meth:`CNNClassifier.save_checkpoint` writes, and their types.
_CHECKPOINT_ENTRIES = {
    "state_dict": dict,
    "classes": list,
    "classes_dtype": str,
    "image_shape": list,
    "history": list,
    "best_epoch": int,
}


def _check_zip(path) -> None:
    """Refuse what is not the zip file ``torch.save`` writes, before torch reads it.

    ``torch.save`` stores its records uncompressed; a record that claims more
    bytes than the file holds (or compression, a zip bomb) is refused, so that
    reading it cannot allocate more memory than the file's size.
    """
    path = Path(path)
    if not path.is_file():
        return  # torch.load raises FileNotFoundError (or reads a directory)
    size = path.stat().st_size
    problem = "the file is empty" if size == 0 else None
    if problem is None and not zipfile.is_zipfile(path):
        problem = "not the zip file torch.save writes (truncated or another format)"
    if problem is None:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.compress_type != zipfile.ZIP_STORED or info.file_size > size:
                    problem = (
                        f"the record {info.filename!r} claims {info.file_size} bytes"
                        f" (compression {info.compress_type}) in a file of {size}"
                    )
                    break
    if problem is not None:
        raise ValueError(
            f"{path} is not a readable CNNClassifier checkpoint ({problem}); "
            "save_checkpoint writes it with torch.save."
        )


def _read_checkpoint(path) -> dict:
    """``torch.load(path, weights_only=True)``, every entry checked.

    Any file that is not a complete, finite checkpoint written by
    ``save_checkpoint`` raises a ValueError that names ``path`` and the problem.
    """
    _check_zip(path)
    try:
        with warnings.catch_warnings():
            # torch's remark on the pickle protocol of a non-zip file: such a
            # file is checked like any other below.
            warnings.filterwarnings(
                "ignore", "Detected pickle protocol", category=UserWarning
            )
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # empty, truncated, not torch's format, unsafe
        # torch's own first sentence suggests weights_only=False: keep the cause.
        lines = [
            ln.strip()
            for ln in str(exc).splitlines()
            if ln.strip()
            and "Weights only load failed" not in ln
            and not ln.startswith("Check the documentation")
        ] or [""]
        why = next((ln for ln in lines if "GLOBAL" in ln.upper()), lines[0])
        why = why.split(" Please use ")[0]  # not: how to allowlist the global
        raise ValueError(
            f"{path} is not a readable CNNClassifier checkpoint "
            f"({type(exc).__name__}: {why}); it is read with "
            "torch.load(weights_only=True), which refuses anything but tensors "
            "and plain containers."
        ) from exc

    def bad(problem):
        return ValueError(f"{path} is not a valid CNNClassifier checkpoint: {problem}.")

    if not isinstance(ckpt, dict):
        raise bad(f"it holds a {type(ckpt).__name__}, not a dict")
    for key, kind in _CHECKPOINT_ENTRIES.items():
        if key not in ckpt:
            raise bad(f"the entry {key!r} is missing")
        if not isinstance(ckpt[key], kind) or isinstance(ckpt[key], bool):
            raise bad(
                f"{key!r} must be of type {kind.__name__}, "
                f"got {type(ckpt[key]).__name__}"
            )
    state = ckpt["state_dict"]
    for key in ("mean", "inv_std"):
        if key not in state:
            raise bad(f"the entry 'state_dict' lacks {key!r} (the input normalisation)")
    if not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise bad("'state_dict' must hold tensors only")
    if not all(
        torch.isfinite(v).all() for v in state.values() if v.is_floating_point()
    ):
        raise bad("'state_dict' holds NaN or infinite weights")
    shape = ckpt["image_shape"]
    if len(shape) not in (2, 3) or not all(type(d) is int and d > 0 for d in shape):
        raise bad(
            f"'image_shape' must be [H, W] or [H, W, C] of positive ints; got {shape}"
        )
    n_channels = shape[2] if len(shape) == 3 else 1
    if not state["mean"].numel() == state["inv_std"].numel() == n_channels:
        raise bad(f"'mean' and 'inv_std' must hold {n_channels} channel values")
    try:
        dtype = np.dtype(ckpt["classes_dtype"])
        if dtype.kind not in "biufUSO" or dtype.itemsize > 4096:
            raise TypeError(f"dtype {dtype} is not one of class labels")
        classes = np.asarray(ckpt["classes"], dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise bad(
            f"'classes' with 'classes_dtype' do not make class labels ({exc})"
        ) from exc
    if classes.ndim != 1 or len(classes) < 2:
        raise bad(
            f"'classes' must list at least 2 class labels; got {ckpt['classes']!r}"
        )
    for record in ckpt["history"]:
        if not isinstance(record, dict) or not all(
            isinstance(record.get(k), (int, float))
            for k in ("train_loss", "valid_accuracy")
        ):
            raise bad(
                "each 'history' record must hold 'train_loss' and 'valid_accuracy'"
            )
    snapshots = ckpt.get("snapshots", [])  # optional: a snapshot ensemble's members
    if not isinstance(snapshots, list):
        raise bad(f"'snapshots' must be a list, got {type(snapshots).__name__}")
    for i, snap in enumerate(snapshots):
        if (
            not isinstance(snap, dict)
            or snap.keys() != state.keys()
            or not all(
                isinstance(v, torch.Tensor) and v.shape == state[k].shape
                for k, v in snap.items()
            )
        ):
            raise bad(f"'snapshots'[{i}] must be a state dict shaped like 'state_dict'")
        if not all(
            torch.isfinite(v).all() for v in snap.values() if v.is_floating_point()
        ):
            raise bad(f"'snapshots'[{i}] holds NaN or infinite weights")
    return ckpt


class _Network(nn.Module):
    """Per-channel normalisation, zero padding of tiny images, then the body."""

    def __init__(self, body, mean, std, min_size):
        super().__init__()
        self.body = body
        register_normalization(self, mean, std)
        self.min_size = int(min_size)

    def forward(self, x):
        x = (x - self.mean) * self.inv_std
        h, w = x.shape[-2:]
        if h < self.min_size or w < self.min_size:
            ph, pw = max(self.min_size - h, 0), max(self.min_size - w, 0)
            x = F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))
        return self.body(x)


class CNNClassifier(TorchTrainerMixin, ImageInputMixin, ClassifierMixin, BaseEstimator):
    """Convolutional neural network classifier trained with ``torch``.

    Parameters
    ----------
    module : "auto", str, nn.Module subclass or nn.Module, default="auto"
        The network. ``"auto"`` (see Notes) picks it with the training recipe
        from the images and the device: the fast recipe for small images, so
        that a default fit is good and quick (>= 0.85 test accuracy on CIFAR-10
        within 10 minutes on a 2-core CPU is the goal; the previous default,
        ResNet-18 for 10 epochs, took hours there). Otherwise a name
        (``"simple"``, ``"lenet5"``, ``"alexnet"``, ``"zfnet"``, ``"vgg11"`` ...
        ``"vgg19"``, ``"vgg16_bn"``, ``"googlenet"``, ``"resnet"`` (=
        resnet18), ``"resnet18"``, ``"resnet34"``, ``"resnet50"``,
        ``"resnet20"``, ``"resnet56"``, ``"fast"``), an ``nn.Module`` subclass
        (constructed with ``module_params`` plus ``in_channels``, ``n_classes``
        and ``input_size`` when its ``__init__`` accepts them), or an instance
        (deep-copied at fit).
    module_params : dict, default=None
        Extra arguments of the network's constructor (e.g. ``{"width": 0.5}``,
        ``{"batch_norm": True}``, ``{"aux_classifiers": True}``).
    epochs : int or "auto", default="auto"
        Passes over the training data. "auto": 8 for the small-image recipe on
        a CPU (0.864 on CIFAR-10 after 8 epochs, measured), 10 otherwise.
    batch_size : int or "auto", default="auto"
        Images per gradient step. "auto": for the small-image recipe 256 (the
        fast preset's: large enough to keep the CPU's matrix units busy) but at
        most a sixteenth of the training set (from 32, in powers of two), so a
        small set still gets 16 steps per epoch; 128 otherwise.
    solver : {"auto", "sgd", "nesterov", "adam", "adamw"}, default="auto"
        ``torch.optim`` optimiser (SGD with momentum, SGD with Nesterov momentum,
        Adam with L2 penalty, AdamW with decoupled weight decay). "auto":
        ``"nesterov"`` with ``module="auto"`` (the speed-run recipes' choice),
        ``"sgd"`` with an explicit module.
    learning_rate_init : float or "auto", default="auto"
        Peak learning rate. "auto": for the small-image recipe 0.2 at batch 256,
        scaled linearly with the batch; 0.1 for ResNet-18 at batch 128 (He et
        al.); 0.01 with an explicit module (safe for networks without batch
        normalisation).
    momentum : float, default=0.9
        Momentum of the SGD solvers (beta1 of Adam/AdamW).
    weight_decay : float, default=5e-4
        L2 penalty (decoupled for ``"adamw"``).
    lr_schedule : {"auto", "constant", "step", "cosine", "onecycle", "plateau"}, \
            default="auto"
        Per-step schedule: step divides by 10 at 50% and 75% of training, cosine
        anneals to 0, onecycle warms up linearly over the first 20% then decays
        linearly to 0, plateau divides by 10 when the validation (or training)
        loss stops improving for ``n_iter_no_change`` epochs. "auto":
        ``"onecycle"`` with ``module="auto"`` (the warm-up lets the large rates
        start safely), ``"cosine"`` with an explicit module.
    label_smoothing : float or "auto", default="auto"
        Weight of the uniform distribution mixed into the one-hot targets.
        "auto": 0.2 for the small-image recipe (the fast preset's), 0.1 for
        ResNet-18, 0 with an explicit module.
    augment : None, "auto", str or list, default="auto"
        Training-time augmentation run on the training device, batch by batch:
        None, ``"flip"``, ``"standard"`` (flip + pad-4 crop), ``"fast"`` (flip +
        2-pixel translate), or a list of op names or ``(name, params)`` pairs from
        ``"flip"``, ``"translate"``, ``"crop"``, ``"resized_crop"``,
        ``"color_jitter"``. "auto": ``"fast"`` for colour images and a
        translation only for grey ones (digits and text change under a mirror)
        with ``module="auto"``; None with an explicit module.
    normalize : bool, default=True
        Standardise each channel with the training mean and standard deviation.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        accuracy has not improved by ``tol`` for ``n_iter_no_change`` epochs and
        restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    n_iter_no_change : int, default=5
        Patience in epochs (early stopping and the plateau schedule).
    tol : float, default=1e-4
        Minimum improvement of the validation accuracy.
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Training device; "auto" picks CUDA when available. Resolved to
        ``device_`` in ``fit``.
        Set it on a fitted model (``set_params(device="cpu")``) to move the
        network there for prediction; "auto" leaves it where it is.
    precision : {"auto", "float32", "bf16"}, default="auto"
        "auto" uses bfloat16 autocast on CUDA and float32 on the CPU, except
        with ``module="auto"`` on a CPU with native bf16 matrix units (AMX),
        where bf16 trained about 2x faster at the same accuracy.
    channels_last : bool or "auto", default="auto"
        NHWC memory format for convolutions ("auto": on; measured ~1.5x faster
        with oneDNN on CPU as well as on CUDA).
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
    image_size : int or tuple of (int, int), default=None
        Size policy for file paths (the fourth input form of :mod:`skcv.base`):
        the ``(height, width)`` every file is brought to while it is decoded, so
        a folder of photographs of many sizes trains one network. Needs
        ``resize``.
    resize : {"stretch", "crop", "pad"} or None, default=None
        How files reach ``image_size`` (:func:`skcv.io.imread`): "stretch"
        ignores the aspect ratio, "crop" covers and crops the centre, "pad" fits
        inside and pads with zeros. None: files must already share one size.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, data order, dropout, augmentation and the
        validation split (torch and numpy).
    verbose : int, default=0
        Show a tqdm progress bar over epochs.
    warm_start : bool, default=False
        Continue training the fitted network in ``fit``.
    snapshot_ensemble : int, default=None
        Snapshot ensemble of this many members (Huang et al., 2017): the
        ``epochs`` are split into ``snapshot_ensemble`` cycles, each running
        ``lr_schedule`` from ``learning_rate_init`` down again (with "cosine":
        cosine annealing with warm restarts), the weights at the end of every
        cycle are kept in ``snapshots_`` and the predicted probabilities are
        the average of the snapshots' softmax outputs: one training budget, an
        ensemble of models. Each cycle starts with a fresh optimiser state.
        None trains one model.
    snapshot_cycles : int, default=None
        Cycles of the schedule for a snapshot ensemble, of which only the last
        ``snapshot_ensemble`` snapshots are kept (Huang et al. average the last
        ones: the early cycles give the weakest members). None runs one cycle
        per member. Needs ``snapshot_ensemble``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    module_ : nn.Module
        The trained network (normalisation included), in evaluation mode.
    recipe_ : dict
        The values the ``"auto"`` parameters (and ``module_params``,
        ``precision``) resolved to.
    device_ : str
        The device used.
    batch_loss_curve_ : list of float or None
        Every minibatch's training loss of the last fit with
        ``record_batches=True``, else None.
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss``, ``train_accuracy``, ``valid_loss``,
        ``valid_accuracy`` (NaN without validation), ``lr``, ``seconds``.
    loss_curve_ : list of float
        Training loss per epoch.
    validation_scores_ : list of float
        Validation accuracy per epoch (early stopping only).
    best_epoch_ : int
        Epoch (1-based) whose weights were kept.
    n_iter_ : int
        Epochs trained.
    interrupted_ : bool
        True when training was stopped by KeyboardInterrupt.
    snapshots_ : list of dict
        With ``snapshot_ensemble``: the state dicts (CPU tensors) of the
        ensemble's members, oldest first; ``module_`` holds the last one.
    mean_, std_ : ndarray of shape (n_channels,)
        Normalisation statistics.
    image_shape_ : tuple of int
        Shape of one training image.
    n_features_in_ : int
        Values per image.

    Notes
    -----
    Training, as the course teaches it:

    1. images are standardised per channel and fed through the network in
       mini-batches of ``batch_size`` shuffled images, each augmented on the
       device;
    2. the loss is the softmax cross-entropy (with label smoothing) of the
       class scores, plus 0.3 times the losses of auxiliary classifiers;
    3. back-propagation gives the gradients and the optimiser updates the
       weights, with the learning rate set by the schedule at every step;
    4. after each epoch the validation accuracy decides early stopping, and the
       best weights are restored at the end.

    ``module="auto"`` resolves, with :func:`auto_recipe`, from the training
    images' size and the device: images of at most 64 pixels a side get
    :class:`~skcv.cnn.FastNet` (whitened first layer, test-time flip) with the
    ``"fast"`` preset's recipe (airbench-style: Nesterov SGD, one-cycle
    schedule, label smoothing, flip + translate); on a GPU with airbench's
    widths 64/256/256. Larger images get ResNet-18 with He et al.'s batch and
    rate, one-cycle, label smoothing 0.1 and flip + crop. The channel count
    sets the first layer's width either way. Explicit values always win.

    A non-finite loss stops training, restores the last finite weights and
    raises a ``ValueError`` naming ``learning_rate_init``. Pickling stores CPU
    weights, so a model trained on a GPU unpickles on a machine without one.

    References
    ----------
    .. [1] LeCun, Y., Bottou, L., Bengio, Y., Haffner, P. (1998). Gradient-based
       learning applied to document recognition. Proc. IEEE 86(11).
       :doi:`10.1109/5.726791`
    .. [2] He, K., Zhang, X., Ren, S., Sun, J. (2016). Deep residual learning for
       image recognition. CVPR. :doi:`10.1109/CVPR.2016.90`
    .. [3] Jordan, K. (2024). 94% on CIFAR-10 in 3.29 seconds on a single GPU.
       arXiv:2404.00498.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcv.cnn import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(module="simple", epochs=3, batch_size=32, solver="adam",
    ...                     image_shape=(8, 8), random_state=0)
    >>> clf.fit(X[:500] / 16, y[:500]).score(X[500:700] / 16, y[500:700]) > 0.8
    True
    """

    _parameter_constraints = {
        **TRAINING_CONSTRAINTS,
        "module": [StrOptions({"auto", *MODULES}), type, nn.Module],
        **{
            k: [*TRAINING_CONSTRAINTS[k], StrOptions({"auto"})]
            for k in AUTO_PARAMS
            if k in TRAINING_CONSTRAINTS
        },
        "module_params": [dict, None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "normalize": ["boolean"],
        "image_shape": [None, tuple, list],
        "image_size": [None, Interval(Integral, 1, None, closed="left"), tuple, list],
        "resize": [None, StrOptions({"stretch", "crop", "pad"})],
        "snapshot_ensemble": [None, Interval(Integral, 1, None, closed="left")],
        "snapshot_cycles": [None, Interval(Integral, 1, None, closed="left")],
    }
    _metric_name = "accuracy"
    _stratify_validation = True

    def __init__(
        self,
        module="auto",
        module_params=None,
        epochs="auto",
        batch_size="auto",
        solver="auto",
        learning_rate_init="auto",
        momentum=0.9,
        weight_decay=5e-4,
        lr_schedule="auto",
        label_smoothing="auto",
        augment="auto",
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
        image_size=None,
        resize=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        snapshot_ensemble=None,
        snapshot_cycles=None,
    ):
        self.module = module
        self.module_params = module_params
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
        self.image_size = image_size
        self.resize = resize
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.snapshot_ensemble = snapshot_ensemble
        self.snapshot_cycles = snapshot_cycles

    @classmethod
    def from_preset(cls, name: str, **params) -> CNNClassifier:
        """Return a classifier configured with a preset, overridden by ``params``.

        Parameters
        ----------
        name : {"fast"}
            ``"fast"``: the CPU-friendly recipe for 32x32 images (whitened
            :class:`~skcv.cnn.FastNet`, Nesterov SGD with a one-cycle schedule,
            label smoothing 0.2, flip + translate, test-time flip).
        **params
            Any constructor parameter.

        Returns
        -------
        clf : CNNClassifier

        Examples
        --------
        >>> from skcv.cnn import CNNClassifier
        >>> CNNClassifier.from_preset("fast", epochs=2).get_params()["solver"]
        'nesterov'
        """
        if name not in PRESETS:
            raise ValueError(f"name must be one of {sorted(PRESETS)}; got {name!r}.")
        return cls(**{**PRESETS[name], **params})

    def _loss(self, out, target):
        if isinstance(out, (tuple, list)):
            loss = self._loss(out[0], target)
            for aux in out[1:]:
                loss = loss + _AUX_WEIGHT * self._loss(aux, target)
            return loss
        return F.cross_entropy(
            out.float(), target, label_smoothing=float(self.label_smoothing)
        )

    def _batch_loss(self, out, targets):
        return self._loss(out, targets[0])

    def _batch_metric(self, out, targets):
        main = out[0] if isinstance(out, (tuple, list)) else out
        return (main.detach().argmax(1) == targets[0]).sum(), len(targets[0])

    def _validation_metrics(self, net, X, targets):
        logits = self._forward_batches(net, X)
        y = targets[0].to(logits.device)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
        return loss, acc

    # -------------------------------------------------------------- training
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on images ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or list of images
            Training images (uint8 scaled to [0, 1]), or image file paths,
            decoded batch by batch while training (``num_workers``, size policy
            ``image_size`` + ``resize``).
        y : array-like of shape (n,)
            Class labels.

        Returns
        -------
        self : CNNClassifier
        """
        warm = self.warm_start and hasattr(self, "module_")
        return self._fit(X, y, epochs=None, reset=not warm, partial=False)

    def _single_model(self):
        if self.snapshot_ensemble is not None:
            raise AttributeError(
                "partial_fit trains one model and takes no snapshots: it is not "
                "available with snapshot_ensemble set."
            )
        return True

    @available_if(_single_model)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch on ``(X, y)``, keeping the current weights.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.
        y : array-like of shape (n,)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            All classes; required on the first call if ``y`` may not hold them
            all. Ignored afterwards.

        Returns
        -------
        self : CNNClassifier

        Notes
        -----
        ``partial_fit`` uses ``learning_rate_init`` without a schedule (a schedule
        needs the total number of epochs) and no early stopping. It is not
        available with ``snapshot_ensemble``.
        """
        first = not hasattr(self, "module_")
        return self._fit(X, y, epochs=1, reset=first, partial=True, classes=classes)

    def _fit(self, X, y, *, epochs, reset, partial, classes=None):
        y = self._check_class_labels(y)
        images = self._validate_images(X, reset=reset)
        if len(images) != len(y):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {len(images)} and "
                f"{len(y)}."
            )
        if reset:
            labels = np.unique(y) if classes is None else np.unique(classes)
            if partial and classes is not None and not np.isin(y, labels).all():
                raise ValueError(
                    "y holds labels that are not in classes="
                    f"{labels.tolist()}; got {np.setdiff1d(y, labels).tolist()}."
                )
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes "
                    f"in y; got 1 class ({labels[0]!r})."
                )
            self.classes_ = labels
        elif not np.isin(y, self.classes_).all():
            raise ValueError(
                f"y holds labels {np.setdiff1d(y, self.classes_).tolist()} that were "
                f"not seen in the first fit; classes_ is {self.classes_.tolist()}."
            )
        y_idx = np.searchsorted(self.classes_, y).astype(np.int64)

        recipe = auto_recipe(
            self.get_params(deep=False),
            images.shape[1:],
            self._resolve_device(),
            n_samples=len(images),
        )
        if not reset and hasattr(self, "recipe_"):
            # A warm start keeps the fitted network; parameters changed since
            # (set_params(learning_rate_init=...), epochs) take effect.
            for key in ("module", "module_params"):
                recipe[key] = self.recipe_[key]
        self.recipe_ = recipe
        with self._recipe():
            epochs = self.epochs if epochs is None else epochs
            cycles = self._snapshot_cycles(epochs, partial)
            seed, rng = self._start_fit(reset)
            with self._torch_seed(seed):
                if reset:
                    self._init_network(images, seed)
                X_t, targets = self._to_tensor(images), (torch.from_numpy(y_idx),)
                if cycles is None:
                    self.__dict__.pop("snapshots_", None)
                    return self._train_network(
                        X_t, targets, epochs=epochs, partial=partial, seed=seed,
                        rng=rng,
                    )  # fmt: skip
                return self._train_snapshots(X_t, targets, cycles, seed, rng)

    def _train_snapshots(self, X_t, targets, cycles, seed, rng):
        """One scheduled run per cycle; the end of each is a member."""
        self.snapshots_ = []
        for i, cycle_epochs in enumerate(cycles):
            cycle_seed = seed if i == 0 else int(rng.randint(2**31 - 1))
            self._train_network(
                X_t,
                targets,
                epochs=cycle_epochs,
                partial=False,
                seed=cycle_seed,
                rng=rng,
            )
            state = self.module_.state_dict()
            self.snapshots_.append(
                {k: v.detach().cpu().clone() for k, v in state.items()}
            )
            del self.snapshots_[: -self.snapshot_ensemble]  # keep the last k
            if self.interrupted_:
                break
        return self

    @contextlib.contextmanager
    def _recipe(self):
        """Inside the block, the ``"auto"`` parameters hold ``recipe_``'s values.

        The engine reads the training parameters from the estimator; they are
        put back on exit (also on errors), so ``get_params`` never changes.
        """
        recipe = getattr(self, "recipe_", {})
        saved = {k: self.__dict__[k] for k in recipe}
        self.__dict__.update(recipe)
        try:
            yield
        finally:
            self.__dict__.update(saved)

    def get_snapshot(self, index: int = -1) -> CNNClassifier:
        """Return one member of the snapshot ensemble as a fitted single model.

        Parameters
        ----------
        index : int, default=-1
            Position in ``snapshots_`` (0: the end of the first cycle, -1: the
            last, whose weights ``module_`` holds).

        Returns
        -------
        member : CNNClassifier
            A copy with the member's weights, ``snapshot_ensemble=None``,
            ``snapshot_cycles=None`` and no
            ``snapshots_``: it predicts with that member alone.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skcv.cnn import CNNClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = CNNClassifier(module="simple", epochs=2, snapshot_ensemble=2,
        ...                     image_shape=(8, 8), random_state=0)
        >>> clf = clf.fit(X[:200] / 16, y[:200])
        >>> first = clf.get_snapshot(0)
        >>> first.snapshot_ensemble is None, hasattr(first, "snapshots_")
        (True, False)
        """
        check_is_fitted(self, "module_")
        snapshots = getattr(self, "snapshots_", None)
        if not snapshots:
            raise ValueError(
                "This CNNClassifier has no snapshots: fit it with snapshot_ensemble."
            )
        if not -len(snapshots) <= index < len(snapshots):
            raise IndexError(
                f"index={index} is out of range for {len(snapshots)} snapshots."
            )
        del self.snapshots_  # not copied into the member
        try:
            member = copy.deepcopy(self)
        finally:
            self.snapshots_ = snapshots
        member.module_.load_state_dict(snapshots[index])
        member.snapshot_ensemble = member.snapshot_cycles = None
        return member

    def _snapshot_cycles(self, epochs, partial):
        """Epochs of each snapshot cycle (None: one model)."""
        k, n_cycles = self.snapshot_ensemble, self.snapshot_cycles
        if k is None and n_cycles is not None:
            raise ValueError(
                "snapshot_cycles needs snapshot_ensemble (the snapshots to keep); "
                f"got snapshot_cycles={n_cycles} and snapshot_ensemble=None."
            )
        if k is None or partial:
            return None
        n_cycles = k if n_cycles is None else n_cycles
        if n_cycles < k:
            raise ValueError(
                f"snapshot_cycles={n_cycles} gives fewer snapshots than "
                f"snapshot_ensemble={k} keeps."
            )
        if self.early_stopping:
            raise ValueError(
                "snapshot_ensemble keeps the end of every cycle and does not combine "
                "with early_stopping=True; set one of them off."
            )
        if epochs < n_cycles:
            raise ValueError(
                f"{n_cycles} snapshot cycles need at least one epoch each; got "
                f"epochs={epochs}."
            )
        return [len(c) for c in np.array_split(np.arange(epochs), n_cycles)]

    def _init_network(self, images, seed):
        n_channels = images.shape[3] if images.ndim == 4 else 1
        self.mean_, self.std_ = self._input_statistics(images)
        module = self.module
        if isinstance(module, nn.Module):
            module = copy.deepcopy(module)
        body = build_module(
            module,
            in_channels=n_channels,
            n_classes=len(self.classes_),
            input_size=tuple(images.shape[1:3]),
            module_params=self.module_params,
        )
        net = _Network(
            body, self.mean_, self.std_, getattr(body, "min_size", 1)
        ).float()
        if any(nn.parameter.is_lazy(p) for p in net.parameters()):
            with torch.no_grad():  # materialise lazy layers with one image
                first = self._first_images(images, 1)
                net.eval()(self._to_tensor(first).contiguous())
        if hasattr(body, "initialize_from_data"):
            sub = self._first_images(images, 5000)  # files: at most 256 MiB
            body.initialize_from_data((sub - self.mean_) / self.std_, seed)
        self.module_ = net.to(self.device_)
        self._reset_training_state()

    def _logits(self, net, X: torch.Tensor) -> torch.Tensor:
        """Float32 scores of ``X`` (NCHW CPU or device tensor), in batches."""
        return self._forward_batches(net, X)

    # ------------------------------------------------------------ prediction
    def _predict_logits(self, X) -> np.ndarray:
        check_is_fitted(self, "module_")
        images = self._validate_images(X, reset=False)
        with self._recipe():
            logits = self._logits(self.module_, self._to_tensor(images))
        return logits.cpu().numpy()

    def _predict_proba(self, X, *, log: bool) -> np.ndarray:
        """(Log-)probabilities: the softmax, or the snapshots' mean softmax."""
        snapshots = getattr(self, "snapshots_", None)
        if not snapshots:
            logits = self._predict_logits(X).astype(np.float64)
            return log_softmax(logits) if log else softmax(logits)
        check_is_fitted(self, "module_")
        x = self._to_tensor(self._validate_images(X, reset=False))
        net = copy.deepcopy(self.module_)
        proba = 0.0
        with self._recipe():
            for state in snapshots:
                net.load_state_dict(state)
                logits = self._logits(net, x).cpu().numpy().astype(np.float64)
                proba = proba + softmax(logits)
        proba = proba / len(snapshots)
        if not log:
            return proba
        with np.errstate(divide="ignore"):
            return np.log(proba)

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's scores).

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
        """
        return self._predict_proba(X, log=False)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        return self._predict_proba(X, log=True)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C)
            Images.

        Returns
        -------
        y : ndarray of shape (n,)
        """
        scores = self._predict_proba(X, log=True)
        return self.classes_[scores.argmax(axis=1)]

    # ---------------------------------------------------- pickle, checkpoints
    def save_checkpoint(self, path) -> None:
        """Save weights and fitted state with ``torch.save`` (CPU tensors only).

        Load it into an estimator with the same ``module`` and ``module_params``
        by :meth:`load_checkpoint`, which uses ``torch.load(weights_only=True)``
        (no arbitrary code runs when loading).
        """
        check_is_fitted(self, "module_")
        torch.save(
            {
                "state_dict": {
                    k: v.detach().cpu() for k, v in self.module_.state_dict().items()
                },
                "classes": self.classes_.tolist(),
                "classes_dtype": self.classes_.dtype.str,
                "image_shape": list(self.image_shape_),
                "history": [dict(h) for h in self.history_],
                "best_epoch": int(self.best_epoch_),
                # the resolved "auto" parameters (a module class is not stored)
                "recipe": {
                    k: v
                    for k, v in getattr(self, "recipe_", {}).items()
                    if k != "module" or isinstance(v, str)
                },
                "snapshots": list(getattr(self, "snapshots_", [])),
            },
            path,
        )

    def load_checkpoint(self, path) -> CNNClassifier:
        """Restore a model saved by :meth:`save_checkpoint` (weights only).

        The file is read with ``torch.load(weights_only=True)``: it cannot run
        code. A file that is not such a checkpoint (empty, truncated, a crafted
        pickle, a missing or malformed entry, weights that do not fit ``module``
        and ``module_params``, non-finite weights) raises a ``ValueError`` that
        names the file and what is wrong; the estimator is left unchanged.

        Parameters
        ----------
        path : str or path-like
            Checkpoint file.

        Returns
        -------
        self : CNNClassifier
            Fitted, on the CPU.
        """
        ckpt = _read_checkpoint(path)
        classes = np.asarray(ckpt["classes"], dtype=np.dtype(ckpt["classes_dtype"]))
        shape = tuple(ckpt["image_shape"])
        state = ckpt["state_dict"]
        n_channels = shape[2] if len(shape) == 3 else 1
        mean = state["mean"].reshape(-1).numpy().copy()
        std = (1.0 / state["inv_std"].reshape(-1)).numpy().copy()
        recipe = auto_recipe(self.get_params(deep=False), shape, "cpu")
        if self.module == "auto":  # the network the checkpoint was trained with
            saved = ckpt.get("recipe", {})
            if not isinstance(saved, dict):
                raise ValueError(f"{path}: the checkpoint's 'recipe' is not a dict.")
            known = (*AUTO_PARAMS, "module_params", "precision")
            recipe.update({k: v for k, v in saved.items() if k in known})
        module = recipe["module"]
        if isinstance(module, nn.Module):
            module = copy.deepcopy(module)
        try:
            body = build_module(
                module,
                in_channels=n_channels,
                n_classes=len(classes),
                input_size=shape[:2],
                module_params=recipe["module_params"],
            )
            net = _Network(body, mean, std, getattr(body, "min_size", 1))
            net.load_state_dict(state)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise ValueError(
                f"{path}: the checkpoint's weights do not fit module="
                f"{recipe['module']!r} with module_params="
                f"{recipe['module_params']!r} ({len(classes)} classes, images "
                f"{shape}): {exc}"
            ) from exc
        self.recipe_ = recipe
        if self._use_channels_last():
            net = net.to(memory_format=torch.channels_last)
        self.classes_ = classes
        self.image_shape_ = shape
        self.n_features_in_ = int(np.prod(shape))
        self.device_ = "cpu"
        self.mean_, self.std_ = mean, std
        self.module_ = net.eval()
        self.optimizer_ = None
        self.history_ = list(ckpt["history"])
        self.loss_curve_ = [h["train_loss"] for h in self.history_]
        self.validation_scores_ = [
            h["valid_accuracy"]
            for h in self.history_
            if not math.isnan(h["valid_accuracy"])
        ]
        self.n_iter_ = len(self.history_)
        self.best_epoch_ = ckpt["best_epoch"]
        self.interrupted_ = False
        self.__dict__.pop("snapshots_", None)
        if ckpt.get("snapshots"):
            self.snapshots_ = list(ckpt["snapshots"])
        return self
