"""Linear filter kernels: box, Gaussian, derivatives of Gaussian, LoG, sharpen, shift.

Every kernel here is a float64 ndarray meant for :func:`skcv.filters.convolve`
(true convolution). Symmetric kernels (box, Gaussian, LoG, sharpen, identity) give
the same result under :func:`skcv.filters.correlate`; odd-order derivative kernels
change sign and shift kernels move the other way.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "box_kernel",
    "gaussian_derivative_kernel",
    "gaussian_kernel",
    "identity_kernel",
    "laplacian_of_gaussian",
    "sharpen_kernel",
    "shift_kernel",
]


# Largest Gaussian scale: its kernel (half width 3 sigma) is already 6e6 taps long.
_MAX_SIGMA = 1e6


def _check_sigma(sigma, name: str = "sigma") -> float:
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real):
        raise TypeError(f"{name} must be a positive real number; got {sigma!r}.")
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"{name} must be a positive finite number; got {sigma!r}.")
    if sigma > _MAX_SIGMA:
        raise ValueError(
            f"{name} must be at most {_MAX_SIGMA:g} (a kernel of "
            f"{gaussian_size(_MAX_SIGMA):,} taps); got {sigma!r}."
        )
    return float(sigma)


def _check_size(size, name: str = "size", *, odd: bool = False) -> int:
    if isinstance(size, bool) or not isinstance(size, numbers.Integral):
        raise TypeError(f"{name} must be a positive int; got {size!r}.")
    if size < 1 or (odd and size % 2 == 0):
        what = "a positive odd int" if odd else "a positive int"
        raise ValueError(f"{name} must be {what}; got {size!r}.")
    return int(size)


def _check_axis(axis) -> int:
    if isinstance(axis, bool) or axis not in (0, 1):
        raise ValueError(f"axis must be 0 (rows, y) or 1 (columns, x); got {axis!r}.")
    return int(axis)


def gaussian_size(sigma: float) -> int:
    """Kernel size of the course's rule: half width ``ceil(3 * sigma)``.

    Examples
    --------
    >>> from skcv.filters._kernels import gaussian_size
    >>> gaussian_size(1.0), gaussian_size(1.5), gaussian_size(0.3)
    (7, 11, 3)
    """
    return 2 * math.ceil(3.0 * sigma) + 1


def _gaussian_1d(sigma: float, size: int | None, order: int = 0) -> np.ndarray:
    """Return the sampled 1-D Gaussian (order 0) or its normalised derivative."""
    if size is None:
        size = gaussian_size(sigma)
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-0.5 * (x / sigma) ** 2)
    g /= g.sum()
    if order == 0:
        return g
    if order == 1:
        d = -x / sigma**2 * g
        # Convolution with d must give f' = 1 on the ramp f(x) = x: -sum(x d) = 1.
        return d / -(x * d).sum()
    # order 2: (x^2 / sigma^4 - 1 / sigma^2) g, made to sum to 0 by removing a
    # multiple of g (truncation breaks the exact zero sum), then scaled so that
    # convolution with the parabola f(x) = x^2 / 2 gives f'' = 1: sum(x^2 d) = 2.
    d = (x**2 / sigma**4 - 1.0 / sigma**2) * g
    d -= d.sum() * g
    return d * (2.0 / (x**2 * d).sum())


def box_kernel(size: int | tuple[int, int] = 3) -> np.ndarray:
    """Box (mean) kernel: a ``size x size`` array of ones divided by its area.

    Parameters
    ----------
    size : int or tuple of (int, int), default=3
        Height and width of the kernel (one int for a square).

    Returns
    -------
    kernel : ndarray of shape (h, w)
        Constant kernel summing to 1.

    Notes
    -----
    The box filter replaces each pixel by the average of its neighbourhood. It is
    separable (a column of ones times a row of ones) and, repeated, tends to a
    Gaussian (central limit theorem); unlike the Gaussian it leaves ringing
    artefacts because its Fourier transform is a sinc.

    References
    ----------
    .. [1] Szeliski, R., "Computer Vision: Algorithms and Applications", 2nd ed.,
       Springer, 2022, section 3.2. :doi:`10.1007/978-3-030-34372-9`

    Examples
    --------
    >>> from skcv.filters import box_kernel
    >>> box_kernel(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    if isinstance(size, (tuple, list)):
        if len(size) != 2:
            raise ValueError(f"size must be an int or a pair (h, w); got {size!r}.")
        h, w = (_check_size(s) for s in size)
    else:
        h = w = _check_size(size)
    return np.full((h, w), 1.0 / (h * w))


def gaussian_kernel(
    sigma: float = 1.0, size: int | None = None, *, ndim: int = 2
) -> np.ndarray:
    """Return a sampled Gaussian kernel, normalised to sum 1.

    Parameters
    ----------
    sigma : float, default=1.0
        Standard deviation in pixels.
    size : int, default=None
        Kernel width. ``None`` uses the course's rule: half width ``ceil(3 sigma)``,
        i.e. ``size = 2 * ceil(3 * sigma) + 1`` (99.7% of the mass).
    ndim : {1, 2}, default=2
        1 returns the 1-D profile ``g``; 2 returns ``outer(g, g)``.

    Returns
    -------
    kernel : ndarray of shape (size,) or (size, size)
        Non-negative, symmetric, summing to 1.

    Notes
    -----
    ``G(x, y) = exp(-(x^2 + y^2) / (2 sigma^2)) / (2 pi sigma^2)`` sampled at
    integer offsets from the centre and renormalised so that smoothing preserves
    the mean intensity. The 2-D Gaussian is separable, ``G(x, y) = g(x) g(y)``, so
    filtering costs ``2k`` instead of ``k^2`` operations per pixel, and the
    convolution of two Gaussians is a Gaussian whose variances add
    (``sigma * sqrt(2)`` for two equal ones).

    References
    ----------
    .. [1] Lindeberg, T., "Scale-space theory: a basic tool for analysing
       structures at different scales", Journal of Applied Statistics 21(2),
       1994. :doi:`10.1080/757582976`

    Examples
    --------
    >>> from skcv.filters import gaussian_kernel
    >>> k = gaussian_kernel(1.0)
    >>> k.shape, round(float(k.sum()), 12)
    ((7, 7), 1.0)
    >>> gaussian_kernel(0.5, ndim=1).round(3)
    array([0.   , 0.106, 0.787, 0.106, 0.   ])
    """
    sigma = _check_sigma(sigma)
    if size is not None:
        size = _check_size(size)
    if ndim not in (1, 2):
        raise ValueError(f"ndim must be 1 or 2; got {ndim!r}.")
    g = _gaussian_1d(sigma, size)
    return g if ndim == 1 else np.outer(g, g)


def gaussian_derivative_kernel(
    sigma: float = 1.0, order: int = 1, axis: int = 1, size: int | None = None
) -> np.ndarray:
    """Derivative-of-Gaussian kernel along one image axis.

    Parameters
    ----------
    sigma : float, default=1.0
        Standard deviation of the Gaussian, in pixels.
    order : {1, 2}, default=1
        Order of the derivative.
    axis : {0, 1}, default=1
        Axis of differentiation: 1 for x (along columns), 0 for y (along rows,
        pointing down).
    size : int, default=None
        Kernel width; ``None`` uses ``2 * ceil(3 * sigma) + 1``.

    Returns
    -------
    kernel : ndarray of shape (size, size)
        ``outer(g, d)`` for ``axis=1`` and ``outer(d, g)`` for ``axis=0``, where
        ``g`` is the 1-D Gaussian and ``d`` its derivative. Sums to 0.

    Notes
    -----
    Differentiation amplifies noise, so the course smooths first and then
    differentiates. Both are linear, so they combine into one kernel:
    ``d/dx (G * I) = (dG/dx) * I``. The sampled derivative is scaled so that
    :func:`skcv.filters.convolve` returns the derivative in intensity units per
    pixel: convolving the ramp ``I = x`` gives 1 (order 1), convolving
    ``I = x^2 / 2`` gives 1 (order 2). Under correlation an order-1 kernel gives
    the negative derivative.

    References
    ----------
    .. [1] Canny, J., "A Computational Approach to Edge Detection", IEEE TPAMI
       8(6), 1986. :doi:`10.1109/TPAMI.1986.4767851`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import convolve, gaussian_derivative_kernel
    >>> k = gaussian_derivative_kernel(1.0, axis=1)
    >>> abs(float(k.sum())) < 1e-12
    True
    >>> ramp = np.tile(np.arange(16.0), (16, 1))
    >>> float(convolve(ramp, k)[8, 8]).__round__(6)
    1.0
    """
    sigma = _check_sigma(sigma)
    if order not in (1, 2) or isinstance(order, bool):
        raise ValueError(f"order must be 1 or 2; got {order!r}.")
    axis = _check_axis(axis)
    if size is not None:
        size = _check_size(size)
    g = _gaussian_1d(sigma, size)
    d = _gaussian_1d(sigma, size, order=order)
    return np.outer(g, d) if axis == 1 else np.outer(d, g)


def laplacian_of_gaussian(sigma: float = 1.0, size: int | None = None) -> np.ndarray:
    """Laplacian-of-Gaussian kernel ``d2G/dx2 + d2G/dy2``.

    Parameters
    ----------
    sigma : float, default=1.0
        Standard deviation of the Gaussian, in pixels.
    size : int, default=None
        Kernel width; ``None`` uses ``2 * ceil(3 * sigma) + 1``.

    Returns
    -------
    kernel : ndarray of shape (size, size)
        Rotationally (nearly) symmetric "Mexican hat" (negative centre) summing
        to 0.

    Notes
    -----
    The LoG responds to blobs of radius about ``sigma * sqrt(2)`` and its zero
    crossings mark edges (Marr-Hildreth). It is the sum of two separable kernels,
    ``outer(g, g'') + outer(g'', g)``, and is well approximated by a difference
    of Gaussians.

    References
    ----------
    .. [1] Marr, D. and Hildreth, E., "Theory of edge detection", Proc. R. Soc.
       Lond. B 207, 1980. :doi:`10.1098/rspb.1980.0020`

    Examples
    --------
    >>> from skcv.filters import laplacian_of_gaussian
    >>> k = laplacian_of_gaussian(1.0)
    >>> k.shape, abs(float(k.sum())) < 1e-12, bool(k[3, 3] < 0)
    ((7, 7), True, True)
    """
    sigma = _check_sigma(sigma)
    if size is not None:
        size = _check_size(size)
    g = _gaussian_1d(sigma, size)
    d2 = _gaussian_1d(sigma, size, order=2)
    return np.outer(g, d2) + np.outer(d2, g)


def identity_kernel(size: int = 3) -> np.ndarray:
    """Kernel with a single 1 at its centre: filtering leaves the image unchanged.

    Parameters
    ----------
    size : int, default=3
        Odd kernel width.

    Returns
    -------
    kernel : ndarray of shape (size, size)

    Examples
    --------
    >>> from skcv.filters import identity_kernel
    >>> identity_kernel(3)
    array([[0., 0., 0.],
           [0., 1., 0.],
           [0., 0., 0.]])
    """
    size = _check_size(size, odd=True)
    k = np.zeros((size, size))
    k[size // 2, size // 2] = 1.0
    return k


def shift_kernel(dy: int = 0, dx: int = 1) -> np.ndarray:
    """Kernel whose convolution moves the image by ``(dy, dx)`` pixels.

    Parameters
    ----------
    dy, dx : int, default=(0, 1)
        Displacement down (rows) and right (columns). Negative values move up /
        left.

    Returns
    -------
    kernel : ndarray of shape (2r + 1, 2r + 1), ``r = max(|dy|, |dx|, 1)``
        A single 1 at offset ``(dy, dx)`` from the centre.

    Notes
    -----
    ``convolve(I, shift_kernel(dy, dx))[i, j] == I[i - dy, j - dx]`` away from
    the border: convolution flips the kernel, so the impulse placed right of the
    centre moves the image right. :func:`skcv.filters.correlate` with the same
    kernel moves it the other way.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import convolve, shift_kernel
    >>> convolve(np.array([[0.0, 1.0, 2.0, 3.0]]), shift_kernel(0, 1), mode="zero")
    array([[0., 0., 1., 2.]])
    """
    for name, v in (("dy", dy), ("dx", dx)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be an int; got {v!r}.")
    r = max(abs(int(dy)), abs(int(dx)), 1)
    k = np.zeros((2 * r + 1, 2 * r + 1))
    k[r + int(dy), r + int(dx)] = 1.0
    return k


def sharpen_kernel(alpha: float = 1.0, size: int = 3) -> np.ndarray:
    """Unsharp-masking kernel ``(1 + alpha) * identity - alpha * box``.

    Parameters
    ----------
    alpha : float, default=1.0
        Amount of detail added back; 0 gives the identity.
    size : int, default=3
        Odd width of the box blur whose residual is the "detail".

    Returns
    -------
    kernel : ndarray of shape (size, size)
        Sums to 1, so flat regions keep their intensity.

    Notes
    -----
    Detail = image - blurred image; sharpened = image + alpha * detail
    = ((1 + alpha) e - alpha * box) * image, where ``e`` is the identity kernel.

    Examples
    --------
    >>> from skcv.filters import sharpen_kernel
    >>> (sharpen_kernel(1.0) * 9).round(6)
    array([[-1., -1., -1.],
           [-1., 17., -1.],
           [-1., -1., -1.]])
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number; got {alpha!r}.")
    if not np.isfinite(alpha):
        raise ValueError(f"alpha must be a finite number; got {alpha!r}.")
    size = _check_size(size, odd=True)
    return (1.0 + alpha) * identity_kernel(size) - alpha * box_kernel(size)
