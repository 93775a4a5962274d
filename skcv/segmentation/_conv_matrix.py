"""The matrix of a convolution: why a transposed convolution is called that."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from skcv.utils._validation import as_array

__all__ = ["conv_matrix"]


def _pair(value, name, ndim, minimum):
    """Return ``value`` as a tuple of ``ndim`` ints >= ``minimum``."""
    values = (value,) * ndim if isinstance(value, Integral) else tuple(value)
    if len(values) != ndim or not all(
        isinstance(v, Integral) and not isinstance(v, bool) and v >= minimum
        for v in values
    ):
        raise ValueError(
            f"{name} must be an int >= {minimum} or a tuple of {ndim} such ints "
            f"(one per dimension of the kernel); got {value!r}."
        )
    return tuple(int(v) for v in values)


def conv_matrix(kernel, input_size, stride=1, padding=0):
    """Matrix ``M`` such that ``M @ x.ravel()`` is the convolution of ``x``.

    The convolution is the cross-correlation that deep-learning libraries call
    convolution (``torch.nn.functional.conv1d`` / ``conv2d``, one channel, no
    bias): ``y[i] = sum_j kernel[j] * x_padded[i * stride + j]``.

    Parameters
    ----------
    kernel : array-like of shape (k,) or (kh, kw)
        Filter weights; a 1-D kernel gives the matrix of a 1-D convolution, a
        2-D kernel that of a 2-D convolution.
    input_size : int or tuple of int
        Length ``n`` of a 1-D input, or ``(H, W)`` of a 2-D input (an int is
        used for both sides).
    stride : int or tuple of int, default=1
        Step of the filter (per dimension).
    padding : int or tuple of int, default=0
        Zeros added on both sides of the input (per dimension).

    Returns
    -------
    matrix : ndarray of shape (n_out, n_in)
        ``n_in = n`` (or ``H * W``) and ``n_out`` the number of output values,
        ``(n + 2 * padding - k) // stride + 1`` per dimension; rows and columns
        follow the row-major (C) order of the output and of the input. Dense,
        with the kernel's floating dtype (float64 for integer kernels).

    Raises
    ------
    ValueError
        If the kernel is not 1-D or 2-D, ``input_size``, ``stride`` or
        ``padding`` do not fit it, or the kernel is larger than the padded input.

    Notes
    -----
    Convolution is linear, so it is a matrix multiplication: row ``i`` of the
    matrix holds the kernel's weights at the columns of the input values that
    output ``i`` sees (weights that fall on padding are dropped, since padding
    is zero). The same matrix explains the *transposed* convolution used for
    learnable upsampling:

    1. convolution with stride ``s`` maps ``n`` inputs to about ``n / s``
       outputs: ``y = M x`` with ``M`` of shape ``(n / s, n)``;
    2. multiplying by the transpose, ``M.T y``, maps ``n / s`` values back to
       ``n``: every input value is spread over the positions the kernel covers,
       weighted by the kernel, and overlapping contributions are summed;
    3. that is exactly ``torch.nn.functional.conv_transpose1d`` / ``2d`` with
       the same kernel, stride and padding (with ``output_padding`` set to
       ``(n + 2 p - k) mod s`` when the strided convolution dropped inputs at
       the end). It is also the gradient of the convolution with respect to
       its input, which is how back-propagation computes it.

    A transposed convolution is not the inverse of the convolution: ``M.T M``
    is not the identity; it restores the shape, not the values.

    References
    ----------
    .. [1] Dumoulin, V., Visin, F. (2016). A guide to convolution arithmetic for
       deep learning. arXiv:1603.07285.
    .. [2] Long, J., Shelhamer, E., Darrell, T. (2015). Fully convolutional
       networks for semantic segmentation. CVPR. :doi:`10.1109/CVPR.2015.7298965`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.segmentation import conv_matrix
    >>> M = conv_matrix([1.0, 2.0, 3.0], 4)
    >>> M
    array([[1., 2., 3., 0.],
           [0., 1., 2., 3.]])
    >>> M @ np.array([1.0, 0.0, 0.0, 1.0])
    array([1., 3.])

    Stride 2 halves the length; the transpose upsamples back:

    >>> M = conv_matrix([1.0, 1.0], 4, stride=2)
    >>> M.T @ np.array([5.0, 7.0])
    array([5., 5., 7., 7.])
    """
    kernel = as_array(kernel, "kernel")
    if kernel.dtype.kind not in "iuf" or kernel.ndim not in (1, 2) or kernel.size == 0:
        raise ValueError(
            "kernel must be a non-empty 1-D or 2-D array of numbers; got "
            f"shape {kernel.shape} and dtype {kernel.dtype}."
        )
    if not np.isfinite(kernel).all():
        raise ValueError("kernel must not contain NaN or infinity.")
    dtype = kernel.dtype if kernel.dtype.kind == "f" else np.float64
    ndim = kernel.ndim
    size = _pair(input_size, "input_size", ndim, 1)
    stride = _pair(stride, "stride", ndim, 1)
    padding = _pair(padding, "padding", ndim, 0)
    out = tuple(
        (n + 2 * p - k) // s + 1
        for n, p, k, s in zip(size, padding, kernel.shape, stride, strict=True)
    )
    if any(n + 2 * p < k for n, p, k in zip(size, padding, kernel.shape, strict=True)):
        raise ValueError(
            f"kernel of shape {kernel.shape} is larger than the padded input "
            f"(input_size={size}, padding={padding})."
        )
    # Per dimension: input coordinate hit by output o and kernel offset j.
    coords = [
        (np.arange(o)[:, None] * s + np.arange(k)[None, :] - p)
        for o, s, k, p in zip(out, stride, kernel.shape, padding, strict=True)
    ]
    matrix = np.zeros((int(np.prod(out)), int(np.prod(size))), dtype=dtype)
    if ndim == 1:
        (c,) = coords
        rows = np.broadcast_to(np.arange(out[0])[:, None], c.shape)
        weights = np.broadcast_to(kernel[None, :], c.shape)
        valid = (c >= 0) & (c < size[0])
        matrix[rows[valid], c[valid]] = weights[valid]
        return matrix
    ci, cj = coords  # (oh, kh), (ow, kw)
    ri = ci[:, None, :, None]  # (oh, 1, kh, 1)
    rj = cj[None, :, None, :]  # (1, ow, 1, kw)
    shape = (out[0], out[1], *kernel.shape)
    rows = np.broadcast_to(
        (np.arange(out[0])[:, None] * out[1] + np.arange(out[1])[None, :])[
            :, :, None, None
        ],
        shape,
    )
    valid = (ri >= 0) & (ri < size[0]) & (rj >= 0) & (rj < size[1])
    valid = np.broadcast_to(valid, shape)
    cols = np.broadcast_to(ri * size[1] + rj, shape)
    weights = np.broadcast_to(kernel[None, None], shape)
    matrix[rows[valid], cols[valid]] = weights[valid]
    return matrix
