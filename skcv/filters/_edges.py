"""Canny edge detector, vectorised: no per-pixel Python loop."""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable

import numpy as np
from scipy import ndimage as ndi

from skcv.filters._convolve import _check_mode, correlate_axis
from skcv.filters._kernels import _check_sigma
from skcv.utils._validation import channels_to_grey, check_image

__all__ = ["canny"]

_SOBEL_SMOOTH = np.array([1.0, 2.0, 1.0])
_SOBEL_DIFF = np.array([-1.0, 0.0, 1.0])
_EIGHT = np.ones((3, 3), dtype=bool)


def _to_grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else channels_to_grey(image)


def _gaussian_taps(sigma: float) -> np.ndarray:
    # Same kernel as scipy.ndimage.gaussian_filter (truncate=4.0), which is what
    # scikit-image's canny smooths with.
    radius = int(4.0 * sigma + 0.5)
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 / sigma**2 * x**2)
    return g / g.sum()


class _Workspace:
    """Float32 work buffers for one image shape, reused across calls.

    A 512x512 Canny needs about eight 1 MB temporaries. Allocating them afresh
    on every call costs thousands of page faults (the allocator hands large
    blocks back to the system between calls), which on a busy machine took
    longer than the arithmetic; keeping them per thread removes that cost.
    """

    def __init__(self, shape):
        h, w = shape
        self.shape = shape
        self.f1 = np.empty(shape, np.float32)
        self.f2 = np.empty(shape, np.float32)
        self.f3 = np.empty(shape, np.float32)
        self.pad = np.empty((h + 2, w + 2), np.float32)
        self.a = np.empty((h, w + 2), np.float32)
        self.b = np.empty((h, w + 2), np.float32)
        self.bool1 = np.empty(shape, bool)
        self.bool2 = np.empty(shape, bool)
        self.labels = np.empty(shape, np.int32)


_LOCAL = threading.local()
#: Images up to this many pixels reuse a per-thread workspace (about 30 bytes
#: per pixel, kept for the last image shape seen by the thread).
MAX_WORKSPACE_PIXELS = 1 << 20


def _workspace(shape):
    if shape[0] * shape[1] > MAX_WORKSPACE_PIXELS:
        return _Workspace(shape)
    ws = getattr(_LOCAL, "workspace", None)
    if ws is None or ws.shape != shape:
        ws = _LOCAL.workspace = _Workspace(shape)
    return ws


def _smooth(image, sigma, mode, cval, mask, out, ws):
    """Smooth with a Gaussian into ``out``.

    In 'constant' mode or with a mask this is a normalised convolution: the
    weight of the kernel inside the image (or mask) divides the result.
    """
    g = _gaussian_taps(sigma)
    r = g.size // 2
    dtype = image.dtype
    if mask is not None:
        image = np.where(mask, image, dtype.type(0))
    rows = correlate_axis(image, g, 1, mode, cval, out=ws.f1, work=ws.f2)
    correlate_axis(rows, g, 0, mode, cval, out=out, work=ws.f2)
    if mask is not None:
        weight = correlate_axis(mask.astype(dtype), g, 1, mode, cval)
        weight = correlate_axis(weight, g, 0, mode, cval)
        weight += np.finfo(dtype).eps
        out /= weight
    elif mode == "constant" and cval != 1.0:
        # The weight of the in-image pixels is outer(w_rows, w_cols) and differs
        # from 1 only within r pixels of the border: rescale those strips only.
        eps = np.finfo(dtype).eps
        for axis, n in ((0, image.shape[0]), (1, image.shape[1])):
            w = ndi.correlate1d(np.ones(n), g, mode=mode, cval=cval) + eps
            k = min(r, n)
            shape = (-1, 1) if axis == 0 else (1, -1)
            head = (1.0 / w[:k]).astype(dtype).reshape(shape)
            tail = (1.0 / w[n - k :]).astype(dtype).reshape(shape)
            if axis == 0:
                out[:k] *= head
                out[n - k :] *= tail if n > k else 1.0
            else:
                out[:, :k] *= head
                out[:, n - k :] *= tail if n > k else 1.0
    return out


def _gradients(image, sigma, mode, cval, mask, ws):
    """Step 1 and 2: smoothed image, Sobel ``gy``, ``gx`` and the magnitude.

    The smoothed image is written inside a one-pixel frame (half-sample
    reflection, scipy's default for the Sobel filter: the border pixel
    repeated), so the two separable 3-tap passes of each derivative are sums
    and differences of shifted views: eight whole-array operations in all.
    """
    h, w = image.shape
    pad = ws.pad
    smoothed = pad[1:-1, 1:-1]
    _smooth(image, sigma, mode, cval, mask, smoothed, ws)
    pad[0, 1:-1] = pad[1, 1:-1]
    pad[-1, 1:-1] = pad[-2, 1:-1]
    pad[:, 0] = pad[:, 1]
    pad[:, -1] = pad[:, -2]
    # Down the columns: [1, 2, 1] smoothing (a) and [-1, 0, 1] difference (b).
    a, b = ws.a, ws.b
    np.add(pad[:-2], pad[2:], out=a)
    a += pad[1:-1]
    a += pad[1:-1]
    np.subtract(pad[2:], pad[:-2], out=b)
    # Along the rows: difference of a (gx) and smoothing of b (gy).
    gx = np.subtract(a[:, 2:], a[:, :-2], out=ws.f1)
    gy = np.add(b[:, :-2], b[:, 2:], out=ws.f2)
    gy += b[:, 1:-1]
    gy += b[:, 1:-1]
    magnitude = np.multiply(gx, gx, out=ws.f3)
    square = a.reshape(-1)[: h * w].reshape(h, w)
    magnitude += np.multiply(gy, gy, out=square)
    np.sqrt(magnitude, out=magnitude)
    return smoothed, gy, gx, magnitude


def _resolve_threshold(value, default, name, magnitude, use_quantiles):
    if value is None:
        return default
    if isinstance(value, str):
        if value != "otsu":
            raise ValueError(
                f"{name} must be a number, a callable, None or 'otsu'; got {value!r}."
            )
        from skimage.filters import threshold_otsu

        t = float(threshold_otsu(magnitude))
        return t if name == "high_threshold" else 0.5 * t
    if callable(value):
        t = value(magnitude)
        if isinstance(t, bool) or not isinstance(t, numbers.Real | np.number):
            raise TypeError(f"{name} callable must return a real number; got {t!r}.")
        if np.isnan(t):
            raise ValueError(f"{name} callable returned NaN; it must return a number.")
        return float(t)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number, a callable, None or 'otsu'; got {value!r}."
        )
    if np.isnan(value):  # every comparison with NaN is False: an empty edge map
        raise ValueError(f"{name} must be a number, not NaN; got {value!r}.")
    if use_quantiles:
        if not 0.0 <= value <= 1.0:
            raise ValueError(
                f"{name} must be in [0, 1] when use_quantiles=True; got {value!r}."
            )
        return float(np.quantile(magnitude, value))
    return float(value)


def _nonmax_suppression(gi, gj, magnitude, candidates, chunk=16384):
    """Run :func:`_nonmax_chunk` on chunks of candidates (cache-sized temporaries)."""
    if candidates.size <= chunk:
        return _nonmax_chunk(gi, gj, magnitude, candidates)
    return np.concatenate(
        [
            _nonmax_chunk(gi, gj, magnitude, candidates[i : i + chunk])
            for i in range(0, candidates.size, chunk)
        ]
    )


def _nonmax_chunk(gi, gj, magnitude, candidates):
    """Keep candidate pixels that are maxima along the gradient (interpolated).

    ``candidates`` are flat indices of pixels at least one pixel away from the
    border; ``gi``/``gj`` are the derivatives along axis 0 (y) and axis 1 (x).
    For each candidate the gradient direction falls between an axis neighbour
    and a diagonal neighbour; the magnitude "one pixel further along the
    gradient" is interpolated linearly between them with weight
    ``w = min(|gi|, |gj|) / max(|gi|, |gj|)`` (the tangent of the angle to the
    axis), and likewise one pixel back. The pixel survives when it is >= both.
    All of it is gathers (:func:`numpy.take`) and arithmetic on the candidate
    vector, in chunks whose dozen temporaries stay in the CPU cache (5-10x
    faster than one pass over all candidates on a busy machine).
    """
    width = magnitude.shape[1]
    flat = magnitude.ravel()
    gi = np.take(gi.ravel(), candidates)
    gj = np.take(gj.ravel(), candidates)
    ai = np.abs(gi)
    aj = np.abs(gj)
    # Same sign class (both > 0 or both <= 0): the gradient points into the
    # (+1, +1) / (-1, -1) quadrants, else into (-1, +1) / (+1, -1).
    diag = np.where((gi > 0) == (gj > 0), width, -width)
    axis = np.where(ai > aj, diag, 1)
    diag += 1
    w = np.minimum(ai, aj)
    w /= np.maximum(ai, aj)
    m = np.take(flat, candidates)
    keep = None
    for step in (np.add, np.subtract):  # one pixel forward, then one back
        near = np.take(flat, step(candidates, axis))
        far = np.take(flat, step(candidates, diag))
        far -= near
        far *= w
        far += near
        ok = far <= m
        keep = ok if keep is None else keep & ok
    return np.compress(keep, candidates)


def canny(
    image,
    sigma: float = 1.0,
    low_threshold: float | str | Callable | None = None,
    high_threshold: float | str | Callable | None = None,
    use_quantiles: bool = False,
    mask=None,
    *,
    mode: str = "constant",
    cval: float = 0.0,
    return_steps: bool = False,
):
    """Canny edge detector: thin, connected edges with hysteresis.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        One image. uint8 is scaled to [0, 1]; colour is converted to grey
        (luminance ``0.2125 R + 0.7154 G + 0.0721 B``, channel mean otherwise).
    sigma : float, default=1.0
        Standard deviation of the Gaussian smoothing, in pixels.
    low_threshold, high_threshold : float, callable, "otsu" or None
        Hysteresis thresholds on the gradient magnitude (defaults 0.1 and 0.2).
        A float is an absolute magnitude, in the units of scikit-image's canny for
        an image in [0, 1] (the magnitude of the Sobel response of the smoothed
        image, about 8 times the intensity change per pixel); with
        ``use_quantiles=True`` it is a quantile in [0, 1] of the magnitude. A
        callable receives the magnitude image and returns the threshold.
        ``"otsu"`` uses Otsu's threshold of the magnitude for ``high_threshold``
        and half of it for ``low_threshold``.
    use_quantiles : bool, default=False
        Read float thresholds as quantiles of the gradient magnitude.
    mask : array-like of bool of shape (H, W), default=None
        Only pixels where ``mask`` is True can be edges; smoothing ignores the
        others.
    mode : str, default="constant"
        Border mode of the Gaussian smoothing (names of
        :func:`skcv.filters.convolve`). As in scikit-image, "constant" is a
        normalised convolution: the smoothed value is divided by the weight of
        the kernel falling inside the image, so the border creates no edge.
    cval : float, default=0.0
        Fill value for ``mode="constant"``.
    return_steps : bool, default=False
        Also return the intermediate images of the four steps.

    Returns
    -------
    edges : ndarray of bool of shape (H, W)
        The edge map.
    steps : dict
        Only with ``return_steps=True``: ``"smoothed"``, ``"gy"``, ``"gx"``,
        ``"magnitude"`` (float32 images), ``"nms"`` (bool, local maxima above
        the low threshold), ``"strong"`` (maxima above the high threshold) and
        ``"low_threshold"``, ``"high_threshold"`` (the absolute values used).

    Notes
    -----
    The course's four steps:

    1. **Derivative-of-Gaussian gradients.** The image is smoothed with a
       Gaussian (``truncate=4`` sigma, as scikit-image) and differentiated with
       the separable Sobel pair, i.e. a discrete derivative of Gaussian. All
       filters are 1-D passes on float32.
    2. **Magnitude and direction** ``|g| = sqrt(gx^2 + gy^2)``; the direction is
       kept as the vector ``(gy, gx)``.
    3. **Non-maximum suppression with interpolation.** Only pixels with
       ``|g| >= low_threshold`` (and at least one pixel inside the image or the
       mask) are examined. The magnitudes of the two neighbours along the
       gradient direction are linearly interpolated between the axis neighbour
       and the diagonal neighbour that bracket the direction (weight
       ``min(|gx|, |gy|) / max(|gx|, |gy|)``), and a pixel survives if it is not
       smaller than either: edges are one pixel thin.
    4. **Hysteresis.** Survivors above ``high_threshold`` are strong edges that
       start curves; weak survivors are kept when they are 8-connected to a
       strong one. This is done at once by labelling the 8-connected components
       of all survivors (:func:`scipy.ndimage.label`) and keeping the labels that
       contain a strong pixel.

    Everything is vectorised (gathers on the candidate pixels, one labelling);
    there is no per-pixel Python loop. The work runs in float32 and its buffers
    are kept per thread between calls for images up to
    ``MAX_WORKSPACE_PIXELS`` (1 Mpx), which avoids the page faults of fresh
    allocations. Thresholds, smoothing and tie-breaking follow
    :func:`skimage.feature.canny`, so the two edge maps agree (identical on the
    benchmark images), except that a uint8 image is scaled to [0, 1] *before*
    the thresholds apply (scikit-image divides explicit thresholds by 255
    instead, which is the same thing). On a 512x512 image it takes about 0.3 to
    0.45 of scikit-image's time (``benchmarks/bench_filters.py``).

    References
    ----------
    .. [1] Canny, J., "A Computational Approach to Edge Detection", IEEE TPAMI
       8(6), 1986. :doi:`10.1109/TPAMI.1986.4767851`
    .. [2] Otsu, N., "A Threshold Selection Method from Gray-Level Histograms",
       IEEE Trans. SMC 9(1), 1979. :doi:`10.1109/TSMC.1979.4310076`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.filters import canny
    >>> image = np.zeros((20, 20))
    >>> image[5:15, 5:15] = 1.0
    >>> edges = canny(image, sigma=1.0)
    >>> edges.shape, edges.dtype, int(edges[10].sum())
    ((20, 20), dtype('bool'), 2)
    """
    image = check_image(image)
    sigma = _check_sigma(sigma)
    scipy_mode, _, cval = _check_mode(mode, cval)
    image = _to_grey(image).astype(np.float32, copy=False)
    shape = image.shape
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != shape:
            raise ValueError(
                f"mask must have the image's shape {shape}; got shape {mask.shape}."
            )
        mask = mask.astype(bool, copy=False)

    # Steps 1 and 2: Gaussian smoothing, separable Sobel derivatives, magnitude.
    # With return_steps the images are returned, so they get fresh buffers.
    ws = _Workspace(shape) if return_steps else _workspace(shape)
    smoothed, gy, gx, magnitude = _gradients(image, sigma, scipy_mode, cval, mask, ws)

    low = _resolve_threshold(
        low_threshold, 0.1, "low_threshold", magnitude, use_quantiles
    )
    high = _resolve_threshold(
        high_threshold, 0.2, "high_threshold", magnitude, use_quantiles
    )
    if high < low:
        raise ValueError(
            "high_threshold must be >= low_threshold; got low_threshold="
            f"{low_threshold!r} ({low:.4g}) and high_threshold={high_threshold!r} "
            f"({high:.4g})."
        )

    # Step 3: non-maximum suppression on the candidates only.
    candidate = np.greater_equal(magnitude, max(low, 1e-14), out=ws.bool1)
    if mask is None:
        candidate[0] = candidate[-1] = False
        candidate[:, 0] = candidate[:, -1] = False
    else:
        candidate &= ndi.binary_erosion(mask, _EIGHT, border_value=0)
    candidates = np.flatnonzero(candidate)
    maxima = _nonmax_suppression(gy, gx, magnitude, candidates)

    # Step 4: hysteresis by labelling the 8-connected components of the maxima.
    nms = ws.bool2
    nms[...] = False
    nms.ravel()[maxima] = True
    labels = ws.labels
    count = ndi.label(nms, structure=_EIGHT, output=labels)
    strong = maxima[magnitude.ravel()[maxima] >= high]
    good = np.zeros(count + 1, dtype=bool)
    good[labels.ravel()[strong]] = True
    good[0] = False
    edges = np.zeros(shape, dtype=bool)
    edges.ravel()[maxima[good[labels.ravel()[maxima]]]] = True
    if not return_steps:
        return edges
    strong_map = np.zeros(shape, dtype=bool)
    strong_map.ravel()[strong] = True
    steps = {
        "smoothed": np.ascontiguousarray(smoothed),
        "gy": gy,
        "gx": gx,
        "magnitude": magnitude,
        "nms": nms,
        "strong": strong_map,
        "low_threshold": low,
        "high_threshold": high,
    }
    return edges, steps
