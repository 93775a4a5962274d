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
The other parts run only when named with ``--part``:

* ``threads``: the fast preset's fit time for ``n_jobs`` 1, 2 and the default,
  quiet and with one competing ``while True: pass`` process (goal: the default
  busy takes <= 2x its quiet time);
* ``defaults``: ``CNNClassifier(random_state=0)`` on CIFAR-10 (goal: >= 0.85
  test accuracy within 10 minutes on a 2-core CPU);
* ``time-to-accuracy``: wall time to 0.85 / 0.90 / 0.93 over a ladder of epoch
  budgets (``--budgets``), with the achieved FLOP/s against the measured
  float32 and bf16 matrix-product peaks;
* ``ensemble``: the snapshot ensemble (Huang et al., 2017) on the same training
  budget: the ``"fast"`` preset trained once for ``E`` epochs against
  ``CNNClassifier(snapshot_ensemble=k)``, which splits the ``E`` epochs into ``k``
  cycles of the same schedule and averages the softmax of the ``k`` cycle-end
  snapshots; the accuracy of every snapshot on its own and of the ensembles of
  the last 1 ... k snapshots (``--quick``: 4,000 training images, a half-width
  network, 10 epochs, k = 2 and 5; test on 2,000 images).
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
        n_jobs=torch.get_num_threads(),  # the plain loop's threads
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
            "fast",
            epochs=epochs,
            random_state=0,
            device=args.device,
            n_jobs=args.n_jobs,
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


def _competitor():
    """Start one CPU-bound process (the "busy machine"); the caller kills it."""
    import subprocess

    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def threads(Xtr, ytr, args):
    """Fit time of the fast preset, quiet vs one competing CPU-bound process.

    For each ``n_jobs`` (1, 2 and the default None) the same fit runs without
    and with one ``while True: pass`` process; quiet and busy runs alternate and
    the fastest of ``--repeat`` is kept, so a short burst of outside load does
    not decide a row. The busy/quiet ratio is the figure of merit.
    """
    from skcv.cnn._threads import resolve_n_threads

    load_before = os.getloadavg()[0]
    n = 2048 if args.quick else 8192
    X, y = Xtr[:n], ytr[:n]
    settings = [1, 2, None]

    def fit(n_jobs):
        return CNNClassifier.from_preset(
            "fast", epochs=1, random_state=0, device="cpu", n_jobs=n_jobs
        ).fit(X, y)

    fit(1)  # warm-up: oneDNN primitives, allocator
    best = {(k, busy): np.inf for k in settings for busy in (False, True)}
    for _ in range(args.repeat):
        for busy in (False, True):
            proc = _competitor() if busy else None
            try:
                if proc is not None:
                    time.sleep(0.5)  # let it reach full speed
                for k in settings:
                    t0 = time.perf_counter()
                    fit(k)
                    best[k, busy] = min(best[k, busy], time.perf_counter() - t0)
            finally:
                if proc is not None:
                    proc.kill()
                    proc.wait()
    quiet_best = min(best[k, False] for k in settings)
    rows = []
    for k in settings:
        rows.append(
            {
                "n_jobs": "None (default)" if k is None else k,
                "threads": resolve_n_threads(k),
                "quiet s": best[k, False],
                "busy s": best[k, True],
                "busy / quiet": best[k, True] / best[k, False],
                "busy / best quiet": best[k, True] / quiet_best,
            }
        )
    print(
        f"\nTorch threads under contention: fast preset, 1 epoch on {n} CIFAR-10 "
        f"images, CPU, best of {args.repeat} alternating runs; busy = one "
        f"competing `while True: pass` process; {os.cpu_count()} logical cores; "
        f"1-min load average before: {load_before:.2f}, after: "
        f"{os.getloadavg()[0]:.2f}. Goal: busy / quiet <= 2 "
        "for the default.\n"
    )
    print(markdown_table(rows))


def default_fit(Xtr, ytr, Xte, yte, args):
    """``CNNClassifier()`` with no arguments but a seed: accuracy and wall time."""
    n = 10000 if args.quick else len(ytr)
    load_before = os.getloadavg()[0]
    clf = CNNClassifier(random_state=0)
    _, seconds, mem = measure(clf.fit, Xtr[:n], ytr[:n])
    acc = clf.score(Xte, yte)
    rows = [
        {
            "estimator": "CNNClassifier()",
            "train images": n,
            "network": clf.recipe_["module"],
            "epochs": clf.n_iter_,
            "threads": clf.n_jobs or "default",
            "device": clf.device_,
            "test accuracy": acc,
            "fit s": seconds,
            "peak MiB": mem,
        }
    ]
    print(
        f"\nDefault CNNClassifier on CIFAR-10 (goal: >= 0.85 test accuracy within "
        f"600 s on a 2-core CPU); recipe {clf.recipe_}; 1-min load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after.\n"
    )
    print(markdown_table(rows))


def matmul_peak(dtype, n=2048, repeat=3):
    """FLOP/s of the best of ``repeat`` n x n products (torch's thread count)."""
    a = torch.randn(n, n).to(dtype)
    b = torch.randn(n, n).to(dtype)
    torch.mm(a, b)  # warm-up
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best


def train_flops_per_image(clf, X, y):
    """FLOPs of one forward + backward pass per image (torch's FLOP counter)."""
    from torch.utils.flop_counter import FlopCounterMode

    probe = CNNClassifier(**{**clf.get_params(), "epochs": 1}).fit(X[:64], y[:64])
    net = probe.module_.train()
    x = torch.from_numpy(X[:64].astype(np.float32) / 255).permute(0, 3, 1, 2)
    x = x.contiguous(memory_format=torch.channels_last)
    with FlopCounterMode(display=False) as counter:
        net(x).float().sum().backward()
    train = counter.get_total_flops() / len(x)
    net.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(x)
    return train, counter.get_total_flops() / len(x)


def time_to_accuracy(Xtr, ytr, Xte, yte, args):
    """Wall time to 0.85 / 0.90 / 0.93 over a ladder of epoch budgets.

    The schedule depends on the number of epochs, so each budget is its own fit
    (as airbench reports it); the time to a target is the fit time of the
    smallest budget whose final test accuracy reaches it. Achieved FLOP/s count
    the training passes (forward + backward, from torch's FLOP counter) per fit
    second, against the best large matrix product in float32 and bfloat16.
    """
    n = 10000 if args.quick else len(ytr)
    budgets = [1, 2] if args.quick else args.budgets
    targets = (0.85, 0.90, 0.93)
    load_before = os.getloadavg()[0]
    params = {"random_state": 0, "device": args.device, "n_jobs": args.n_jobs}
    if args.precision:
        params["precision"] = args.precision
    if args.widths:
        params["module_params"] = {"widths": tuple(args.widths), "tta": True}
    make = (
        (lambda e: CNNClassifier(epochs=e, **params))
        if args.recipe == "auto"
        else (lambda e: CNNClassifier.from_preset("fast", epochs=e, **params))
    )
    flops_train, flops_eval = train_flops_per_image(make(1), Xtr, ytr)
    from skcv.cnn._threads import torch_threads

    with torch_threads(args.n_jobs) as threads:
        peaks = {
            "float32": matmul_peak(torch.float32),
            "bf16": matmul_peak(torch.bfloat16),
        }
    rows, reached, reached_translate = [], {}, {}
    for epochs in budgets:
        clf = make(epochs)
        _, seconds, _ = measure(clf.fit, Xtr[:n], ytr[:n])
        t0 = time.perf_counter()
        acc = clf.score(Xte, yte)
        predict_s = time.perf_counter() - t0
        acc_translate = float("nan")
        body = getattr(clf.module_, "body", clf.module_)
        tta = getattr(body, "tta", False)
        if tta:  # FastNet: 6-view TTA on the same weights
            body.tta = "translate"
            acc_translate = clf.score(Xte, yte)
            body.tta = tta
        achieved = flops_train * n * clf.n_iter_ / seconds
        rows.append(
            {
                "epochs": epochs,
                "train images": n,
                "test accuracy": acc,
                "test accuracy, flip+translate TTA": acc_translate,
                "fit s": seconds,
                "predict s (10k)": predict_s,
                "GFLOP/s (train)": achieved / 1e9,
                "% of fp32 matmul peak": 100 * achieved / peaks["float32"],
                "% of bf16 matmul peak": 100 * achieved / peaks["bf16"],
            }
        )
        print(rows[-1], flush=True)
        for t in targets:
            if acc >= t and t not in reached:
                reached[t] = seconds
            if acc_translate >= t and t not in reached_translate:
                reached_translate[t] = seconds
    print(
        f"\nTime to accuracy on CIFAR-10 ({args.recipe} recipe, widths "
        f"{tuple(args.widths) if args.widths else 'default'}, "
        f"precision={args.precision or 'default'}), {threads} torch threads; "
        f"training FLOPs per image {flops_train / 1e6:.1f} M (inference with "
        f"test-time flip {flops_eval / 1e6:.1f} M); matmul peak "
        f"{peaks['float32'] / 1e9:.1f} GFLOP/s float32, {peaks['bf16'] / 1e9:.1f} "
        f"bf16; 1-min load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after.\n"
    )
    print(markdown_table(rows))
    summary = [
        {
            "target": t,
            "fit s (smallest budget reaching it)": reached.get(t, float("nan")),
            "same, flip+translate TTA": reached_translate.get(t, float("nan")),
            "goal s": {0.85: 600, 0.90: 1200, 0.93: 3600}[t],
        }
        for t in targets
    ]
    print()
    print(markdown_table(summary))


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
        "--part",
        choices=[
            "all",
            "overhead",
            "presets",
            "threads",
            "defaults",
            "time-to-accuracy",
            "ensemble",
        ],
        default="all",
        help="all = overhead + presets + threads; defaults, time-to-accuracy and "
        "ensemble are long and run only when named",
    )
    p.add_argument("--recipe", choices=["fast", "auto"], default="fast")
    p.add_argument(
        "--snapshots", type=int, nargs="+", default=[2, 5], help="ensemble sizes k"
    )
    p.add_argument(
        "--budgets",
        type=int,
        nargs="+",
        default=[4, 8, 16, 32],
        help="time-to-accuracy: the epoch budgets, one fit each",
    )
    p.add_argument(
        "--widths",
        type=int,
        nargs=3,
        default=None,
        help="time-to-accuracy: FastNet widths (default: the recipe's)",
    )
    p.add_argument("--precision", choices=["float32", "bf16"], default=None)
    p.add_argument("--n-jobs", type=int, default=None, help="torch threads of fits")
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
    if args.part == "threads":
        threads(Xtr, ytr, args)
    if args.part == "defaults":
        default_fit(Xtr, ytr, Xte, yte, args)
    if args.part == "time-to-accuracy":
        time_to_accuracy(Xtr, ytr, Xte, yte, args)
    if args.part == "ensemble":
        ensemble(Xtr, ytr, Xte, yte, args)


if __name__ == "__main__":
    main()
