"""Region proposals: selective search and an R-CNN style detector on top of it.

:func:`selective_search` (Uijlings et al., 2013) groups Felzenszwalb superpixels
hierarchically by colour, texture, size and fill similarity and returns every region
of the hierarchy as a ranked candidate box. :class:`RegionProposalDetector` scores
those boxes with any scikit-learn classifier fitted on patches (Girshick et al.,
2014, with a classical classifier instead of a CNN) and keeps the best by
non-maximum suppression.

Speed: every per-region statistic of the initial superpixels (size, box, colour and
texture histograms) is one ``np.bincount`` over the label image, the adjacency graph
comes from label differences between neighbouring pixels, a merged region's
histograms are the size-weighted average of its parts, and the most similar pair is
taken from a heap (stale pairs are skipped lazily) while the similarities of a new
region to all its neighbours are computed in one vectorised step.
"""

from __future__ import annotations

import heapq
import numbers

import numpy as np
from scipy import ndimage
from skimage.color import rgb2hsv, rgb2lab
from skimage.segmentation import felzenszwalb
from skimage.transform import resize
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.utils import check_random_state

from skcv.base import ImageInputMixin
from skcv.detection._boxes import check_boxes
from skcv.detection._detector_base import _n_channels, _PatchDetectorMixin
from skcv.utils._sklearn import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_params,
)
from skcv.utils._validation import channels_to_grey, check_image, convert_channels

__all__ = ["RegionProposalDetector", "selective_search"]

# Colour spaces of the paper (Table 1), each mapped to channels in [0, 1].
COLOR_SPACES = ("rgb", "hsv", "lab", "rgi", "grey", "hue")
# Similarity measures: c = colour, t = texture, s = size, f = fill.
SIMILARITY_LETTERS = "ctsf"
# Strategy presets as (colour space, similarity) pairs; each runs at every ``scale``.
# "fast" and "quality" are the paper's diversification strategies (section 5.2).
STRATEGY_PRESETS = {
    "single": (("hsv", "ctsf"),),
    "fast": (("hsv", "ctsf"), ("hsv", "tsf"), ("lab", "ctsf"), ("lab", "tsf")),
    "quality": tuple(
        (space, sim)
        for space in ("hsv", "lab", "rgi", "hue", "grey")
        for sim in ("ctsf", "tsf", "f", "s")
    ),
}
COLOR_BINS = 25  # per channel (paper: 25 bins)
TEXTURE_BINS = 10  # per orientation and channel (paper: 10 bins)
TEXTURE_ORIENTATIONS = 8  # 4 directions, positive and negative responses


# --------------------------------------------------------------------------------------
# Colour spaces and per-pixel features
# --------------------------------------------------------------------------------------
def _to_color_space(rgb: np.ndarray, space: str) -> np.ndarray:
    """Convert an RGB image in [0, 1] to ``space`` with channels scaled to [0, 1]."""
    if space == "rgb":
        out = rgb
    elif space == "hsv":
        out = rgb2hsv(rgb)
    elif space == "hue":
        out = rgb2hsv(rgb)[..., :1]
    elif space == "lab":
        lab = rgb2lab(rgb)
        out = np.stack(
            [lab[..., 0] / 100.0, (lab[..., 1] + 128) / 255, (lab[..., 2] + 128) / 255],
            axis=-1,
        )
    elif space == "rgi":
        total = rgb.sum(axis=-1, keepdims=True)
        chroma = np.divide(
            rgb[..., :2], total, out=np.full_like(rgb[..., :2], 1 / 3), where=total > 0
        )
        out = np.concatenate([chroma, total / 3], axis=-1)
    else:  # grey
        out = channels_to_grey(rgb)[..., None]
    return np.clip(np.asarray(out, dtype=np.float64), 0.0, 1.0)


def _quantise(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin indices of values in [0, 1] (1 falls into the last bin)."""
    return np.minimum((values * n_bins).astype(np.uint8), n_bins - 1)


def _texture_bins(image: np.ndarray) -> np.ndarray:
    """Per-pixel texture bin of each channel and orientation, shape (H, W, C, 8).

    Gaussian derivatives (sigma=1) in four directions (0, 45, 90, 135 degrees), each
    split into its positive and negative part (8 orientations), quantised to
    ``TEXTURE_BINS`` bins between 0 and the largest response of that orientation.
    """
    h, w, c = image.shape
    out = np.empty((h, w, c, TEXTURE_ORIENTATIONS), dtype=np.uint8)
    angles = np.deg2rad([0.0, 45.0, 90.0, 135.0])
    for ch in range(c):
        gy = ndimage.gaussian_filter(image[..., ch], 1.0, order=(1, 0))
        gx = ndimage.gaussian_filter(image[..., ch], 1.0, order=(0, 1))
        for k, a in enumerate(angles):
            r = np.cos(a) * gx + np.sin(a) * gy
            for sign, o in ((1.0, 2 * k), (-1.0, 2 * k + 1)):
                part = np.maximum(sign * r, 0.0)
                top = part.max()
                scaled = part / top if top > 0 else part
                out[..., ch, o] = _quantise(scaled, TEXTURE_BINS)
    return out


# --------------------------------------------------------------------------------------
# Initial regions: statistics by bincount, adjacency from neighbouring labels
# --------------------------------------------------------------------------------------
def _region_histograms(labels, bins, n_regions, n_bins):
    """L1-normalised histograms per region of per-pixel bin indices ``bins``.

    ``bins`` has shape (H, W, D) with values in ``[0, n_bins)``; the histogram of a
    region concatenates the D histograms (length ``D * n_bins``). One
    ``np.bincount`` per column of ``D`` keeps the index array at one image size.
    """
    d = bins.shape[-1]
    base = labels.ravel().astype(np.intp) * n_bins
    flat_bins = bins.reshape(-1, d)
    hist = np.empty((n_regions, d * n_bins), dtype=np.float64)
    for k in range(d):
        counts = np.bincount(base + flat_bins[:, k], minlength=n_regions * n_bins)
        hist[:, k * n_bins : (k + 1) * n_bins] = counts.reshape(n_regions, n_bins)
    hist /= np.maximum(hist.sum(axis=1, keepdims=True), 1.0)
    return hist


def _adjacency(labels: np.ndarray) -> np.ndarray:
    """Return the pairs ``(i, j)``, ``i < j``, of touching regions (8-neighbours)."""
    pairs = []
    for a, b in (
        (labels[:, :-1], labels[:, 1:]),
        (labels[:-1, :], labels[1:, :]),
        (labels[:-1, :-1], labels[1:, 1:]),
        (labels[:-1, 1:], labels[1:, :-1]),
    ):
        diff = a != b
        pairs.append(np.stack([a[diff], b[diff]], axis=1))
    pairs = np.concatenate(pairs)
    if len(pairs) == 0:
        return np.empty((0, 2), dtype=np.intp)
    pairs.sort(axis=1)
    n = int(labels.max()) + 1
    codes = np.unique(pairs[:, 0].astype(np.int64) * n + pairs[:, 1])
    return np.stack([codes // n, codes % n], axis=1).astype(np.intp)


def _initial_boxes(labels: np.ndarray, n_regions: int) -> np.ndarray:
    """Boxes (x_min, y_min, x_max, y_max), exclusive max, of each label."""
    boxes = np.zeros((n_regions, 4), dtype=np.float64)
    for i, sl in enumerate(ndimage.find_objects(labels + 1, max_label=n_regions)):
        if sl is not None:
            boxes[i] = (sl[1].start, sl[0].start, sl[1].stop, sl[0].stop)
    return boxes


# --------------------------------------------------------------------------------------
# Hierarchical grouping
# --------------------------------------------------------------------------------------
def _similarity(hist, size, box, flags, i, j, image_size):
    """Similarity of regions ``i`` and ``j`` (an index and an index array).

    ``hist`` concatenates the L1-normalised colour and/or texture histograms (each
    normalised on its own), so one histogram intersection gives
    ``s_colour + s_texture``; ``flags`` says whether size and fill are added.
    """
    use_size, use_fill = flags
    if hist is not None:
        s = np.minimum(hist[i], hist[j]).sum(axis=1)
    else:
        s = np.zeros(np.broadcast_shapes(np.shape(i), np.shape(j)))
    if use_size:
        s += 1.0 - (size[i] + size[j]) / image_size
    if use_fill:
        extent = np.maximum(box[i, 2:], box[j, 2:]) - np.minimum(box[i, :2], box[j, :2])
        s += 1.0 - (extent[:, 0] * extent[:, 1] - size[i] - size[j]) / image_size
    return s


def _hierarchical_grouping(labels, n_regions, col, tex, letters):
    """Merge the most similar neighbours until one region is left.

    Returns the boxes of all ``2 * n_regions - 1`` regions (fewer when the region
    graph is disconnected) in creation order: the superpixels first, then each
    merged region.
    """
    cap = 2 * n_regions - 1
    size = np.zeros(cap)
    size[:n_regions] = np.bincount(labels.ravel(), minlength=n_regions)
    box = np.zeros((cap, 4))
    box[:n_regions] = _initial_boxes(labels, n_regions)
    parts = [h for h, c in ((col, "c"), (tex, "t")) if c in letters]
    hist = None
    if parts:
        hist = np.zeros((cap, sum(p.shape[1] for p in parts)))
        hist[:n_regions] = np.hstack(parts)
    flags = ("s" in letters, "f" in letters)
    image_size = float(labels.size)

    pairs = _adjacency(labels)
    neighbours = [set() for _ in range(cap)]
    for a, b in pairs.tolist():
        neighbours[a].add(b)
        neighbours[b].add(a)
    sims = _similarity(hist, size, box, flags, pairs[:, 0], pairs[:, 1], image_size)
    heap = list(
        zip((-sims).tolist(), pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True)
    )
    heapq.heapify(heap)
    alive = [True] * n_regions + [False] * (cap - n_regions)
    t = n_regions
    while heap:
        _, i, j = heapq.heappop(heap)
        if not (alive[i] and alive[j]):
            continue  # a stale pair: one side was merged already
        si, sj = size[i], size[j]
        size[t] = si + sj
        box[t, :2] = np.minimum(box[i, :2], box[j, :2])
        box[t, 2:] = np.maximum(box[i, 2:], box[j, 2:])
        if hist is not None:
            hist[t] = (si * hist[i] + sj * hist[j]) / (si + sj)
        alive[i] = alive[j] = False
        alive[t] = True
        nb = (neighbours[i] | neighbours[j]) - {i, j}
        neighbours[i] = neighbours[j] = None
        for n in nb:
            ns = neighbours[n]
            ns.discard(i)
            ns.discard(j)
            ns.add(t)
        neighbours[t] = nb
        if nb:
            others = np.fromiter(nb, dtype=np.intp, count=len(nb))
            s = _similarity(hist, size, box, flags, others, t, image_size)
            for value, n in zip((-s).tolist(), others.tolist(), strict=True):
                heapq.heappush(heap, (value, n, t))
        t += 1
    return box[:t]


# --------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------
def _check_strategies(strategies):
    if isinstance(strategies, str):
        return STRATEGY_PRESETS[strategies]
    msg = (
        "strategies must be one of "
        f"{sorted(STRATEGY_PRESETS)} or a non-empty list of (color_space, "
        f"similarity) pairs with color_space in {list(COLOR_SPACES)} and similarity "
        f"a non-empty string of the letters {SIMILARITY_LETTERS!r}; got "
        f"{strategies!r}."
    )
    try:
        pairs = [tuple(p) for p in strategies]
    except TypeError:
        raise ValueError(msg) from None
    if not pairs:
        raise ValueError(msg)
    for p in pairs:
        if (
            len(p) != 2
            or not isinstance(p[0], str)
            or p[0] not in COLOR_SPACES
            or not isinstance(p[1], str)
            or not p[1]
            or set(p[1]) - set(SIMILARITY_LETTERS)
        ):
            raise ValueError(msg)
    return tuple(pairs)


def _check_scales(scale):
    values = (scale,) if isinstance(scale, numbers.Real) else tuple(scale)
    if not values or not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and v > 0
        for v in values
    ):
        raise ValueError(
            f"scale must be a positive number or a non-empty sequence of positive "
            f"numbers; got {scale!r}."
        )
    return tuple(float(v) for v in values)


@validate_params(
    {
        "image": ["array-like"],
        "scale": [Interval(numbers.Real, 0, None, closed="neither"), "array-like"],
        "sigma": [Interval(numbers.Real, 0, None, closed="left")],
        "min_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "strategies": [StrOptions(set(STRATEGY_PRESETS)), list, tuple],
        "max_proposals": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def selective_search(
    image,
    *,
    scale=(50, 100),
    sigma=0.8,
    min_size=20,
    strategies="fast",
    max_proposals=None,
    random_state=0,
):
    """Ranked object-location proposals by selective search.

    Hierarchical grouping of Felzenszwalb superpixels (Uijlings et al., 2013): every
    region formed while repeatedly merging the two most similar neighbouring
    regions becomes a candidate box. Several grouping strategies (colour spaces,
    similarity measures, superpixel scales) are run and their boxes merged into one
    ranked, duplicate-free list.

    Parameters
    ----------
    image : array-like of shape (H, W) or (H, W, C)
        Grey, RGB or RGBA image (alpha is ignored); uint8 is scaled to [0, 1]. A grey
        image is treated as RGB with three equal channels.
    scale : float or sequence of float, default=(50, 100)
        Felzenszwalb's ``k`` (``scale`` of :func:`skimage.segmentation.felzenszwalb`):
        larger gives larger initial regions. Each strategy runs once per value.
    sigma : float, default=0.8
        Width of the Gaussian smoothing before the Felzenszwalb segmentation.
    min_size : int, default=20
        Smallest initial region in pixels (smaller ones are merged by Felzenszwalb's
        post-processing).
    strategies : {"single", "fast", "quality"} or list of (str, str), default="fast"
        Grouping strategies as ``(color_space, similarity)`` pairs, each run at every
        ``scale``. ``color_space`` is one of ``"rgb"``, ``"hsv"``, ``"lab"``,
        ``"rgi"`` (normalised r, g and intensity), ``"grey"`` or ``"hue"``;
        ``similarity`` is a string of the letters ``c`` (colour), ``t`` (texture),
        ``s`` (size) and ``f`` (fill), e.g. ``"ctsf"``. Presets: ``"single"`` is
        ``[("hsv", "ctsf")]``; ``"fast"`` is the paper's Selective Search Fast
        (HSV and Lab, ``"ctsf"`` and ``"tsf"``); ``"quality"`` is its Quality
        setting (HSV, Lab, rgI, H and I with ``"ctsf"``, ``"tsf"``, ``"f"`` and
        ``"s"``; pass four scales, e.g. ``(50, 100, 150, 300)``, to match it).
    max_proposals : int, default=None
        Keep at most this many boxes (the best ranked). None keeps all.
    random_state : int, RandomState instance or None, default=0
        Seed of the random part of the ranking.

    Returns
    -------
    boxes : ndarray of shape (k, 4), dtype float64
        Distinct boxes ``(x_min, y_min, x_max, y_max)`` in pixels (x = column,
        maximum exclusive), all inside the image, best ranked first.

    Raises
    ------
    ValueError
        If the image is empty, has the wrong number of dimensions or channels or is
        not finite, or a parameter is out of range.

    See Also
    --------
    skcv.detection.RegionProposalDetector : Scores these boxes with a classifier.
    skimage.segmentation.felzenszwalb : The initial regions.

    Notes
    -----
    The algorithm, per strategy:

    1. Segment the image into initial regions ``R = {r_1, ..., r_n}`` with
       Felzenszwalb and Huttenlocher's graph-based method in the strategy's colour
       space.
    2. Describe each region by its size, bounding box, an L1-normalised colour
       histogram (25 bins per channel) and a texture histogram (Gaussian
       derivatives with sigma=1 in 8 orientations per channel, 10 bins each).
    3. Find the neighbouring pairs and their similarity
       ``s(r_i, r_j) = a1 s_colour + a2 s_texture + a3 s_size + a4 s_fill``
       (``a_k`` in {0, 1} set by the strategy's letters), where colour and texture
       similarity are histogram intersections ``sum_k min(c_i^k, c_j^k)``,
       ``s_size = 1 - (size(r_i) + size(r_j)) / size(im)`` merges small regions
       early, and ``s_fill = 1 - (size(BB_ij) - size(r_i) - size(r_j)) / size(im)``
       merges regions that fill each other's gaps (``BB_ij`` is their joint box).
    4. Repeatedly merge the most similar pair into ``r_t`` (size and box add up;
       histograms are the size-weighted average
       ``C_t = (size(r_i) C_i + size(r_j) C_j) / (size(r_i) + size(r_j))``),
       remove the pair's similarities, add those of ``r_t`` to its neighbours, until
       one region covers the image. Every region of the hierarchy is a proposal.

    Combining strategies: in each hierarchy the whole-image region has position 1,
    the region merged just before it position 2, and so on down to the initial
    regions. Each box gets the value ``position * RND`` with ``RND`` uniform in
    [0, 1], all strategies' boxes are sorted by that value and duplicates removed,
    keeping the best ranked: large regions tend to come first, with some mixing of
    the hierarchies.

    References
    ----------
    .. [1] J. R. R. Uijlings, K. E. A. van de Sande, T. Gevers and A. W. M.
       Smeulders, "Selective Search for Object Recognition", International Journal
       of Computer Vision 104(2), 154-171, 2013. :doi:`10.1007/s11263-013-0620-5`
    .. [2] P. F. Felzenszwalb and D. P. Huttenlocher, "Efficient Graph-Based Image
       Segmentation", International Journal of Computer Vision 59(2), 167-181,
       2004. :doi:`10.1023/B:VISI.0000022288.19776.77`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.detection import selective_search
    >>> image = np.zeros((40, 60, 3))
    >>> image[10:25, 20:45] = (1.0, 0.2, 0.2)  # a red rectangle
    >>> boxes = selective_search(image, strategies="single", scale=50)
    >>> boxes.shape[1]
    4
    >>> bool(((boxes == (20, 10, 45, 25)).all(axis=1)).any())  # the rectangle's box
    True
    """
    image = convert_channels(check_image(image), 3)
    scales = _check_scales(scale)
    pairs = _check_strategies(strategies)
    rng = check_random_state(random_state)
    image = np.asarray(image, dtype=np.float64)
    if image.min() < 0 or image.max() > 1:  # felzenszwalb and the bins need [0, 1]
        lo, hi = image.min(), image.max()
        image = (image - lo) / (hi - lo) if hi > lo else np.zeros_like(image)

    all_boxes, all_values = [], []
    spaces = {}
    for space, _ in pairs:
        spaces.setdefault(space, None)
    for space in spaces:
        converted = _to_color_space(image, space)
        sims = sorted({s for sp, s in pairs if sp == space})
        need_col = any("c" in s for s in sims)
        need_tex = any("t" in s for s in sims)
        tex_bins = _texture_bins(converted) if need_tex else None
        col_bins = _quantise(converted, COLOR_BINS) if need_col else None
        for k in scales:
            labels = felzenszwalb(
                converted if converted.shape[2] > 1 else converted[..., 0],
                scale=k,
                sigma=sigma,
                min_size=min_size,
                channel_axis=-1 if converted.shape[2] > 1 else None,
            )
            labels = labels.astype(np.intp, copy=False)
            n_regions = int(labels.max()) + 1
            col = (
                _region_histograms(labels, col_bins, n_regions, COLOR_BINS)
                if need_col
                else None
            )
            tex = (
                _region_histograms(
                    labels,
                    tex_bins.reshape(*labels.shape, -1),
                    n_regions,
                    TEXTURE_BINS,
                )
                if need_tex
                else None
            )
            for sim in sims:
                boxes = _hierarchical_grouping(labels, n_regions, col, tex, sim)
                position = np.arange(len(boxes), 0, -1, dtype=np.float64)
                all_boxes.append(boxes)
                all_values.append(position * rng.random_sample(len(boxes)))
    boxes = np.concatenate(all_boxes)
    order = np.argsort(np.concatenate(all_values), kind="stable")
    boxes = boxes[order]
    _, first = np.unique(boxes, axis=0, return_index=True)
    boxes = boxes[np.sort(first)]
    if max_proposals is not None:
        boxes = boxes[:max_proposals]
    return boxes


# --------------------------------------------------------------------------------------
# R-CNN style detector
# --------------------------------------------------------------------------------------
def _resize_to(image: np.ndarray, shape) -> np.ndarray:
    """Bilinear resize with anti-aliasing (no-op when the size already matches)."""
    if image.shape[:2] == tuple(shape):
        return image
    return resize(
        image,
        tuple(shape) + image.shape[2:],
        order=1,
        anti_aliasing=True,
        preserve_range=True,
    ).astype(image.dtype, copy=False)


class RegionProposalDetector(
    _PatchDetectorMixin,
    ImageInputMixin,
    ClassifierMixin,
    MetaEstimatorMixin,
    BaseEstimator,
):
    """R-CNN style detector: a classifier scores region proposals, NMS keeps the best.

    ``fit(patches, labels)`` fits a clone of ``estimator`` on the pixels of object
    and background patches (resized to ``region_size``); ``detect(image)`` proposes
    candidate boxes (by default with :func:`selective_search`), warps each box's
    pixels to the same size, scores them with the fitted classifier and applies
    non-maximum suppression. On patches it is an ordinary classifier: ``predict``,
    ``predict_proba``, ``decision_function`` and ``score`` delegate to the fitted
    estimator.

    Parameters
    ----------
    estimator : estimator object, default=None
        Any scikit-learn classifier or Pipeline taking flattened patch pixels
        (rows of ``h * w [* C]`` values), e.g. ``Pipeline([("gist",
        GISTExtractor(image_shape=(24, 24))), ("svm", LinearSVMClassifier())])``.
        For ``detect`` it needs ``decision_function`` or ``predict_proba``. None
        uses ``make_pipeline(StandardScaler(), LinearSVC(dual=False))`` (as
        :class:`SlidingWindowDetector`); ``sample_weight`` then reaches both
        steps.
    proposals : "selective_search" or callable, default="selective_search"
        How candidate boxes are made: :func:`selective_search` or a callable
        ``proposals(image) -> boxes`` returning an array ``(k, 4)``.
    proposal_params : dict, default=None
        Keyword arguments for :func:`selective_search` (``scale``, ``sigma``,
        ``min_size``, ``strategies``, ``random_state``).
    max_proposals : int, default=2000
        Score at most this many proposals per image (the best ranked).
    region_size : tuple of int (h, w), default=None
        Size every patch and proposal is resized to before classification. None
        uses the size of the patches given to ``fit``.
    min_box_size : int, default=8
        Proposals whose width or height is below this many pixels are skipped.
    score_threshold : float, default=0.0
        Keep detections whose score is at least this (before NMS). The score of a
        proposal is the estimator's ``decision_function`` for ``positive_class``
        when it has one (for a binary classifier the raw value, negated when
        ``positive_class`` is ``classes_[0]``), else its ``predict_proba``
        column of ``positive_class`` (as :class:`SlidingWindowDetector`). With a
        decision function the default 0.0 is the classifier's own boundary
        (proposals it would label as the object); with probabilities, which are
        never negative, 0.0 keeps **every** proposal, so set e.g. 0.5 for an
        estimator that only has ``predict_proba``.
    nms_iou : float or None, default=0.3
        IoU above which a lower-scoring detection is suppressed by a kept one;
        None skips NMS.
    positive_class : int, str or None, default=None
        The object class to detect; None takes the last of ``classes_`` (``1``
        for labels ``{0, 1}``).
    n_jobs : int, default=None
        Jobs (joblib threads) over the images of :meth:`detect_batch`.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened patch rows given to ``fit`` and
        ``predict`` (see :mod:`skcv.base`).

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (from ``estimator_``).
    region_shape_ : tuple of int
        ``(h, w)`` the patches and proposals are resized to.
    image_shape_ : tuple of int or None
        Shape of the training patches (None when they differ in size).
    n_features_in_ : int
        Values per training patch (array input only).

    See Also
    --------
    selective_search : The default proposals.
    skcv.detection.non_max_suppression : The final suppression step.
    skcv.detection.SlidingWindowDetector : Scores every window instead.

    Notes
    -----
    The R-CNN pipeline of Girshick et al. with a classical classifier:

    1. Train: a classifier on fixed-size patches, objects (positives) against
       background (negatives).
    2. Propose: about 2,000 class-independent candidate boxes per image with
       selective search, instead of every window position and scale.
    3. Warp each box's pixels to the classifier's input size (anisotropic
       resize, as in R-CNN) and score it.
    4. Keep boxes scoring at least ``score_threshold`` and remove duplicates by
       greedy non-maximum suppression.

    Scoring 2,000 proposals is far cheaper than the tens of thousands of windows
    of a dense multi-scale sliding window, and the boxes follow object
    boundaries, so no window aspect ratio has to be chosen.

    References
    ----------
    .. [1] R. Girshick, J. Donahue, T. Darrell and J. Malik, "Rich Feature
       Hierarchies for Accurate Object Detection and Semantic Segmentation",
       CVPR 2014. :doi:`10.1109/CVPR.2014.81`
    .. [2] J. R. R. Uijlings, K. E. A. van de Sande, T. Gevers and A. W. M.
       Smeulders, "Selective Search for Object Recognition", IJCV 104(2), 2013.
       :doi:`10.1007/s11263-013-0620-5`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcv.detection import RegionProposalDetector, box_iou
    >>> rng = np.random.default_rng(0)
    >>> bright = 0.8 + 0.1 * rng.random((20, 8, 8))  # "objects"
    >>> dark = 0.2 * rng.random((20, 8, 8))  # background
    >>> det = RegionProposalDetector(LogisticRegression(), score_threshold=1.0)
    >>> det = det.fit(np.concatenate([bright, dark]), np.r_[[1] * 20, [0] * 20])
    >>> scene = 0.2 * rng.random((48, 64))
    >>> scene[10:30, 20:44] = 0.85
    >>> boxes, scores = det.detect(scene)
    >>> box_iou(boxes[:1], [[20, 10, 44, 30]]).item() > 0.8  # the top box is it
    True
    """

    _allows_variable_size = True

    _parameter_constraints: dict = {
        "estimator": "no_validation",  # checked in fit: needs fit and predict
        "proposals": [StrOptions({"selective_search"}), callable],
        "proposal_params": [dict, None],
        "max_proposals": [Interval(numbers.Integral, 1, None, closed="left")],
        "region_size": ["array-like", None],
        "min_box_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "score_threshold": [numbers.Real],
        "nms_iou": [Interval(numbers.Real, 0, 1, closed="both"), None],
        "positive_class": [numbers.Integral, str, None],
        "n_jobs": [numbers.Integral, None],
        "image_shape": ["array-like", None],
    }

    def __init__(
        self,
        estimator=None,
        *,
        proposals="selective_search",
        proposal_params=None,
        max_proposals=2000,
        region_size=None,
        min_box_size=8,
        score_threshold=0.0,
        nms_iou=0.3,
        positive_class=None,
        n_jobs=None,
        image_shape=None,
    ):
        self.estimator = estimator
        self.proposals = proposals
        self.proposal_params = proposal_params
        self.max_proposals = max_proposals
        self.region_size = region_size
        self.min_box_size = min_box_size
        self.score_threshold = score_threshold
        self.nms_iou = nms_iou
        self.positive_class = positive_class
        self.n_jobs = n_jobs
        self.image_shape = image_shape

    # ------------------------------------------------------------------ helpers
    def _check_region_size(self):
        if self.region_size is None:
            return None
        try:
            size = tuple(self.region_size)
        except TypeError:
            size = ()
        if len(size) != 2 or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
            for s in size
        ):
            raise ValueError(
                "region_size must be None or a pair (h, w) of positive ints; got "
                f"{self.region_size!r}."
            )
        return tuple(int(s) for s in size)

    def _features(self, images) -> np.ndarray:
        """Resize patches to ``region_shape_`` and flatten them to rows."""
        shape = self.region_shape_
        if isinstance(images, np.ndarray) and images.shape[1:3] == shape:
            return images.reshape(len(images), -1)
        rows = [_resize_to(im, shape).ravel() for im in images]
        return np.stack(rows)

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Fit a clone of ``estimator`` on patches.

        Parameters
        ----------
        X : array-like of shape (n, h, w[, C]), list of images or (n, h*w*C) rows
            Object and background patches (rows need ``image_shape``, see
            :mod:`skcv.base`); patches of other sizes are resized to
            ``region_size``.
        y : array-like of shape (n,)
            Patch labels.
        sample_weight : array-like of shape (n,), default=None
            Passed to the estimator's ``fit`` when given.

        Returns
        -------
        self : RegionProposalDetector
            The fitted detector.
        """
        estimator = self._check_fit_inputs(y)
        region_size = self._check_region_size()
        images = self._validate_images(X, reset=True)
        y = self._check_y(y, len(images))
        if region_size is None:
            if self.image_shape_ is None:
                raise ValueError(
                    "region_size=None needs training patches of one size; got "
                    "patches of different sizes: pass region_size=(h, w)."
                )
            region_size = tuple(self.image_shape_[:2])
        self.region_shape_ = region_size
        self.n_channels_ = _n_channels(images)
        return self._fit_estimator(
            estimator, self._features(images), y, sample_weight=sample_weight
        )

    # ------------------------------------------------------------------ patches
    def _patch_features(self, X):
        check_is_fitted(self)
        return self._features(self._validate_images(X, reset=False))

    # ------------------------------------------------------------------ detection
    def _propose(self, image: np.ndarray) -> np.ndarray:
        params = dict(self.proposal_params or {})
        if "max_proposals" in params:
            raise ValueError(
                "proposal_params must not set max_proposals; use the "
                "max_proposals parameter of RegionProposalDetector."
            )
        if self.proposals == "selective_search":
            boxes = selective_search(image, max_proposals=self.max_proposals, **params)
        else:
            boxes = check_boxes(self.proposals(image, **params), "proposals(image)")
            boxes = boxes[: self.max_proposals]
        h, w = image.shape[:2]
        boxes = np.round(boxes)
        boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, w)
        boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, h)
        side = np.minimum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        return boxes[side >= self.min_box_size]

    def detect(self, image):
        """Detect objects of ``positive_class`` in one image.

        Parameters
        ----------
        image : array-like of shape (H, W) or (H, W, C)
            The image; grey or colour like the training patches (a colour image is
            converted to grey for a grey model and vice versa).

        Returns
        -------
        boxes : ndarray of shape (k, 4)
            Detected boxes ``(x_min, y_min, x_max, y_max)``, maxima exclusive, by
            decreasing score.
        scores : ndarray of shape (k,)
            Score of each box.
        """
        check_is_fitted(self)
        image = self._prepare_image(image)
        boxes = self._propose(image)
        if len(boxes) == 0:
            return np.empty((0, 4)), np.empty(0)
        b = boxes.astype(np.intp)
        crops = [image[y0:y1, x0:x1] for x0, y0, x1, y1 in b]
        scores = self._positive_scores(self._features(crops))
        return self._threshold_and_suppress(boxes, scores)
