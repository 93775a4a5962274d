"""Image quality metrics."""

from __future__ import annotations

import numbers

import numpy as np

from skcv.utils._validation import check_image

__all__ = ["psnr"]


def psnr(image_true, image_test, *, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio between a reference image and a test image.

    Parameters
    ----------
    image_true : array-like of shape (H, W) or (H, W, C)
        Reference image. uint8 is scaled to [0, 1].
    image_test : array-like, same shape as ``image_true``
        Degraded or restored image. uint8 is scaled to [0, 1].
    data_range : float, default=1.0
        Range of the (scaled) intensities: 1 for images in [0, 1], so uint8
        images give the same value as with scikit-image's 255.

    Returns
    -------
    psnr : float
        ``10 log10(data_range^2 / MSE)`` in decibels; ``inf`` for identical
        images. Higher is better.

    Notes
    -----
    PSNR is the mean squared error on a logarithmic scale relative to the largest
    possible signal: halving the error RMS adds about 6 dB. Computed as
    :func:`skimage.metrics.peak_signal_noise_ratio` does.

    References
    ----------
    .. [1] Wang, Z. and Bovik, A. C., "Mean squared error: Love it or leave it?",
       IEEE Signal Processing Magazine 26(1), 2009. :doi:`10.1109/MSP.2008.930649`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.metrics import psnr
    >>> round(psnr(np.zeros((4, 4)), np.full((4, 4), 0.1)), 6)
    20.0
    """
    a = check_image(image_true, name="image_true")
    b = check_image(image_test, name="image_test")
    if a.shape != b.shape:
        raise ValueError(
            f"image_true and image_test must have the same shape; got {a.shape} and "
            f"{b.shape}."
        )
    if isinstance(data_range, bool) or not isinstance(data_range, numbers.Real):
        raise TypeError(f"data_range must be a positive number; got {data_range!r}.")
    if not 0 < data_range < np.inf:
        raise ValueError(
            f"data_range must be a positive finite number; got {data_range!r}."
        )
    if np.array_equal(a, b):
        return float("inf")
    # As skimage's peak_signal_noise_ratio, with data_range in the log (its
    # data_range**2 overflows for a huge range).
    mse = np.mean(np.square(a.astype(np.float64) - b.astype(np.float64)))
    return float(20 * np.log10(float(data_range)) - 10 * np.log10(mse))
