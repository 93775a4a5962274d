"""Texture filter banks (Leung-Malik, Schmid, RFS/MR8, Gabor) and their responses.

The banks are built from their published formulas, following the reference MATLAB
code of the Oxford Visual Geometry Group (``makeLMfilters.m``, ``makeSfilters.m``,
``makeRFSfilters.m``). Responses of a whole bank are computed in the Fourier domain:
one forward real FFT per image, one product and one inverse FFT per filter, with the
kernel spectra cached per padded image size.
"""

from __future__ import annotations

import hashlib
import numbers
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence

import numpy as np
from scipy import fft as sp_fft

__all__ = [
    "filter_responses",
    "gabor_bank",
    "leung_malik_bank",
    "max_response_8",
    "rfs_bank",
    "schmid_bank",
]

_N_ORIENT = 6


# ----------------------------------------------------------------------------
# Building blocks (the published helper functions)
# ----------------------------------------------------------------------------
def _check_size(size, name: str = "size") -> int:
    if (
        not isinstance(size, numbers.Integral)
        or isinstance(size, bool)
        or size < 1
        or size % 2 == 0
    ):
        raise ValueError(
            f"{name} must be an odd positive int (the filter support); got {size!r}."
        )
    return int(size)


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool; got {type(value).__name__}.")
    return bool(value)


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``[x, y] = meshgrid(-h:h, h:-1:-h)``: x to the right, y *up* (MATLAB code)."""
    h = (size - 1) // 2
    x = np.arange(-h, h + 1, dtype=np.float64)
    return np.meshgrid(x, -x)


def _normalise(f: np.ndarray) -> np.ndarray:
    """Zero mean, then unit L1 norm (``normalise`` in the VGG code)."""
    f = f - f.mean()
    total = np.abs(f).sum()
    return f / total if total > 0 else f


def _gauss1d(sigma: float, x: np.ndarray, order: int) -> np.ndarray:
    """Gaussian (derivative of order 0, 1 or 2) evaluated at ``x`` (``gauss1d``)."""
    variance = sigma * sigma
    g = np.exp(-x * x / (2 * variance)) / np.sqrt(2 * np.pi * variance)
    if order == 1:
        g = -g * (x / variance)
    elif order == 2:
        g = g * ((x * x - variance) / (variance * variance))
    return g


def _oriented(
    sigma: float, order: int, angle: float, x: np.ndarray, y: np.ndarray, elong=3.0
) -> np.ndarray:
    """``makefilter``: elongated Gaussian (sigma_x = 3 sigma), derivative across."""
    c, s = np.cos(angle), np.sin(angle)
    rx = c * x - s * y
    ry = s * x + c * y
    return _gauss1d(elong * sigma, rx, 0) * _gauss1d(sigma, ry, order)


def _fspecial_gaussian(size: int, sigma: float) -> np.ndarray:
    """MATLAB ``fspecial('gaussian', size, sigma)``: sampled, sums to one."""
    x, y = _grid(size)
    h = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    h[h < np.finfo(float).eps * h.max()] = 0
    return h / h.sum()


def _fspecial_log(size: int, sigma: float) -> np.ndarray:
    """MATLAB ``fspecial('log', size, sigma)``: Laplacian of Gaussian, sums to zero."""
    x, y = _grid(size)
    r2 = x * x + y * y
    var = sigma * sigma
    h = np.exp(-r2 / (2 * var))
    h[h < np.finfo(float).eps * h.max()] = 0
    h = h / h.sum()
    h1 = h * (r2 - 2 * var) / (var * var)
    return h1 - h1.sum() / h1.size


def _finish(filters: list[np.ndarray], normalize: bool) -> np.ndarray:
    bank = np.stack([_normalise(f) if normalize else f for f in filters])
    return bank.astype(np.float64)


def _oriented_filters(sigmas, size, normalize):
    """18 edge filters then 18 bar filters (scale-major, orientation inner)."""
    x, y = _grid(size)
    edges, bars = [], []
    for sigma in sigmas:
        for k in range(_N_ORIENT):
            angle = np.pi * k / _N_ORIENT
            edges.append(_oriented(sigma, 1, angle, x, y))
            bars.append(_oriented(sigma, 2, angle, x, y))
    return edges + bars


# ----------------------------------------------------------------------------
# Public banks
# ----------------------------------------------------------------------------
def leung_malik_bank(
    size: int = 49, *, variant: str = "large", normalize: bool = True
) -> np.ndarray:
    """Leung-Malik (LM) filter bank of 48 filters.

    Parameters
    ----------
    size : int, default=49
        Support (odd) of every filter; 49 in the published bank. A smaller support
        truncates the large-scale filters.
    variant : {"large", "small"}, default="large"
        ``"large"`` (LML) uses base scales ``sqrt(2), 2, 2*sqrt(2)`` for the oriented
        filters and ``sqrt(2), 2, 2*sqrt(2), 4`` for the isotropic ones; ``"small"``
        (LMS) uses ``1, sqrt(2), 2`` and ``1, sqrt(2), 2, 2*sqrt(2)``.
    normalize : bool, default=True
        Make every filter zero-mean and of unit L1 norm, as the published code
        does. Note the quirk: this also makes the four Gaussians zero-mean (they
        become centre-surround filters). ``False`` keeps the raw sampled filters
        (Gaussians sum to one, LoGs to zero).

    Returns
    -------
    bank : ndarray of shape (48, size, size)
        The filters, in the published order:

        * ``0..17``: first-derivative ("edge") filters, for each of the 3 scales
          the 6 orientations ``0, pi/6, ..., 5 pi/6``;
        * ``18..35``: second-derivative ("bar") filters, same order;
        * ``36..47``: for each of the 4 isotropic scales ``s``: a Gaussian, a LoG at
          ``s`` and a LoG at ``3 s``.

    Notes
    -----
    The bank of the course (Leung and Malik, 2001):

    1. Oriented filters: an elongated Gaussian with ``sigma_x = 3 sigma`` along
       the filter's axis and ``sigma_y = sigma`` across it, differentiated once
       (edge) or twice (bar) across the axis, at 6 orientations and 3 scales:
       36 filters.
    2. Isotropic filters: 8 Laplacians of Gaussian (``sigma`` and ``3 sigma`` for
       4 base scales) and 4 Gaussians: 12 filters.
    3. Every filter is made zero-mean and L1-normalised.

    The filter at orientation ``theta`` is the axis-aligned one evaluated at the
    rotated points ``R(theta) p`` with ``y`` pointing up, exactly as in
    ``makeLMfilters.m``. In array coordinates ``(row, col)`` its long axis points
    along ``(sin theta, cos theta)``: ``theta = 0`` detects horizontal edges and
    increasing ``theta`` turns the filter clockwise on screen.

    References
    ----------
    .. [1] T. Leung and J. Malik, "Representing and recognizing the visual
       appearance of materials using three-dimensional textons", IJCV 43(1),
       29-44, 2001. :doi:`10.1023/A:1011126920638`
    .. [2] Visual Geometry Group, University of Oxford, "Filter banks" page and
       ``makeLMfilters.m``.

    Examples
    --------
    >>> from skcv.feature import leung_malik_bank
    >>> bank = leung_malik_bank()
    >>> bank.shape
    (48, 49, 49)
    >>> round(float(abs(bank[0]).sum()), 6), round(float(bank[0].sum()), 6)
    (1.0, 0.0)
    """
    size = _check_size(size)
    normalize = _check_bool(normalize, "normalize")
    if variant == "large":
        base = np.sqrt(2.0) ** np.arange(1, 4)
        iso = np.sqrt(2.0) ** np.arange(1, 5)
    elif variant == "small":
        base = np.sqrt(2.0) ** np.arange(0, 3)
        iso = np.sqrt(2.0) ** np.arange(0, 4)
    else:
        raise ValueError(f"variant must be one of 'large', 'small'; got {variant!r}.")
    filters = _oriented_filters(base, size, normalize)
    for s in iso:
        filters.append(_fspecial_gaussian(size, s))
        filters.append(_fspecial_log(size, s))
        filters.append(_fspecial_log(size, 3 * s))
    return _finish(filters, normalize)


SCHMID_PARAMETERS = (
    (2, 1),
    (4, 1),
    (4, 2),
    (6, 1),
    (6, 2),
    (6, 3),
    (8, 1),
    (8, 2),
    (8, 3),
    (10, 1),
    (10, 2),
    (10, 3),
    (10, 4),
)


def schmid_bank(size: int = 49, *, normalize: bool = True) -> np.ndarray:
    """Schmid (S) bank of 13 rotation-invariant filters.

    Parameters
    ----------
    size : int, default=49
        Support (odd) of every filter.
    normalize : bool, default=True
        Make every filter zero-mean and of unit L1 norm (published code).

    Returns
    -------
    bank : ndarray of shape (13, size, size)
        ``F(r; sigma, tau) = cos(pi tau r / sigma) exp(-r^2 / (2 sigma^2))`` for
        ``(sigma, tau)`` in ``SCHMID_PARAMETERS``: (2,1), (4,1), (4,2), (6,1),
        (6,2), (6,3), (8,1), (8,2), (8,3), (10,1), (10,2), (10,3), (10,4).

    Notes
    -----
    Each filter is isotropic (it depends on the radius ``r`` only), a Gabor-like
    ring pattern: a cosine of ``tau`` cycles per ``sigma`` damped by a Gaussian.
    Steps: sample on the grid, remove the mean (DC), divide by the L1 norm.

    References
    ----------
    .. [1] C. Schmid, "Constructing models for content-based image retrieval",
       CVPR 2001. :doi:`10.1109/CVPR.2001.990922`

    Examples
    --------
    >>> from skcv.feature import schmid_bank
    >>> schmid_bank().shape
    (13, 49, 49)
    """
    size = _check_size(size)
    normalize = _check_bool(normalize, "normalize")
    x, y = _grid(size)
    r = np.sqrt(x * x + y * y)
    filters = [
        np.cos(r * (np.pi * tau / sigma)) * np.exp(-(r * r) / (2.0 * sigma * sigma))
        for sigma, tau in SCHMID_PARAMETERS
    ]
    return _finish(filters, normalize)


def rfs_bank(size: int = 49, *, normalize: bool = True) -> np.ndarray:
    """Root Filter Set (RFS) bank of 38 filters, the base of MR8.

    Parameters
    ----------
    size : int, default=49
        Support (odd) of every filter.
    normalize : bool, default=True
        Make every filter zero-mean and of unit L1 norm (published code).

    Returns
    -------
    bank : ndarray of shape (38, size, size)
        ``0..17`` edge filters and ``18..35`` bar filters, for each scale
        ``(sigma_x, sigma_y)`` in (3, 1), (6, 2), (12, 4) the 6 orientations
        ``0, pi/6, ..., 5 pi/6``; ``36`` a Gaussian and ``37`` a LoG, both at
        ``sigma = 10``.

    Notes
    -----
    Same oriented filters as :func:`leung_malik_bank` (elongation 3) at the
    scales 1, 2, 4, plus two isotropic filters. :func:`max_response_8` collapses
    the orientations to obtain the rotation-invariant MR8 responses.

    References
    ----------
    .. [1] M. Varma and A. Zisserman, "A statistical approach to texture
       classification from single images", IJCV 62(1-2), 61-81, 2005.
       :doi:`10.1007/s11263-005-4635-4`

    Examples
    --------
    >>> from skcv.feature import rfs_bank
    >>> rfs_bank().shape
    (38, 49, 49)
    """
    size = _check_size(size)
    normalize = _check_bool(normalize, "normalize")
    filters = _oriented_filters((1.0, 2.0, 4.0), size, normalize)
    filters.append(_fspecial_gaussian(size, 10.0))
    filters.append(_fspecial_log(size, 10.0))
    return _finish(filters, normalize)


def max_response_8(responses) -> np.ndarray:
    """Collapse RFS responses to the 8 rotation-invariant MR8 responses.

    Parameters
    ----------
    responses : array-like of shape (..., 38, H, W)
        Responses of :func:`rfs_bank` (see :func:`filter_responses`).

    Returns
    -------
    mr8 : ndarray of shape (..., 8, H, W)
        ``[edge_s1, edge_s2, edge_s3, bar_s1, bar_s2, bar_s3, gaussian, log]``.

    Notes
    -----
    For each of the 3 scales, the maximum over the 6 orientations of the edge
    responses and of the bar responses (6 responses), plus the Gaussian and LoG
    responses (2): the maximum over orientations makes the result invariant to
    rotations of the image. As in Varma and Zisserman's ``MR8fast``, the maximum
    is taken over the *absolute* edge responses (the sign of an odd filter is
    arbitrary: convolution and correlation differ by it) and over the signed bar
    responses (dark and bright bars stay distinct).

    References
    ----------
    .. [1] M. Varma and A. Zisserman, "A statistical approach to texture
       classification from single images", IJCV 62(1-2), 61-81, 2005.
       :doi:`10.1007/s11263-005-4635-4`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import max_response_8, rfs_bank, filter_responses
    >>> r = filter_responses(np.random.default_rng(0).random((16, 16)), rfs_bank(15))
    >>> max_response_8(r).shape
    (8, 16, 16)
    """
    r = np.asarray(responses)
    if r.ndim < 3 or r.shape[-3] != 38:
        raise ValueError(
            "responses must have shape (..., 38, H, W) (the rfs_bank responses); "
            f"got shape {r.shape}."
        )
    lead = r.shape[:-3]
    hw = r.shape[-2:]
    edges = np.abs(r[..., :18, :, :]).reshape(*lead, 3, 6, *hw).max(axis=-3)
    bars = r[..., 18:36, :, :].reshape(*lead, 3, 6, *hw).max(axis=-3)
    return np.concatenate([edges, bars, r[..., 36:38, :, :]], axis=-3)


def _gabor_sigma(frequency: float, bandwidth: float) -> float:
    """Gaussian sigma of a Gabor filter of given frequency and octave bandwidth."""
    b = 2.0**bandwidth
    return np.sqrt(np.log(2.0) / 2.0) / np.pi * (b + 1.0) / (b - 1.0) / frequency


def gabor_bank(
    frequencies: Sequence[float] = (0.1, 0.16, 0.25, 0.4),
    n_orientations: int = 6,
    *,
    size: int = 49,
    bandwidth: float = 1.0,
    normalize: bool = True,
) -> np.ndarray:
    """Bank of even and odd Gabor filters (frequencies x orientations).

    Parameters
    ----------
    frequencies : sequence of float, default=(0.1, 0.16, 0.25, 0.4)
        Spatial frequencies in cycles per pixel, each in ``(0, 0.5]``.
    n_orientations : int, default=6
        Orientations ``0, pi/n, ..., (n-1) pi/n``.
    size : int, default=49
        Support (odd) of every filter.
    bandwidth : float, default=1.0
        Frequency bandwidth in octaves; sets ``sigma`` as in
        :func:`skimage.filters.gabor_kernel`.
    normalize : bool, default=True
        Make every filter zero-mean and of unit L1 norm.

    Returns
    -------
    bank : ndarray of shape (2 * n_frequencies * n_orientations, size, size)
        First the even (cosine, real part) filters, then the odd (sine, imaginary
        part) filters, each frequency-major with orientations inner.

    Notes
    -----
    ``g(x, y) = exp(-(x'^2 + y'^2) / (2 sigma^2)) / (2 pi sigma^2)
    * exp(i 2 pi f x')`` with ``x' = x cos theta + y sin theta`` (rows down), the
    formula of :func:`skimage.filters.gabor_kernel`. The modulus of the even and
    odd responses is the local energy at that frequency and orientation.

    References
    ----------
    .. [1] J. G. Daugman, "Uncertainty relation for resolution in space, spatial
       frequency, and orientation optimized by two-dimensional visual cortical
       filters", JOSA A 2(7), 1160-1169, 1985. :doi:`10.1364/JOSAA.2.001160`

    Examples
    --------
    >>> from skcv.feature import gabor_bank
    >>> gabor_bank().shape
    (48, 49, 49)
    """
    size = _check_size(size)
    normalize = _check_bool(normalize, "normalize")
    freqs = np.atleast_1d(np.asarray(frequencies, dtype=np.float64))
    if freqs.ndim != 1 or freqs.size == 0 or not np.all((freqs > 0) & (freqs <= 0.5)):
        raise ValueError(
            "frequencies must be a non-empty sequence of values in (0, 0.5] cycles "
            f"per pixel; got {frequencies!r}."
        )
    if (
        not isinstance(n_orientations, numbers.Integral)
        or isinstance(n_orientations, bool)
        or n_orientations < 1
    ):
        raise ValueError(
            f"n_orientations must be a positive int; got {n_orientations!r}."
        )
    if not isinstance(bandwidth, numbers.Real) or not bandwidth > 0:
        raise ValueError(f"bandwidth must be a positive float; got {bandwidth!r}.")
    h = (size - 1) // 2
    y, x = np.mgrid[-h : h + 1, -h : h + 1].astype(np.float64)
    even, odd = [], []
    for f in freqs:
        sigma = _gabor_sigma(f, bandwidth)
        for k in range(n_orientations):
            theta = np.pi * k / n_orientations
            rx = x * np.cos(theta) + y * np.sin(theta)
            ry = -x * np.sin(theta) + y * np.cos(theta)
            env = np.exp(-0.5 * (rx**2 + ry**2) / sigma**2) / (2 * np.pi * sigma**2)
            even.append(env * np.cos(2 * np.pi * f * rx))
            odd.append(env * np.sin(2 * np.pi * f * rx))
    return _finish(even + odd, normalize)


# ----------------------------------------------------------------------------
# Labels (used for feature names and plots)
# ----------------------------------------------------------------------------
def _bank_labels(name: str, n_filters: int, gabor_shape=None) -> list[str]:
    """Short names of the filters of a named bank (``edge_s0_o0`` ...)."""
    oriented = [
        f"{kind}_s{s}_o{o}"
        for kind in ("edge", "bar")
        for s in range(3)
        for o in range(_N_ORIENT)
    ]
    if name in ("lm", "lms"):
        iso = [f"{k}_s{s}" for s in range(4) for k in ("gauss", "log", "log3")]
        return oriented + iso
    if name == "rfs":
        return oriented + ["gauss", "log"]
    if name == "mr8":
        return ["edge_s0", "edge_s1", "edge_s2", "bar_s0", "bar_s1", "bar_s2"] + [
            "gauss",
            "log",
        ]
    if name == "schmid":
        return [f"s{sig}_t{tau}" for sig, tau in SCHMID_PARAMETERS]
    if name == "gabor" and gabor_shape is not None:
        nf, no = gabor_shape
        return [
            f"{part}_f{i}_o{o}"
            for part in ("even", "odd")
            for i in range(nf)
            for o in range(no)
        ]
    return [f"f{i}" for i in range(n_filters)]


# ----------------------------------------------------------------------------
# Responses through the FFT
# ----------------------------------------------------------------------------
def _check_bank(bank) -> np.ndarray:
    if isinstance(bank, str):
        raise TypeError(
            "bank must be an array of filters (n_filters, kh, kw), e.g. "
            f"leung_malik_bank(); got the string {bank!r}."
        )
    arr = np.asarray(bank)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"bank must hold real numbers; got dtype {arr.dtype}.")
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or 0 in arr.shape:
        raise ValueError(
            "bank must have shape (n_filters, kh, kw) or (kh, kw); got shape "
            f"{np.shape(bank)}."
        )
    if not np.isfinite(arr).all():
        raise ValueError("bank contains NaN or infinity; filters must be finite.")
    return arr


def _reflect_index(n: int, before: int, after: int) -> np.ndarray:
    """Return the indices of scipy's ``mode="reflect"`` padding (``d c b a | a b c d``).

    Valid for any pad width (the pattern repeats with period ``2 n``).
    """
    idx = np.arange(-before, n + after) % (2 * n)
    return np.where(idx >= n, 2 * n - 1 - idx, idx)


def _fft_bucket(n: int) -> int:
    """Smallest fast real-FFT length ``>= n`` on a ladder ~20% apart (>= 64)."""
    if n <= 64:
        return sp_fft.next_fast_len(n, real=True)
    step = int(np.ceil(np.log(n / 64) / np.log(1.2) - 1e-9))
    return sp_fft.next_fast_len(max(n, int(np.ceil(64 * 1.2**step))), real=True)


class _BankSpectra:
    """A bank with its conjugate kernel spectra cached per FFT size."""

    max_shapes = 8

    def __init__(self, bank: np.ndarray):
        self.bank = np.ascontiguousarray(bank, dtype=np.float32)
        self.n_filters, kh, kw = self.bank.shape
        self.pad = ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2))
        self._spectra: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def fft_shape(self, shape: tuple[int, int]) -> tuple[int, int]:
        """FFT size for an image: the padded size rounded up to a bucket.

        The buckets (:func:`_fft_bucket`) are a ladder of fast FFT lengths about
        20% apart, so that images of many sizes share a few cached spectra at
        the price of at most 20% more FFT length per axis (measured on 48 varied
        photographs: 1.2-1.4x the per-image cost of one size with exact sizes,
        1.0-1.2x with this ladder, benchmarks/bench_io_varied.py).
        """
        kh, kw = self.bank.shape[1:]
        return (_fft_bucket(shape[0] + kh - 1), _fft_bucket(shape[1] + kw - 1))

    def spectra(self, fshape: tuple[int, int]) -> np.ndarray:
        with self._lock:
            spec = self._spectra.get(fshape)
            if spec is not None:
                self._spectra.move_to_end(fshape)
                return spec
        # rfft2 of the zero-padded kernels, pruned: the real pass along the rows
        # transforms only the kh rows of each kernel, not the fshape[0] padded
        # ones (about 2x faster for a 49x49 bank at 512x450, the same values).
        spec = sp_fft.rfft(self.bank, n=fshape[1], axis=-1)
        spec = sp_fft.fft(spec, n=fshape[0], axis=-2, overwrite_x=True)
        spec = np.conj(spec, out=spec).astype(np.complex64, copy=False)
        with self._lock:
            self._spectra[fshape] = spec
            while len(self._spectra) > self.max_shapes:
                self._spectra.popitem(last=False)
        return spec

    def iter_responses(
        self, images: np.ndarray, *, workers: int | None = None
    ) -> Iterator[np.ndarray]:
        """Yield the ``(n_filters, H, W)`` float32 responses of each image.

        ``images`` is ``(b, H, W)``: one forward real FFT for the whole batch,
        then per image one product with the cached spectra and one inverse FFT.
        """
        b, height, width = images.shape
        fshape = self.fft_shape((height, width))
        spec = self.spectra(fshape)
        rows = _reflect_index(height, *self.pad[0])
        cols = _reflect_index(width, *self.pad[1])
        padded = np.asarray(images, dtype=np.float32)[:, rows[:, None], cols[None, :]]
        forward = sp_fft.rfft2(padded, s=fshape, axes=(-2, -1), workers=workers)
        del padded
        for i in range(b):
            prod = forward[i][None] * spec
            # Inverse 2-D FFT in two 1-D passes, pruned: after the inverse along
            # the rows only the first ``height`` rows are needed, so the second
            # (real) pass transforms ``height`` rows instead of ``fshape[0]``.
            cols = sp_fft.ifft(prod, axis=-2, workers=workers, overwrite_x=True)
            del prod
            out = sp_fft.irfft(cols[:, :height], n=fshape[1], axis=-1, workers=workers)
            yield out[:, :, :width]


_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def _spectra_for(bank: np.ndarray) -> _BankSpectra:
    """Return the (cached) :class:`_BankSpectra` of ``bank``."""
    arr = np.ascontiguousarray(bank, dtype=np.float32)
    key = (arr.shape, hashlib.sha1(arr.tobytes()).hexdigest())
    with _CACHE_LOCK:
        obj = _CACHE.get(key)
        if obj is not None:
            _CACHE.move_to_end(key)
            return obj
    obj = _BankSpectra(arr)
    with _CACHE_LOCK:
        _CACHE[key] = obj
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return obj


def _check_grey(image, name: str) -> np.ndarray:
    from skcv.utils import check_image

    return check_image(image, name=name, allow_color=False)


def filter_responses(images, bank, *, batch_size: int = 16, workers=None):
    """Correlate one or many grey images with every filter of a bank, via the FFT.

    Parameters
    ----------
    images : array-like of shape (H, W) or (n, H, W), or list of (H, W) arrays
        One grey image, a batch of grey images, or a list of grey images of
        different sizes. (Convert colour images to grey first, e.g. with
        :func:`skimage.color.rgb2gray`; the transformers do it for you.)
    bank : array-like of shape (n_filters, kh, kw) or (kh, kw)
        The filters, e.g. :func:`leung_malik_bank`.
    batch_size : int, default=16
        Images transformed by one call of the forward FFT; bounds the memory.
    workers : int, default=None
        Threads of :mod:`scipy.fft` (None: one).

    Returns
    -------
    responses : ndarray of float32
        ``(n_filters, H, W)`` for one image, ``(n, n_filters, H, W)`` for a batch,
        or a list of ``(n_filters, H_i, W_i)`` arrays for a list.

    Notes
    -----
    The result equals ``scipy.ndimage.correlate(image, f, mode="reflect")`` for
    every filter ``f`` (up to float32 rounding). Steps:

    1. Reflect-pad the image by the kernel half-size (``d c b a | a b c d``).
    2. One forward real FFT of the padded image, zero-padded to a fast size
       ``>= H + kh - 1`` so the circular correlation does not wrap.
    3. For each filter, multiply by the conjugate kernel spectrum (cached per
       FFT size) and take one inverse real FFT, pruned to the ``H x W`` output
       (the inverse along the columns, then the real inverse of only the first
       ``H`` rows).

    This costs ``O(n_filters HW log HW)`` instead of ``O(n_filters HW k^2)`` for
    direct correlation with ``k x k`` kernels.

    References
    ----------
    .. [1] J. W. Cooley and J. W. Tukey, "An algorithm for the machine
       calculation of complex Fourier series", Math. Comp. 19, 297-301, 1965.
       :doi:`10.1090/S0025-5718-1965-0178586-1`

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import ndimage
    >>> from skcv.feature import filter_responses, schmid_bank
    >>> image = np.random.default_rng(0).random((32, 40))
    >>> bank = schmid_bank(size=11)
    >>> r = filter_responses(image, bank)
    >>> r.shape
    (13, 32, 40)
    >>> ref = ndimage.correlate(image, bank[3], mode="reflect")
    >>> bool(np.allclose(r[3], ref, atol=1e-5))
    True
    """
    bank = _check_bank(bank)
    if (
        not isinstance(batch_size, numbers.Integral)
        or isinstance(batch_size, bool)
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
    spectra = _spectra_for(bank)
    if isinstance(images, (list, tuple)) and len(images) and np.ndim(images[0]) == 2:
        arrays = [_check_grey(im, f"images[{i}]") for i, im in enumerate(images)]
        return [next(spectra.iter_responses(a[None], workers=workers)) for a in arrays]
    arr = np.asarray(images) if not isinstance(images, np.ndarray) else images
    if arr.ndim == 2:
        arr = _check_grey(arr, "images")
        return next(spectra.iter_responses(arr[None], workers=workers))
    if arr.ndim != 3:
        raise ValueError(
            "images must be one grey image (H, W), a batch (n, H, W) or a list of "
            f"grey images; got an array with ndim={arr.ndim} and shape {arr.shape}."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"images is empty (shape {arr.shape}).")
    from skcv.utils import check_images

    arr = check_images(arr, name="images")
    out = np.empty((arr.shape[0], bank.shape[0], *arr.shape[1:]), dtype=np.float32)
    for start in range(0, arr.shape[0], batch_size):
        chunk = arr[start : start + batch_size]
        for i, r in enumerate(spectra.iter_responses(chunk, workers=workers)):
            out[start + i] = r
    return out
