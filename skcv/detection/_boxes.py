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
# Above this many candidate pairs (boxes overlapping in x) the reference NMS
# switches from the sparse overlap graph to the blocked greedy pass.
_MAX_CANDIDATES = 4_000_000
# Boxes decided at once by the local NMS (score order): each block is tested
# against the boxes kept so far, then resolved on its own overlap graph.
_LOCAL_BLOCK = 4096
# Candidate pairs tested at once (bounds the memory of the local NMS).
_PAIR_CHUNK = 1 << 21
# Coordinates beyond these magnitudes are rescaled by a power of two (exact)
# before areas are formed, so that areas neither overflow nor underflow.
_BIG, _SMALL = 2.0**400, 2.0**-400
_EPS = np.finfo(np.float64).eps


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


def _rescaled(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Scale box arrays by one power of two when areas could overflow or underflow.

    IoU does not depend on the scale and multiplying by a power of two is exact,
    so results are unchanged; coordinates of ordinary magnitude are not touched.
    """
    m = max((float(np.abs(a).max(initial=0.0)) for a in arrays), default=0.0)
    if m > _BIG or 0 < m < _SMALL:
        e = -int(np.frexp(m)[1])  # brings the largest magnitude into [0.5, 1)
        arrays = tuple(np.ldexp(a, e) for a in arrays)
    return arrays


def _iou(a: np.ndarray, b: np.ndarray, area_a=None, area_b=None) -> np.ndarray:
    """IoU matrix of validated boxes (no checks); 0 where the union is empty."""
    if area_a is None and area_b is None:
        a, b = _rescaled(a, b)
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
    boxes, scores, limit = _check_nms_args(boxes, scores, iou_threshold, max_output)
    if len(boxes) == 0:
        return np.empty(0, dtype=np.int64)
    (boxes,) = _rescaled(boxes)
    order = np.argsort(-scores, kind="stable")
    sorted_boxes = boxes[order]
    kept = _nms_local(sorted_boxes, _areas(sorted_boxes), float(iou_threshold), limit)
    return order[kept].astype(np.int64)


def _check_nms_args(boxes, scores, iou_threshold, max_output):
    """Validate the arguments of NMS; return boxes, scores and the output limit."""
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
    return boxes, scores, n if max_output is None else min(int(max_output), n)


def _nms_reference(boxes, scores, iou_threshold=0.5, max_output=None):
    """Run the previous NMS (x-sweep overlap graph, blocked pass when crowded).

    Same contract and result as :func:`non_max_suppression`; kept for the
    benchmark and the tests that compare the two. Near-quadratic on crowded
    boxes: every box overlapping in x is a candidate, and the blocked pass
    compares each block with every box kept so far.
    """
    boxes, scores, limit = _check_nms_args(boxes, scores, iou_threshold, max_output)
    n = len(boxes)
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


def _pair_overlaps(boxes, areas, i, j, threshold):
    """``IoU(boxes[i], boxes[j]) > threshold`` pair by pair, rounded as :func:`_iou`."""
    w = np.minimum(boxes[i, 2], boxes[j, 2])
    w -= np.maximum(boxes[i, 0], boxes[j, 0])
    h = np.minimum(boxes[i, 3], boxes[j, 3])
    h -= np.maximum(boxes[i, 1], boxes[j, 1])
    np.maximum(w, 0, out=w)
    np.maximum(h, 0, out=h)
    w *= h
    return _iou_above(w, areas[i], areas[j], threshold, h)


def _chunk_bounds(counts, size):
    """Split ``range(len(counts))`` into runs whose counts sum to about ``size``."""
    cum = np.cumsum(counts)
    total = int(cum[-1]) if len(cum) else 0
    cuts = np.searchsorted(cum, np.arange(0, total, size), side="right")
    return np.unique(np.r_[0, cuts, len(counts)])


class _CentreGrid:
    """Where to look for the boxes whose IoU with a box can exceed ``threshold``.

    For IoU above ``t`` the intersection width ``wi`` exceeds ``t * max(wa, wb)``
    (as ``wi * hi > t * union >= t * wa * ha`` and ``hi <= ha``, and likewise for
    ``b``), and ``wi <= (wa + wb) / 2 - |cxa - cxb|``. So the centres are closer
    in x than ``m / 2 + (1/2 - t) * M`` with ``m <= M`` the two widths: at most
    ``(1 - t) * w`` for ``t >= 1/2`` and ``w / 2 + (1/2 - t) * min(W, w / t)``
    below (``W`` the widest box, ``M < m / t``), where ``w`` is the width of
    either box; likewise in y. The threshold is lowered by 1e-9 (relative) and the
    radii widened by 1e-9 and a few ulps of the coordinates, so that pairs whose
    computed IoU exceeds ``t`` are never missed.

    Boxes are filed by centre in rows of height ``g`` (about the typical search
    height) and, within a row, by the rank of their x centre: the candidates of a
    box are a few contiguous runs of an array sorted by ``row * (n + 1) + rank``,
    found by binary search.
    """

    def __init__(self, boxes, positive, threshold):
        n = len(boxes)
        w = boxes[:, 2] - boxes[:, 0]
        h = boxes[:, 3] - boxes[:, 1]
        cx = (boxes[:, 0] + boxes[:, 2]) / 2
        cy = (boxes[:, 1] + boxes[:, 3]) / 2
        t = threshold * (1 - 1e-9)
        if t >= 0.5:
            rx, ry = (1 - t) * w, (1 - t) * h
        else:
            big_w = w[positive].max(initial=0.0)
            big_h = h[positive].max(initial=0.0)
            if t > 0:
                with np.errstate(over="ignore"):  # w / t = inf: no better bound
                    big_w, big_h = np.minimum(big_w, w / t), np.minimum(big_h, h / t)
            rx, ry = w / 2 + (0.5 - t) * big_w, h / 2 + (0.5 - t) * big_h
        rx = rx * (1 + 1e-9) + 8 * _EPS * float(np.abs(boxes[:, 0::2]).max())
        ry = ry * (1 + 1e-9) + 8 * _EPS * float(np.abs(boxes[:, 1::2]).max())
        y_min, y_max = cy[positive].min(), cy[positive].max()
        height = float(np.median(2 * ry[positive]))
        # Row height: the typical search height, at most 1,024 rows in all.
        g = max(height, (y_max - y_min) / 1024, np.finfo(np.float64).tiny)
        self.n_rows = int((y_max - y_min) // g) + 1

        def row_of(y):
            return np.clip(np.floor((y - y_min) / g), 0, self.n_rows - 1).astype(
                np.int64
            )

        sorted_cx = np.sort(cx)
        self.n_rank = n + 1
        self.row = row_of(cy)
        self.rank = np.searchsorted(sorted_cx, cx, side="left")
        self.row_lo, self.row_hi = row_of(cy - ry), row_of(cy + ry)
        self.rank_lo = np.searchsorted(sorted_cx, cx - rx, side="left")
        self.rank_hi = np.searchsorted(sorted_cx, cx + rx, side="right")

    def index(self, ids):
        """File the boxes ``ids``: their ids sorted by (row, x rank), and the keys."""
        key = self.row[ids] * self.n_rank + self.rank[ids]
        by_key = np.argsort(key, kind="stable")
        return ids[by_key], key[by_key]

    def runs(self, index, queries):
        """Return the candidate runs: (query, start in the index, length) per row."""
        _, key = index
        n_rows = self.row_hi[queries] - self.row_lo[queries] + 1
        query = np.repeat(queries, n_rows)
        row = np.repeat(self.row_lo[queries] - np.cumsum(n_rows) + n_rows, n_rows)
        row += np.arange(len(query))
        base = row * self.n_rank
        start = np.searchsorted(key, base + self.rank_lo[query], side="left")
        stop = np.searchsorted(key, base + self.rank_hi[query], side="left")
        return query, start, stop - start

    @staticmethod
    def pairs(index, runs):
        """Yield the candidate pairs ``(query, indexed box)`` in bounded chunks."""
        ids, _ = index
        query, start, length = runs
        bounds = _chunk_bounds(length, _PAIR_CHUNK)
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            c = length[lo:hi]
            m = int(c.sum())
            if m == 0:
                continue
            offset = np.repeat(start[lo:hi] - np.cumsum(c) + c, c)
            yield np.repeat(query[lo:hi], c), ids[offset + np.arange(m)]


def _nms_local(sorted_boxes, areas, threshold, limit):
    """Greedy NMS over score-sorted boxes, comparing only boxes that can overlap.

    Blocks of ``_LOCAL_BLOCK`` boxes are decided in score order: a block's boxes
    that a kept box suppresses are dropped (candidates from a :class:`_CentreGrid`
    index of the kept boxes), then the rest are resolved on their own overlap
    graph with :func:`_nms_graph`, or with :func:`_nms_blocked` when the block is
    crowded (many candidate pairs). Boxes of zero area overlap nothing: they are
    kept and never indexed.
    """
    n = len(sorted_boxes)
    positive = areas > 0
    if not positive.any():  # nothing overlaps anything
        return np.arange(min(n, limit))
    grid = _CentreGrid(sorted_boxes, positive, threshold)
    kept: list[np.ndarray] = []
    kept_ids = np.empty(0, dtype=np.int64)
    kept_index = None
    n_kept = 0
    for start in range(0, n, _LOCAL_BLOCK):
        stop = min(start + _LOCAL_BLOCK, n)
        alive = np.ones(stop - start, dtype=bool)
        queries = start + np.flatnonzero(positive[start:stop])
        if kept_index is not None and len(queries):
            runs = grid.runs(kept_index, queries)
            for i, j in grid.pairs(kept_index, runs):
                hit = _pair_overlaps(sorted_boxes, areas, i, j, threshold)
                alive[i[hit] - start] = False
        block = start + np.flatnonzero(alive)
        keep = block[_nms_block(sorted_boxes, areas, threshold, grid, block)]
        keep = keep[: limit - n_kept]
        kept.append(keep)
        n_kept += len(keep)
        if n_kept >= limit:
            break
        new = keep[positive[keep]]
        if len(new):
            kept_ids = np.concatenate([kept_ids, new])
            kept_index = grid.index(kept_ids)
    return np.concatenate(kept)


def _nms_block(boxes, areas, threshold, grid, block):
    """Positions in ``block`` (ascending box ids) kept by greedy NMS among them."""
    if len(block) == 0:
        return np.empty(0, dtype=np.int64)
    local = np.full(block[-1] + 1 - block[0], -1)
    local[block - block[0]] = np.arange(len(block))
    queries = block[areas[block] > 0]
    index = grid.index(queries)
    runs = grid.runs(index, queries)
    if int(runs[2].sum()) > 64 * len(block):  # crowded: dense blocks are cheaper
        return _nms_blocked(boxes[block], areas[block], threshold, len(block))
    us, vs = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for i, j in grid.pairs(index, runs):
        earlier = i < j
        i, j = i[earlier], j[earlier]
        hit = _pair_overlaps(boxes, areas, i, j, threshold)
        us.append(local[i[hit] - block[0]])
        vs.append(local[j[hit] - block[0]])
    return _nms_graph(len(block), np.concatenate(us), np.concatenate(vs))
