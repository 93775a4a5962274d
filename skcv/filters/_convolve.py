"""Correlation and convolution of one image with a kernel, with border modes.

Three engines, chosen automatically by ``method="auto"``:

* ``"separable"``: a rank-1 kernel (detected with an SVD) or a pair of 1-D kernels
  runs as two 1-D passes (``2k`` instead of ``k^2`` multiplications per pixel);
* ``"fft"``: large non-separable kernels run through :func:`scipy.signal.fftconvolve`
  on an image padded with :func:`numpy.pad` so that the border mode is reproduced;
* ``"direct"``: small non-separable kernels run through :func:`scipy.ndimage.correlate`.

Kernel flipping, the kernel anchor for even sizes and the mode names are handled
here, once, and every engine agrees with :func:`scipy.ndimage.correlate` /
:func:`scipy.ndimage.convolve` in every mode.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import ndimage as ndi
from scipy import signal

from skcv.utils._validation import check_image

__all__ = ["BORDER_MODES", "convolve", "correlate"]

#: Border modes: skcv (course) name -> (scipy.ndimage mode, numpy.pad mode).
#: ``"reflect"`` is half-sample symmetric ``d c b a | a b c d | d c b a`` (scipy's
#: "reflect", numpy's "symmetric"); ``"mirror"`` is whole-sample symmetric
#: ``d c b | a b c d | c b a`` (scipy's "mirror", numpy's "reflect").
BORDER_MODES = {
    "zero": ("constant", "constant"),
    "constant": ("constant", "constant"),
    "reflect": ("reflect", "symmetric"),
    "symmetric": ("reflect", "symmetric"),
    "mirror": ("mirror", "reflect"),
    "replicate": ("nearest", "edge"),
    "edge": ("nearest", "edge"),
    "nearest": ("nearest", "edge"),
    "wrap": ("wrap", "wrap"),
    "circular": ("wrap", "wrap"),
}

_METHODS = ("auto", "direct", "separable", "fft")
#: Non-separable kernels with at least this many taps go through the FFT.
FFT_MIN_TAPS = 225


def _check_mode(mode, cval) -> tuple[str, str, float]:
    if not isinstance(mode, str) or mode not in BORDER_MODES:
        raise ValueError(f"mode must be one of {sorted(BORDER_MODES)}; got {mode!r}.")
    if isinstance(cval, bool) or not isinstance(cval, numbers.Real):
        raise TypeError(f"cval must be a real number; got {cval!r}.")
    scipy_mode, pad_mode = BORDER_MODES[mode]
    return scipy_mode, pad_mode, 0.0 if mode == "zero" else float(cval)


def _check_kernel(kernel):
    """Return ``(kernel_2d, (k_rows, k_cols) or None)``."""
    if isinstance(kernel, (tuple, list)) and len(kernel) == 2:
        parts = [np.asarray(k) for k in kernel]
        if all(p.ndim == 1 for p in parts):
            parts = [_finite_kernel(p) for p in parts]
            return None, (parts[0], parts[1])
    k = _finite_kernel(np.asarray(kernel))
    if k.ndim != 2:
        raise ValueError(
            "kernel must be a 2-D array or a pair (k_rows, k_cols) of 1-D arrays; "
            f"got an array with ndim={k.ndim}."
        )
    return k, None


def _finite_kernel(k: np.ndarray) -> np.ndarray:
    if k.dtype.kind not in "biuf":
        raise TypeError(f"kernel must hold real numbers; got dtype {k.dtype}.")
    if k.size == 0:
        raise ValueError(f"kernel is empty (shape {k.shape}).")
    k = k.astype(np.float64, copy=False)
    if not np.isfinite(k).all():
        raise ValueError("kernel contains NaN or infinity.")
    return k


def _rank1(kernel: np.ndarray, rtol: float = 1e-10):
    """Split a rank-1 kernel into ``(k_rows, k_cols)`` with an SVD, else None."""
    if min(kernel.shape) == 1:
        return _outer_split(kernel)
    u, s, vt = np.linalg.svd(kernel)
    if s[0] == 0.0 or s[1] > rtol * s[0]:
        return None
    scale = np.sqrt(s[0])
    return u[:, 0] * scale, vt[0] * scale


def _outer_split(kernel: np.ndarray):
    # A 1 x k or k x 1 kernel is trivially separable.
    if kernel.shape[0] == 1:
        return np.ones(1), kernel[0].copy()
    return kernel[:, 0].copy(), np.ones(1)


def correlate_axis(
    x: np.ndarray,
    weights: np.ndarray,
    axis: int = 0,
    mode: str = "reflect",
    cval: float = 0.0,
    *,
    out: np.ndarray | None = None,
    work: np.ndarray | None = None,
) -> np.ndarray:
    """1-D correlation along axis 0 or 1, fast for C-ordered images.

    Equals ``scipy.ndimage.correlate1d(x, weights, axis, mode=mode, cval=cval)``
    (``mode`` is a scipy.ndimage name) for an odd number of taps. scipy walks
    axis 0 column by column, which is cache-unfriendly for C-ordered images;
    here the interior is a sum of shifted blocks (whole-array numpy
    operations, symmetric and antisymmetric taps paired), and only the
    ``len(weights) // 2`` border lines at each end go through scipy, which
    implements the border mode (the whole array goes through scipy for "wrap",
    even sizes and short arrays). The output keeps the dtype of ``x``.
    ``out`` (C-contiguous, the shape and dtype of ``x``) and ``work`` (a
    contiguous array of the dtype of ``x`` with at least ``x.size`` elements)
    are optional preallocated buffers, so that repeated calls allocate nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters._convolve import correlate_axis
    >>> correlate_axis(np.arange(5.0)[:, None], np.array([1.0, 0.0, -1.0]))[:, 0]
    array([-1., -2., -2., -2., -1.])
    """
    n = weights.size
    r = n // 2
    h = x.shape[axis]
    if n % 2 == 0 or h < 2 * n or x.dtype.kind != "f" or mode == "wrap":
        return ndi.correlate1d(
            x,
            weights,
            axis=axis,
            mode=mode,
            cval=cval,
            output=x.dtype if out is None else out,
        )

    def part(start, stop):
        return (slice(None),) * axis + (slice(start, stop),)

    x = np.ascontiguousarray(x)
    if out is None:  # C order, so that reshape(-1) is a view
        out = np.empty(x.shape, dtype=x.dtype)
    if axis == 0:
        src, dst, step = x, out, 1
    else:
        # Along the rows, shift the flattened array by whole pixels: contiguous
        # 1-D operations (2-3x faster than column slices). Values that wrap
        # from one row into the next land in the first and last r columns,
        # which are recomputed below from the border strips.
        src, dst = x.reshape(-1), out.reshape(-1)
        step = int(np.prod(x.shape[2:], dtype=int))
    size = src.shape[0]
    m = size - 2 * r * step if axis == 1 else h - 2 * r

    def shifted(k):
        return src[k * step : k * step + m]

    inner = dst[r * step : r * step + m]
    dtype = x.dtype.type
    if weights[r] == 1.0:
        inner[...] = shifted(r)
    else:
        np.multiply(shifted(r), dtype(weights[r]), out=inner)
    tmp = np.empty_like(inner) if work is None else work.reshape(-1)[: inner.size]
    tmp = tmp.reshape(inner.shape)
    for k in range(r):
        a, b = weights[k], weights[n - 1 - k]
        xa, xb = shifted(k), shifted(n - 1 - k)
        if a == 0.0 and b == 0.0:
            continue
        if a == b:
            np.add(xa, xb, out=tmp)
            w = a
        elif a == -b:
            np.subtract(xa, xb, out=tmp)
            w = a
        else:
            np.multiply(xa, dtype(a), out=tmp)
            tmp += xb * dtype(b)
            w = 1.0
        if w == -1.0:
            inner -= tmp
            continue
        if w != 1.0:
            tmp *= dtype(w)
        inner += tmp
    if r:
        head = ndi.correlate1d(
            x[part(0, 2 * r)], weights, axis=axis, mode=mode, cval=cval
        )
        tail = ndi.correlate1d(
            x[part(h - 2 * r, h)], weights, axis=axis, mode=mode, cval=cval
        )
        out[part(0, r)] = head[part(0, r)]
        out[part(h - r, h)] = tail[part(r, 2 * r)]
    return out


def separable_correlate(
    image: np.ndarray,
    k_rows: np.ndarray,
    k_cols: np.ndarray,
    mode: str = "reflect",
    cval: float = 0.0,
    origins: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """Correlate with ``outer(k_rows, k_cols)`` as two 1-D passes (no validation).

    ``image`` is an already validated float ``(H, W)`` or ``(H, W, C)`` array and
    ``mode`` a scipy.ndimage mode name. The output keeps the input dtype. Used by
    the Gaussian filter, image gradients and Canny.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters._convolve import separable_correlate
    >>> separable_correlate(np.eye(3), np.ones(1), np.array([1.0, 0, -1]),
    ...                     mode="constant")
    array([[ 0.,  1.,  0.],
           [-1.,  0.,  1.],
           [ 0., -1.,  0.]])
    """
    out = image
    # Beyond the border the 2-D constant padding, filtered down the columns by
    # the first pass, has the value cval * sum(k_rows): the row pass pads with it.
    cval_cols = cval * float(k_rows.sum()) if mode == "constant" else cval
    if not (k_rows.size == 1 and k_rows[0] == 1.0 and origins[0] == 0):
        if origins[0] == 0:
            out = correlate_axis(out, k_rows, 0, mode, cval)
        else:
            out = ndi.correlate1d(
                out,
                k_rows,
                axis=0,
                mode=mode,
                cval=cval,
                origin=origins[0],
                output=image.dtype,
            )
    if not (k_cols.size == 1 and k_cols[0] == 1.0 and origins[1] == 0):
        if origins[1] == 0:
            out = correlate_axis(out, k_cols, 1, mode, cval_cols)
        else:
            out = ndi.correlate1d(
                out,
                k_cols,
                axis=1,
                mode=mode,
                cval=cval_cols,
                origin=origins[1],
                output=image.dtype,
            )
    return out if out is not image else image.copy()


def _fft_correlate(image, kernel, pad_mode, cval, origins):
    kh, kw = kernel.shape
    before = (kh // 2 + origins[0], kw // 2 + origins[1])
    pads = [(before[0], kh - 1 - before[0]), (before[1], kw - 1 - before[1])]
    pads += [(0, 0)] * (image.ndim - 2)
    kwargs = {"constant_values": cval} if pad_mode == "constant" else {}
    padded = np.pad(image.astype(np.float64, copy=False), pads, mode=pad_mode, **kwargs)
    flipped = kernel[::-1, ::-1]
    if image.ndim == 3:
        flipped = flipped[:, :, None]
    out = signal.fftconvolve(padded, flipped, mode="valid", axes=(0, 1))
    return out.astype(image.dtype, copy=False)


def _correlate(image, kernel, mode, cval, method, channel_axis, *, convolution):
    image = check_image(image, channel_axis=channel_axis)
    scipy_mode, pad_mode, cval = _check_mode(mode, cval)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}; got {method!r}.")
    kernel2d, parts = _check_kernel(kernel)
    if parts is None and method in ("auto", "separable"):
        parts = _rank1(kernel2d)
        if parts is None and method == "separable":
            raise ValueError(
                "method='separable' needs a rank-1 kernel or a pair of 1-D kernels; "
                "the kernel given has rank > 1."
            )
    if parts is not None and kernel2d is None and method in ("direct", "fft"):
        kernel2d = np.outer(*parts)
    shape = kernel2d.shape if kernel2d is not None else (parts[0].size, parts[1].size)
    # True convolution = correlation with the flipped kernel; scipy anchors an
    # even-sized flipped kernel one sample earlier (origin -1).
    origins = (0, 0)
    if convolution:
        origins = tuple(-1 if n % 2 == 0 else 0 for n in shape)
        if kernel2d is not None:
            kernel2d = kernel2d[::-1, ::-1]
        if parts is not None:
            parts = (parts[0][::-1], parts[1][::-1])
    if method == "auto":
        if parts is not None:
            method = "separable"
        elif kernel2d.size >= FFT_MIN_TAPS:
            method = "fft"
        else:
            method = "direct"
    if method == "separable":
        return separable_correlate(image, *parts, scipy_mode, cval, origins)
    if method == "fft":
        return _fft_correlate(image, kernel2d, pad_mode, cval, origins)
    weights, origin = kernel2d, list(origins)
    if image.ndim == 3:
        weights, origin = kernel2d[:, :, None], [*origins, 0]
    return ndi.correlate(
        image, weights, mode=scipy_mode, cval=cval, origin=origin, output=image.dtype
    )


_SHARED_DOC = """Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        One image, channels last; each channel is filtered independently. uint8
        is scaled to [0, 1] float32; float32 stays float32.
    kernel : array-like of shape (kh, kw) or pair of 1-D arrays
        The kernel, or ``(k_rows, k_cols)`` meaning ``outer(k_rows, k_cols)``.
        Even sizes are anchored like :mod:`scipy.ndimage`.
    mode : str, default="reflect"
        How the image is extended beyond its border (same names as
        :mod:`scipy.ndimage` plus the course's):

        * ``"zero"``: zeros (``cval`` ignored); ``"constant"``: ``cval``;
        * ``"reflect"`` (alias ``"symmetric"``): half-sample symmetric,
          ``d c b a | a b c d | d c b a`` (scipy "reflect", numpy "symmetric");
        * ``"mirror"``: whole-sample symmetric, ``d c b | a b c d | c b a``
          (scipy "mirror", numpy "reflect");
        * ``"replicate"`` (aliases ``"edge"``, ``"nearest"``): the border pixel
          repeated, ``a a a | a b c d | d d d``;
        * ``"wrap"`` (alias ``"circular"``): periodic, ``b c d | a b c d | a b c``.
    cval : float, default=0.0
        Fill value for ``mode="constant"``.
    method : {"auto", "direct", "separable", "fft"}, default="auto"
        ``"auto"`` uses two 1-D passes when the kernel has rank 1 (SVD test) or is
        given as two 1-D kernels, the FFT for non-separable kernels of at least
        ``FFT_MIN_TAPS`` (225) taps, and direct summation otherwise.
    channel_axis : {None, -1}, default=None
        None: the last axis of a 3-D image is read as channels only when it has
        at most 4 entries (a longer one, as in a batch ``(n, H, W)``, raises);
        -1: the last axis holds channels, however many.

    Returns
    -------
    filtered : ndarray, same shape as ``image``
        Float32 for float32/integer input, float64 otherwise.
"""


def correlate(
    image,
    kernel,
    mode: str = "reflect",
    cval: float = 0.0,
    method: str = "auto",
    *,
    channel_axis: int | None = None,
) -> np.ndarray:
    """Cross-correlate an image with a kernel (the kernel is not flipped).

    ``out[i, j] = sum_{u, v} k[u, v] * I[i + u - a, j + v - b]`` with the anchor
    ``(a, b) = (kh // 2, kw // 2)``.

    {params}

    Notes
    -----
    Correlation is template matching: the kernel slides over the image and each
    output is the dot product of the kernel with the patch under it. It is
    linear and shift-invariant, but unlike convolution not commutative or
    associative (unless the kernel is symmetric).

    References
    ----------
    .. [1] Szeliski, R., "Computer Vision: Algorithms and Applications", 2nd ed.,
       Springer, 2022, section 3.2. :doi:`10.1007/978-3-030-34372-9`

    See Also
    --------
    convolve : the same with the kernel flipped.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import correlate
    >>> image = np.array([[0.0, 1.0, 2.0, 3.0]])
    >>> correlate(image, [[1.0, 0.0, 0.0]], mode="zero")
    array([[0., 0., 1., 2.]])
    >>> correlate(image, [[1.0, 0.0, 0.0]], mode="replicate")
    array([[0., 0., 1., 2.]])
    """
    return _correlate(
        image, kernel, mode, cval, method, channel_axis, convolution=False
    )


def convolve(
    image,
    kernel,
    mode: str = "reflect",
    cval: float = 0.0,
    method: str = "auto",
    *,
    channel_axis: int | None = None,
) -> np.ndarray:
    """Convolve an image with a kernel (true convolution: the kernel is flipped).

    ``out[i, j] = sum_{u, v} k[u, v] * I[i - u + a, j - v + b]``.

    {params}

    Notes
    -----
    The course's properties of convolution, all tested: linearity
    (``conv(aI + bJ) = a conv(I) + b conv(J)``), shift invariance, commutativity
    and associativity (``(I * f) * g = I * (f * g)``, which is why Gaussian
    smoothing followed by differentiation is one derivative-of-Gaussian filter),
    the identity kernel, and separability (a rank-1 kernel ``u v^T`` is two 1-D
    passes). Large kernels are applied through the FFT (convolution theorem:
    convolution in space is multiplication in frequency).

    References
    ----------
    .. [1] Szeliski, R., "Computer Vision: Algorithms and Applications", 2nd ed.,
       Springer, 2022, section 3.2. :doi:`10.1007/978-3-030-34372-9`

    See Also
    --------
    correlate : the same without flipping the kernel.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import convolve
    >>> image = np.array([[0.0, 1.0, 2.0, 3.0]])
    >>> convolve(image, [[1.0, 0.0, 0.0]], mode="zero")
    array([[1., 2., 3., 0.]])
    >>> convolve(image, [[0.5, 0.5]], mode="replicate")  # even kernel
    array([[0.5, 1.5, 2.5, 3. ]])
    """
    return _correlate(image, kernel, mode, cval, method, channel_axis, convolution=True)


if correlate.__doc__:  # None under python -OO
    correlate.__doc__ = correlate.__doc__.replace("{params}", _SHARED_DOC)
    convolve.__doc__ = convolve.__doc__.replace("{params}", _SHARED_DOC)
