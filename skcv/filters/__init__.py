"""Filters on one image: kernels, convolution, noise, denoising, gradients, Canny.

Functions take one image, channels last (``(H, W)`` or ``(H, W, C)``); uint8 is
scaled to [0, 1] float32 and float32 stays float32. :class:`Denoiser` applies a
denoising filter to a batch inside a scikit-learn pipeline.
"""

from skcv.filters._convolve import BORDER_MODES, convolve, correlate
from skcv.filters._denoise import Denoiser, gaussian_filter, mean_filter, median_filter
from skcv.filters._edges import canny
from skcv.filters._gradients import image_gradients
from skcv.filters._kernels import (
    box_kernel,
    gaussian_derivative_kernel,
    gaussian_kernel,
    identity_kernel,
    laplacian_of_gaussian,
    sharpen_kernel,
    shift_kernel,
)
from skcv.filters._noise import (
    add_gaussian_noise,
    add_impulse_noise,
    add_salt_and_pepper,
)

__all__ = [
    "BORDER_MODES",
    "Denoiser",
    "add_gaussian_noise",
    "add_impulse_noise",
    "add_salt_and_pepper",
    "box_kernel",
    "canny",
    "convolve",
    "correlate",
    "gaussian_derivative_kernel",
    "gaussian_filter",
    "gaussian_kernel",
    "identity_kernel",
    "image_gradients",
    "laplacian_of_gaussian",
    "mean_filter",
    "median_filter",
    "sharpen_kernel",
    "shift_kernel",
]
