"""Noise models: additive Gaussian, salt-and-pepper and impulse (salt only) noise."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from skcv.utils._validation import check_image

__all__ = ["add_gaussian_noise", "add_impulse_noise", "add_salt_and_pepper"]


def _check_fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1]; got {value!r}.")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1]; got {value!r}.")
    return float(value)


def add_gaussian_noise(
    image,
    sigma: float = 0.1,
    *,
    clip: bool = True,
    random_state=None,
    channel_axis: int | None = None,
) -> np.ndarray:
    """Add i.i.d. zero-mean Gaussian noise to every pixel value.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        Image with values in [0, 1] (integers are scaled to [0, 1] float32).
    sigma : float, default=0.1
        Standard deviation of the noise, in intensity units.
    clip : bool, default=True
        Clip the result to [0, 1].
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible noise.
    channel_axis : {None, -1}, default=None
        None: the last axis of a 3-D image is read as channels only when it has
        at most 4 entries (a longer one, as in a batch ``(n, H, W)``, raises);
        -1: the last axis holds channels, however many.

    Returns
    -------
    noisy : ndarray, same shape and float dtype as the validated image

    Notes
    -----
    The model is ``J = I + n`` with ``n ~ N(0, sigma^2)`` independent per pixel
    (sensor/read-out noise). Because the noise is zero-mean and independent,
    averaging ``k`` neighbours divides its variance by ``k``: linear smoothing
    (mean, Gaussian) is the right remedy.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import add_gaussian_noise
    >>> noisy = add_gaussian_noise(np.full((100, 100), 0.5), 0.1, random_state=0)
    >>> round(float(noisy.std()), 2)
    0.1
    """
    image = check_image(image, channel_axis=channel_axis)
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real):
        raise TypeError(f"sigma must be a non-negative real number; got {sigma!r}.")
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a non-negative finite number; got {sigma!r}.")
    rng = check_random_state(random_state)
    noisy = image + rng.normal(0.0, sigma, size=image.shape).astype(image.dtype)
    if clip:
        np.clip(noisy, 0.0, 1.0, out=noisy)
    return noisy


def add_salt_and_pepper(
    image,
    amount: float = 0.05,
    salt_vs_pepper: float = 0.5,
    *,
    random_state=None,
    channel_axis: int | None = None,
) -> np.ndarray:
    """Set a random fraction of the pixels to white (salt) or black (pepper).

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        Image with values in [0, 1] (integers are scaled to [0, 1] float32).
    amount : float, default=0.05
        Fraction of pixel positions corrupted (all channels of a pixel together).
    salt_vs_pepper : float, default=0.5
        Fraction of the corrupted pixels that become 1 (salt); the others
        become 0 (pepper).
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible noise.
    channel_axis : {None, -1}, default=None
        None: the last axis of a 3-D image is read as channels only when it has
        at most 4 entries (a longer one, as in a batch ``(n, H, W)``, raises);
        -1: the last axis holds channels, however many.

    Returns
    -------
    noisy : ndarray, same shape and float dtype as the validated image

    Notes
    -----
    Exactly ``round(amount * H * W)`` positions, drawn without replacement, are
    replaced. Impulse noise is not additive and its outliers are extreme, so a
    mean or Gaussian filter smears each impulse into a blob while the median
    filter (a robust, non-linear order statistic) removes isolated impulses.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import add_salt_and_pepper
    >>> noisy = add_salt_and_pepper(np.full((10, 10), 0.5), 0.1, random_state=0)
    >>> int((noisy == 1).sum() + (noisy == 0).sum())
    10
    """
    image = check_image(image, channel_axis=channel_axis)
    amount = _check_fraction(amount, "amount")
    salt_vs_pepper = _check_fraction(salt_vs_pepper, "salt_vs_pepper")
    rng = check_random_state(random_state)
    noisy = image.copy()
    n_pixels = image.shape[0] * image.shape[1]
    n_noisy = int(round(amount * n_pixels))
    idx = rng.choice(n_pixels, size=n_noisy, replace=False)
    n_salt = int(round(salt_vs_pepper * n_noisy))
    flat = noisy.reshape(n_pixels, -1)
    flat[idx[:n_salt]] = 1.0
    flat[idx[n_salt:]] = 0.0
    return noisy


def add_impulse_noise(
    image,
    amount: float = 0.05,
    *,
    random_state=None,
    channel_axis: int | None = None,
) -> np.ndarray:
    """Set a random fraction of the pixels to white (positive impulses only).

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        Image with values in [0, 1] (integers are scaled to [0, 1] float32).
    amount : float, default=0.05
        Fraction of pixel positions set to 1.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible noise.
    channel_axis : {None, -1}, default=None
        None: the last axis of a 3-D image is read as channels only when it has
        at most 4 entries (a longer one, as in a batch ``(n, H, W)``, raises);
        -1: the last axis holds channels, however many.

    Returns
    -------
    noisy : ndarray, same shape and float dtype as the validated image

    Notes
    -----
    Salt-and-pepper noise with ``salt_vs_pepper=1``: every impulse is white.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import add_impulse_noise
    >>> noisy = add_impulse_noise(np.zeros((10, 10)), 0.2, random_state=0)
    >>> int(noisy.sum())
    20
    """
    return add_salt_and_pepper(
        image,
        amount=amount,
        salt_vs_pepper=1.0,
        random_state=random_state,
        channel_axis=channel_axis,
    )
