"""Train the fast CNN preset on CIFAR-10 and report test accuracy and wall time.

Usage::

    python -m skcv demo cifar10 --data-home ~/skcv_data [--epochs 10]
        [--n-train 50000] [--device auto] [--threads 2] [--save model.pkl]
"""

from __future__ import annotations

import os
import time


def add_arguments(parser) -> None:
    """Add the demo's options to ``parser``."""
    parser.add_argument(
        "--data-home",
        default=os.environ.get("SKCV_DATA"),
        help="folder holding cifar-10-batches-py/ (default: $SKCV_DATA)",
    )
    parser.add_argument("--epochs", type=int, default=10, help="training epochs")
    parser.add_argument(
        "--n-train", type=int, default=50000, help="training images to use"
    )
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0: torch default)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state")
    parser.add_argument("--save", default=None, help="pickle the model to this path")


def run(args) -> int:
    """Run the demo; return the exit status."""
    from skcv.utils._optional import import_optional

    torch = import_optional("torch")
    from skcv.cnn import CNNClassifier
    from skcv.datasets import load_cifar10

    if args.threads:
        torch.set_num_threads(args.threads)
    X, y = load_cifar10(args.data_home, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(args.data_home, subset="test", return_X_y=True)
    X, y = X[: args.n_train], y[: args.n_train]
    clf = CNNClassifier.from_preset(
        "fast",
        epochs=args.epochs,
        device=args.device,
        random_state=args.seed,
        verbose=1,
    )
    print(
        f"Training the 'fast' preset on {len(y)} CIFAR-10 images for {args.epochs} "
        f"epochs ({torch.get_num_threads()} CPU threads) ..."
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
        f"test accuracy {acc:.4f} (10,000 images, {test_s:.1f} s with test-time "
        f"flip); training {train_s:.1f} s"
    )
    if args.save:
        import pickle

        with open(args.save, "wb") as f:
            pickle.dump(clf, f)
        print(f"saved to {args.save}")
    return 0
