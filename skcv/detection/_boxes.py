"""Boxes: intersection over union and greedy non-maximum suppression.

Box convention (everywhere in skcv): a float array of shape ``(k, 4)`` holding
``(x_min, y_min, x_max, y_max)`` in pixel units, ``x`` the column and ``y`` the
row, with ``x_max`` and ``y_max`` exclusive (a box covering columns 3 to 7 has
``x_min=3`` and ``x_max=8``), so the area is ``(x_max - x_min) * (y_max - y_min)``.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

__all__ = ["box_iou", "non_max_suppression"]

# Boxes compared at once in one block of the blocked NMS: the (block, block) IoU
# matrix stays small (2 MB of float64) whatever the number of boxes.
_NMS_BLOCK = 512
# Above this many candidate pairs (boxes overlapping in x) NMS switches from the
# sparse overlap graph to the blocked greedy pass.
_MAX_CANDIDATES = 4_000_000


def check_boxes(boxes, name: str = "boxes") -> np.ndarray:
    """Validate boxes and return them as a float64 array of shape ``(k, 4)``.

    Shared by the detectors and metrics of skcv (private helper).

    Parameters
    ----------
    boxes : array-like of shape (k, 4)
        ``(x_min, y_min, x_max, y_max)`` per row; ``k`` may be 0.
    name : str, default="boxes"
        Parameter name used in error messages.

    Returns
    -------
    boxes : ndarray of shape (k, 4), dtype float64
    """
    if isinstance(boxes, (str, bytes)) or boxes is None:
        raise TypeError(
            f"{name} must be an array of shape (k, 4); got {type(boxes).__name__}."
        )
    try:
        arr = np.asarray(boxes, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a numeric array of shape (k, 4); got {boxes!r}."
        ) from exc
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(
            f"{name} must have shape (k, 4) as (x_min, y_min, x_max, y_max); got "
            f"shape {arr.shape}."
        )
    if not np.isfinite(arr).all():
        what = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{name} contains {what}; box coordinates must be finite.")
    bad = (arr[:, 2] < arr[:, 0]) | (arr[:, 3] < arr[:, 1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must satisfy x_max >= x_min and y_max >= y_min (boxes are "
            f"(x_min, y_min, x_max, y_max)); got {arr[i].tolist()} at row {i}."
        )
    return arr


def _check_scores(scores, n: int, name: str = "scores") -> np.ndarray:
    try:
        arr = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array of shape (k,).") from exc
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(
            f"{name} must have shape ({n},), one score per box; got shape {arr.shape}."
        )
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; scores must be numbers.")
    return arr


def _areas(boxes: np.ndarray) -> np.ndarray:
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _iou(a: np.ndarray, b: np.ndarray, area_a=None, area_b=None) -> np.ndarray:
    """IoU matrix of validated boxes (no checks); 0 where the union is empty."""
    if area_a is None:
        area_a = _areas(a)
    if area_b is None:
        area_b = _areas(b)
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(
        a[:, None, 0], b[None, :, 0]
    )
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(
        a[:, None, 1], b[None, :, 1]
    )
    inter = np.clip(w, 0, None) * np.clip(h, 0, None)
    union = area_a[:, None] + area_b[None, :] - inter
    out = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)
    return out


def _overlaps(a, b, area_a, area_b, threshold: float) -> np.ndarray:
    """Boolean matrix ``IoU(a_i, b_j) > threshold``; temporaries reused in place.

    The IoU is computed with exactly the operations of :func:`_iou` (and so of
    :func:`box_iou`), ``inter / (area_a + area_b - inter)``, so that a pair whose
    IoU equals the threshold is never suppressed because of a different rounding.
    """
    inter = np.minimum(a[:, None, 2], b[None, :, 2])
    inter -= np.maximum(a[:, None, 0], b[None, :, 0])
    np.maximum(inter, 0, out=inter)
    h = np.minimum(a[:, None, 3], b[None, :, 3])
    h -= np.maximum(a[:, None, 1], b[None, :, 1])
    np.maximum(h, 0, out=h)
    inter *= h
    return _iou_above(inter, area_a[:, None], area_b[None, :], threshold, h)


def _iou_above(inter, area_a, area_b, threshold, buf) -> np.ndarray:
    """``inter / (area_a + area_b - inter) > threshold`` as :func:`_iou` rounds it.

    ``inter`` is overwritten with the IoU and ``buf`` (same shape) with the
    union. An empty union only happens with an empty intersection, so the
    entries left undivided hold 0, the IoU :func:`_iou` gives them.
    """
    np.add(area_a, area_b, out=buf)
    buf -= inter
    np.divide(inter, buf, out=inter, where=buf > 0)
    return inter > threshold


def box_iou(boxes_a, boxes_b) -> np.ndarray:
    """Compute the intersection over union of every pair of boxes of ``a`` and ``b``.

    Parameters
    ----------
    boxes_a : array-like of shape (n, 4)
        Boxes ``(x_min, y_min, x_max, y_max)``, maxima exclusive.
    boxes_b : array-like of shape (m, 4)
        Boxes in the same convention.

    Returns
    -------
    iou : ndarray of shape (n, m), dtype float64
        ``iou[i, j]`` is the IoU of ``boxes_a[i]`` and ``boxes_b[j]``, in
        ``[0, 1]``; 0 when both boxes have zero area.

    Raises
    ------
    ValueError
        If a box array does not have shape ``(k, 4)``, holds NaN or infinity, or has
        a box with ``x_max < x_min`` or ``y_max < y_min``.

    Notes
    -----
    The overlap measure of detection, computed for all pairs at once by
    broadcasting:

    1. intersection width ``w = min(x_max) - max(x_min)`` and height ``h``,
       clipped at 0 (disjoint boxes);
    2. intersection area ``w * h``;
    3. union area ``area_a + area_b - intersection``;
    4. IoU = intersection / union (the Jaccard index of the two pixel sets).

    References
    ----------
    .. [1] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn and
       A. Zisserman, "The PASCAL Visual Object Classes (VOC) Challenge",
       IJCV 88(2), 2010. :doi:`10.1007/s11263-009-0275-4`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.detection import box_iou
    >>> a = np.array([[0, 0, 10, 10]])
    >>> b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
    >>> box_iou(a, b).round(4)
    array([[1.    , 0.3333, 0.    ]])
    """
    a = check_boxes(boxes_a, "boxes_a")
    b = check_boxes(boxes_b, "boxes_b")
    return _iou(a, b)


def non_max_suppression(
    boxes, scores, iou_threshold: float = 0.5, max_output: int | None = None
) -> np.ndarray:
    """Greedy non-maximum suppression: keep the best box of each overlapping group.

    Parameters
    ----------
    boxes : array-like of shape (k, 4)
        Candidate boxes ``(x_min, y_min, x_max, y_max)``, maxima exclusive.
    scores : array-like of shape (k,)
        Confidence of each box (higher is better). ``-inf`` is allowed.
    iou_threshold : float, default=0.5
        A box is discarded when its IoU with a kept, higher-scoring box is
        strictly greater than this value, in ``[0, 1]``.
    max_output : int, default=None
        Stop after keeping this many boxes (None keeps all survivors).

    Returns
    -------
    keep : ndarray of shape (n_kept,), dtype int64
        Indices into ``boxes`` of the kept boxes, by decreasing score (ties in
        input order).

    Raises
    ------
    ValueError
        If the boxes are malformed (see :func:`box_iou`), ``scores`` does not have
        one finite-or-infinite number per box, ``iou_threshold`` is outside
        ``[0, 1]`` or ``max_output`` is not a positive int.

    Notes
    -----
    The course's greedy NMS:

    1. sort the boxes by decreasing score;
    2. take the best remaining box and keep it;
    3. discard every remaining box whose IoU with it exceeds ``iou_threshold``;
    4. repeat from 2 until no box remains.

    The implementation gives the same result without a Python loop over pairs.
    Candidate pairs are found with a sweep along x (boxes sorted by ``x_min``; a
    binary search gives, for every box, the boxes starting before its ``x_max``)
    and their IoU is tested in vectorised chunks, giving the sparse graph of
    suppressing overlaps. The greedy pass then runs on this graph in rounds:
    each round decides at once every box that has a kept better-scored
    neighbour (suppressed) or whose better-scored neighbours are all suppressed
    (kept). When boxes are crowded (more than four million candidate pairs, as
    for the windows of a dense detector) the sorted boxes are instead processed
    in blocks of 512: a block is compared with all boxes kept so far (one IoU
    matrix), then the ``(block, block)`` IoU matrix is thresholded once and the
    greedy pass inside the block only updates boolean masks, one row per kept
    box. Memory stays bounded in both paths.

    References
    ----------
    .. [1] N. Dalal and B. Triggs, "Histograms of Oriented Gradients for Human
       Detection", CVPR 2005. :doi:`10.1109/CVPR.2005.177`
    .. [2] R. Girshick, J. Donahue, T. Darrell and J. Malik, "Rich Feature
       Hierarchies for Accurate Object Detection and Semantic Segmentation",
       CVPR 2014. :doi:`10.1109/CVPR.2014.81`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.detection import non_max_suppression
    >>> boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    >>> scores = np.array([0.8, 0.9, 0.5])
    >>> non_max_suppression(boxes, scores, iou_threshold=0.5)
    array([1, 2])
    """
    boxes = check_boxes(boxes, "boxes")
    scores = _check_scores(scores, len(boxes))
    if (
        not isinstance(iou_threshold, Real)
        or isinstance(iou_threshold, bool)
        or not 0 <= iou_threshold <= 1
    ):
        raise ValueError(
            f"iou_threshold must be a float in [0, 1]; got {iou_threshold!r}."
        )
    if max_output is not None and (
        not isinstance(max_output, Integral)
        or isinstance(max_output, bool)
        or max_output < 1
    ):
        raise ValueError(
            f"max_output must be a positive int or None; got {max_output!r}."
        )
    n = len(boxes)
    limit = n if max_output is None else min(int(max_output), n)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    sorted_boxes = boxes[order]
    areas = _areas(sorted_boxes)
    edges = _overlap_edges(sorted_boxes, areas, iou_threshold)
    if edges is None:
        kept = _nms_blocked(sorted_boxes, areas, iou_threshold, limit)
    else:
        kept = _nms_graph(n, *edges)[:limit]
    return order[kept].astype(np.int64)


def _overlap_edges(boxes, areas, threshold):
    """Pairs ``(u, v)``, ``u < v``, of boxes with IoU above ``threshold``.

    Candidates are found with a sweep along x (sort by ``x_min``; the boxes that
    start before ``x_max`` of a box overlap it in x), then tested in chunks.
    Returns None when there are more than ``_MAX_CANDIDATES`` candidate pairs
    (crowded boxes), where the blocked path is cheaper.
    """
    n = len(boxes)
    by_x = np.argsort(boxes[:, 0], kind="stable")
    x0, y0, x1, y1 = (np.ascontiguousarray(boxes[by_x, k]) for k in range(4))
    ar = areas[by_x]
    end = np.searchsorted(x0, x1, side="left")
    counts = np.maximum(end - np.arange(n) - 1, 0)
    total = int(counts.sum())
    if total > _MAX_CANDIDATES:
        return None
    starts = np.cumsum(counts) - counts
    us, vs = [], []
    chunk_rows = np.searchsorted(np.cumsum(counts), np.arange(0, total, 2**20))
    bounds = np.r_[chunk_rows, n]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        c = counts[lo:hi]
        m = int(c.sum())
        if m == 0:
            continue
        first = np.repeat(np.arange(lo, hi), c)
        # second = first + 1 + (position of the pair within its row)
        second = first + 1 + np.arange(m) - np.repeat(starts[lo:hi] - starts[lo], c)
        w = np.minimum(x1[first], x1[second])
        w -= x0[second]  # x0[second] >= x0[first]: sorted by x_min
        h = np.minimum(y1[first], y1[second])
        h -= np.maximum(y0[first], y0[second])
        np.maximum(w, 0, out=w)
        np.maximum(h, 0, out=h)
        w *= h
        hit = _iou_above(w, ar[first], ar[second], threshold, h)
        a, b = by_x[first[hit]], by_x[second[hit]]
        us.append(np.minimum(a, b))
        vs.append(np.maximum(a, b))
    if not us:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(us), np.concatenate(vs)


def _nms_graph(n, eu, ev):
    """Greedy NMS on the overlap graph (edges ``eu -> ev``, ``eu`` better ranked).

    A box is kept iff no kept box of better rank overlaps it. Every round decides,
    at once, each undecided box that has a kept better neighbour (suppressed) or
    whose better neighbours are all suppressed (kept); the best undecided box is
    always decided, and edges that can no longer matter are dropped.
    """
    state = np.zeros(n, dtype=np.int8)  # 0 undecided, 1 kept, 2 suppressed
    has_parent = np.zeros(n, dtype=bool)
    has_parent[ev] = True
    state[~has_parent] = 1  # nothing better overlaps them
    while True:
        live = state[ev] == 0
        eu, ev = eu[live], ev[live]
        src = state[eu]
        keep_edge = src != 2
        eu, ev, src = eu[keep_edge], ev[keep_edge], src[keep_edge]
        undecided = state == 0
        if not undecided.any():
            break
        suppressed = np.zeros(n, dtype=bool)
        suppressed[ev[src == 1]] = True
        waiting = np.zeros(n, dtype=bool)
        waiting[ev[src == 0]] = True
        state[undecided & suppressed] = 2
        state[undecided & ~suppressed & ~waiting] = 1
    return np.flatnonzero(state == 1)


def _nms_blocked(sorted_boxes, areas, iou_threshold, limit):
    """Greedy NMS over score-sorted boxes in blocks (crowded boxes)."""
    n = len(sorted_boxes)
    kept: list[np.ndarray] = []  # positions in sorted order, one array per block
    kept_boxes = np.empty((0, 4))
    kept_areas = np.empty(0)
    n_kept = 0
    for start in range(0, n, _NMS_BLOCK):
        stop = min(start + _NMS_BLOCK, n)
        blk, blk_areas = sorted_boxes[start:stop], areas[start:stop]
        alive = np.ones(stop - start, dtype=bool)
        if n_kept:
            over = _overlaps(kept_boxes, blk, kept_areas, blk_areas, iou_threshold)
            alive &= ~over.any(axis=0)
        over = _overlaps(blk, blk, blk_areas, blk_areas, iou_threshold)
        # Greedy inside the block: the next alive box is kept and suppresses the
        # later boxes it overlaps (only rows of kept boxes are visited).
        keep_blk = []
        i = int(np.argmax(alive)) if alive.any() else len(alive)
        while i < len(alive) and n_kept + len(keep_blk) < limit:
            keep_blk.append(i)
            alive[i + 1 :] &= ~over[i, i + 1 :]
            nxt = np.flatnonzero(alive[i + 1 :])
            if not len(nxt):
                break
            i = i + 1 + int(nxt[0])
        keep_blk = np.asarray(keep_blk, dtype=np.int64)
        kept.append(start + keep_blk)
        kept_boxes = np.concatenate([kept_boxes, blk[keep_blk]])
        kept_areas = np.concatenate([kept_areas, blk_areas[keep_blk]])
        n_kept += len(keep_blk)
        if n_kept >= limit:
            break
    return np.concatenate(kept)
