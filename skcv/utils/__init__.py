"""Utilities: image validation, gradient checking and estimator discovery."""

import importlib

from skcv.utils._validation import (
    check_image,
    check_image_shape,
    check_images,
    infer_image_shape,
    rows_to_images,
)

# Names defined in modules that are written elsewhere in the package; loaded lazily.
_LAZY = {"gradient_check": "skcv._optim._gradcheck"}

__all__ = sorted(
    [
        "check_image",
        "check_image_shape",
        "check_images",
        "infer_image_shape",
        "rows_to_images",
    ]
)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'skcv.utils' has no attribute {name!r}")
