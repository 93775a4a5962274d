"""Benchmark: does the learning-rate range test suggest a rate as good as a grid's best?

For each estimator: the range test (``lr_range_test``, default settings except the
rate range 1e-5..10) suggests ``learning_rate_init`` on the training split; a
9-point log grid (1e-4..1) is trained with the same epochs; the table reports the
test accuracy of the suggestion, the best grid accuracy, the gap (grid best minus
suggestion; the issue's bound is 1 %), and the time of the range test against one
grid point's fit. Digits: 3 stratified 70/30 splits, accuracies averaged.
CIFAR-10 (``--data-home``): raw pixels standardised per pixel, a subset
(5,000 train / 1,000 test drawn at random with ``--quick``, 10,000 / 2,000
otherwise), 5 epochs, one split.

    python benchmarks/bench_lr_range.py [--data-home DIR] [--quick]
    python benchmarks/bench_lr_range.py --rules   # compare the suggestion rules
"""

import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from benchmarks._common import machine_line, markdown_table, parser
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier
from skcv.model_selection import lr_range_test
from skcv.neural_network import MLPClassifier

GRID = np.logspace(-4, 0, 9)


def estimators(epochs):
    return {
        "MLP(64) sgd+momentum": MLPClassifier(
            (64,), solver="sgd", batch_size=32, max_iter=epochs, random_state=0
        ),
        "MLP(64) adam": MLPClassifier(
            (64,), solver="adam", batch_size=32, max_iter=epochs, random_state=0
        ),
        "Softmax sgd+momentum": SoftmaxClassifier(
            solver="sgd", batch_size=32, max_iter=epochs, random_state=0
        ),
        "SVM (hinge) sgd+momentum": LinearSVMClassifier(
            loss="hinge", solver="sgd", batch_size=32, max_iter=epochs, random_state=0
        ),
    }


def accuracy(est, lr, splits):
    scores = []
    for X_tr, X_te, y_tr, y_te in splits:
        try:
            est.set_params(learning_rate_init=lr).fit(X_tr, y_tr)
            scores.append(est.score(X_te, y_te))
        except ValueError:  # diverged
            scores.append(0.0)
    return float(np.mean(scores))


def run(name, splits, epochs):
    rows = []
    for est_name, est in estimators(epochs).items():
        t0 = time.perf_counter()
        suggestions = [
            lr_range_test(est, X_tr, y_tr, min_lr=1e-5, max_lr=10).suggestion
            for X_tr, _, y_tr, _ in splits
        ]
        t_test = (time.perf_counter() - t0) / len(splits)
        per_split = [
            accuracy(est, lr, [s]) for lr, s in zip(suggestions, splits, strict=True)
        ]
        t0 = time.perf_counter()
        grid = [accuracy(est, lr, splits) for lr in GRID]
        t_fit = (time.perf_counter() - t0) / (len(GRID) * len(splits))
        best = int(np.argmax(grid))
        rows.append(
            {
                "data": name,
                "estimator": est_name,
                "suggested lr": float(np.median(suggestions)),
                "acc (suggested)": float(np.mean(per_split)),
                "best grid lr": float(GRID[best]),
                "acc (grid best)": grid[best],
                "gap": grid[best] - float(np.mean(per_split)),
                "test s / fit s": t_test / t_fit,
            }
        )
        print(markdown_table(rows[-1:]), flush=True)
    return rows


def compare_rules(splits, epochs):
    """Worst and mean gap to the grid's best of each suggestion rule (digits)."""
    ests = estimators(epochs)
    ests["MLP(64) sgd+momentum, batch 128"] = MLPClassifier(
        (64,), solver="sgd", batch_size=128, max_iter=epochs, random_state=0
    )
    settings = [
        ("min/10", 100, 0.98),
        ("steepest", 100, 0.98),
        ("min/10", 200, 0.98),
        ("steepest", 200, 0.98),
        ("min/10", 100, 0.9),
        ("steepest", 100, 0.9),
    ]
    gaps = {s: [] for s in settings}
    for est in ests.values():
        best = max(accuracy(est, lr, splits) for lr in GRID)
        for rule, num, beta in settings:
            rates = [
                lr_range_test(
                    est,
                    X_tr,
                    y_tr,
                    min_lr=1e-5,
                    max_lr=10,
                    num=num,
                    beta=beta,
                    suggestion=rule,
                ).suggestion
                for X_tr, _, y_tr, _ in splits
            ]
            acc = np.mean(
                [accuracy(est, lr, [s]) for lr, s in zip(rates, splits, strict=True)]
            )
            gaps[(rule, num, beta)].append(best - acc)
    return [
        {
            "rule": rule,
            "num": num,
            "beta": beta,
            "worst gap": max(g),
            "mean gap": float(np.mean(g)),
        }
        for (rule, num, beta), g in gaps.items()
    ]


def main():
    p = parser(__doc__)
    p.add_argument(
        "--rules",
        action="store_true",
        help="compare the suggestion rules on digits (5 estimators) instead",
    )
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16
    splits = [
        train_test_split(X, y, test_size=0.3, random_state=s, stratify=y)
        for s in range(3)
    ]
    if args.rules:
        print(machine_line())
        print(markdown_table(compare_rules(splits, epochs=15)))
        return
    rows = run("digits", splits, epochs=15)
    if args.data_home:
        from skcv.datasets import load_cifar10
        from skcv.preprocessing import ImageStandardizer

        n_tr, n_te = (5000, 1000) if args.quick else (10000, 2000)
        c = load_cifar10(data_home=args.data_home)
        # random subsets: a file's samples may be ordered by class
        rng = np.random.default_rng(0)
        tr = rng.choice(len(c.y_train), n_tr, replace=False)
        te = rng.choice(len(c.y_test), n_te, replace=False)
        std = ImageStandardizer(mode="pixel").fit(c.X_train[tr])
        X_tr = np.asarray(std.transform(c.X_train[tr]), dtype=np.float32)
        X_te = np.asarray(std.transform(c.X_test[te]), dtype=np.float32)
        rows += run("CIFAR-10", [(X_tr, X_te, c.y_train[tr], c.y_test[te])], 5)
    print()
    print(machine_line())
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
