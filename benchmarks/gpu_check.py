"""GPU check: every torch estimator on CUDA, the fast preset's time to 0.94, GPU -> CPU.

Run from the repository root on a machine with one GPU (under 8 minutes)::

    python benchmarks/gpu_check.py --data-home ~/skcv_data

and, without a GPU, as CI does (synthetic data, a few seconds per row)::

    python benchmarks/gpu_check.py --cpu --quick

It prints one markdown table with a row per check:

1. ``fit+predict``: ``CNNClassifier``, ``FCNSegmenter`` and ``ObjectLocalizer``
   fitted and used for prediction on the device in float32, with bf16 autocast,
   and with bf16 autocast plus ``torch.compile`` (``--quick`` compiles the
   classifier only: inductor's C++ build takes tens of seconds per network on a
   CPU);
2. ``preset``: ``CNNClassifier.from_preset("fast")`` on CIFAR-10 (needs
   ``--data-home``; synthetic images with ``--quick``) for each ``--epochs``,
   timing fit and test accuracy, and the time to 0.94 test accuracy (anchor:
   airbench94, 94 % in 3-4 s on an A100);
3. ``to-cpu``: a model fitted on the device is pickled and checkpointed, then
   loaded and used for prediction in a fresh process that cannot see a GPU
   (``CUDA_VISIBLE_DEVICES=""``); its predictions must match the device's.

The exit status is 1 when any row failed, so a CI job notices.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
from sklearn.base import clone  # noqa: E402

from benchmarks._common import machine_line, markdown_table, parser  # noqa: E402
from skcv.cnn import CNNClassifier  # noqa: E402
from skcv.datasets import make_detection_scenes, make_shapes_segmentation  # noqa: E402
from skcv.detection import ObjectLocalizer  # noqa: E402
from skcv.segmentation import FCNSegmenter  # noqa: E402

TARGET = 0.94
CONFIGS = {
    "float32": {"precision": "float32", "compile": False},
    "bf16": {"precision": "bf16", "compile": False},
    "bf16+compile": {"precision": "bf16", "compile": True},
}


def synthetic_images(n, size=32, n_classes=10, random_state=0):
    """Noisy copies of one smooth random template per class, NHWC float32."""
    rng = np.random.RandomState(random_state)
    coarse = rng.rand(n_classes, size // 8, size // 8, 3)
    templates = coarse.repeat(8, axis=1).repeat(8, axis=2)
    y = np.arange(n) % n_classes
    X = templates[y] + 0.25 * rng.randn(n, size, size, 3)
    return np.clip(X, 0, 1).astype(np.float32), y


def _cifar(data_home):
    from skcv.datasets import load_cifar10

    Xtr, ytr = load_cifar10(data_home, subset="train", return_X_y=True)
    Xte, yte = load_cifar10(data_home, subset="test", return_X_y=True)
    return Xtr, ytr, Xte, yte


def estimator_cases(quick, data):
    """``(name, estimator, fit_args, predict_methods, X_predict)`` per estimator."""
    n = 256 if quick else 4096
    if data is not None and not quick:
        Xc, yc = data[0][:n], data[1][:n]
    else:
        Xc, yc = synthetic_images(n)
    size, n_img = (16, 24) if quick else (64, 512)
    Xs, Ys = make_shapes_segmentation(n_img, image_size=size, random_state=0)
    Xd, boxes, labels = make_detection_scenes(
        n_img,
        image_size=(size, size),
        objects="shapes",
        n_objects=1,
        object_size=(size // 4, size // 2),
        background="textures",
        random_state=0,
    )
    yd, bd = np.concatenate(labels), np.concatenate(boxes)
    if quick:
        common = {"random_state": 0, "epochs": 4, "solver": "adam"}
        cnn = CNNClassifier(
            module="simple",
            module_params={"widths": (8, 16)},
            batch_size=32,
            learning_rate_init=0.01,
            **common,
        )
        seg = FCNSegmenter(depth=2, width=4, batch_size=8, **{**common, "epochs": 30})
        loc = ObjectLocalizer(
            module="simple",
            module_params={"widths": (4, 8)},
            hidden_size=16,
            batch_size=8,
            **common,
        )
    else:
        common = {"random_state": 0, "epochs": 4}
        cnn = CNNClassifier.from_preset("fast", **common)
        seg = FCNSegmenter(batch_size=32, **common)
        loc = ObjectLocalizer(batch_size=64, **common)
    return [
        ("CNNClassifier", cnn, (Xc, yc), ["predict", "predict_proba"], Xc),
        ("FCNSegmenter", seg, (Xs, Ys), ["predict", "predict_proba"], Xs),
        ("ObjectLocalizer", loc, (Xd, yd, bd), ["predict", "predict_boxes"], Xd),
    ]


def _has_cxx():
    import shutil

    return any(shutil.which(c) for c in ("g++", "c++", "clang++"))


def _sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _row(check, estimator, config, device, **values):
    row = {
        "check": check,
        "estimator": estimator,
        "config": config,
        "device": device,
        "fit s": float("nan"),
        "predict s": float("nan"),
        "score": float("nan"),
        "status": "ok",
    }
    row.update(values)
    print(row, flush=True)
    return row


def _score(est, fit_args, outputs):
    """Training accuracy / pixel accuracy, enough to see that learning happened."""
    pred = outputs["predict"]
    return float(np.mean(pred == fit_args[1]))


def fit_predict_rows(cases, device, quick):
    rows, fitted = [], {}
    for name, est, fit_args, methods, X_pred in cases:
        for config, params in CONFIGS.items():
            skip = None
            if quick and params["compile"] and name != "CNNClassifier":
                skip = "skipped (quick)"
            elif params["compile"] and device == "cpu" and not _has_cxx():
                skip = "skipped (no C++ compiler for inductor)"
            if skip:
                rows.append(_row("fit+predict", name, config, device, status=skip))
                continue
            try:
                est_c = clone(est).set_params(device=device, **params)
                _sync(device)
                t0 = time.perf_counter()
                est_c.fit(*fit_args)
                _sync(device)
                fit_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                outputs = {m: np.asarray(getattr(est_c, m)(X_pred)) for m in methods}
                predict_s = time.perf_counter() - t0
                finite = all(
                    np.isfinite(v).all()
                    for v in outputs.values()
                    if v.dtype.kind == "f"
                )
                rows.append(
                    _row(
                        "fit+predict",
                        name,
                        config,
                        est_c.device_,
                        **{
                            "fit s": fit_s,
                            "predict s": predict_s,
                            "score": _score(est_c, fit_args, outputs),
                            "status": "ok" if finite else "FAILED: non-finite output",
                        },
                    )
                )
                if config == "float32":  # TF32 convolutions on CUDA at most
                    fitted[name] = (est_c, X_pred, methods, outputs)
            except Exception as exc:  # report every failure, keep going
                traceback.print_exc()
                rows.append(
                    _row("fit+predict", name, config, device, status=f"FAILED: {exc!r}")
                )
    return rows, fitted


def preset_rows(data, device, quick, epochs_list, widths):
    if data is None:
        n_train = 1024 if quick else 10000
        X, y = synthetic_images(n_train + n_train // 4)
        Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
        source = "synthetic"
    else:
        Xtr, ytr, Xte, yte = data
        if quick:
            Xtr, ytr, Xte, yte = Xtr[:1000], ytr[:1000], Xte[:500], yte[:500]
        source = "CIFAR-10"
    rows, reached = [], None
    widths = (16, 32, 64) if quick else widths
    extra = {"module_params": {"widths": tuple(widths)}}
    for epochs in [5] if quick else epochs_list:
        config = f"{source} {len(ytr)}/{len(yte)}, {epochs} ep"
        try:
            clf = CNNClassifier.from_preset(
                "fast", epochs=epochs, random_state=0, device=device, **extra
            )
            _sync(device)
            t0 = time.perf_counter()
            clf.fit(Xtr, ytr)
            _sync(device)
            fit_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            acc = float(clf.score(Xte, yte))
            predict_s = time.perf_counter() - t0
            rows.append(
                _row(
                    "preset fast",
                    "CNNClassifier",
                    config,
                    clf.device_,
                    **{"fit s": fit_s, "predict s": predict_s, "score": acc},
                )
            )
            if acc >= TARGET and reached is None:
                reached = fit_s
        except Exception as exc:
            traceback.print_exc()
            rows.append(
                _row(
                    "preset fast",
                    "CNNClassifier",
                    config,
                    device,
                    status=f"FAILED: {exc!r}",
                )
            )
    best = max((r["score"] for r in rows if r["status"] == "ok"), default=float("nan"))
    rows.append(
        _row(
            f"time to {TARGET}",
            "CNNClassifier",
            f"{source}, fast preset",
            device,
            **{
                "fit s": float("nan") if reached is None else reached,
                "score": best,
                "status": "ok"
                if reached is not None
                else f"not reached (best {best:.4f})",
            },
        )
    )
    return rows


_LOAD_ON_CPU = """
import pickle, sys
import numpy as np
import torch
assert not torch.cuda.is_available(), "the child must not see a GPU"
est = pickle.load(open(sys.argv[1], "rb"))
X = np.load(sys.argv[2])
out = {m: np.asarray(getattr(est, m)(X)) for m in sys.argv[4:]}
ckpt = sys.argv[3]
if ckpt != "-":
    fresh = type(est)(**{**est.get_params(), "device": "cpu"}).load_checkpoint(ckpt)
    out["checkpoint:predict"] = np.asarray(fresh.predict(X))
np.savez(sys.argv[2] + ".out.npz", **out)
print(est.device_, next(est.module_.parameters()).device)
"""


def to_cpu_rows(fitted):
    rows = []
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": root}
    for name, (est, X, methods, outputs) in fitted.items():
        with tempfile.TemporaryDirectory() as tmp:
            model, xfile = os.path.join(tmp, "model.pkl"), os.path.join(tmp, "X.npy")
            ckpt = "-"
            if hasattr(est, "save_checkpoint"):
                ckpt = os.path.join(tmp, "model.pt")
                est.save_checkpoint(ckpt)
            with open(model, "wb") as f:
                pickle.dump(est, f)
            np.save(xfile, X)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", _LOAD_ON_CPU, model, xfile, ckpt, *methods],
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - t0
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                status = "FAILED: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
                rows.append(
                    _row("to-cpu", name, "pickle + checkpoint", "cpu", status=status)
                )
                continue
            got = dict(np.load(xfile + ".out.npz"))
        agreement = float(np.mean(got["predict"] == outputs["predict"]))
        if "checkpoint:predict" in got:
            agreement = min(
                agreement,
                float(np.mean(got["checkpoint:predict"] == outputs["predict"])),
            )
        close = all(
            np.allclose(
                got[m], outputs[m], atol=1e-2 * max(1.0, np.abs(outputs[m]).max())
            )
            for m in methods
            if m != "predict"
        )
        ok = agreement >= 0.99 and close
        rows.append(
            _row(
                "to-cpu",
                name,
                f"pickle + checkpoint from {est.device_}",
                "cpu (no GPU visible)",
                **{
                    "predict s": seconds,
                    "score": agreement,
                    "status": "ok" if ok else "FAILED: CPU predictions differ",
                },
            )
        )
    return rows


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--cpu", action="store_true", help="run on the CPU (no GPU needed)")
    p.add_argument("--epochs", type=int, nargs="+", default=[10, 16])
    p.add_argument(
        "--widths",
        type=int,
        nargs=3,
        default=[64, 256, 256],
        help="FastNet widths for the preset rows (airbench94's by default)",
    )
    p.add_argument("--skip-preset", action="store_true")
    args = p.parse_args(argv)
    if args.cpu:
        device = "cpu"
    elif torch.cuda.is_available():
        device = "cuda"
    else:
        p.error("no CUDA device: pass --cpu to run the check on the CPU")
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    print(f"{machine_line()}; torch {torch.__version__}; device: {name}", flush=True)
    data = None
    if args.data_home and not args.quick:
        data = _cifar(args.data_home)
    t_start = time.perf_counter()
    rows, fitted = fit_predict_rows(
        estimator_cases(args.quick, data), device, args.quick
    )
    if not args.skip_preset:
        rows += preset_rows(data, device, args.quick, args.epochs, args.widths)
    rows += to_cpu_rows(fitted)
    total = time.perf_counter() - t_start
    print(
        f"\nGPU check on {name} ({device}), {'quick' if args.quick else 'full'} run, "
        f"{total:.0f} s in all. score: training accuracy (fit+predict: per image or "
        "per pixel), test accuracy (preset), agreement of the CPU predictions with "
        "the device's (to-cpu).\n"
    )
    print(markdown_table(rows))
    failed = [r for r in rows if r["status"].startswith("FAILED")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
