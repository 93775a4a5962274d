"""Utilities: image validation, layer sizes, gradient checking and discovery."""

from skcv._lazy import attach
from skcv.utils._validation import (  # noqa: F401 (re-exported through __all__)
    as_paths,
    check_image,
    check_image_shape,
    check_images,
    check_size_policy,
    convert_channels,
    infer_image_shape,
    read_images,
    rows_to_images,
)

_EAGER = (
    "as_paths",
    "check_image",
    "check_image_shape",
    "check_images",
    "check_size_policy",
    "convert_channels",
    "infer_image_shape",
    "read_images",
    "rows_to_images",
)
__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "conv_output_size": "skcv.utils._conv",
        "gradient_check": "skcv._optim._gradcheck",
    },
    eager=_EAGER,
)
