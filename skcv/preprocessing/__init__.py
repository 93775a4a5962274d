"""Preprocessing of images: mean removal, normalisation and whitening.

* :class:`ImageStandardizer`: subtract the mean image (per pixel), the per-channel
  mean or each image's own mean, and divide by the standard deviation.
* :class:`Whitener`: PCA or ZCA whitening (decorrelation + unit variance).
* :func:`patch_whitening_filters`: whitening of small patches as a filter bank for
  the first layer of a CNN.
"""

from skcv.preprocessing._standardizer import ImageStandardizer
from skcv.preprocessing._whitening import Whitener, patch_whitening_filters

__all__ = ["ImageStandardizer", "Whitener", "patch_whitening_filters"]
