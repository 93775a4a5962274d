"""SIFT descriptors: fast vectorised dense SIFT and DoG keypoints through scikit-image.

Dense SIFT (the PHOW / Lazebnik front end of a bag of visual words) is computed for
every keypoint of a regular grid at once: gradient magnitudes are soft-binned into
``n_orientations`` orientation planes, the planes are filtered by separable
triangular (bilinear) windows that are evaluated only at the spatial-bin centres of
the grid, and the ``4 x 4 x 8`` histograms are gathered with fancy indexing. No
Python loop runs over keypoints.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.ndimage import correlate1d, gaussian_filter1d

from skcv.utils._sklearn import Interval, validate_params
from skcv.utils._validation import channels_to_grey, check_image

__all__ = ["dense_sift", "sift"]

_EPS = np.float32(1e-12)


def _to_gray(image: np.ndarray) -> np.ndarray:
    """Return a float32 grey image from a validated ``(H, W)`` or ``(H, W, C)``."""
    if image.ndim == 3:
        image = channels_to_grey(image)
    return np.asarray(image, dtype=np.float32)


def _image_gradients(image: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian-smoothed central-difference gradients ``(d/drow, d/dcol)``.

    The one place dense SIFT computes derivatives: separable Gaussian smoothing
    (``sigma`` pixels, skipped when 0) followed by the 1-D central difference
    ``[-1/2, 0, 1/2]`` along each axis, all with scipy.ndimage 1-D filters. It can
    be swapped for ``skcv.filters.image_gradients`` once that lands.
    """
    if sigma > 0:
        image = gaussian_filter1d(image, sigma, axis=0, mode="nearest")
        image = gaussian_filter1d(image, sigma, axis=1, mode="nearest")
    diff = np.array([-0.5, 0.0, 0.5], dtype=image.dtype)
    grad_rows = correlate1d(image, diff, axis=0, mode="nearest")
    grad_cols = correlate1d(image, diff, axis=1, mode="nearest")
    return grad_rows, grad_cols


def _orientation_planes(grad_rows, grad_cols, n_orientations: int) -> np.ndarray:
    """Soft-bin gradient magnitudes into ``n_orientations`` planes ``(H, W, n_ori)``.

    The angle ``atan2(-d/drow, d/dcol)`` (0 along +col, counter-clockwise on screen
    since rows point down; OpenCV's and Lowe's convention) is
    split between its two nearest orientation bins by linear interpolation, so a
    gradient between bin centres ``o`` and ``o + 1`` puts ``(1 - f)`` of its
    magnitude into plane ``o`` and ``f`` into plane ``o + 1`` (cyclically).
    """
    magnitude = np.hypot(grad_rows, grad_cols)
    if n_orientations == 1:
        return magnitude[..., None]
    position = np.arctan2(-grad_rows, grad_cols) * magnitude.dtype.type(
        n_orientations / (2 * np.pi)
    )
    position %= n_orientations
    planes = np.empty((*magnitude.shape, n_orientations), dtype=magnitude.dtype)
    distance = np.empty_like(position)
    for o in range(n_orientations):  # a handful of whole-image passes
        np.subtract(position, o, out=distance)
        np.abs(distance, out=distance)
        np.minimum(distance, n_orientations - distance, out=distance)  # cyclic
        np.subtract(1, distance, out=distance)
        np.maximum(distance, 0, out=distance)
        np.multiply(distance, magnitude, out=planes[..., o])
    return planes


def _grid_centres(length: int, patch_size: int, step: int) -> np.ndarray:
    """Centres (in pixels) of the patches of one axis: whole patches, centred grid."""
    n_points = (length - patch_size) // step + 1
    margin = (length - patch_size - (n_points - 1) * step) // 2
    return margin + (patch_size - 1) / 2 + step * np.arange(n_points)


def _triangle_matrix(positions: np.ndarray, length: int, bin_size: float):
    """Sparse ``(n_positions, length)`` matrix of bilinear weights, unit mass/bin.

    Row ``i`` holds ``max(0, 1 - |x - positions[i]| / bin_size) / bin_size``: the
    triangular (bilinear-interpolation) window of one spatial bin, evaluated only
    where it is needed. Pixels outside the image contribute nothing.
    """
    half = int(np.ceil(bin_size))
    start = np.floor(positions).astype(np.intp) - half + 1
    taps = start[:, None] + np.arange(2 * half)[None, :]
    weights = 1.0 - np.abs(taps - positions[:, None]) / bin_size
    keep = (weights > 0) & (taps >= 0) & (taps < length)
    rows = np.broadcast_to(np.arange(len(positions))[:, None], taps.shape)
    return sparse.csr_matrix(
        (weights[keep] / bin_size, (rows[keep], taps[keep])),
        shape=(len(positions), length),
        dtype=np.float32,
    )


@functools.lru_cache(maxsize=64)
def _grid_geometry(
    height: int, width: int, patch_size: int, step: int, n_spatial_bins: int
):
    """Keypoint grid, bin-centre filters and gather indices of one image size.

    Cached, so that a batch of equally sized images builds them once.
    """
    bin_size = patch_size / n_spatial_bins
    # Offsets of the spatial-bin centres from the patch centre, in pixels.
    offsets = (np.arange(n_spatial_bins) - (n_spatial_bins - 1) / 2) * bin_size
    centres_r = _grid_centres(height, patch_size, step)
    centres_c = _grid_centres(width, patch_size, step)
    pos_r, idx_r = np.unique(centres_r[:, None] + offsets, return_inverse=True)
    pos_c, idx_c = np.unique(centres_c[:, None] + offsets, return_inverse=True)
    idx_r = idx_r.reshape(len(centres_r), n_spatial_bins)
    idx_c = idx_c.reshape(len(centres_c), n_spatial_bins)
    a_r = _triangle_matrix(pos_r, height, bin_size)
    a_c = _triangle_matrix(pos_c, width, bin_size)
    # Lowe's Gaussian weighting window (sigma = half the descriptor width),
    # applied per spatial bin (VLFeat's fast approximation).
    bins = offsets / bin_size
    radius2 = bins[:, None] ** 2 + bins[None, :] ** 2
    window = np.exp(-radius2 / (n_spatial_bins**2 / 2)).astype(np.float32)
    rr, cc = np.meshgrid(centres_r, centres_c, indexing="ij")
    keypoints = np.column_stack(
        [rr.ravel(), cc.ravel(), np.full(rr.size, float(patch_size))]
    )
    keypoints.flags.writeable = False
    return keypoints, idx_r, idx_c, a_r, a_c, window


def _dense_sift_one_size(
    planes: np.ndarray,
    patch_size: int,
    step: int,
    n_spatial_bins: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw (unnormalised) dense SIFT histograms of one patch size."""
    height, width, n_ori = planes.shape
    keypoints, idx_r, idx_c, a_r, a_c, window = _grid_geometry(
        height, width, patch_size, step, n_spatial_bins
    )
    n_pr, n_pc = a_r.shape[0], a_c.shape[0]
    # Separable triangular filtering of every orientation plane, evaluated only at
    # the bin centres: S[..., o] = A_r @ planes[..., o] @ A_c.T with sparse A, so
    # each bin costs O(taps), not O(pixels).
    rows = a_r @ planes.reshape(height, width * n_ori)
    rows = rows.reshape(n_pr, width, n_ori).transpose(1, 0, 2)
    binned = a_c @ np.ascontiguousarray(rows).reshape(width, n_pr * n_ori)
    binned = binned.reshape(n_pc, n_pr, n_ori).transpose(1, 0, 2)
    # Gather (rows, cols, by, bx, o): Lowe's descriptor layout.
    hist = binned[idx_r[:, None, :, None], idx_c[None, :, None, :], :]
    hist = hist * window[None, None, :, :, None]
    return keypoints.copy(), hist.reshape(len(keypoints), -1)


def _normalize_descriptors(
    descriptors: np.ndarray, contrast_threshold: float, root_sift: bool
) -> np.ndarray:
    """Lowe's normalisation (L2, clip 0.2, L2), contrast gate and RootSIFT."""
    norm = np.linalg.norm(descriptors, axis=1, keepdims=True)
    low_contrast = norm[:, 0] < contrast_threshold
    descriptors = descriptors / np.maximum(norm, _EPS)
    np.minimum(descriptors, np.float32(0.2), out=descriptors)
    descriptors /= np.maximum(np.linalg.norm(descriptors, axis=1, keepdims=True), _EPS)
    descriptors[low_contrast] = 0
    if root_sift:
        descriptors = _root_sift(descriptors)
    return descriptors


def _root_sift(descriptors: np.ndarray) -> np.ndarray:
    """RootSIFT: square root of the L1-normalised (non-negative) descriptor."""
    l1 = descriptors.sum(axis=1, keepdims=True)
    return np.sqrt(descriptors / np.maximum(l1, _EPS))


def _check_patch_sizes(patch_size, n_spatial_bins: int) -> tuple[int, ...]:
    sizes = (patch_size,) if isinstance(patch_size, numbers.Integral) else patch_size
    ok = isinstance(sizes, Sequence | np.ndarray) and len(sizes) > 0
    ok = ok and all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
        for s in sizes
    )
    if not ok:
        raise ValueError(
            "patch_size must be a positive int or a non-empty sequence of positive "
            f"ints; got {patch_size!r}."
        )
    return tuple(int(s) for s in sizes)


@validate_params(
    {
        "image": ["array-like"],
        "step": [Interval(numbers.Integral, 1, None, closed="left")],
        "patch_size": [Interval(numbers.Integral, 1, None, closed="left"), list, tuple],
        "n_spatial_bins": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_orientations": [Interval(numbers.Integral, 1, None, closed="left")],
        "sigma": [Interval(numbers.Real, 0, None, closed="left"), None],
        "contrast_threshold": [Interval(numbers.Real, 0, None, closed="left")],
        "root_sift": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def dense_sift(
    image,
    *,
    step: int = 8,
    patch_size: int | Sequence[int] = 16,
    n_spatial_bins: int = 4,
    n_orientations: int = 8,
    sigma: float | None = None,
    contrast_threshold: float = 0.005,
    root_sift: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Dense SIFT descriptors on a regular grid, at one or several patch sizes.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image; colour is converted to grey (BT.709 luma). uint8 is scaled to
        ``[0, 1]``. Images smaller than the largest patch are symmetric-padded.
    step : int, default=8
        Distance in pixels between neighbouring keypoints of the grid.
    patch_size : int or sequence of int, default=16
        Side of the square descriptor window in pixels (``n_spatial_bins`` bins of
        ``patch_size / n_spatial_bins`` pixels). Several sizes give a PHOW-style
        multi-scale description; each size has its own grid.
    n_spatial_bins : int, default=4
        Spatial bins per side, so a descriptor has ``n_spatial_bins**2 *
        n_orientations`` values (128 by default).
    n_orientations : int, default=8
        Orientation bins of each spatial histogram.
    sigma : float or None, default=None
        Gaussian smoothing (pixels) before taking gradients. None uses VLFeat's
        PHOW rule ``sqrt((bin_size / 6)**2 - 0.25)`` per patch size (0 when
        negative); 0 disables smoothing.
    contrast_threshold : float, default=0.005
        Descriptors whose raw histogram norm (mean gradient magnitude per bin,
        image in ``[0, 1]``) is below this are set to zero (flat patches).
    root_sift : bool, default=False
        Return RootSIFT (square root of the L1-normalised descriptor), which
        turns Euclidean distance into the Hellinger kernel.

    Returns
    -------
    keypoints : ndarray of shape (n_keypoints, 3)
        ``(row, col, patch_size)`` of every descriptor: centre in pixel
        coordinates (half-integer for even patch sizes) and window size. Sizes come
        one after the other, each grid in row-major order.
    descriptors : ndarray of shape (n_keypoints, n_spatial_bins**2 * n_orientations)
        float32 descriptors, unit L2 norm (or zero for low-contrast patches), laid
        out as ``(spatial row, spatial col, orientation)`` like Lowe's SIFT.

    See Also
    --------
    sift : Sparse DoG keypoints with rotation-invariant descriptors.
    skcv.feature.BagOfVisualWords : Quantises these descriptors into visual words.

    Notes
    -----
    The steps, all vectorised over the whole grid:

    1. Smooth the grey image and take its gradients (central differences).
    2. Soft-bin each gradient's magnitude into the two nearest of
       ``n_orientations`` orientation planes (linear interpolation in angle).
    3. Filter every plane with a separable triangular window of half-width one
       spatial bin (bilinear interpolation between bins, as in Lowe's SIFT),
       evaluated only at the bin centres of the grid: ``A_r @ plane @ A_c.T`` with
       sparse matrices ``A``.
    4. Gather the ``n_spatial_bins x n_spatial_bins x n_orientations`` histogram
       of each keypoint, weight each spatial bin by Lowe's Gaussian window
       (sigma = half the descriptor width).
    5. Zero the low-contrast descriptors; L2-normalise, clip at 0.2 and
       renormalise (Lowe); optionally take the RootSIFT.

    Descriptors are not rotated to a dominant orientation (upright SIFT), as in
    dense bag-of-words pipelines. The same approach is used by VLFeat's
    ``vl_dsift`` with its flat-window fast mode.

    References
    ----------
    .. [1] D. G. Lowe, "Distinctive image features from scale-invariant
       keypoints", IJCV 60(2), 2004. :doi:`10.1023/B:VISI.0000029664.99615.94`
    .. [2] A. Bosch, A. Zisserman and X. Munoz, "Image classification using random
       forests and ferns", ICCV 2007. :doi:`10.1109/ICCV.2007.4409066`
    .. [3] A. Vedaldi and B. Fulkerson, "VLFeat: an open and portable library of
       computer vision algorithms", ACM MM 2010. :doi:`10.1145/1873951.1874249`
    .. [4] R. Arandjelovic and A. Zisserman, "Three things everyone should know to
       improve object retrieval", CVPR 2012. :doi:`10.1109/CVPR.2012.6248018`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import dense_sift
    >>> image = np.random.default_rng(0).random((64, 64))
    >>> keypoints, descriptors = dense_sift(image, step=8, patch_size=16)
    >>> keypoints.shape, descriptors.shape, descriptors.dtype
    ((49, 3), (49, 128), dtype('float32'))
    >>> keypoints[:2]
    array([[ 7.5,  7.5, 16. ],
           [ 7.5, 15.5, 16. ]])
    >>> round(float(np.linalg.norm(descriptors[0])), 4)
    1.0
    """
    sizes = _check_patch_sizes(patch_size, n_spatial_bins)
    image = _to_gray(check_image(image, name="image"))
    height, width = image.shape
    pad_r = max(max(sizes) - height, 0)
    pad_c = max(max(sizes) - width, 0)
    if pad_r or pad_c:
        image = np.pad(
            image,
            ((pad_r // 2, pad_r - pad_r // 2), (pad_c // 2, pad_c - pad_c // 2)),
            mode="symmetric",
        )
    planes_cache: dict[float, np.ndarray] = {}
    all_keypoints, all_descriptors = [], []
    for size in sizes:
        bin_size = size / n_spatial_bins
        if sigma is None:
            smooth = float(np.sqrt(max((bin_size / 6.0) ** 2 - 0.25, 0.0)))
        else:
            smooth = float(sigma)
        if smooth not in planes_cache:
            planes_cache[smooth] = _orientation_planes(
                *_image_gradients(image, smooth), n_orientations
            )
        keypoints, hist = _dense_sift_one_size(
            planes_cache[smooth], size, step, n_spatial_bins
        )
        all_keypoints.append(keypoints)
        all_descriptors.append(hist)
    keypoints = np.concatenate(all_keypoints)
    keypoints[:, 0] -= pad_r // 2
    keypoints[:, 1] -= pad_c // 2
    descriptors = np.concatenate(all_descriptors).astype(np.float32, copy=False)
    descriptors = _normalize_descriptors(descriptors, contrast_threshold, root_sift)
    return keypoints, descriptors


@validate_params(
    {
        "image": ["array-like"],
        "upsampling": [Interval(numbers.Integral, 1, 4, closed="both")],
        "n_octaves": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_scales": [Interval(numbers.Integral, 1, None, closed="left")],
        "sigma_min": [Interval(numbers.Real, 0, None, closed="neither")],
        "c_dog": [Interval(numbers.Real, 0, None, closed="left")],
        "c_edge": [Interval(numbers.Real, 1, None, closed="left")],
        "max_keypoints": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "root_sift": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def sift(
    image,
    *,
    upsampling: int = 2,
    n_octaves: int = 8,
    n_scales: int = 3,
    sigma_min: float = 1.6,
    c_dog: float = 0.04 / 3,
    c_edge: float = 10.0,
    max_keypoints: int | None = None,
    root_sift: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """SIFT keypoints (difference of Gaussians) and descriptors via scikit-image.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        The image; colour is converted to grey. uint8 is scaled to ``[0, 1]``.
    upsampling : int, default=2
        Initial upsampling of the image (1, 2 or 4).
    n_octaves : int, default=8
        Maximum number of octaves (reduced automatically for small images).
    n_scales : int, default=3
        Scales per octave.
    sigma_min : float, default=1.6
        Blur of the first scale.
    c_dog : float, default=0.04/3
        Threshold on the DoG response: weaker extrema are discarded.
    c_edge : float, default=10
        Threshold on the ratio of principal curvatures (edge responses).
    max_keypoints : int or None, default=None
        Keep only the keypoints of largest scale ``sigma`` (coarsest first), at
        most this many. None keeps all.
    root_sift : bool, default=False
        Return RootSIFT descriptors.

    Returns
    -------
    keypoints : ndarray of shape (n_keypoints, 4)
        ``(row, col, sigma, orientation)`` of every keypoint; orientation in
        radians. Empty (``(0, 4)``) when the image has no features.
    descriptors : ndarray of shape (n_keypoints, 128)
        float32 descriptors with unit L2 norm.

    See Also
    --------
    dense_sift : Fast descriptors on a regular grid.

    Notes
    -----
    1. Build the Gaussian scale space and the difference of Gaussians (DoG).
    2. Keep the 3-D extrema of the DoG, refine them to sub-pixel accuracy, drop
       low-contrast ones (``c_dog``) and edges (``c_edge``).
    3. Assign one or more dominant orientations from a 36-bin histogram of
       gradient orientations around each keypoint.
    4. Describe the rotated neighbourhood with a 4x4 grid of 8-bin orientation
       histograms (128 values), L2-normalise, clip at 0.2, renormalise.

    This wraps :class:`skimage.feature.SIFT`, which quantises descriptors to
    uint8; they are converted to float32 and L2-normalised here.

    References
    ----------
    .. [1] D. G. Lowe, "Distinctive image features from scale-invariant
       keypoints", IJCV 60(2), 2004. :doi:`10.1023/B:VISI.0000029664.99615.94`
    .. [2] I. R. Otero and M. Delbracio, "Anatomy of the SIFT method", Image
       Processing On Line 4, 2014. :doi:`10.5201/ipol.2014.82`

    Examples
    --------
    >>> from skimage.data import brick
    >>> from skcv.feature import sift
    >>> keypoints, descriptors = sift(brick()[:128, :128], max_keypoints=20)
    >>> keypoints.shape, descriptors.shape
    ((20, 4), (20, 128))
    """
    from skimage.feature import SIFT

    image = _to_gray(check_image(image, name="image")).astype(np.float64)
    # skimage needs a few pixels per octave; small images are symmetric-padded.
    short = [max(16 - n, 0) for n in image.shape]
    pad = [(s // 2, s - s // 2) for s in short]
    padded = np.pad(image, pad, mode="symmetric") if any(sum(p) for p in pad) else image
    detector = SIFT(
        upsampling=upsampling,
        n_octaves=n_octaves,
        n_scales=n_scales,
        sigma_min=sigma_min,
        c_dog=c_dog,
        c_edge=c_edge,
    )
    try:
        detector.detect_and_extract(padded)
    except RuntimeError:  # "SIFT found no features"
        return np.zeros((0, 4)), np.zeros((0, 128), dtype=np.float32)
    keypoints = np.column_stack(
        [
            detector.keypoints[:, 0] - pad[0][0],
            detector.keypoints[:, 1] - pad[1][0],
            detector.sigmas,
            detector.orientations,
        ]
    ).astype(np.float64)
    descriptors = detector.descriptors.astype(np.float32)
    if max_keypoints is not None and len(keypoints) > max_keypoints:
        order = np.argsort(-keypoints[:, 2], kind="stable")[:max_keypoints]
        keypoints, descriptors = keypoints[order], descriptors[order]
    descriptors /= np.maximum(np.linalg.norm(descriptors, axis=1, keepdims=True), _EPS)
    if root_sift:
        descriptors = _root_sift(descriptors)
    return keypoints, descriptors
