"""FCNSegmenter: the course's upsampling choices on synthetic shapes, on the CPU.

Run from the repository root::

    python benchmarks/bench_segmentation.py [--quick] [--threads 1]

Part 1 trains one ``FCNSegmenter`` per upsampling choice (transposed convolution,
max-unpooling, nearest neighbour, zero fill / bed of nails, bilinear), plus the
transposed network without skip connections, on the same synthetic training set
(:func:`skcv.datasets.make_shapes_segmentation`: circles, squares and triangles on
textures, 64 x 64 colour images, 4 classes) and reports the mean IoU and pixel
accuracy on a held-out synthetic set drawn with another seed, the training time
(wall clock, and CPU time of the process, which depends less on the machine's
load) and the peak memory of ``fit``.

Part 2 measures the estimator's overhead: the same network, optimiser and
batches trained by a hand-written torch loop and by ``FCNSegmenter``.

The machine is shared: the load average before and after each part is printed
with the tables, since it changes wall times.
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
from skcv.datasets import make_shapes_segmentation  # noqa: E402
from skcv.metrics import mean_iou, pixel_accuracy  # noqa: E402
from skcv.segmentation import FCNSegmenter  # noqa: E402

CONFIGS = [
    ("transposed", {"upsampling": "transposed"}),
    ("unpool", {"upsampling": "unpool"}),
    ("nearest", {"upsampling": "nearest"}),
    ("zeros (bed of nails)", {"upsampling": "zeros"}),
    ("bilinear", {"upsampling": "bilinear"}),
    ("transposed, no skips", {"upsampling": "transposed", "skip_connections": False}),
]


def _load():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def part_upsampling(args):
    if args.quick:
        n_train, size, epochs = 300, 32, 8
    else:
        n_train, size, epochs = 1000, 64, 25
    X, Y = make_shapes_segmentation(n_train, size, random_state=0)
    Xt, Yt = make_shapes_segmentation(300, size, random_state=1)
    print(
        f"\n## Upsampling choices: {n_train} training images {size}x{size}x3, "
        f"4 classes, {epochs} epochs; held-out set of {len(Xt)} images "
        f"(load average before: {_load()})\n"
    )
    rows = []
    base_time = None
    configs = CONFIGS[:5] if args.quick else CONFIGS
    for name, params in configs:
        seg = FCNSegmenter(epochs=epochs, random_state=0, device="cpu", **params)
        cpu0 = time.process_time()
        seg, seconds, peak = measure(seg.fit, X, Y)
        cpu_seconds = time.process_time() - cpu0
        pred = seg.predict(Xt)
        per_class = mean_iou(Yt, pred, average=None)
        base_time = base_time or cpu_seconds
        rows.append(
            {
                "upsampling": name,
                "parameters": sum(p.numel() for p in seg.module_.parameters()),
                "train wall s": seconds,
                "train CPU s": cpu_seconds,
                "CPU time ratio": cpu_seconds / base_time,
                "peak MiB": peak,
                "held-out mIoU": float(np.mean(per_class)),
                "IoU bg/circle/square/triangle": "/".join(
                    f"{v:.3f}" for v in per_class
                ),
                "pixel accuracy": pixel_accuracy(Yt, pred),
                "train mIoU (last epoch)": seg.history_[-1]["train_mean_iou"],
            }
        )
        print(
            f"  {name}: {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU, "
            f"mIoU {rows[-1]['held-out mIoU']:.4f}",
            flush=True,
        )
    print()
    print(markdown_table(rows))
    print(f"\n(load average after: {_load()})")


def _torch_loop(net, x, y, epochs, batch_size, lr, seed):
    """Hand-written loop: Adam, one-cycle-free constant lr, shuffled batches."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        for start in range(0, len(x), batch_size):
            idx = perm[start : start + batch_size]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return net.eval()


def part_overhead(args):
    n_train, size, epochs = (200, 32, 3) if args.quick else (300, 64, 5)
    X, Y = make_shapes_segmentation(n_train, size, random_state=0)
    print(
        f"\n## Overhead: the same network, Adam, constant learning rate, "
        f"{n_train} images {size}x{size}, {epochs} epochs "
        f"(load average before: {_load()})\n"
    )
    params = {
        "epochs": epochs,
        "lr_schedule": "constant",
        "random_state": 0,
        "device": "cpu",
        "channels_last": False,
    }
    seg = FCNSegmenter(**params)
    # build the identical network (normalisation included) without training it
    seg.set_params(epochs=1).fit(X[:16], Y[:16])
    net = seg.module_
    torch.manual_seed(0)
    for m in net.modules():
        if hasattr(m, "reset_parameters"):
            m.reset_parameters()
    x = torch.from_numpy(X).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(Y)
    lr, bs = seg.learning_rate_init, seg.batch_size
    rows = []
    times = {}
    for _ in range(2):  # alternate, keep the fastest of each
        _, t_torch, m_torch = measure(_torch_loop, net, x, y, epochs, bs, lr, 0)
        _, t_skcv, m_skcv = measure(FCNSegmenter(**params).fit, X, Y)
        times["torch"] = min(times.get("torch", np.inf), t_torch)
        times["skcv"] = min(times.get("skcv", np.inf), t_skcv)
    imgs = n_train * epochs
    for name, label, peak in (
        ("torch", "hand-written torch loop", m_torch),
        ("skcv", "FCNSegmenter", m_skcv),
    ):
        rows.append(
            {
                "trainer": label,
                "train s": times[name],
                "images/s": imgs / times[name],
                "peak MiB": peak,
                "time vs torch": times[name] / times["torch"],
            }
        )
    print(markdown_table(rows))
    print(f"\n(load average after: {_load()})")


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads (default: torch's choice)",
    )
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"# bench_segmentation ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})"
    )
    print(
        f"{machine_line()}; torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch threads"
    )
    part_upsampling(args)
    part_overhead(args)


if __name__ == "__main__":
    main()
