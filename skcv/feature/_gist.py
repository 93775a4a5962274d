"""GIST scene descriptor (Oliva and Torralba, 2001), following the LabelMe LMgist code.

Two paths compute the same descriptor:

* ``method="reference"``: a plain transcription of ``LMgist.m``, ``prefilt.m``,
  ``createGabor.m`` and ``gistGabor.m`` in float64, one image and one filter at a
  time (full complex FFTs, loops for the block averages);
* ``method="fast"``: batches in float32 with real forward FFTs, the transfer functions
  cached per size, and the band-limited coarse scales evaluated on a decimated grid
  (their spectrum folded onto a smaller FFT, which gives the filtered image exactly at
  every ``d``-th pixel), block averages taken as small matrix products.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence

import numpy as np
import scipy.fft as sfft
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator

from skcv.base import ImageTransformerMixin
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted
from skcv.utils._validation import check_image, convert_images

__all__ = ["GISTExtractor", "gist"]

_METHODS = ("fast", "reference")
# Relative threshold below which a Gabor transfer-function value counts as zero when
# the fast path crops the spectrum of a coarse scale (values are <= 1).
_SUPPORT_TOL = 1e-5
# Decimation of a scale with centre frequency f0 (cycles/pixel): d <= _DECIMATION / f0.
_DECIMATION = 0.33
# ... and leaves at least this many samples across a block.
_MIN_SAMPLES = 8
# Images per inner chunk of the fast Gabor stage (bounds the complex intermediates).
_CHUNK = 2


# --------------------------------------------------------------------------------------
# Parameter checks shared by the function and the transformer
# --------------------------------------------------------------------------------------
def _check_orientations(orientations_per_scale) -> tuple[int, ...]:
    try:
        values = tuple(orientations_per_scale)
    except TypeError:
        values = None
    if not values or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
        for v in values
    ):
        raise ValueError(
            "orientations_per_scale must be a non-empty sequence of positive ints; "
            f"got {orientations_per_scale!r}."
        )
    return tuple(int(v) for v in values)


def _check_int(value, name: str, low: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int >= {low}; got {value!r}.")
    if value < low:
        raise ValueError(f"{name} must be an int >= {low}; got {value!r}.")
    return int(value)


def _check_params(
    orientations_per_scale, n_blocks, image_size, fc_prefilter, boundary_extension
):
    orientations = _check_orientations(orientations_per_scale)
    n_blocks = _check_int(n_blocks, "n_blocks", 1)
    image_size = _check_int(image_size, "image_size", 1)
    if image_size < n_blocks:
        raise ValueError(
            f"image_size must be >= n_blocks={n_blocks} so that every block holds a "
            f"pixel; got image_size={image_size}."
        )
    boundary_extension = _check_int(boundary_extension, "boundary_extension", 0)
    if (
        not isinstance(fc_prefilter, numbers.Real)
        or isinstance(fc_prefilter, bool)
        or not np.isfinite(fc_prefilter)
        or fc_prefilter <= 0
    ):
        raise ValueError(
            f"fc_prefilter must be a positive finite number; got {fc_prefilter!r}."
        )
    return orientations, n_blocks, image_size, float(fc_prefilter), boundary_extension


# --------------------------------------------------------------------------------------
# Shared pieces: resize-and-crop, intensity scaling, block edges, transfer functions
# --------------------------------------------------------------------------------------
def _resize_crop(image: np.ndarray, size: int) -> np.ndarray:
    """Resize so the short side is ``size`` and centre-crop (``imresizecrop.m``).

    ``image`` is ``(H, W)`` or ``(H, W, C)``; the scaling is
    ``max(size / H, size / W)``, the new size is rounded, and the crop starts at
    ``floor((new - size) / 2)``. Resizing is bilinear with anti-aliasing when
    shrinking (:func:`skimage.transform.resize`).
    """
    h, w = image.shape[:2]
    scaling = max(size / h, size / w)
    # MATLAB's round (halves away from zero), as LMgist's imresizecrop.
    new = tuple(max(int(np.floor(n * scaling + 0.5)), size) for n in (h, w))
    if new != (h, w):
        from skimage.transform import resize

        image = resize(
            image,
            new + image.shape[2:],
            order=1,
            mode="reflect",
            anti_aliasing=True,
            preserve_range=True,
        )
    sr, sc = (new[0] - size) // 2, (new[1] - size) // 2
    return image[sr : sr + size, sc : sc + size]


def _normalised_input(image, size: int, color: bool, dtype) -> np.ndarray:
    """Grey (or all channels), resized and centre-cropped: ``(size, size, C)``."""
    img = np.asarray(image, dtype=dtype)
    if img.ndim == 2:
        img = img[..., None]
    if not color:  # LMgist's channel mean, alpha dropped (channel rule)
        img = img[..., : 1 if img.shape[2] == 2 else 3].mean(axis=2, keepdims=True)
    return _resize_crop(img, size).astype(dtype, copy=False)


def _scale_0_255(images: np.ndarray) -> np.ndarray:
    """Scale each image (leading axis) linearly to ``[0, 255]``; constant -> 0."""
    axes = tuple(range(1, images.ndim))
    lo = images.min(axis=axes, keepdims=True)
    span = images.max(axis=axes, keepdims=True) - lo
    span = np.where(span > 0, span, np.inf).astype(images.dtype)
    return (images - lo) * (images.dtype.type(255) / span)


def _block_edges(n: int, n_blocks: int) -> np.ndarray:
    """``fix(linspace(0, n, n_blocks + 1))`` as in ``downN`` of ``gistGabor.m``."""
    return np.fix(np.linspace(0, n, n_blocks + 1)).astype(int)


def _filter_params(orientations: tuple[int, ...]) -> np.ndarray:
    """Rows ``[0.35, f0, angular term, angle]`` per filter, as in ``createGabor.m``."""
    rows = []
    for i, n_or in enumerate(orientations):
        for j in range(n_or):
            rows.append([0.35, 0.3 / 1.85**i, 16 * n_or**2 / 32**2, np.pi / n_or * j])
    return np.array(rows)


# Float64 banks are 26 MB at the default size: keep only the last two.
@functools.lru_cache(maxsize=2)
def _create_gabor(orientations: tuple[int, ...], ny: int, nx: int) -> np.ndarray:
    """Gabor transfer functions ``(n_filters, ny, nx)`` in FFT order (float64).

    ``G = exp(-10 a (fr / nx / f0 - 1)^2 - 2 b pi tr^2)`` with ``fr`` the radial
    frequency in bins, ``tr`` the angle to the filter orientation wrapped to
    ``[-pi, pi]``, ``a = 0.35`` and ``b = 16 n_i^2 / 32^2`` (``createGabor.m``).
    """
    fx, fy = np.meshgrid(np.arange(-nx / 2, nx / 2), np.arange(-ny / 2, ny / 2))
    fr = np.fft.fftshift(np.sqrt(fx**2 + fy**2))
    t = np.fft.fftshift(np.angle(fx + 1j * fy))
    params = _filter_params(orientations)
    out = np.empty((len(params), ny, nx))
    for k, (a, f0, b, theta) in enumerate(params):
        tr = t + theta
        tr = tr + 2 * np.pi * (tr < -np.pi) - 2 * np.pi * (tr > np.pi)
        out[k] = np.exp(-10 * a * (fr / nx / f0 - 1) ** 2 - 2 * b * np.pi * tr**2)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=8)
def _prefilter_gaussian(n: int) -> np.ndarray:
    """Frequency response ``exp(-(fx^2 + fy^2) / s1^2)`` without ``s1`` (FFT order).

    Returned as the squared radius ``fx^2 + fy^2`` on the ``n x n`` grid.
    """
    fx, fy = np.meshgrid(np.arange(-n / 2, n / 2), np.arange(-n / 2, n / 2))
    r2 = np.fft.fftshift(fx**2 + fy**2)
    r2.setflags(write=False)
    return r2


def _prefilter_size(h: int, w: int) -> tuple[int, int, int, int]:
    w_pad = 5
    sn, sm = h + 2 * w_pad, w + 2 * w_pad
    n = max(sn, sm)
    return w_pad, sn, sm, n + n % 2


# --------------------------------------------------------------------------------------
# Reference path: a plain transcription of the published MATLAB code (float64)
# --------------------------------------------------------------------------------------
def _prefilt_reference(img: np.ndarray, fc: float) -> np.ndarray:
    """``prefilt.m`` on one image ``(H, W, C)`` in ``[0, 255]``."""
    w_pad, sn, sm, n = _prefilter_size(*img.shape[:2])
    s1 = fc / np.sqrt(np.log(2))
    img = np.log(img + 1)
    img = np.pad(img, ((w_pad, w_pad), (w_pad, w_pad), (0, 0)), mode="symmetric")
    img = np.pad(img, ((0, n - sn), (0, n - sm), (0, 0)), mode="symmetric")
    gf = np.exp(-_prefilter_gaussian(n) / s1**2)
    output = np.empty_like(img)
    for c in range(img.shape[2]):
        lowpass = np.real(np.fft.ifft2(np.fft.fft2(img[..., c]) * gf))
        output[..., c] = img[..., c] - lowpass
    energy = output.mean(axis=2) ** 2
    localstd = np.sqrt(np.abs(np.fft.ifft2(np.fft.fft2(energy) * gf)))
    output = output / (0.2 + localstd[..., None])
    return output[w_pad : sn - w_pad, w_pad : sm - w_pad]


def _down_n(x: np.ndarray, n_blocks: int) -> np.ndarray:
    """``downN``: mean over non-overlapping blocks, ``(n_blocks, n_blocks)``."""
    nx = _block_edges(x.shape[0], n_blocks)
    ny = _block_edges(x.shape[1], n_blocks)
    y = np.zeros((n_blocks, n_blocks))
    for xx in range(n_blocks):
        for yy in range(n_blocks):
            y[xx, yy] = x[nx[xx] : nx[xx + 1], ny[yy] : ny[yy + 1]].mean()
    return y


def _gist_gabor_reference(img, orientations, n_blocks, boundary_extension):
    """``gistGabor.m`` on one prefiltered image ``(H, W, C)``."""
    be = boundary_extension
    padded = np.pad(img, ((be, be), (be, be), (0, 0)), mode="symmetric")
    ny, nx = padded.shape[:2]
    G = _create_gabor(orientations, ny, nx)
    feats = []
    for c in range(img.shape[2]):
        F = np.fft.fft2(padded[..., c])
        for k in range(G.shape[0]):
            ig = np.abs(np.fft.ifft2(F * G[k]))
            ig = ig[be : ny - be, be : nx - be]
            # Column-major order of the blocks, as MATLAB's reshape(v, [W N]).
            feats.append(_down_n(ig, n_blocks).ravel(order="F"))
    return np.concatenate(feats)


def _gist_reference(images, params) -> np.ndarray:
    orientations, n_blocks, size, prefilter, fc, be, color = params
    rows = []
    for image in images:
        img = _scale_0_255(_normalised_input(image, size, color, np.float64)[None])[0]
        if prefilter:
            img = _prefilt_reference(img, fc)
        rows.append(_gist_gabor_reference(img, orientations, n_blocks, be))
    return np.stack(rows)


# --------------------------------------------------------------------------------------
# Fast path: batched float32, real forward FFTs, decimated coarse scales
# --------------------------------------------------------------------------------------
def _averaging_matrix(n: int, be: int, size: int, n_blocks: int, d: int) -> np.ndarray:
    """Weights ``(n_blocks, n // d)`` turning decimated samples into block means.

    Sample ``m`` stands for padded pixels ``[d m, d m + d)`` (it is taken at their
    centre); its weight in block ``b`` is the number of those pixels inside the block
    divided by the block's pixel count. For ``d = 1`` this is ``downN`` exactly.
    """
    edges = _block_edges(size, n_blocks) + be
    A = np.zeros((n_blocks, n // d))
    for b in range(n_blocks):
        lo, hi = edges[b], edges[b + 1]
        for m in range(n // d):
            overlap = min(hi, d * m + d) - max(lo, d * m)
            if overlap > 0:
                A[b, m] = overlap / (hi - lo)
    return A


def _decimation(f0: float, n: int, block: int) -> int:
    """Largest power of two ``d`` dividing ``n`` with ``d <= _DECIMATION / f0``.

    ``d`` also leaves at least ``_MIN_SAMPLES`` samples across the smallest block.
    """
    d = 1
    while (
        n % (2 * d) == 0 and 2 * d * f0 <= _DECIMATION and 2 * d * _MIN_SAMPLES <= block
    ):
        d *= 2
    return d


def _cyclic_support(mask_1d: np.ndarray) -> np.ndarray:
    """Return the indices of the shortest cyclic run covering ``mask_1d``."""
    n = mask_1d.size
    idx = np.flatnonzero(mask_1d)
    if idx.size == 0:
        return np.zeros(1, dtype=int)
    # The largest gap between consecutive support indices (cyclically) is left out.
    gaps = np.diff(np.r_[idx, idx[0] + n])
    g = int(np.argmax(gaps))
    start = idx[(g + 1) % idx.size]
    length = n - (gaps[g] - 1)
    return (start + np.arange(length)) % n


def _run_pieces(idx: np.ndarray, n: int) -> list[tuple[slice, slice]]:
    """Split a cyclic run of indices into (source, destination) slices."""
    start, length = int(idx[0]), idx.size
    if start + length <= n:
        return [(slice(start, start + length), slice(0, length))]
    first = n - start
    return [
        (slice(start, n), slice(0, first)),
        (slice(0, length - first), slice(first, length)),
    ]


class _ScalePlan:
    """Precomputed pieces of one scale of the fast path.

    ``d = 1`` (fine scales): each filter's spectrum is non-zero on a cyclic run of
    rows (or columns) only, so the inverse 2-D FFT runs first along the other axis
    over those lines, keeps the image's interior, and then runs along the first axis
    zero-padded (the run's offset only multiplies the result by a unit phase, which
    the magnitude drops). ``d > 1`` (coarse scales): the filtered spectrum is
    folded onto an ``(n / d)``-point grid, whose inverse FFT is the filtered image at
    every ``d``-th pixel (shifted to the centre of its ``d x d`` cell).
    """

    def __init__(self, G, f0, n, be, size, n_blocks):
        d = _decimation(f0, n, int(np.diff(_block_edges(size, n_blocks)).min()))
        m = n // d
        self.d, self.m, self.n, self.be, self.size = d, m, n, be, size
        self.n_or = G.shape[0]
        if d == 1:
            self.lines = []
            for g in G:
                support = g > _SUPPORT_TOL
                rows = _cyclic_support(support.any(axis=1))
                cols = _cyclic_support(support.any(axis=0))
                if rows.size <= cols.size:
                    gl = np.ascontiguousarray(g[rows]).astype(np.float32)
                    self.lines.append((-2, rows, gl))
                else:
                    gl = np.ascontiguousarray(g[:, cols]).astype(np.float32)
                    self.lines.append((-1, cols, gl))
            A = _averaging_matrix(size, 0, size, n_blocks, 1)
            self.Ay = A.astype(np.float32)
        else:
            # Samples at the centre of their d x d cell: multiply the spectrum by
            # exp(2 pi i k s / n), s = (d - 1) / 2 and k in [-n/2, n/2).
            # The phase is applied once per scale, the real filters per filter.
            k = np.fft.fftfreq(n) * n
            phase = np.exp(2j * np.pi * k * (d - 1) / 2 / n)
            self.phase = np.multiply.outer(phase, phase).astype(np.complex64)
            self.blocks = []
            for g in G:
                support = g > _SUPPORT_TOL
                rows = _cyclic_support(support.any(axis=1))
                cols = _cyclic_support(support.any(axis=0))
                gs = np.ascontiguousarray(g[rows][:, cols]).astype(np.float32)
                self.blocks.append((rows, cols, gs))
            A = _averaging_matrix(n, be, size, n_blocks, d)
            # 1 / d^2 makes the (n / d)-point inverse FFT match the n-point one.
            self.Ay = (A / d**2).astype(np.float32)
        self.AxT = np.ascontiguousarray(A.T).astype(np.float32)

    def _pruned(self, F, workers):
        be, size, n = self.be, self.size, self.n
        out = np.empty((F.shape[0], self.n_or, size, size), dtype=np.float32)
        for k, (axis, idx, gl) in enumerate(self.lines):
            if axis == -2:
                Z = np.empty((F.shape[0], idx.size, n), dtype=np.complex64)
                for src, dst in _run_pieces(idx, n):
                    np.multiply(F[:, src], gl[dst], out=Z[:, dst])
            else:
                Z = np.empty((F.shape[0], n, idx.size), dtype=np.complex64)
                for src, dst in _run_pieces(idx, n):
                    np.multiply(F[:, :, src], gl[:, dst], out=Z[:, :, dst])
            # First along the other axis, keeping the image's interior only.
            z = sfft.ifft(
                Z, axis=-1 if axis == -2 else -2, workers=workers, overwrite_x=True
            )
            z = z[:, :, be : be + size] if axis == -2 else z[:, be : be + size]
            z = sfft.ifft(z, n=n, axis=axis, workers=workers, overwrite_x=True)
            z = z[:, be : be + size] if axis == -2 else z[:, :, be : be + size]
            out[:, k] = np.abs(z)
        return out

    def block_means(self, F, workers):
        """Block means ``(b, n_or, n_blocks, n_blocks)`` from full spectra ``F``."""
        if self.d == 1:
            mag = self._pruned(F, workers)
        else:
            m, b = self.m, F.shape[0]
            Fs = F * self.phase
            Z = np.zeros((b, self.n_or, m, m), dtype=np.complex64)
            for k, (rows, cols, gs) in enumerate(self.blocks):
                P = np.empty((b, *gs.shape), dtype=np.complex64)
                for rs, rd in _run_pieces(rows, self.n):
                    for cs, cd in _run_pieces(cols, self.n):
                        np.multiply(Fs[:, rs, cs], gs[rd, cd], out=P[:, rd, cd])
                # Fold the run of frequencies r0 + j onto j mod m; dropping the
                # offset r0 multiplies the samples by a unit phase only.
                for i in range(0, rows.size, m):
                    for j in range(0, cols.size, m):
                        blk = P[:, i : i + m, j : j + m]
                        Z[:, k, : blk.shape[1], : blk.shape[2]] += blk
            mag = np.abs(sfft.ifft2(Z, workers=workers, overwrite_x=True))
        return np.matmul(np.matmul(self.Ay, mag), self.AxT)


@functools.lru_cache(maxsize=8)
def _fast_plan(orientations, size, be, n_blocks):
    n = size + 2 * be
    G = _create_gabor(orientations, n, n)
    f0s = _filter_params(orientations)[:, 1]
    plans, start = [], 0
    for n_or in orientations:
        sl = slice(start, start + n_or)
        plans.append(_ScalePlan(G[sl], f0s[start], n, be, size, n_blocks))
        start += n_or
    return plans


def _full_spectrum(Fh: np.ndarray, n: int) -> np.ndarray:
    """Rebuild the ``(b, n, n)`` spectra of real images from their ``rfft2`` half."""
    half = Fh.shape[-1]
    F = np.empty(Fh.shape[:-1] + (n,), dtype=Fh.dtype)
    F[:, :, :half] = Fh
    if n > half:
        rows = (-np.arange(n)) % n
        cols = n - np.arange(half, n)
        np.conj(Fh[:, rows][:, :, cols], out=F[:, :, half:])
    return F


def _prefilt_fast(img: np.ndarray, fc: float, workers) -> np.ndarray:
    """``prefilt.m`` on a batch ``(B, C, H, W)`` (float32, real FFTs)."""
    B, C, h, w = img.shape
    w_pad, sn, sm, n = _prefilter_size(h, w)
    s1 = fc / np.sqrt(np.log(2))
    gf = np.exp(-_prefilter_gaussian(n)[:, : n // 2 + 1] / s1**2).astype(np.float32)
    x = np.log1p(img)
    x = np.pad(x, ((0, 0), (0, 0), (w_pad, w_pad), (w_pad, w_pad)), mode="symmetric")
    x = np.pad(x, ((0, 0), (0, 0), (0, n - sn), (0, n - sm)), mode="symmetric")
    low = sfft.irfft2(sfft.rfft2(x, workers=workers) * gf, s=(n, n), workers=workers)
    x -= low
    energy = x.mean(axis=1) ** 2
    local = sfft.irfft2(sfft.rfft2(energy, workers=workers) * gf, s=(n, n))
    local = np.sqrt(np.abs(local, out=local), out=local)
    x /= (0.2 + local)[:, None]
    return x[:, :, w_pad : sn - w_pad, w_pad : sm - w_pad]


def _gist_fast(images, params, workers=1) -> np.ndarray:
    orientations, n_blocks, size, prefilter, fc, be, color = params
    batch = [_normalised_input(image, size, color, np.float32) for image in images]
    x = np.stack(batch).transpose(0, 3, 1, 2)
    B, C = x.shape[:2]
    n = size + 2 * be
    plans = _fast_plan(orientations, size, be, n_blocks)
    out = np.empty((B, C, sum(orientations), n_blocks, n_blocks), dtype=np.float32)
    # Small chunks keep the working set in cache and bound the complex temporaries.
    step = max(1, _CHUNK // C)
    for start in range(0, B, step):
        chunk = _scale_0_255(np.ascontiguousarray(x[start : start + step]))
        if prefilter:
            chunk = _prefilt_fast(chunk, fc, workers)
        chunk = chunk.reshape(-1, size, size)
        chunk = np.pad(chunk, ((0, 0), (be, be), (be, be)), mode="symmetric")
        F = _full_spectrum(sfft.rfft2(chunk, workers=workers), n)
        k = 0
        for plan in plans:
            means = plan.block_means(F, workers)
            out[start : start + step, :, k : k + plan.n_or] = means.reshape(
                -1, C, *means.shape[1:]
            )
            k += plan.n_or
    # Feature order of LMgist: channel, filter, block in column-major order.
    return out.transpose(0, 1, 2, 4, 3).reshape(B, -1)


def _compute(images, params, method, workers=1):
    if method == "reference":
        return _gist_reference(images, params)
    return _gist_fast(images, params, workers)


def gist(
    image,
    orientations_per_scale: Sequence[int] = (8, 8, 8, 8),
    n_blocks: int = 4,
    image_size: int = 256,
    prefilter: bool = True,
    fc_prefilter: float = 4,
    boundary_extension: int = 32,
    color: bool = False,
    method: str = "fast",
) -> np.ndarray:
    """GIST descriptor of one image (Oliva and Torralba, 2001; LabelMe ``LMgist``).

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image, channels last; uint8 is scaled to ``[0, 1]`` first (the scale
        does not matter: every image is rescaled to ``[0, 255]``).
    orientations_per_scale : sequence of int, default=(8, 8, 8, 8)
        Number of Gabor orientations at each scale (scale ``i`` has centre frequency
        ``0.3 / 1.85**i`` cycles per pixel).
    n_blocks : int, default=4
        The filter-response magnitudes are averaged over an ``n_blocks x n_blocks``
        grid.
    image_size : int, default=256
        The image is resized so that its short side is ``image_size`` and
        centre-cropped to ``image_size x image_size``.
    prefilter : bool, default=True
        Whether to apply the whitening and local contrast normalisation prefilter.
    fc_prefilter : float, default=4
        Cut-off frequency (cycles per image) of the prefilter's Gaussian.
    boundary_extension : int, default=32
        Pixels of symmetric padding added before the Gabor filtering.
    color : bool, default=False
        If False the channels are averaged to grey first; if True each channel gets
        its own descriptor (concatenated channel after channel).
    method : {"fast", "reference"}, default="fast"
        ``"reference"`` is a plain float64 transcription of the published code;
        ``"fast"`` computes the same descriptor in float32 with real FFTs and
        decimated coarse scales (correlation with the reference > 0.9999).

    Returns
    -------
    descriptor : ndarray of shape (n_channels * n_blocks**2 * sum(orientations),)
        512 values for the defaults on a grey image (960 for colour with
        ``orientations_per_scale=(8, 8, 4)``). float32 for ``method="fast"``,
        float64 for ``method="reference"``.

    See Also
    --------
    GISTExtractor : the same descriptor as a scikit-learn transformer over batches.

    Notes
    -----
    The steps of ``LMgist`` (Oliva and Torralba, 2001; LabelMe toolbox):

    1. Grey image (mean over channels) unless ``color``; resize the short side to
       ``image_size`` (bilinear with anti-aliasing, :func:`skimage.transform.resize`,
       where MATLAB uses ``imresize``) and centre-crop; scale linearly to
       ``[0, 255]``.
    2. Prefilter (``prefilt.m``, ``fc = fc_prefilter``): ``log(img + 1)``; pad 5
       pixels symmetrically (and to an even square); whiten by subtracting a
       Gaussian low-pass applied in the Fourier domain,
       ``exp(-(fx^2 + fy^2) / s1^2)`` with ``s1 = fc / sqrt(log 2)``; divide by the
       local contrast ``0.2 + sqrt(lowpass(img^2))``; crop the padding.
    3. Pad ``boundary_extension`` pixels symmetrically and filter in the Fourier
       domain with the Gabor transfer functions of ``createGabor.m``: for scale
       ``i`` and orientation ``j`` of ``n_i``,
       ``exp(-10 * 0.35 * (fr / f0 - 1)^2 - 2 * (16 n_i^2 / 32^2) * pi * tr^2)``,
       ``f0 = 0.3 / 1.85^i`` cycles per pixel, ``tr`` the angle to
       ``-pi j / n_i``.
    4. Take the magnitude of each filtered image, crop the padding and average it
       over ``n_blocks x n_blocks`` blocks with edges ``fix(linspace(0, size,
       n_blocks + 1))``; the blocks are listed in column-major order as in MATLAB,
       filters scale by scale, channels one after another.

    The fast path evaluates each coarse scale on every ``d``-th pixel (``d`` a
    power of two with ``d <= 0.33 / f0`` and at least 8 samples across a block;
    ``d = 1, 2, 2, 4`` for the defaults): folding the filtered spectrum onto an
    ``(n / d)``-point FFT yields the filtered image exactly at those pixels (taken
    at the centre of each ``d x d`` cell), and the block means weight each sample
    by its cell's pixels. The full-resolution scales run their inverse FFTs only
    over the lines where the filter is non-zero and keep only the image's interior.
    Only the cell sampling approximates: mean relative error about 5e-4, maximum
    about 1% at 256 x 256 (a few % on the smallest values of tiny images).

    References
    ----------
    .. [1] A. Oliva and A. Torralba, "Modeling the shape of the scene: a holistic
       representation of the spatial envelope", International Journal of Computer
       Vision 42(3), 145-175, 2001. :doi:`10.1023/A:1011139631724`
    .. [2] M. Douze, H. Jegou, H. Sandhawalia, L. Amsaleg and C. Schmid,
       "Evaluation of GIST descriptors for web-scale image search", CIVR 2009.
       :doi:`10.1145/1646396.1646421`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import gist
    >>> rng = np.random.default_rng(0)
    >>> g = gist(rng.random((40, 60)), image_size=64, boundary_extension=8)
    >>> g.shape
    (512,)
    >>> gist(rng.random((32, 32, 3)), orientations_per_scale=(8, 8, 4),
    ...      image_size=32, boundary_extension=4, color=True).shape
    (960,)
    """
    params = _check_params(
        orientations_per_scale, n_blocks, image_size, fc_prefilter, boundary_extension
    )
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}.")
    img = check_image(image)
    orientations, n_blocks, image_size, fc, be = params
    full = (orientations, n_blocks, image_size, bool(prefilter), fc, be, bool(color))
    return _compute([img], full, method)[0]


class GISTExtractor(ImageTransformerMixin, BaseEstimator):
    """GIST scene descriptors of a batch of images (Oliva and Torralba, 2001).

    Each image is resized and centre-cropped to ``image_size``, prefiltered,
    filtered by a bank of Gabor transfer functions in the Fourier domain, and the
    response magnitudes are averaged over an ``n_blocks x n_blocks`` grid
    (:func:`skcv.feature.gist` on every image). Images of different sizes are
    accepted (they are resized).

    Parameters
    ----------
    orientations_per_scale : tuple of int, default=(8, 8, 8, 8)
        Number of Gabor orientations at each scale.
    n_blocks : int, default=4
        Size of the grid of block averages.
    image_size : int, default=256
        Side of the square the images are resized and cropped to.
    prefilter : bool, default=True
        Whether to whiten and contrast-normalise first.
    fc_prefilter : float, default=4
        Cut-off (cycles per image) of the prefilter.
    boundary_extension : int, default=32
        Symmetric padding before the Gabor filtering.
    color : bool, default=False
        Average the channels to grey (False) or describe each channel (True).
    method : {"fast", "reference"}, default="fast"
        Batched float32 path or the plain float64 transcription of ``LMgist``.
    batch_size : int, default=64
        Images processed together; memory grows linearly with it (measured: about
        0.5 MiB per 256x256 image plus a fixed ~10 MiB, the filtering running on 2
        images at a time), not with the number of images.
    n_jobs : int, default=None
        Batches processed in parallel by joblib (threads by default: the FFTs
        release the GIL). None means 1 unless in a :func:`joblib.parallel_backend`
        context; -1 means all processors.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` when ``X`` holds flattened rows.

    Attributes
    ----------
    n_features_in_ : int
        Values per input image (when fitted on an array).
    image_shape_ : tuple of int or None
        Shape of the fitted images (None for a list of different sizes).
    n_channels_ : int
        Channels described (1 unless ``color=True``).
    n_features_out_ : int
        ``n_channels_ * n_blocks**2 * sum(orientations_per_scale)``.

    See Also
    --------
    gist : the descriptor of one image.

    Notes
    -----
    See :func:`skcv.feature.gist` for the algorithm. Feature ``gist_c{c}_s{s}_o{o}
    _b{b}`` is channel ``c``, scale ``s``, orientation ``o`` and block ``b``,
    where ``b = row + n_blocks * col`` (column-major, the order of ``LMgist``).

    The fast path builds the transfer functions once per size (cached), takes one
    real FFT per image, reuses it for every filter and evaluates the coarse scales
    on a decimated grid; ``method="reference"`` runs the plain per-filter code.

    References
    ----------
    .. [1] A. Oliva and A. Torralba, "Modeling the shape of the scene: a holistic
       representation of the spatial envelope", International Journal of Computer
       Vision 42(3), 145-175, 2001. :doi:`10.1023/A:1011139631724`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import GISTExtractor
    >>> X = np.random.default_rng(0).random((3, 32, 32))
    >>> ext = GISTExtractor(orientations_per_scale=(4, 4), image_size=32,
    ...                     boundary_extension=4).fit(X)
    >>> ext.transform(X).shape
    (3, 128)
    >>> ext.get_feature_names_out()[:2]
    array(['gist_c0_s0_o0_b0', 'gist_c0_s0_o0_b1'], dtype=object)
    """

    _allows_variable_size = True

    @property
    def _lazy_path_fit(self):  # fit reads only the first image's channels
        return not self.color

    _parameter_constraints: dict = {
        "orientations_per_scale": ["array-like"],
        "n_blocks": [Interval(numbers.Integral, 1, None, closed="left")],
        "image_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "prefilter": ["boolean"],
        "fc_prefilter": [Interval(numbers.Real, 0, None, closed="neither")],
        "boundary_extension": [Interval(numbers.Integral, 0, None, closed="left")],
        "color": ["boolean"],
        "method": [StrOptions(set(_METHODS))],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self,
        orientations_per_scale=(8, 8, 8, 8),
        n_blocks=4,
        image_size=256,
        prefilter=True,
        fc_prefilter=4,
        boundary_extension=32,
        color=False,
        method="fast",
        batch_size=64,
        n_jobs=None,
        image_shape=None,
    ):
        self.orientations_per_scale = orientations_per_scale
        self.n_blocks = n_blocks
        self.image_size = image_size
        self.prefilter = prefilter
        self.fc_prefilter = fc_prefilter
        self.boundary_extension = boundary_extension
        self.color = color
        self.method = method
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.image_shape = image_shape

    def _params(self):
        orientations, n_blocks, size, fc, be = _check_params(
            self.orientations_per_scale,
            self.n_blocks,
            self.image_size,
            self.fc_prefilter,
            self.boundary_extension,
        )
        return (orientations, n_blocks, size, bool(self.prefilter), fc, be, self.color)

    @staticmethod
    def _n_channels(images) -> int:
        first = images[0]
        return 1 if first.ndim == 2 else first.shape[-1]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the images; GIST learns nothing from data.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images in any of the four input forms (file paths included).
        y : None
            Ignored.

        Returns
        -------
        self : GISTExtractor
            The fitted transformer.
        """
        images = self._validate_images(X, reset=True)
        orientations, n_blocks = self._params()[:2]
        self.n_channels_ = self._n_channels(images) if self.color else 1
        self.n_features_out_ = self.n_channels_ * n_blocks**2 * sum(orientations)
        return self

    def transform(self, X):
        """GIST descriptors of the images.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images in any of the four input forms (file paths included); sizes
            may differ from ``fit``.

        Returns
        -------
        descriptors : ndarray of shape (n, n_features_out_)
            float32 for float32 input with ``method="fast"``, float64 otherwise.
        """
        check_is_fitted(self)
        images = self._validate_images(X, reset=False)
        if self.color and self._n_channels(images) != self.n_channels_:
            # The channel rule: grey repeated, colour to luma, alpha dropped.
            target = self.n_channels_ if self.n_channels_ > 1 else "grey"
            images = convert_images(images, target)
        params = self._params()
        dtype = np.float32 if images[0].dtype == np.float32 else np.float64
        n = len(images)
        step = int(self.batch_size)
        slices = [slice(s, min(s + step, n)) for s in range(0, n, step)]
        if effective_n_jobs(self.n_jobs) == 1 or len(slices) == 1:
            parts = (_compute(images[s], params, self.method) for s in slices)
        else:
            parts = Parallel(
                n_jobs=self.n_jobs, prefer="threads", return_as="generator"
            )(delayed(_compute)(images[s], params, self.method) for s in slices)
        # Filled batch by batch: memory is the output plus one batch per job.
        out = np.empty((n, self.n_features_out_), dtype=dtype)
        for s, part in zip(slices, parts, strict=True):
            out[s] = part
        return out

    def get_feature_names_out(self, input_features=None):
        """Names ``gist_c{channel}_s{scale}_o{orientation}_b{block}``.

        Parameters
        ----------
        input_features : None
            Ignored (GIST features do not derive from single input features).

        Returns
        -------
        names : ndarray of str objects
            One name per output column, in output order.
        """
        check_is_fitted(self)
        orientations, n_blocks = self._params()[:2]
        names = [
            f"gist_c{c}_s{s}_o{o}_b{b}"
            for c in range(self.n_channels_)
            for s, n_or in enumerate(orientations)
            for o in range(n_or)
            for b in range(n_blocks**2)
        ]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
