"""Batched data augmentation on the training device (NCHW tensors).

Each op draws its random numbers from a ``torch.Generator`` that lives on the
batch's device, so augmentation runs where training runs (no round trip to the
CPU) and is reproducible from ``random_state``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

__all__ = ["AUGMENTATIONS", "Augmenter", "parse_augment"]


def _uniform(n, low, high, gen, device):
    return torch.rand(n, generator=gen, device=device) * (high - low) + low


def flip_mask(x, gen, p=0.5):
    """Which images of the batch ``x`` :func:`flip` mirrors (one draw per image).

    Estimators whose targets must follow the mirror (boxes, keypoints) draw the
    same mask and apply it to their targets too.
    """
    return torch.rand(x.shape[0], generator=gen, device=x.device) < p


def flip(x, gen, p=0.5):
    """Mirror each image left-right with probability ``p``."""
    mask = flip_mask(x, gen, p)
    return torch.where(mask[:, None, None, None], x.flip(-1), x)


def translate(x, gen, padding=2, mode="reflect"):
    """Pad by ``padding`` and crop back at a random offset (random crop)."""
    if padding <= 0:
        return x
    n, c, h, w = x.shape
    if mode == "reflect" and (padding >= h or padding >= w):
        mode = "replicate"
    xp = F.pad(x, (padding,) * 4, mode=mode)
    dx = torch.randint(0, 2 * padding + 1, (n,), generator=gen, device=x.device)
    dy = torch.randint(0, 2 * padding + 1, (n,), generator=gen, device=x.device)
    rows = (torch.arange(h, device=x.device)[None, :] + dy[:, None])[:, None, :, None]
    xp = xp.gather(2, rows.expand(n, c, h, w + 2 * padding))
    cols = (torch.arange(w, device=x.device)[None, :] + dx[:, None])[:, None, None, :]
    return xp.gather(3, cols.expand(n, c, h, w))


def crop(x, gen, padding=4):
    """Zero-pad by ``padding`` and crop back (the standard CIFAR random crop)."""
    return translate(x, gen, padding=padding, mode="constant")


def resized_crop(x, gen, scale=(0.35, 1.0), ratio=(3 / 4, 4 / 3)):
    """Crop a random area fraction ``scale`` and aspect ``ratio``, resize back."""
    n = x.shape[0]
    dev = x.device
    area = _uniform(n, scale[0], scale[1], gen, dev)
    log_r = _uniform(n, math.log(ratio[0]), math.log(ratio[1]), gen, dev)
    r = torch.exp(log_r)
    sw = torch.sqrt(area * r).clamp(max=1.0)
    sh = torch.sqrt(area / r).clamp(max=1.0)
    tx = (torch.rand(n, generator=gen, device=dev) * 2 - 1) * (1 - sw)
    ty = (torch.rand(n, generator=gen, device=dev) * 2 - 1) * (1 - sh)
    theta = torch.zeros(n, 2, 3, device=dev, dtype=x.dtype)
    theta[:, 0, 0] = sw
    theta[:, 0, 2] = tx
    theta[:, 1, 1] = sh
    theta[:, 1, 2] = ty
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(
        x, grid, mode="bilinear", padding_mode="border", align_corners=False
    )


def color_jitter(x, gen, brightness=0.4, contrast=0.4, saturation=0.4):
    """Random brightness, contrast and saturation factors per image."""
    n, c = x.shape[:2]
    dev = x.device
    if brightness:
        b = _uniform(n, 1 - brightness, 1 + brightness, gen, dev).to(x.dtype)
        x = x * b[:, None, None, None]
    if contrast:
        f = _uniform(n, 1 - contrast, 1 + contrast, gen, dev).to(x.dtype)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * f[:, None, None, None] + mean
    if saturation and c == 3:
        s = _uniform(n, 1 - saturation, 1 + saturation, gen, dev).to(x.dtype)
        weights = torch.tensor([0.299, 0.587, 0.114], device=dev, dtype=x.dtype)
        grey = (x * weights[None, :, None, None]).sum(1, keepdim=True)
        x = (x - grey) * s[:, None, None, None] + grey
    return x


AUGMENTATIONS = {
    "flip": flip,
    "translate": translate,
    "crop": crop,
    "resized_crop": resized_crop,
    "color_jitter": color_jitter,
}

_ALIASES = {
    "flip": [("flip", {})],
    "standard": [("flip", {}), ("crop", {"padding": 4})],
    "fast": [("flip", {}), ("translate", {"padding": 2})],
}


def parse_augment(augment) -> list[tuple[str, dict]]:
    """Normalise the ``augment`` parameter to a list of ``(name, params)``.

    Accepts None, ``"flip"``, ``"standard"`` (flip + pad-4 crop), ``"fast"``
    (flip + 2-pixel translate), or a list whose items are op names or
    ``(name, params)`` pairs.
    """
    if augment is None:
        return []
    if isinstance(augment, str):
        if augment in _ALIASES:
            return list(_ALIASES[augment])
        items = [augment]
    else:
        items = list(augment)
    ops = []
    for item in items:
        name, params = (item, {}) if isinstance(item, str) else item
        if name not in AUGMENTATIONS:
            raise ValueError(
                f"augment must be None, one of {sorted(_ALIASES)} or a list of ops "
                f"from {sorted(AUGMENTATIONS)} (names or (name, params) pairs); got "
                f"{augment!r}."
            )
        ops.append((name, dict(params)))
    return ops


class Augmenter:
    """Apply a list of ops to NCHW batches with a device-side generator."""

    def __init__(self, ops, generator):
        self.ops = [(AUGMENTATIONS[name], params) for name, params in ops]
        self.generator = generator

    def __bool__(self):
        return bool(self.ops)

    def __call__(self, x):
        for fn, params in self.ops:
            x = fn(x, self.generator, **params)
        return x
