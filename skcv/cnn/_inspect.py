"""Looking inside a trained CNN: filters, feature maps, saliency and occlusion maps.

The functions compute numpy arrays; the pictures are drawn by :mod:`skcv.plot`
(``FiltersDisplay``, ``FeatureMapsDisplay``, ``AttributionDisplay``), which never
imports torch itself.
"""

from __future__ import annotations

import contextlib
from numbers import Integral, Real

import numpy as np
import torch
from torch import nn

from skcv.utils._sklearn import check_is_fitted

__all__ = ["conv_filters", "feature_maps", "occlusion_map", "saliency_map"]


def _body(estimator_or_module):
    """Return the network without skcv's normalisation wrapper."""
    if isinstance(estimator_or_module, nn.Module):
        net = estimator_or_module
    else:
        if not hasattr(estimator_or_module, "fit"):
            raise TypeError(
                "estimator must be a fitted CNNClassifier or an nn.Module; got "
                f"{type(estimator_or_module).__name__}."
            )
        check_is_fitted(estimator_or_module, "module_")
        net = estimator_or_module.module_
    return getattr(net, "body", net) if hasattr(net, "inv_std") else net


def _find_layer(body, layer, kind=nn.Conv2d):
    """(name, module) of ``layer``: an index among the convolutions or a name."""
    if isinstance(layer, str):
        modules = dict(body.named_modules())
        if layer not in modules or layer == "":
            names = [n for n in modules if n]
            raise ValueError(
                f"layer {layer!r} is not a module of the network; names are e.g. "
                f"{names[:8]}."
            )
        return layer, modules[layer]
    if isinstance(layer, bool) or not isinstance(layer, Integral):
        raise TypeError(
            f"layer must be an int (index of a convolution) or a module name; got "
            f"{type(layer).__name__}."
        )
    convs = [(n, m) for n, m in body.named_modules() if isinstance(m, kind)]
    if not -len(convs) <= layer < len(convs):
        raise ValueError(
            f"layer={layer} is out of range: the network has {len(convs)} "
            "convolutional layers."
        )
    return convs[layer]


def conv_filters(estimator, layer=0) -> np.ndarray:
    """Weights of a convolutional layer as images, channels last.

    Parameters
    ----------
    estimator : fitted CNNClassifier or nn.Module
        The network.
    layer : int or str, default=0
        Index among the ``Conv2d`` layers (0: the first layer, the one the
        course shows as coloured edge and blob detectors) or a module name
        (e.g. ``"features.0"``).

    Returns
    -------
    filters : ndarray of shape (n_filters, kh, kw, in_channels)
        One small image per filter, float32.

    Examples
    --------
    >>> from skcv.cnn import build_module, conv_filters
    >>> conv_filters(build_module("alexnet", 3, 10, (224, 224))).shape
    (96, 11, 11, 3)
    """
    _, conv = _find_layer(_body(estimator), layer)
    if not isinstance(conv, nn.Conv2d):
        raise ValueError(
            f"layer {layer!r} is a {type(conv).__name__}, not a Conv2d: it has no "
            "filters to show."
        )
    w = conv.weight.detach().float().cpu().numpy()
    return np.ascontiguousarray(w.transpose(0, 2, 3, 1))


def _images(estimator, X):
    """NHWC (or NHW) float images; one image (the training shape) gets a batch axis."""
    check_is_fitted(estimator, "module_")
    if isinstance(X, np.ndarray) and X.shape == tuple(estimator.image_shape_):
        X = X[None]
    return estimator._validate_images(X, reset=False)


def _logits(estimator, net, x):
    """Return the batched float32 scores, the "auto" parameters resolved."""
    recipe = getattr(estimator, "_recipe", None)
    with recipe() if recipe is not None else contextlib.nullcontext():
        return estimator._logits(net, x)


def _device(net):
    return next(iter(net.parameters())).device


def feature_maps(estimator, X, layer=0, *, batch_size: int = 64) -> np.ndarray:
    """Activations of one layer for images ``X``, channels last.

    Parameters
    ----------
    estimator : fitted CNNClassifier
        The network.
    X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or one image
        Images in the estimator's input format.
    layer : int or str, default=0
        Index among the ``Conv2d`` layers (their output, before the
        nonlinearity) or a module name (its output, e.g. the ReLU after a
        convolution: ``"features.1"``).
    batch_size : int, default=64
        Images per forward pass.

    Returns
    -------
    maps : ndarray of shape (n, H', W', C')
        One map per channel of the layer (float32); 2-D outputs (after a
        linear layer) have shape ``(n, features)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skcv.cnn import CNNClassifier, feature_maps
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(module="simple", epochs=1, image_shape=(8, 8),
    ...                     random_state=0).fit(X[:200] / 16, y[:200])
    >>> feature_maps(clf, X[:3] / 16, layer=1).shape
    (3, 4, 4, 32)
    """
    images = _images(estimator, X)
    _, module = _find_layer(_body(estimator), layer)
    net = estimator.module_
    captured = []

    def hook(mod, args, out):
        out = out[0] if isinstance(out, (tuple, list)) else out
        captured.append(out.detach().float().cpu().clone())  # before in-place ReLU

    handle = module.register_forward_hook(hook)
    was_training = net.training
    try:
        net.eval()
        with torch.no_grad():
            x_all = estimator._to_tensor(images)
            dev = _device(net)
            for start in range(0, len(x_all), batch_size):
                net(x_all[start : start + batch_size].contiguous().to(dev))
    finally:
        handle.remove()
        net.train(was_training)
    if not captured:
        raise ValueError(f"layer {layer!r} was not used by the forward pass.")
    out = torch.cat(captured).numpy()
    return np.ascontiguousarray(out.transpose(0, 2, 3, 1)) if out.ndim == 4 else out


def _target_index(estimator, target, n, scores_fn):
    if target is None:
        return scores_fn().argmax(1)
    target = np.asarray(target)
    if target.ndim == 0:
        target = np.full(n, target.item(), dtype=target.dtype)
    if target.shape != (n,):
        raise ValueError(
            f"target must be a class label or one label per image ({n}); got "
            f"shape {target.shape}."
        )
    classes = estimator.classes_
    idx = np.searchsorted(classes, target)
    bad = (idx >= len(classes)) | (classes[np.minimum(idx, len(classes) - 1)] != target)
    if bad.any():
        raise ValueError(
            f"target holds labels {np.unique(target[bad]).tolist()} that are not "
            f"in classes_ {classes.tolist()}."
        )
    return idx


def saliency_map(estimator, X, target=None) -> np.ndarray:
    """Image-specific class saliency: ``max_c |d score_target / d x_c|``.

    Parameters
    ----------
    estimator : fitted CNNClassifier
        The network.
    X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or one image
        Images in the estimator's input format.
    target : class label or array-like of shape (n,), default=None
        Class whose score is explained; None uses the predicted class.

    Returns
    -------
    saliency : ndarray of shape (n, H, W)
        Per pixel, the largest absolute gradient over the colour channels
        (float32).

    Notes
    -----
    Simonyan et al. (2014): the class score ``S_c(x)`` (before the softmax) is
    approximated around an image ``x0`` by its first-order Taylor expansion
    ``S_c(x) ~ w^T x + b`` with ``w = dS_c/dx`` at ``x0``; one back-propagation
    gives ``w``. The magnitude of ``w`` tells which pixels need changing least
    to change the score most. The gradient is taken with respect to the input
    as the estimator receives it (before its per-channel normalisation).

    References
    ----------
    .. [1] K. Simonyan, A. Vedaldi and A. Zisserman, "Deep inside convolutional
       networks: visualising image classification models and saliency maps",
       ICLR workshop 2014. arXiv:1312.6034

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcv.cnn import CNNClassifier, saliency_map
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(module="simple", epochs=1, image_shape=(8, 8),
    ...                     random_state=0).fit(X[:200] / 16, y[:200])
    >>> saliency_map(clf, X[:2] / 16).shape
    (2, 8, 8)
    """
    images = _images(estimator, X)
    net = estimator.module_
    x = estimator._to_tensor(images).contiguous().to(_device(net))
    idx = _target_index(
        estimator,
        target,
        len(x),
        lambda: _logits(estimator, net, x).cpu().numpy(),
    )
    was_training = net.training
    try:
        net.eval()
        x = x.clone().requires_grad_(True)
        with torch.enable_grad():
            scores = net(x)
            scores = scores[0] if isinstance(scores, (tuple, list)) else scores
            picked = scores.float()[torch.arange(len(x)), torch.as_tensor(idx)]
            (grad,) = torch.autograd.grad(picked.sum(), x)
    finally:
        net.train(was_training)
    return grad.abs().amax(1).cpu().numpy()


def _positions(size: int, window: int, stride: int) -> np.ndarray:
    return np.arange(0, size - window + 1, stride)


def occlusion_map(
    estimator,
    X,
    target=None,
    *,
    size: int = 8,
    stride: int = 4,
    fill="mean",
    batch_size: int = 256,
) -> np.ndarray:
    """Probability of the class as a grey square slides over each image (ZFNet).

    Parameters
    ----------
    estimator : fitted CNNClassifier
        The network.
    X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or one image
        Images in the estimator's input format.
    target : class label or array-like of shape (n,), default=None
        Class whose probability is mapped; None uses the predicted class.
    size : int, default=8
        Side of the occluding square, in pixels.
    stride : int, default=4
        Step between positions of the square.
    fill : "mean" or float, default="mean"
        Value of the square: ``"mean"`` is the training mean of each channel
        (the grey of ZFNet), a float is used for every channel.
    batch_size : int, default=256
        Occluded copies per forward pass.

    Returns
    -------
    proba : ndarray of shape (n, n_rows, n_cols)
        ``proba[k, i, j]`` is the probability of the target class for image
        ``k`` with the square over rows ``i * stride`` to ``i * stride + size``
        and the matching columns; ``n_rows = (H - size) // stride + 1``
        (:func:`skcv.utils.conv_output_size` when it divides evenly; otherwise
        the last rows and columns of pixels are never covered).

    Notes
    -----
    Zeiler and Fergus (2014) asked whether the network recognises the object or
    its surroundings: they covered parts of the image with a grey square and
    recorded the probability of the correct class at each position. The
    probability drops where the square hides the object. The occluded copies of
    one image are classified in batches of ``batch_size``.

    References
    ----------
    .. [1] M. D. Zeiler and R. Fergus, "Visualizing and understanding
       convolutional networks", ECCV 2014. :doi:`10.1007/978-3-319-10590-1_53`

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcv.cnn import CNNClassifier, occlusion_map
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(module="simple", epochs=1, image_shape=(8, 8),
    ...                     random_state=0).fit(X[:200] / 16, y[:200])
    >>> occlusion_map(clf, X[:2] / 16, size=4, stride=2).shape
    (2, 3, 3)
    """
    for name, value, low in (("size", size, 1), ("stride", stride, 1)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
            raise ValueError(f"{name} must be a positive int; got {value!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
    images = _images(estimator, X)
    net = estimator.module_
    x_all = estimator._to_tensor(images)
    n, c, h, w = x_all.shape
    if size > min(h, w):
        raise ValueError(
            f"size={size} is larger than the images ({h}x{w}); choose a smaller square."
        )
    if isinstance(fill, str):
        if fill != "mean":
            raise ValueError(f"fill must be 'mean' or a float; got {fill!r}.")
        value = torch.as_tensor(estimator.mean_, dtype=torch.float32).reshape(c, 1, 1)
    elif isinstance(fill, Real) and not isinstance(fill, bool):
        value = torch.full((c, 1, 1), float(fill))
    else:
        raise ValueError(f"fill must be 'mean' or a float; got {fill!r}.")
    rows, cols = _positions(h, size, stride), _positions(w, size, stride)
    grid = [(r, q) for r in rows for q in cols]
    idx = _target_index(
        estimator,
        target,
        n,
        lambda: _logits(estimator, net, x_all).cpu().numpy(),
    )
    out = np.empty((n, len(rows) * len(cols)), dtype=np.float64)
    dev = _device(net)
    for k in range(n):
        image = x_all[k]
        for start in range(0, len(grid), batch_size):
            chunk = grid[start : start + batch_size]
            batch = image.expand(len(chunk), c, h, w).clone()
            for b, (r, q) in enumerate(chunk):
                batch[b, :, r : r + size, q : q + size] = value
            logits = _logits(estimator, net, batch.to(dev)).double()
            proba = torch.softmax(logits, 1)[:, int(idx[k])]
            out[k, start : start + len(chunk)] = proba.cpu().numpy()
    return out.reshape(n, len(rows), len(cols))
