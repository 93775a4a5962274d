"""Coarse-to-fine search vs a full 10 x 10 grid (and random search) on the same data.

    python benchmarks/bench_search.py [--data-home DIR] [--quick] [--seeds N]

Tunes ``alpha`` (regularisation) and the learning rate of a linear SVM trained by SGD:
``skcv.linear_model.LinearSVMClassifier`` (``learning_rate_init``) when it exists, else
scikit-learn's ``SGDClassifier(loss="hinge", learning_rate="constant")`` (``eta0``).
Data: digits (bundled), or a CIFAR-10 subset when ``--data-home`` holds
``cifar-10-batches-py``. All searches use the same splits of the same training part
(3-fold CV repeated 3 times with different shuffles: the mean of 9 scores is a less
noisy estimate than one 3-fold pass, so a search's best score says more about its
choice and less about luck); the test part scores the refitted best model once.
"""

import os
import pickle
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    RepeatedStratifiedKFold,
    cross_val_score,
    train_test_split,
)

from benchmarks._common import machine_line, markdown_table, measure, parser
from skcv.model_selection import CoarseToFineSearchCV

ALPHA = (1e-6, 1e0)
RATE = (1e-4, 1e0)


def _estimator():
    """(estimator, rate name, coarse budget, description)."""
    try:
        from skcv.linear_model import LinearSVMClassifier
    except ImportError:
        LinearSVMClassifier = None
    if LinearSVMClassifier is not None:
        # Full budget 200 epochs of momentum SGD; cheap coarse budget 20 (1/10).
        est = LinearSVMClassifier(
            loss="hinge", solver="sgd", max_iter=200, random_state=0
        )
        name = "skcv LinearSVMClassifier(hinge, sgd, max_iter=200)"
        return est, "learning_rate_init", {"max_iter": 20}, name
    from sklearn.linear_model import SGDClassifier

    est = SGDClassifier(loss="hinge", learning_rate="constant", random_state=0)
    coarse = {"max_iter": 10, "tol": None}
    return est, "eta0", coarse, "sklearn SGDClassifier(hinge, constant rate)"


def _cifar(data_home, n):
    folder = os.path.join(os.path.expanduser(data_home), "cifar-10-batches-py")
    try:
        from skcv.datasets import load_cifar10

        X, y = load_cifar10(data_home=data_home, subset="train", return_X_y=True)
        X = np.asarray(X).reshape(len(X), -1)[:n].astype(np.float32)
        return X / (255.0 if X.max() > 1 else 1.0), np.asarray(y)[:n]
    except (ImportError, TypeError):
        with open(os.path.join(folder, "data_batch_1"), "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        X = batch[b"data"][:n].astype(np.float32) / 255.0
        return X, np.asarray(batch[b"labels"][:n])


def _data(args):
    if args.data_home and os.path.isdir(
        os.path.join(os.path.expanduser(args.data_home), "cifar-10-batches-py")
    ):
        X, y = _cifar(args.data_home, 1000 if args.quick else 5000)
        X = X - X.mean(axis=0)  # mean image subtraction, as in the course
        return X, y, f"CIFAR-10 subset ({len(X)} images, 3072 pixels)"
    X, y = load_digits(return_X_y=True)
    if args.quick:
        X, y = X[:600], y[:600]
    return X / 16.0, y, f"digits ({len(X)} images, 8x8)"


def main():
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=None, help="coarse-to-fine seeds")
    args = p.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y, data_name = _data(args)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    est, rate, coarse, est_name = _estimator()
    cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0)
    grid_params = {"alpha": np.geomspace(*ALPHA, 10), rate: np.geomspace(*RATE, 10)}
    space = {"alpha": loguniform(*ALPHA), rate: loguniform(*RATE)}
    n_seeds = args.seeds or (2 if args.quick else 5)

    rows = []

    def run(name, search, seed=""):
        fitted, seconds, peak = measure(search.fit, X_train, y_train)
        n_candidates = len(fitted.cv_results_["params"])
        # The best CV score of a search is the maximum of noisy estimates, biased up
        # the more candidates it tried; re-score the chosen configuration on fresh
        # splits for an unbiased comparison.
        chosen = clone(est).set_params(**fitted.best_params_)
        fresh = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=1)
        rescored = cross_val_score(chosen, X_train, y_train, cv=fresh).mean()
        rows.append(
            {
                "search": name,
                "seed": seed,
                "candidates": n_candidates,
                "fits": n_candidates * cv.get_n_splits(),
                "wall s": seconds,
                "peak MiB": peak,
                "best CV score": fitted.best_score_,
                "fresh CV score": rescored,
                "test accuracy": fitted.score(X_test, y_test),
                "alpha": fitted.best_params_["alpha"],
                rate: fitted.best_params_[rate],
            }
        )
        print(rows[-1], flush=True)

    run("GridSearchCV 10x10", GridSearchCV(est, grid_params, cv=cv))
    # The coarse-to-fine budget: 8 Latin-hypercube configurations, the span of the
    # best 3, a 5 x 5 grid: 33 candidates <= 100 / 3. Coarse stage at the full
    # budget (its configurations compete for best_params_), and, for comparison,
    # at a cheap budget of 1/10 of the epochs (coarse_params).
    variants = [("full-budget coarse", None), ("cheap coarse", coarse)]
    for label, coarse_params in variants:
        for seed in range(n_seeds):
            search = CoarseToFineSearchCV(
                est,
                space,
                n_coarse=8,
                top_k=3,
                n_fine_per_param=5,
                coarse_params=coarse_params,
                cv=cv,
                random_state=seed,
            )
            run(f"CoarseToFineSearchCV 8 + 5x5, {label}", search, seed)
    for seed in range(n_seeds):
        search = RandomizedSearchCV(est, space, n_iter=33, cv=cv, random_state=seed)
        run("RandomizedSearchCV 33", search, seed)

    grid = rows[0]
    for r in rows:
        r["fits / grid"] = r["fits"] / grid["fits"]
        r["time / grid"] = r["wall s"] / grid["wall s"]
        r["score - grid"] = r["best CV score"] - grid["best CV score"]
    summary = []
    for label, _ in variants:
        c2f = [r for r in rows if r["search"].endswith(label)]
        reached = sum(r["score - grid"] >= 0 for r in c2f)
        summary.append(
            f"coarse-to-fine ({label}) >= grid CV score in {reached}/{len(c2f)} "
            f"seeds; mean score - grid = "
            f"{np.mean([r['score - grid'] for r in c2f]):+.4f}; "
            f"max fits / grid = {max(r['fits / grid'] for r in c2f):.2f}"
        )
    print()
    print(f"{est_name} on {data_name}; 3x3-fold CV on 75 %, test on 25 %.")
    print(machine_line())
    print()
    cols = ["search", "seed", "fits", "fits / grid", "wall s", "time / grid"]
    cols += ["peak MiB", "best CV score", "score - grid", "fresh CV score"]
    cols += ["test accuracy"]
    print(markdown_table(rows, cols))
    print()
    print("\n".join(summary))


if __name__ == "__main__":
    main()
