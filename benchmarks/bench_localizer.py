"""ObjectLocalizer vs a plain torch loop training the same multi-task network.

Run from the repository root::

    python benchmarks/bench_localizer.py [--quick] [--threads 1] [--objects shapes]
        [--flip]

Both train the same :class:`~skcv.detection._localizer.LocalizerNet` (the
``"simple"`` backbone with four stages, pooled to 2x2 cells, a 128-unit shared
layer, a class head and a box head), with the same optimiser (Adam, cosine
schedule per step), batch size, epochs, channel normalisation, standardised box
targets and loss (cross-entropy + smooth L1), on the same held-out split of
single-object scenes from :func:`skcv.datasets.make_detection_scenes` (train and
test scenes use disjoint objects and backgrounds). The table gives the training
wall and CPU time, peak memory, and the test accuracy and mean box IoU.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from benchmarks._common import (  # noqa: E402
    machine_line,
    markdown_table,
    measure,
    parser,
)
from skcv.datasets import make_detection_scenes  # noqa: E402
from skcv.detection import ObjectLocalizer, box_iou  # noqa: E402
from skcv.detection._localizer import (  # noqa: E402
    build_localizer_net,
    regression_loss,
)

RECIPE = {
    "module": "simple",
    "module_params": {"widths": (16, 32, 64, 128)},
    "pool_size": 2,
    "hidden_size": 128,
    "batch_size": 64,
    "learning_rate_init": 0.002,
}


def scenes(n, size, objects, subset, seed):
    """Single-object scenes as (X, y, boxes)."""
    X, boxes, labels = make_detection_scenes(
        n,
        image_size=(size, size),
        objects=objects,
        n_objects=1,
        object_size=(size // 4, size // 2),
        background="textures",
        subset=subset,
        random_state=seed,
    )
    return X, np.concatenate(labels), np.concatenate(boxes)


def mean_iou(pred, true):
    return float(np.mean(np.diagonal(box_iou(pred, true))))


def skcv_fit(X, y, boxes, epochs, flip=False):
    return ObjectLocalizer(
        **RECIPE,
        epochs=epochs,
        augment="flip" if flip else None,
        random_state=0,
        device="cpu",
    ).fit(X, y, boxes)


class PlainLocalizer:
    """The reference: the same network trained by a minimal hand-written loop."""

    def fit(self, X, y, boxes, epochs, flip=False, seed=0):
        torch.manual_seed(seed)
        p = RECIPE
        h, w = X.shape[1:3]
        x = torch.from_numpy(X[:, None].astype(np.float32))
        self.scale = np.array([w, h, w, h], dtype=np.float64)
        self.classes = np.unique(y)
        unit = boxes / self.scale
        self.mean, self.std = unit.mean(0), unit.std(0)
        t_box = torch.from_numpy(((unit - self.mean) / self.std).astype(np.float32))
        t_y = torch.from_numpy(np.searchsorted(self.classes, y))
        mean, std = x.mean().item(), x.std().item()
        box_mean = torch.from_numpy(self.mean).float()
        box_std = torch.from_numpy(self.std).float()
        net = build_localizer_net(
            p["module"],
            1,
            (h, w),
            len(self.classes),
            module_params=p["module_params"],
            hidden_size=p["hidden_size"],
            pool_size=p["pool_size"],
            mean=[mean],
            std=[std],
        )
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
        lr = p["learning_rate_init"]
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        bs = p["batch_size"]
        steps = epochs * int(np.ceil(len(x) / bs))
        step = 0
        net.train()
        for _ in range(epochs):
            perm = torch.randperm(len(x))
            for start in range(0, len(x), bs):
                for group in opt.param_groups:  # cosine annealing per step
                    group["lr"] = lr * 0.5 * (1 + np.cos(np.pi * step / steps))
                idx = perm[start : start + bs]
                xb, tb = x[idx], t_box[idx]
                if flip:  # mirror half of the images and their boxes
                    mask = torch.rand(len(idx)) < 0.5
                    xb = torch.where(mask[:, None, None, None], xb.flip(-1), xb)
                    u = tb * box_std + box_mean
                    m = torch.stack([1 - u[:, 2], u[:, 1], 1 - u[:, 0], u[:, 3]], 1)
                    tb = (torch.where(mask[:, None], m, u) - box_mean) / box_std
                scores, box = net(xb)
                loss = F.cross_entropy(scores, t_y[idx]) + regression_loss(
                    box, tb, "smooth_l1"
                )
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
        self.net = net.eval()
        return self

    @torch.no_grad()
    def predict(self, X):
        x = torch.from_numpy(X[:, None].astype(np.float32))
        x = x.contiguous(memory_format=torch.channels_last)
        scores, box = self.net(x)
        unit = (box.numpy() * self.std + self.mean).clip(0, 1)
        lo, hi = unit[:, :2], unit[:, 2:]
        unit = np.concatenate([np.minimum(lo, hi), np.maximum(lo, hi)], 1)
        return self.classes[scores.argmax(1).numpy()], unit * self.scale


def main():
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--objects", default="shapes", choices=["shapes", "faces"])
    p.add_argument("--size", type=int, default=32, help="scene side in pixels")
    p.add_argument(
        "--flip", action="store_true", help="flip augmentation (images and boxes)"
    )
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    n_train, n_test, epochs = (600, 200, 5) if args.quick else (2000, 500, 20)
    Xtr, ytr, btr = scenes(n_train, args.size, args.objects, "train", 0)
    Xte, yte, bte = scenes(n_test, args.size, args.objects, "test", 1)

    # Warm up torch (thread pools, oneDNN kernels) so neither side pays for it.
    PlainLocalizer().fit(Xtr[:64], ytr[:64], btr[:64], 1)
    skcv_fit(Xtr[:64], ytr[:64], btr[:64], 1)

    rows = []
    for name in ("plain torch loop", "skcv ObjectLocalizer"):
        c0 = time.process_time()
        if name == "plain torch loop":
            model, seconds, mem = measure(
                PlainLocalizer().fit, Xtr, ytr, btr, epochs, args.flip
            )
            cpu = time.process_time() - c0
            labels, boxes = model.predict(Xte)
        else:
            model, seconds, mem = measure(skcv_fit, Xtr, ytr, btr, epochs, args.flip)
            cpu = time.process_time() - c0
            labels, boxes = model.predict(Xte), model.predict_boxes(Xte)
        rows.append(
            {
                "trainer": name,
                "train wall s": seconds,
                "train CPU s": cpu,
                "peak MiB": mem,
                "test accuracy": float(np.mean(labels == yte)),
                "test mean IoU": mean_iou(boxes, bte),
                "IoU >= 0.5": float(np.mean(np.diagonal(box_iou(boxes, bte)) >= 0.5)),
            }
        )
        print(rows[-1], flush=True)
    base = rows[0]["train wall s"]
    for r in rows:
        r["wall / plain"] = r["train wall s"] / base
    baseline = mean_iou(np.tile(btr.mean(0), (len(bte), 1)), bte)
    print(
        f"\nSingle-object localisation: {args.objects} on texture backgrounds, "
        f"{args.size}x{args.size} grey scenes, {n_train} train / {n_test} held-out "
        f"test scenes, {epochs} epochs, batch {RECIPE['batch_size']}, Adam + cosine, "
        f"{'flip augmentation, ' if args.flip else ''}"
        f"{torch.get_num_threads()} torch threads (mean box IoU of always "
        f"predicting the mean training box: {baseline:.3f}). Peak MiB is the growth "
        "of the resident set, so the second trainer reuses memory the first one "
        f"freed.\n{machine_line()}, "
        f"torch {torch.__version__}\n"
    )
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
