"""Detection: NMS and window extraction speed, sliding-window face detection AP.

Run from the repository root::

    python benchmarks/bench_detection.py [--quick]

Four tables:

1. greedy non-maximum suppression of 5,000 random boxes (IoU threshold 0.5):
   :func:`skcv.detection.non_max_suppression` vs a Python-loop NMS (the course's
   pseudo-code, one pair at a time) and OpenCV's ``cv2.dnn.NMSBoxes``, with the
   number of kept boxes and whether the kept set equals skcv's; then 80,000
   random boxes: skcv vs torchvision-style batched NMS in numpy (the class
   offset trick, then greedy suppression by the best remaining box) vs skcv's
   previous implementation (``_nms_reference``);
2. window extraction on a 512x512 image, 24x24 windows: every window (stride 4)
   into one ``(n_windows, 576)`` matrix, and every window (stride 2) copied in
   batches of 4,096 and scored by a linear template, as
   :class:`~skcv.detection.SlidingWindowDetector` does it (strided views), vs a
   Python loop over window positions (one BLAS thread on both sides);
3. face detection on held-out synthetic scenes (``make_detection_scenes(subset=
   "test")``: faces and background halves never seen in training) scored by
   :func:`skcv.metrics.average_precision` at IoU 0.5: SlidingWindowDetector
   trained on ``load_face_patches(subset="train")`` beside OpenCV's pretrained
   Haar cascade and scikit-image's pretrained LBP cascade (both trained on other,
   much larger face sets).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from benchmarks._common import machine_line, markdown_table, measure, parser
from skcv.datasets import load_face_patches, make_detection_scenes
from skcv.detection import SlidingWindowDetector, non_max_suppression
from skcv.detection._boxes import _nms_reference
from skcv.detection._sliding import window_grid
from skcv.metrics import average_precision
from skcv.preprocessing import ImageStandardizer

try:
    import cv2
except ImportError:  # pragma: no cover - OpenCV is optional
    cv2 = None


# -- 1. NMS ---------------------------------------------------------------------


def random_boxes(n, seed=0, extent=1000.0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, extent, (n, 2))
    wh = rng.uniform(10, 100, (n, 2))
    return np.c_[xy, xy + wh], rng.random(n)


def python_nms(boxes, scores, threshold):
    """Greedy NMS with Python loops over boxes and pairs (the reference)."""
    boxes = boxes.tolist()
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    suppressed = [False] * len(boxes)
    keep = []
    for a, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        x1, y1, x2, y2 = boxes[i]
        area_i = (x2 - x1) * (y2 - y1)
        for j in order[a + 1 :]:
            if suppressed[j]:
                continue
            u1, v1, u2, v2 = boxes[j]
            w = min(x2, u2) - max(x1, u1)
            h = min(y2, v2) - max(y1, v1)
            if w <= 0 or h <= 0:
                continue
            inter = w * h
            union = area_i + (u2 - u1) * (v2 - v1) - inter
            if inter > threshold * union:
                suppressed[j] = True
    return np.array(keep)


def cv2_nms(boxes, scores, threshold):
    xywh = np.c_[boxes[:, :2], boxes[:, 2:] - boxes[:, :2]]
    keep = cv2.dnn.NMSBoxes(xywh.tolist(), scores.tolist(), 0.0, threshold)
    return np.asarray(keep, dtype=np.int64).reshape(-1)


def nms_table(n, repeat):
    rows = []
    for extent in (1000.0, 3000.0):
        boxes, scores = random_boxes(n, extent=extent)
        ref, t_skcv, m_skcv = measure(
            non_max_suppression, boxes, scores, 0.5, repeat=repeat
        )
        candidates = [("skcv non_max_suppression", None)]
        candidates.append(("Python-loop NMS", python_nms))
        if cv2 is not None:
            candidates.append((f"cv2.dnn.NMSBoxes {cv2.__version__}", cv2_nms))
        for name, func in candidates:
            if func is None:
                keep, t, m = ref, t_skcv, m_skcv
            else:
                keep, t, m = measure(func, boxes, scores, 0.5, repeat=repeat)
            rows.append(
                {
                    "boxes": f"{n} in {extent:.0f}^2",
                    "method": name,
                    "kept": len(keep),
                    "same as skcv": bool(np.array_equal(np.sort(keep), np.sort(ref))),
                    "time (ms)": 1e3 * t,
                    "peak MiB": m,
                    "time / skcv": t / t_skcv,
                }
            )
    return rows


def torchvision_style_batched_nms(boxes, scores, labels, threshold):
    """``torchvision.ops.batched_nms`` written in numpy.

    The boxes of each class are shifted by ``label * (max coordinate + 1)`` so that
    boxes of different classes never overlap, then greedy NMS as torchvision's CPU
    kernel: keep the best remaining box, drop the remaining boxes whose IoU with it
    exceeds the threshold, repeat.
    """
    shifted = boxes + (labels * (boxes.max() + 1))[:, None]
    x0, y0, x1, y1 = shifted.T
    areas = (x1 - x0) * (y1 - y0)
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest])
        h = np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest])
        inter = np.maximum(w, 0) * np.maximum(h, 0)
        union = areas[i] + areas[rest] - inter
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[iou <= threshold]
    return np.asarray(keep, dtype=np.int64)


def nms_large_table(n, repeat):
    """The crowded case: n random boxes in 1000^2 (one class for every method).

    Besides the wall time, the CPU time of the process (one thread) is given: on
    a shared machine it is the figure that load does not inflate.
    """
    boxes, scores = random_boxes(n, extent=1000.0)
    labels = np.zeros(n, dtype=np.int64)
    methods = (
        ("skcv non_max_suppression", non_max_suppression, (), repeat),
        (
            "torchvision-style batched NMS (numpy)",
            torchvision_style_batched_nms,
            (labels,),
            1,  # one run: these take tens of seconds
        ),
        ("skcv previous implementation (_nms_reference)", _nms_reference, (), 1),
    )
    rows, ref, t_skcv = [], None, None
    with threadpool_limits(1):
        for name, func, extra, runs in methods:
            cpu = time.process_time()
            keep, t, m = measure(func, boxes, scores, *extra, 0.5, repeat=runs)
            cpu = (time.process_time() - cpu) / runs
            if ref is None:
                ref, t_skcv = keep, t
            rows.append(
                {
                    "boxes": f"{n} in 1000^2",
                    "method": name,
                    "kept": len(keep),
                    "same kept boxes": "yes" if np.array_equal(keep, ref) else "no",
                    "time (s)": t,
                    "CPU time (s)": cpu,
                    "peak MiB": m,
                    "time / skcv": t / t_skcv,
                }
            )
    return rows


# -- 2. window extraction --------------------------------------------------------


def strided_windows(image, window, step):
    views, _, _ = window_grid(image, window, step)
    return views.reshape(views.shape[0] * views.shape[1], -1)


def loop_windows(image, window, step):
    h, w = window
    out = []
    for r in range(0, image.shape[0] - h + 1, step):
        for c in range(0, image.shape[1] - w + 1, step):
            out.append(image[r : r + h, c : c + w].ravel())
    return np.array(out)


def strided_scores(image, window, step, weights, batch_size=4096):
    """Score every window linearly, copying the strided views batch by batch."""
    views, _, _ = window_grid(image, window, step)
    n_cols = views.shape[1]
    chunk = max(1, batch_size // n_cols)
    out = [
        views[s : s + chunk].reshape(-1, weights.size) @ weights
        for s in range(0, views.shape[0], chunk)
    ]
    return np.concatenate(out)


def loop_scores(image, window, step, weights):
    h, w = window
    out = []
    for r in range(0, image.shape[0] - h + 1, step):
        for c in range(0, image.shape[1] - w + 1, step):
            out.append(image[r : r + h, c : c + w].ravel() @ weights)
    return np.array(out)


def window_table(repeat):
    rng = np.random.default_rng(0)
    image = rng.random((512, 512)).astype(np.float32)
    weights = rng.standard_normal(24 * 24).astype(np.float32)
    rows = []
    tasks = (
        ("all windows to one matrix, step 4", strided_windows, loop_windows, ()),
        (
            "window @ w, step 2, batches of 4096",
            strided_scores,
            loop_scores,
            (weights,),
        ),
    )
    for task, fast, slow, extra in tasks:
        step = 4 if "step 4" in task else 2
        fast(image, (24, 24), step, *extra)  # warm up the allocator
        # One BLAS thread on both sides: on a busy machine a multi-threaded gemv
        # on 4096 windows waits for cores, which says nothing about extraction.
        with threadpool_limits(1):
            ref, t_ref, m_ref = measure(
                fast, image, (24, 24), step, *extra, repeat=repeat
            )
            loop, t_loop, m_loop = measure(
                slow, image, (24, 24), step, *extra, repeat=repeat
            )
        np.testing.assert_allclose(ref, loop, rtol=1e-4, atol=1e-3)
        for name, t, m in (
            ("skcv strided views", t_ref, m_ref),
            ("Python loop over positions", t_loop, m_loop),
        ):
            rows.append(
                {
                    "512x512 image, 24x24 windows": task,
                    "method": name,
                    "windows": len(ref),
                    "time (ms)": 1e3 * t,
                    "peak MiB": m,
                    "time / skcv": t / t_ref,
                }
            )
    return rows


# -- 3. face detection AP --------------------------------------------------------

PATCH = 24
SCALES = (1.0, 0.85, 0.72, 0.6)


def skcv_detector():
    estimator = make_pipeline(
        ImageStandardizer(mode="image", epsilon=1e-4, image_shape=(PATCH, PATCH)),
        PCA(20, random_state=0),
        SVC(C=10.0),
    )
    return SlidingWindowDetector(
        estimator, step=2, scales=SCALES, score_threshold=-0.5, nms_iou=0.3
    )


def cascade_cv2(images):
    path = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
    cascade = cv2.CascadeClassifier(str(path))
    boxes, scores = [], []
    for image in images:
        grey = (image * 255).astype(np.uint8)
        rects, _, weights = cascade.detectMultiScale3(
            grey,
            scaleFactor=1.1,
            minNeighbors=1,
            minSize=(20, 20),
            outputRejectLevels=True,
        )
        rects = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
        boxes.append(np.c_[rects[:, :2], rects[:, :2] + rects[:, 2:]])
        scores.append(np.asarray(weights, dtype=np.float64).reshape(-1))
    return boxes, scores


def cascade_skimage(images):
    from skimage import data
    from skimage.feature import Cascade

    cascade = Cascade(data.lbp_frontal_face_cascade_filename())
    boxes, scores = [], []
    for image in images:
        found = cascade.detect_multi_scale(
            img=image,
            scale_factor=1.1,
            step_ratio=1,
            min_size=(20, 20),
            max_size=(48, 48),
        )
        b = np.array(
            [
                [d["c"], d["r"], d["c"] + d["width"], d["r"] + d["height"]]
                for d in found
            ],
            dtype=np.float64,
        ).reshape(-1, 4)
        boxes.append(b)
        # No confidence is returned: every detection scores 1 (one PR point).
        scores.append(np.ones(len(b)))
    return boxes, scores


def detection_table(n_scenes, n_negatives):
    X, y = load_face_patches(PATCH, n_negatives, subset="train", random_state=0)
    detector = skcv_detector()
    _, t_fit, _ = measure(detector.fit, X, y)
    rows = []
    for background in ("textures", "photos"):
        images, true_boxes, _ = make_detection_scenes(
            n_scenes,
            image_size=(96, 96),
            n_objects=(1, 3),
            object_size=(24, 40),
            background=background,
            subset="test",
            random_state=1,
        )
        methods = [
            (
                f"skcv SlidingWindowDetector (fit {t_fit:.1f} s on {len(X)} patches)",
                detector.detect_batch,
            ),
        ]
        if cv2 is not None and hasattr(cv2, "CascadeClassifier"):
            methods.append(("OpenCV Haar cascade (pretrained)", cascade_cv2))
        methods.append(("scikit-image LBP cascade (pretrained)", cascade_skimage))
        for name, func in methods:
            (boxes, scores), t, m = measure(func, images)
            rows.append(
                {
                    "scenes": f"{n_scenes} {background}",
                    "method": name,
                    "AP@0.5": average_precision(true_boxes, boxes, scores),
                    "detections/img": float(np.mean([len(b) for b in boxes])),
                    "time/img (ms)": 1e3 * t / n_scenes,
                    "peak MiB": m,
                }
            )
    return rows


def main(argv=None):
    args = parser(__doc__.splitlines()[0]).parse_args(argv)
    repeat = 1 if args.quick else 3
    n_scenes = 20 if args.quick else 60
    print(machine_line())
    print(f"\n### NMS, IoU 0.5 (median of {repeat})\n")
    print(markdown_table(nms_table(5000, repeat)))
    print(
        "\n### NMS of 80,000 random boxes in 1000^2, IoU 0.5, one thread "
        f"(skcv median of {repeat})\n"
    )
    print(markdown_table(nms_large_table(80_000, repeat)))
    print(f"\n### Window extraction, 24x24 windows (median of {repeat})\n")
    print(markdown_table(window_table(repeat)))
    print("\n### Face detection, held-out synthetic scenes (96x96, 1-3 faces)\n")
    print(markdown_table(detection_table(n_scenes, n_negatives=3000)))


if __name__ == "__main__":
    main()
