"""Texture classification on scikit-image's bundled textures (no download).

Patches of brick, grass and gravel (:func:`skcv.datasets.load_textures`) are
classified by a ``Pipeline`` whose ``"features"`` step turns every patch into a
texture descriptor (mean and standard deviation of the absolute responses of a
filter bank, :class:`skcv.feature.FilterBankExtractor`), followed by standard
scaling and an RBF support vector machine. ``GridSearchCV`` with ``KFold`` picks
the filter bank (MR8 or Schmid) and ``C`` on the training patches; the held-out
patches give the classification report.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

DEFAULT_OUTPUT = "skcv_demo_textures.png"


def build_search(patch_shape, *, banks, Cs, n_splits, random_state, n_jobs):
    """Build the demo's ``GridSearchCV(Pipeline(features, scale, clf), KFold)``."""
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from skcv.feature import FilterBankExtractor

    pipe = Pipeline(
        [
            (
                "features",
                FilterBankExtractor(
                    bank="mr8", statistics=("mean", "std"), image_shape=patch_shape
                ),
            ),
            ("scale", StandardScaler()),
            ("clf", SVC(kernel="rbf")),
        ]
    )
    grid = {"features__bank": list(banks), "clf__C": list(Cs)}
    cv = KFold(n_splits, shuffle=True, random_state=random_state)
    return GridSearchCV(pipe, grid, cv=cv, n_jobs=n_jobs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the demo's options to ``parser``."""
    parser.add_argument("--patch-size", type=int, default=64, help="patch side")
    parser.add_argument(
        "--n-patches",
        type=int,
        default=None,
        help="patches per texture (default: all non-overlapping ones)",
    )
    parser.add_argument("--n-splits", type=int, default=5, help="KFold splits")
    parser.add_argument(
        "--random-state", type=int, default=0, help="seed for patches and folds"
    )
    parser.add_argument(
        "--n-jobs", type=int, default=None, help="GridSearchCV jobs (None: 1)"
    )
    parser.add_argument(
        "--output", default=DEFAULT_OUTPUT, help="figure file (needs matplotlib)"
    )
    parser.add_argument("--no-plot", action="store_true", help="do not save a figure")
    parser.add_argument(
        "--quick", action="store_true", help="few patches and a small grid (tests)"
    )


def _plot(path, X_test, y_test, y_pred, names, search):
    from skcv.utils._optional import import_optional

    matplotlib = import_optional("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    n_show = 4
    fig = plt.figure(figsize=(10, 5.5), layout="constrained")
    grid = fig.add_gridspec(len(names), n_show + 3)
    for label in range(len(names)):
        idx = np.flatnonzero(y_test == label)[:n_show]
        for j, i in enumerate(idx):
            ax = fig.add_subplot(grid[label, j])
            ax.imshow(X_test[i], cmap="gray", vmin=0, vmax=255)
            ok = y_pred[i] == y_test[i]
            ax.set_title(names[y_pred[i]], fontsize=8, color="k" if ok else "r")
            ax.set_axis_off()
    ax = fig.add_subplot(grid[:, n_show:])
    ConfusionMatrixDisplay.from_predictions(
        y_test, y_pred, display_labels=names, ax=ax, colorbar=False
    )
    ax.set_title(
        f"held-out patches (CV accuracy {search.best_score_:.3f})", fontsize=10
    )
    fig.suptitle("skcv demo: texture classification (filter-bank features + SVC)")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    """Run the demo; print CV accuracy, best parameters and a report."""
    from sklearn.metrics import accuracy_score, classification_report
    from sklearn.model_selection import train_test_split

    from skcv.datasets import load_textures
    from skcv.utils._optional import has_module

    start = time.perf_counter()
    if args.quick:
        patch_size, n_patches = 64, args.n_patches or 24
        banks, Cs, n_splits = ("mr8",), (1.0, 10.0), min(args.n_splits, 3)
    else:
        patch_size, n_patches = args.patch_size, args.n_patches
        banks, Cs, n_splits = ("mr8", "schmid"), (1.0, 10.0, 100.0), args.n_splits
    data = load_textures(
        patch_size=patch_size, n_patches=n_patches, random_state=args.random_state
    )
    X, y, names = data.data, data.target, data.target_names
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.random_state
    )
    print(
        f"skcv texture demo: {len(X)} patches of {patch_size}x{patch_size} from "
        f"{', '.join(names)} ({len(X_train)} train / {len(X_test)} held out)"
    )
    search = build_search(
        (patch_size, patch_size),
        banks=banks,
        Cs=Cs,
        n_splits=n_splits,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
    )
    search.fit(X_train.reshape(len(X_train), -1), y_train)
    best = search.best_index_
    std = search.cv_results_["std_test_score"][best]
    params = dict(search.best_params_)
    print(f"{n_splits}-fold CV accuracy: {search.best_score_:.3f} +/- {std:.3f}")
    print(f"best parameters: {params}")
    y_pred = search.predict(X_test.reshape(len(X_test), -1))
    print(f"held-out accuracy: {accuracy_score(y_test, y_pred):.3f}")
    print(classification_report(y_test, y_pred, target_names=names, digits=3))
    if not args.no_plot:
        if has_module("matplotlib"):
            _plot(args.output, X_test, y_test, y_pred, names, search)
            print(f"figure saved to {args.output}")
        else:
            print("matplotlib is not installed: no figure (pip install 'skcv[plot]')")
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0
