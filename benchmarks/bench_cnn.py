"""CNNClassifier: training overhead vs plain torch and skorch; CIFAR-10 presets.

Run from the repository root::

    python benchmarks/bench_cnn.py --data-home ~/skcv_data [--quick] [--threads 2]

Part 1 (overhead) trains the same network, optimiser (SGD + Nesterov momentum,
constant learning rate) and batch size on the same CIFAR-10 subset with

* a hand-written torch loop (data normalised and kept as one NCHW channels-last
  tensor, shuffled index batches, forward, cross-entropy, backward, step);
* ``CNNClassifier`` (no augmentation, no validation);
* skorch's ``NeuralNetClassifier`` (when installed),

alternating the runs and keeping the fastest of each, and reports images/s and
the overhead ratio. Part 2 trains the ``"fast"`` preset on the 50,000 CIFAR-10
training images and reports test accuracy, wall time and accuracy per minute.

Part 3 (``--part ensemble``) measures the snapshot ensemble (Huang et al., 2017)
on the same training budget: the ``"fast"`` preset trained once for ``E`` epochs
against ``CNNClassifier(snapshot_ensemble=k)``, which splits the ``E`` epochs into
``k`` cycles of the same schedule and averages the softmax of the ``k`` cycle-end
snapshots. It reports the test accuracy of the single model, of every snapshot on
its own, of the ensembles of the last 1 ... k snapshots and of the whole ensemble
(``--quick``: 4,000 training images, a half-width network, 10 epochs, k = 2 and
5; test on 2,000 images).
"""

from __future__ import annotations

import os
import pickle
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
from skcv.cnn import CNNClassifier, build_module  # noqa: E402


def load_cifar(data_home):
    """(X_train, y_train, X_test, y_test) as uint8 NHWC and int64."""
    try:
        from skcv.datasets import load_cifar10

        Xtr, ytr = load_cifar10(data_home, subset="train", return_X_y=True)
        Xte, yte = load_cifar10(data_home, subset="test", return_X_y=True)
        return Xtr, ytr, Xte, yte
    except ImportError:
        pass
    folder = os.path.join(os.path.expanduser(data_home), "cifar-10-batches-py")

    def read(names):
        xs, ys = [], []
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                batch = pickle.load(f, encoding="bytes")
            xs.append(batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
            ys.append(np.asarray(batch[b"labels"], dtype=np.int64))
        return np.concatenate(xs), np.concatenate(ys)

    Xtr, ytr = read([f"data_batch_{i}" for i in range(1, 6)])
    Xte, yte = read(["test_batch"])
    return Xtr, ytr, Xte, yte


def plain_torch_loop(X, y, module, epochs, batch_size, lr, seed=0):
    """The reference: a minimal hand-written torch training loop."""
    torch.manual_seed(seed)
    x = torch.from_numpy(X.astype(np.float32) / 255).permute(0, 3, 1, 2)
    mean = x.mean((0, 2, 3), keepdim=True)
    std = x.std((0, 2, 3), keepdim=True)
    x = ((x - mean) / std).contiguous(memory_format=torch.channels_last)
    t = torch.from_numpy(y)
    net = build_module(module, 3, 10, (32, 32)).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(
        net.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4
    )
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(len(t))
        for start in range(0, len(t), batch_size):
            idx = perm[start : start + batch_size]
            xb = x[idx].contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(net(xb), t[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return net


def skcv_fit(X, y, module, epochs, batch_size, lr):
    return CNNClassifier(
        module=module,
        epochs=epochs,
        batch_size=batch_size,
        solver="nesterov",
        learning_rate_init=lr,
        lr_schedule="constant",
        device="cpu",
        random_state=0,
    ).fit(X, y)


def skorch_fit(X, y, module, epochs, batch_size, lr):
    from skorch import NeuralNetClassifier
    from skorch.dataset import ValidSplit  # noqa: F401

    x = X.astype(np.float32) / 255
    x = (x - x.mean((0, 1, 2))) / x.std((0, 1, 2))
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    net = NeuralNetClassifier(
        build_module(module, 3, 10, (32, 32)),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        optimizer__nesterov=True,
        optimizer__weight_decay=5e-4,
        lr=lr,
        max_epochs=epochs,
        batch_size=batch_size,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    return net.fit(x, y)


def overhead(Xtr, ytr, args):
    n = 2000 if args.quick else 6000
    epochs = 1 if args.quick else 2
    X, y = Xtr[:n], ytr[:n]
    runners = {"plain torch loop": plain_torch_loop, "skcv CNNClassifier": skcv_fit}
    try:
        import skorch  # noqa: F401

        runners["skorch NeuralNetClassifier"] = skorch_fit
    except ImportError:
        print("skorch is not installed; skipping it")
    best = {name: (np.inf, np.inf, 0.0) for name in runners}
    for _ in range(args.repeat):
        for name, fn in runners.items():
            c0 = time.process_time()
            _, seconds, mem = measure(
                fn, X, y, args.module, epochs, args.batch_size, args.lr
            )
            cpu = time.process_time() - c0
            old = best[name]
            best[name] = (min(old[0], seconds), min(old[1], cpu), max(old[2], mem))
    base_wall, base_cpu = best["plain torch loop"][:2]
    rows = []
    for name, (seconds, cpu, mem) in best.items():
        rows.append(
            {
                "trainer": name,
                "images/s (wall)": n * epochs / seconds,
                "images per CPU-s": n * epochs / cpu,
                "wall s": seconds,
                "CPU s": cpu,
                "peak MiB": mem,
                "wall / plain": seconds / base_wall,
                "CPU / plain": cpu / base_cpu,
            }
        )
    print(
        f"\nTraining overhead: {args.module}, batch {args.batch_size}, SGD+Nesterov, "
        f"{n} CIFAR-10 images x {epochs} epochs, best of {args.repeat} alternating "
        f"runs, {torch.get_num_threads()} threads. On a shared machine compare the "
        "CPU-time column (process CPU seconds, immune to waiting for a core).\n"
    )
    print(markdown_table(rows))


def presets(Xtr, ytr, Xte, yte, args):
    rows = []
    n = 10000 if args.quick else len(ytr)
    for epochs in args.epochs:
        clf = CNNClassifier.from_preset(
            "fast", epochs=epochs, random_state=0, device=args.device
        )
        _, seconds, mem = measure(clf.fit, Xtr[:n], ytr[:n])
        t0 = time.perf_counter()
        acc = clf.score(Xte, yte)
        predict_s = time.perf_counter() - t0
        rows.append(
            {
                "preset": "fast",
                "train images": n,
                "epochs": epochs,
                "device": clf.device_,
                "test accuracy": acc,
                "train s": seconds,
                "accuracy / train min": acc / (seconds / 60),
                "predict s (10k, TTA)": predict_s,
                "peak MiB": mem,
            }
        )
        print(rows[-1], flush=True)
    print("\nCIFAR-10 presets\n")
    print(markdown_table(rows))


def ensemble(Xtr, ytr, Xte, yte, args):
    n = 4000 if args.quick else 20000
    n_test = 2000 if args.quick else len(yte)
    epochs = args.epochs[0]
    params = {"module_params": {"widths": (16, 32, 64)}} if args.quick else {}
    X, y, Xt, yt = Xtr[:n], ytr[:n], Xte[:n_test], yte[:n_test]
    runs = [("single model", None)]
    runs += [(f"snapshot ensemble k={k}", k) for k in args.snapshots]
    rows = []
    for name, k in runs:
        clf = CNNClassifier.from_preset(
            "fast",
            epochs=epochs,
            random_state=0,
            device=args.device,
            snapshot_ensemble=k,
            **params,
        )
        _, seconds, mem = measure(clf.fit, X, y)
        if k is None:
            probas = [clf.predict_proba(Xt)]
        else:
            probas = [clf.get_snapshot(i).predict_proba(Xt) for i in range(k)]

        def accuracy(proba, classes=clf.classes_):
            return float(np.mean(classes[proba.argmax(1)] == yt))

        # The ensemble of the last m snapshots, m = 1 (the last one) ... k (all).
        sizes = range(1, len(probas) + 1)
        last_m = [accuracy(np.mean(probas[-m:], axis=0)) for m in sizes]
        rows.append(
            {
                "model": name,
                "train images": n,
                "epochs": epochs,
                "test accuracy": accuracy(np.mean(probas, axis=0)),
                "members (oldest first)": " ".join(
                    f"{accuracy(p):.4f}" for p in probas
                ),
                "last 1..k averaged": " ".join(f"{a:.4f}" for a in last_m),
                "train s": seconds,
                "peak MiB": mem,
            }
        )
        print(rows[-1], flush=True)
    single = rows[0]["test accuracy"]
    print(
        f"\nSnapshot ensembles on CIFAR-10 ({n} training images, {n_test} test "
        f"images, 'fast' preset{', half width' if args.quick else ''}, {epochs} "
        "epochs for every run: the same budget). Gain over the single model: "
        + ", ".join(
            f"{r['model']} {100 * (r['test accuracy'] - single):+.2f} points"
            for r in rows[1:]
        )
        + ".\n"
    )
    print(markdown_table(rows))


def main():
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--module", default="resnet20", help="network for the overhead")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--device", default="auto")
    p.add_argument("--epochs", type=int, nargs="+", default=[10])
    p.add_argument(
        "--snapshots", type=int, nargs="+", default=[2, 5], help="ensemble sizes k"
    )
    p.add_argument(
        "--part", choices=["all", "overhead", "presets", "ensemble"], default="all"
    )
    args = p.parse_args()
    if not args.data_home:
        p.error("--data-home (or $SKCV_DATA) must point to cifar-10-batches-py/")
    torch.set_num_threads(args.threads)
    print(machine_line() + f"; torch {torch.__version__}")
    Xtr, ytr, Xte, yte = load_cifar(args.data_home)
    if args.part in ("all", "overhead"):
        overhead(Xtr, ytr, args)
    if args.part in ("all", "presets"):
        presets(Xtr, ytr, Xte, yte, args)
    if args.part in ("all", "ensemble"):
        ensemble(Xtr, ytr, Xte, yte, args)


if __name__ == "__main__":
    main()
