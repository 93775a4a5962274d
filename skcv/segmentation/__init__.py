"""Semantic segmentation with fully convolutional networks (torch).

Importing :mod:`skcv.segmentation` without torch raises an ImportError that says
``pip install 'skcv[torch]'``.

* :class:`FCNSegmenter`: a scikit-learn estimator that labels every pixel;
* :class:`FCN`, :class:`Upsample`, :class:`BedOfNails`: the network modules
  (encoder, the course's upsampling choices, skip connections);
* :func:`conv_matrix`: the matrix of a convolution, whose transpose is the
  transposed convolution.
"""

from skcv.utils._optional import import_optional

import_optional("torch")

from skcv.segmentation._conv_matrix import conv_matrix  # noqa: E402
from skcv.segmentation._fcn import (  # noqa: E402
    DOWNSAMPLING,
    ENCODERS,
    FCN,
    UPSAMPLING,
    BedOfNails,
    Upsample,
)
from skcv.segmentation._segmenter import FCNSegmenter  # noqa: E402

__all__ = [
    "DOWNSAMPLING",
    "ENCODERS",
    "FCN",
    "FCNSegmenter",
    "UPSAMPLING",
    "BedOfNails",
    "Upsample",
    "conv_matrix",
]
