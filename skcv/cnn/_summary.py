"""Network summary: per-layer shapes, parameters, multiply-adds, receptive fields."""

from __future__ import annotations

import contextlib
from numbers import Integral

import numpy as np
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from skcv.cnn._architectures import build_module

__all__ = ["NetworkSummary", "summary"]

_POOLS = (nn.MaxPool2d, nn.AvgPool2d)
_ADAPTIVE = (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class NetworkSummary:
    """Per-layer table of a network, returned by :func:`summary`.

    Attributes
    ----------
    rows : list of dict
        One dict per layer call (leaf modules and modules holding parameters of
        their own), in execution order, then the layers the forward pass did not
        use: ``name``, ``type``, ``output_shape`` (without the batch axis, as
        torch gives it: ``(C, H, W)`` after a convolution, ``(features,)`` after
        a linear layer; None for unused layers), ``params``,
        ``trainable_params``, ``param_share`` (fraction of all parameters),
        ``mult_adds`` (per image) and ``receptive_field`` (``(h, w)`` in input
        pixels; None for unused layers). ``pandas.DataFrame(s.rows)`` makes a
        data frame of it.
    input_shape : tuple of int
        ``(H, W, C)`` of the input image.
    total_params, trainable_params : int
        Parameters of the network (shared parameters counted once): equal to
        ``sum(p.numel() for p in net.parameters())``.
    total_mult_adds : int
        Multiply-adds of one forward pass on one image.

    Examples
    --------
    >>> from skcv.cnn import summary
    >>> s = summary("lenet5", (28, 28, 1))
    >>> s.input_shape, len(s)  # one row per layer
    ((28, 28, 1), 13)
    >>> first = s.rows[0]
    >>> first["type"], first["output_shape"], first["receptive_field"]
    ('Conv2d', (6, 28, 28), (5, 5))
    """

    def __init__(self, rows, input_shape, total_params, trainable_params):
        self.rows = rows
        self.input_shape = tuple(input_shape)
        self.total_params = int(total_params)
        self.trainable_params = int(trainable_params)
        self.total_mult_adds = int(sum(r["mult_adds"] for r in rows))

    def largest(self, key: str = "params") -> dict:
        """Return the row with the largest ``key`` (e.g. most parameters)."""
        return max(self.rows, key=lambda r: r[key])

    def __len__(self):
        return len(self.rows)

    def __str__(self):
        head = ("layer", "type", "output shape", "params", "share", "mult-adds", "RF")
        lines = []
        for r in self.rows:
            shape = (
                "-"
                if r["output_shape"] is None
                else "x".join(str(s) for s in r["output_shape"])
            )
            rf = r["receptive_field"]
            rf = "-" if rf is None else f"{rf[0]}x{rf[1]}"
            lines.append(
                (
                    r["name"],
                    r["type"],
                    shape,
                    f"{r['params']:,}",
                    f"{100 * r['param_share']:.1f}%",
                    f"{r['mult_adds']:,}",
                    rf,
                )
            )
        widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]

        def fmt(cells):
            return "  ".join(
                c.ljust(w) if i < 3 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )

        rule = "-" * len(fmt(head))
        h, w, c = self.input_shape
        out = [f"input: {h}x{w}x{c}", rule, fmt(head), rule, *map(fmt, lines), rule]
        out += [
            f"total parameters: {self.total_params:,} "
            f"(trainable {self.trainable_params:,}, "
            f"{4 * self.total_params / 2**20:.1f} MiB as float32)",
            f"total multiply-adds per image: {self.total_mult_adds:,}",
        ]
        return "\n".join(out)

    def __repr__(self):
        return (
            f"NetworkSummary({len(self.rows)} layers, "
            f"{self.total_params:,} parameters, "
            f"{self.total_mult_adds:,} multiply-adds)"
        )


def _geometry(module, in_shape):
    """(kernel, stride, dilation) pairs of a layer that slides over the image."""
    if isinstance(module, (nn.Conv2d, *_POOLS)):
        k = _pair(module.kernel_size)
        s = _pair(module.stride if module.stride is not None else module.kernel_size)
        d = _pair(getattr(module, "dilation", 1))
        return k, s, d
    if isinstance(module, _ADAPTIVE) and len(in_shape) >= 3:
        out = _pair(module.output_size)
        ks, ss = [], []
        for i, o in zip(in_shape[-2:], out, strict=True):
            o = i if o is None else o
            s = max(i // o, 1)
            ks.append(i - (o - 1) * s)
            ss.append(s)
        return tuple(ks), tuple(ss), (1, 1)
    if isinstance(module, nn.Flatten) and len(in_shape) >= 3:
        # Every output unit sees the whole map: a filter as large as the map.
        return tuple(in_shape[-2:]), tuple(in_shape[-2:]), (1, 1)
    return None


def _union(values):
    """Receptive field and jump of a tensor computed from several others."""
    return tuple(
        tuple(max(v[part][i] for v in values) for i in range(2)) for part in range(2)
    )


class _Propagate(TorchFunctionMode):
    """Pass receptive fields through functional ops (``torch.relu``, ``+``, ``flip``).

    The output of an op gets the largest field of its inputs; a layer's forward
    hook then overwrites its own output's.
    """

    def __init__(self, info, keep):
        super().__init__()
        self.info, self.keep = info, keep

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        flat = [*args, *(kwargs or {}).values()]
        flat = [t for a in flat for t in (a if isinstance(a, (tuple, list)) else (a,))]
        known = [self.info[id(t)] for t in flat if id(t) in self.info]
        outs = out if isinstance(out, (tuple, list)) else (out,)
        if known:
            for t in outs:
                if isinstance(t, torch.Tensor) and id(t) not in self.info:
                    self.info[id(t)] = _union(known)
                    self.keep.append(t)
        return out


def _mult_adds(module, out: torch.Tensor) -> int:
    """Multiply-adds of one image: weights x output positions (biases not counted)."""
    if isinstance(module, nn.Conv2d):
        per_position = module.weight.numel() // module.out_channels
        return int(out[0].numel() * per_position)
    if isinstance(module, nn.Linear):
        positions = int(np.prod(out.shape[1:-1], dtype=np.int64))
        return int(module.weight.numel() * positions)
    return 0


def _network(obj, input_shape, n_classes):
    """Return (module, (H, W, C), name prefix to strip) of any accepted input."""
    if isinstance(obj, nn.Module):
        net = obj
    elif isinstance(obj, str):
        if input_shape is None:
            raise ValueError(f"input_shape is required to summarise {obj!r}.")
        h, w, c = _image_shape(input_shape)
        with torch.device("meta"):  # shapes only: no memory, no arithmetic
            net = build_module(obj, c, n_classes, (h, w))
    elif hasattr(obj, "module_"):
        net = obj.module_
        if input_shape is None:
            input_shape = obj.image_shape_
    elif hasattr(obj, "module") and hasattr(obj, "fit"):
        if input_shape is None:
            raise ValueError(
                "input_shape is required to summarise an unfitted estimator."
            )
        if isinstance(obj.module, str) and obj.module == "auto":
            raise ValueError(
                "module='auto' is chosen at fit from the data: summarise the "
                "fitted estimator, or an estimator with a module name."
            )
        h, w, c = _image_shape(input_shape)
        meta = isinstance(obj.module, str)  # skcv's own networks build on meta
        with torch.device("meta") if meta else contextlib.nullcontext():
            net = build_module(
                obj.module, c, n_classes, (h, w), getattr(obj, "module_params", None)
            )
    else:
        raise TypeError(
            "estimator_or_module must be a CNNClassifier, an nn.Module or a module "
            f"name; got {type(obj).__name__}."
        )
    if input_shape is None:
        raise ValueError("input_shape is required to summarise an nn.Module.")
    prefix = "body." if hasattr(net, "body") and hasattr(net, "inv_std") else ""
    return net, _image_shape(input_shape), prefix


def _image_shape(shape):
    shape = tuple(shape)
    if len(shape) == 2:
        shape = (*shape, 1)
    if len(shape) != 3 or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise ValueError(
            "input_shape must be (H, W) or (H, W, C) of positive ints (channels "
            f"last, as skcv's images); got {shape!r}."
        )
    return tuple(int(s) for s in shape)


def summary(estimator_or_module, input_shape=None, *, n_classes: int = 1000):
    """Per-layer output shape, parameters, multiply-adds and receptive field.

    Parameters
    ----------
    estimator_or_module : CNNClassifier, nn.Module or str
        A fitted :class:`CNNClassifier` (its ``module_``), an unfitted one (its
        network is built for ``input_shape`` and ``n_classes``), a network, or a
        name from :data:`MODULES` (built on torch's ``meta`` device: shapes and
        counts without memory or arithmetic, so ``summary("vgg16", (224, 224,
        3))`` is instant).
    input_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of one input image (channels last, as skcv's
        images); None uses a fitted estimator's ``image_shape_``.
    n_classes : int, default=1000
        Classes of a network built from a name or an unfitted estimator.

    Returns
    -------
    summary : NetworkSummary
        ``rows`` (one dict per layer), ``total_params``, ``trainable_params``,
        ``total_mult_adds``; ``print(summary)`` shows the table.

    Notes
    -----
    One forward pass on a zero image (evaluation mode, no gradients) records,
    per layer:

    1. the output shape, which follows ``(W - F + 2P) / S + 1``
       (:func:`skcv.utils.conv_output_size`) after every convolution and
       pooling;
    2. the parameters of the layer itself (a convolution holds
       ``F * F * C_in * C_out`` weights and ``C_out`` biases, a fully connected
       layer ``n_in * n_out + n_out``), and their share of the network's;
    3. the multiply-adds for one image: the weights times the output positions
       that use them (biases are additions and not counted);
    4. the receptive field: the input pixels one output unit depends on, grown
       by ``(F - 1) * J`` by a layer of size ``F`` applied at jump ``J`` (the
       product of the earlier strides). Branches (Inception, residual blocks)
       take the largest field of their inputs; a flattened map sees the whole
       input field of its last map.

    The course's VGG-16 table reads off directly: most of the memory sits in
    the early convolutions, most of the parameters (about 74 %) in the first
    fully connected layer (FC6, 7 x 7 x 512 x 4096 weights).

    References
    ----------
    .. [1] K. Simonyan and A. Zisserman, "Very deep convolutional networks for
       large-scale image recognition", ICLR 2015. arXiv:1409.1556
    .. [2] W. Luo, Y. Li, R. Urtasun and R. Zemel, "Understanding the effective
       receptive field in deep convolutional neural networks", NeurIPS 2016.

    Examples
    --------
    >>> from skcv.cnn import summary
    >>> s = summary("vgg16", (224, 224, 3))
    >>> s.total_params
    138357544
    >>> fc6 = s.largest("params")
    >>> fc6["output_shape"], round(fc6["param_share"], 2)
    ((4096,), 0.74)
    """
    if not isinstance(n_classes, Integral) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive int; got {n_classes!r}.")
    net, (h, w, c), prefix = _network(estimator_or_module, input_shape, n_classes)
    params = list(dict.fromkeys(net.parameters()))  # shared ones counted once
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    names = {m: n for n, m in net.named_modules(remove_duplicate=False)}
    try:
        device = next(iter(params)).device
    except StopIteration:
        device = torch.device("cpu")

    rows, seen = [], set()
    info = {}  # id(tensor) -> (rf, jump); tensors kept alive in `keep`
    keep, produced, stack = [], [], []
    start = ((1, 1), (1, 1))

    def lookup(x):
        if isinstance(x, torch.Tensor) and id(x) in info:
            return info[id(x)]
        # Not derived from the input by any recorded op: the last layer's.
        return produced[-1] if produced else start

    def record(out, value):
        tensors = out if isinstance(out, (tuple, list)) else (out,)
        for t in tensors:
            if isinstance(t, torch.Tensor):
                info[id(t)] = value
                keep.append(t)
        produced.append(value)

    def pre_hook(module, args):
        x = args[0] if args else None
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else ()
        stack.append((lookup(x), len(produced), shape))

    def hook(module, args, out):
        (rf, jump), first, in_shape = stack.pop()
        leaf = not any(True for _ in module.children())
        own = list(module.parameters(recurse=False))
        if leaf:
            geom = _geometry(module, in_shape)
            if geom is not None:
                k, s, d = geom
                rf = tuple(
                    r + (d_ * (k_ - 1)) * j
                    for r, k_, d_, j in zip(rf, k, d, jump, strict=True)
                )
                jump = tuple(j * s_ for j, s_ in zip(jump, s, strict=True))
        else:  # a block: what its forward computed, else its branches' union
            main = out[0] if isinstance(out, (tuple, list)) else out
            if isinstance(main, torch.Tensor) and id(main) in info:
                rf, jump = info[id(main)]
            elif len(produced) > first:
                rf, jump = _union(produced[first:])
        if leaf or own:
            main = out[0] if isinstance(out, (tuple, list)) else out
            n_own = 0 if module in seen else sum(p.numel() for p in own)
            n_train = (
                0 if module in seen else sum(p.numel() for p in own if p.requires_grad)
            )
            seen.add(module)
            rows.append(
                {
                    "name": names.get(module, "").removeprefix(prefix),
                    "type": type(module).__name__,
                    "output_shape": tuple(main.shape[1:]),
                    "params": n_own,
                    "trainable_params": n_train,
                    "mult_adds": _mult_adds(module, main) if leaf else 0,
                    "receptive_field": tuple(int(v) for v in rf),
                }
            )
        record(out, (rf, jump))

    handles = []
    for m in net.modules():
        if m is net:
            continue
        handles.append(m.register_forward_pre_hook(pre_hook))
        handles.append(m.register_forward_hook(hook))
    was_training = net.training
    x = torch.zeros((1, c, h, w), device=device)
    info[id(x)] = start
    try:
        net.eval()
        with torch.no_grad(), _Propagate(info, keep):
            net(x)
    finally:
        for handle in handles:
            handle.remove()
        net.train(was_training)
    for m in net.modules():  # layers the forward pass did not use (aux heads)
        own = list(m.parameters(recurse=False))
        if m not in seen and own:
            rows.append(
                {
                    "name": names.get(m, "").removeprefix(prefix),
                    "type": type(m).__name__,
                    "output_shape": None,
                    "params": sum(p.numel() for p in own),
                    "trainable_params": sum(p.numel() for p in own if p.requires_grad),
                    "mult_adds": 0,
                    "receptive_field": None,
                }
            )
    for r in rows:
        r["param_share"] = r["params"] / total if total else 0.0
    return NetworkSummary(rows, (h, w, c), total, trainable)
