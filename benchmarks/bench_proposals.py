"""Region proposals: recall vs number of proposals, speed and memory.

Run from the repository root::

    python benchmarks/bench_proposals.py [--quick]

On held-out synthetic scenes (:func:`skcv.datasets.make_detection_scenes` with
``subset="test"``: lfw faces on texture crops, and filled shapes on photograph
crops, 1 to 3 objects per scene) it compares

* :func:`skcv.detection.selective_search` with the paper's "fast" strategies
  (HSV and Lab, ``ctsf`` and ``tsf`` similarities, Felzenszwalb ``k`` = 50, 100)
  and with a single strategy;
* a Felzenszwalb-boxes baseline: the boxes of the initial superpixels of the same
  two segmentations, without hierarchical grouping;
* a sliding-window grid with the same number of boxes as each budget ``K`` (8
  sizes from 12 pixels to the image side, aspect ratios 1/2, 1, 2, a stride chosen
  so the grid has at most ``K`` boxes).

OpenCV's ``ximgproc`` selective search (opencv-contrib) is not installed, so there
is no third-party selective search to compare with. Recall is the fraction of
ground-truth boxes with a proposal of IoU >= 0.5 among the first ``K``; ABO is the
paper's average best overlap (mean over objects of the best IoU, all proposals).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from skimage.segmentation import felzenszwalb

from benchmarks._common import machine_line, markdown_table, measure, parser
from skcv.datasets import make_detection_scenes
from skcv.detection import box_iou, selective_search
from skcv.detection._proposals import _initial_boxes

BUDGETS = (10, 100, 300, 1000)
IOU = 0.5


def scenes(n, quick):
    """Two held-out scene sets: faces on textures, shapes on photographs."""
    size = (96, 96) if quick else (128, 128)
    sets = []
    configs = (("faces", "textures", 11), ("shapes", "photos", 12))
    for objects, background, seed in configs:
        images, boxes, _ = make_detection_scenes(
            n,
            image_size=size,
            objects=objects,
            background=background,
            n_objects=(1, 3),
            object_size=(20, 48),
            subset="test",
            random_state=seed,
        )
        sets.append((f"{objects} on {background}", images, boxes))
    return sets


def felzenszwalb_boxes(image, scales=(50, 100), sigma=0.8, min_size=20):
    """Boxes of the Felzenszwalb superpixels alone (no grouping), largest first."""
    out = []
    for k in scales:
        labels = felzenszwalb(image, scale=k, sigma=sigma, min_size=min_size)
        out.append(_initial_boxes(labels, int(labels.max()) + 1))
    boxes = np.unique(np.concatenate(out), axis=0)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return boxes[np.argsort(-area, kind="stable")]


def grid_boxes(shape, budget):
    """A multi-scale, multi-aspect sliding-window grid with at most ``budget`` boxes."""
    h, w = shape
    sizes = np.geomspace(12, min(h, w), 8)
    ratios = (0.5, 1.0, 2.0)

    def make(frac):
        boxes = []
        for s in sizes:
            for r in ratios:
                bw, bh = s * np.sqrt(r), s / np.sqrt(r)
                if bw > w or bh > h:
                    continue
                step = max(1.0, frac * min(bw, bh))
                xs = np.arange(0, w - bw + 1e-9, step)
                ys = np.arange(0, h - bh + 1e-9, step)
                gx, gy = np.meshgrid(xs, ys)
                x, y = gx.ravel(), gy.ravel()
                boxes.append(np.stack([x, y, x + bw, y + bh], axis=1))
        return np.round(np.concatenate(boxes))

    lo, hi = 0.02, 4.0  # stride as a fraction of the window side
    for _ in range(40):
        mid = np.sqrt(lo * hi)
        if len(make(mid)) > budget:
            lo = mid
        else:
            hi = mid
    return make(hi)


def evaluate(proposals, truths):
    """Recall at each budget, ABO and mean count over a list of images."""
    hits = dict.fromkeys(BUDGETS, 0)
    hits["all"] = 0
    best, n_obj = [], 0
    for p, gt in zip(proposals, truths, strict=True):
        iou = box_iou(gt, p) if len(p) else np.zeros((len(gt), 1))
        for k in BUDGETS:
            hits[k] += int((iou[:, :k].max(axis=1) >= IOU).sum())
        hits["all"] += int((iou.max(axis=1) >= IOU).sum())
        best.extend(iou.max(axis=1).tolist())
        n_obj += len(gt)
    out = {f"recall@{k}": hits[k] / n_obj for k in BUDGETS}
    out["recall@all"] = hits["all"] / n_obj
    out["ABO"] = float(np.mean(best))
    out["mean boxes"] = float(np.mean([len(p) for p in proposals]))
    return out


def main():
    args = parser(__doc__.splitlines()[0]).parse_args()
    n = 10 if args.quick else 50
    print(f"Machine: {machine_line()}\n")
    for title, images, truths in scenes(n, args.quick):
        methods = {
            "skcv selective_search (fast)": lambda im: selective_search(im),
            "skcv selective_search (single)": lambda im: selective_search(
                im, strategies="single"
            ),
            "felzenszwalb boxes (no grouping)": felzenszwalb_boxes,
        }
        rows = []
        ref_time = None
        for name, fn in methods.items():
            props, seconds, peak = measure(lambda f=fn, ims=images: [f(i) for i in ims])
            row = {"method": name, **evaluate(props, truths)}
            per_image = seconds / len(images)
            ref_time = ref_time or per_image
            row["ms/image"] = 1000 * per_image
            row["proposals/s"] = row["mean boxes"] / per_image
            row["peak MiB"] = peak
            row["time vs fast"] = per_image / ref_time
            rows.append(row)
        # Sliding-window grid with exactly the budget's count at each budget.
        grid = {"method": "sliding-window grid (K boxes)"}
        for k in BUDGETS:
            boxes = grid_boxes(images.shape[1:3], k)
            grid[f"recall@{k}"] = evaluate([boxes] * len(images), truths)[f"recall@{k}"]
        rows.append(grid)
        print(
            f"### {title}: {len(images)} held-out scenes {images.shape[1]}x"
            f"{images.shape[2]}, {sum(map(len, truths))} objects, IoU >= {IOU}\n"
        )
        print(markdown_table(rows))
        print()
    photos(args.quick)


def photos(quick):
    """Time and proposals/s on scikit-image photographs (the paper's image size)."""
    from skimage import data
    from skimage.transform import rescale

    rows = []
    for name in ("astronaut", "coffee"):
        image = getattr(data, name)()
        if quick:
            image = rescale(image, 0.5, channel_axis=-1, anti_aliasing=True)
        for strategies in ("fast", "single"):
            boxes, seconds, peak = measure(
                selective_search, image, strategies=strategies
            )
            rows.append(
                {
                    "image": f"{name} {image.shape[0]}x{image.shape[1]}",
                    "strategies": strategies,
                    "proposals": len(boxes),
                    "seconds": seconds,
                    "proposals/s": len(boxes) / seconds,
                    "peak MiB": peak,
                }
            )
    print("### skcv selective_search on photographs\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
