"""Train the fast CNN preset on CIFAR-10 and report test accuracy and time.

Reads CIFAR-10 (the ``cifar-10-batches-py`` files) from ``--data-home`` or
``$SKCV_DATA`` (default ``~/skcv_data``); ``--download`` fetches the official
archive (163 MB, MD5-checked) when it is missing. On a 2-core CPU one epoch over
the 50,000 training images takes about 45 s; on a GPU a few seconds.

Usage::

    skcv demo cifar10 --download [--epochs 8] [--n-train 50000] [--device auto]
"""

from __future__ import annotations

import os
import time

# Measured: the 'fast' preset's epoch over 50,000 images takes about 44 s on this
# project's 2-core CPU (355 s for 8 epochs), a few seconds on a GPU.
_CPU_SECONDS_PER_IMAGE_EPOCH = 355 / 8 / 50_000
_GPU_SECONDS_PER_IMAGE_EPOCH = 3.0 / 50_000


def add_arguments(parser) -> None:
    """Add the demo's options to ``parser``."""
    parser.add_argument(
        "--data-home",
        default=os.environ.get("SKCV_DATA"),
        help="folder holding cifar-10-batches-py/ (None: $SKCV_DATA or ~/skcv_data)",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="download CIFAR-10 (163 MB) into --data-home if it is missing",
    )
    parser.add_argument("--epochs", type=int, default=8, help="training epochs")
    parser.add_argument(
        "--n-train", type=int, default=50000, help="training images to use"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0: skcv's default)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state")
    parser.add_argument("--save", default=None, help="pickle the model to this path")


def expected_seconds(n_train: int, epochs: int, device: str) -> float:
    """Return the demo's expected training time in seconds (measured rates)."""
    rate = (
        _GPU_SECONDS_PER_IMAGE_EPOCH
        if device == "cuda"
        else _CPU_SECONDS_PER_IMAGE_EPOCH
    )
    return rate * n_train * epochs


def run(args) -> int:
    """Run the demo; return the exit status."""
    from skcv._cli import CLIError
    from skcv.utils._optional import import_optional

    if args.epochs < 1 or args.n_train < 10:
        raise CLIError("--epochs must be >= 1 and --n-train >= 10")
    torch = import_optional("torch")
    from skcv.cnn import CNNClassifier
    from skcv.datasets import get_data_home, load_cifar10

    home = get_data_home(args.data_home)
    try:
        X, y = load_cifar10(
            args.data_home, subset="train", download=args.download, return_X_y=True
        )
        X_test, y_test = load_cifar10(args.data_home, subset="test", return_X_y=True)
    except FileNotFoundError:
        raise CLIError(
            f"CIFAR-10 is not in {home / 'cifar-10-batches-py'}; rerun with "
            "--download to fetch it (163 MB), or point --data-home (or $SKCV_DATA) "
            "at the folder that holds cifar-10-batches-py/"
        ) from None
    except OSError as exc:
        raise CLIError(f"could not download CIFAR-10: {exc}") from None
    X, y = X[: args.n_train], y[: args.n_train]
    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    minutes = expected_seconds(len(y), args.epochs, device) / 60
    print(
        f"Training the 'fast' CNN preset on {len(y):,} CIFAR-10 images for "
        f"{args.epochs} epochs on {device} ({torch.get_num_threads()} CPU threads), "
        f"then testing on {len(y_test):,} images.\nExpected: about {minutes:.1f} "
        "min on a 2-core CPU" + (" (GPU: seconds)." if device == "cpu" else ".")
    )
    clf = CNNClassifier.from_preset(
        "fast",
        epochs=args.epochs,
        device=args.device,
        random_state=args.seed,
        verbose=1,
    )
    t0 = time.perf_counter()
    clf.fit(X, y)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    acc = clf.score(X_test, y_test)
    test_s = time.perf_counter() - t0
    print(f"device: {clf.device_}")
    print("epoch  train_loss  train_acc  lr       seconds")
    for h in clf.history_:
        print(
            f"{h['epoch']:5d}  {h['train_loss']:10.4f}  {h['train_accuracy']:9.4f}"
            f"  {h['lr']:.5f}  {h['seconds']:7.1f}"
        )
    print(
        f"test accuracy {acc:.4f} ({len(y_test):,} images, {test_s:.1f} s with "
        f"test-time flip); training {train_s:.1f} s"
    )
    if args.save:
        import pickle

        with open(args.save, "wb") as f:
            pickle.dump(clf, f)
        print(f"saved to {args.save}")
    return 0
