"""Numpy image augmentations (functions with a ``random_state``, never transformers).

Each function maps a batch ``(n, H, W[, C])`` to a new batch of the same shape and
order, so labels stay aligned; :func:`augment_images` stacks augmented copies
with their labels.
"""

from skcv.augmentation._ops import (
    augment_images,
    color_jitter,
    random_crop,
    random_flip,
    random_resized_crop,
)

__all__ = [
    "augment_images",
    "color_jitter",
    "random_crop",
    "random_flip",
    "random_resized_crop",
]
