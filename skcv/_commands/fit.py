"""Train a classifier on a folder of images (one sub-folder per class).

The folder holds one sub-folder per class (``DIR/cat/*.jpg``, ``DIR/dog/*.jpg``);
images may differ in size and mix grey, colour and transparency. The model is
cross-validated on the folder (``--cv`` folds, stratified), then fitted on all of
it and written to a ``.skops`` file that ``skcv predict`` and ``skcv evaluate``
read (safe to share: loading it runs no code from the file).

models:
  texture  filter-bank (MR8) texture statistics + softmax classifier
  scene    GIST scene descriptor (colour) + softmax classifier
  bow      dense SIFT bag of visual words with a spatial pyramid + chi2 map +
           softmax classifier
  cnn      a convolutional network trained on the images (needs torch; the score
           is on a held-out tenth instead of cross-validation)
"""

from __future__ import annotations

import time

import numpy as np

from skcv._commands._common import (
    MODEL_HELP,
    batches,
    error,
    load_folder,
    non_negative_int,
    positive_int,
    progress,
)


def add_arguments(parser) -> None:
    """Add the command's options to ``parser``."""
    parser.add_argument("folder", help="folder with one sub-folder of images per class")
    parser.add_argument(
        "--model", choices=sorted(MODEL_HELP), default="scene", help="what to train"
    )
    parser.add_argument(
        "-o", "--output", default="model.skops", help="model file to write"
    )
    parser.add_argument(
        "--cv",
        type=non_negative_int,
        default=5,
        help="cross-validation folds (0: no score)",
    )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=None,
        help="side images are resized to, for scene and cnn (default: 128; cnn: 32)",
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=20, help="training epochs (cnn only)"
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=64, help="images decoded at a time"
    )
    parser.add_argument("--random-state", type=int, default=0, help="random seed")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def build_features(name: str, image_size: int, batch_size: int, random_state: int):
    """Return the feature step of the ``--model`` pipeline (None for cnn)."""
    from skcv.feature import BagOfVisualWords, FilterBankExtractor, GISTExtractor

    if name == "texture":
        return FilterBankExtractor(
            bank="mr8", statistics=("mean", "std"), batch_size=batch_size
        )
    if name == "scene":
        return GISTExtractor(image_size=image_size, color=True, batch_size=batch_size)
    return BagOfVisualWords(
        n_words=200, pyramid_levels=2, batch_size=batch_size, random_state=random_state
    )


def build_head(name: str, random_state: int):
    """Return the classifier that follows the feature step."""
    from sklearn.kernel_approximation import AdditiveChi2Sampler
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skcv.linear_model import SoftmaxClassifier

    clf = SoftmaxClassifier(alpha=1e-3, random_state=random_state)
    if name == "bow":
        return make_pipeline(AdditiveChi2Sampler(), StandardScaler(), clf)
    return make_pipeline(StandardScaler(), clf)


def _cv_folds(y, requested: int) -> int:
    smallest = int(np.unique(y, return_counts=True)[1].min())
    return min(requested, smallest)


def _fit_cnn(args, paths, y, image_size):
    from skcv.utils._optional import import_optional

    import_optional("torch")
    from skcv.cnn import CNNClassifier

    clf = CNNClassifier(
        module="auto",
        epochs=args.epochs,
        image_size=image_size,
        resize="stretch",
        early_stopping=True,
        n_iter_no_change=args.epochs,
        random_state=args.random_state,
        verbose=0 if args.quiet else 1,
    )
    clf.fit(paths, y)
    best = max(clf.best_epoch_, 1)
    kept = clf.history_[best - 1]["valid_accuracy"]
    print(
        f"held-out accuracy (validation tenth): {kept:.3f} at epoch "
        f"{best} of {clf.n_iter_} (the kept epoch was chosen on this "
        "tenth, so the figure is slightly optimistic)"
    )
    return clf


def run(args) -> int:
    """Run the command; return the exit status."""
    from skcv.io import ImageReadError, save_model

    start = time.perf_counter()
    data = load_folder(args.folder)
    paths = list(data.filenames)
    y = np.asarray(data.target_names, dtype=object)[data.target].astype(str)
    counts = np.unique(y, return_counts=True)[1]
    if len(counts) < 2:
        raise error(f"{args.folder} has one class folder; a classifier needs two")
    print(
        f"{len(paths)} images in {len(counts)} classes "
        f"({', '.join(data.target_names)}); model '{args.model}': "
        f"{MODEL_HELP[args.model]}"
    )
    if data.n_ignored:
        shown = ", ".join(map(str, data.ignored[:3]))
        more = ", ..." if data.n_ignored > 3 else ""
        print(f"ignored {data.n_ignored} hidden or non-image files ({shown}{more})")
    image_size = args.image_size or (32 if args.model == "cnn" else 128)
    try:
        model = _train(args, paths, y, image_size)
    except ImageReadError as exc:
        raise error(f"{exc} Remove or replace the file and run again.") from None
    save_model(model, args.output)
    print(f"saved {args.output} ({time.perf_counter() - start:.1f} s)")
    return 0


def _train(args, paths, y, image_size):
    """Fit the ``--model`` on the files; return the fitted model."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import Pipeline

    if args.model == "cnn":
        model = _fit_cnn(args, paths, y, image_size)
    else:
        features = build_features(
            args.model, image_size, args.batch_size, args.random_state
        )
        features.fit(paths, y)
        n_batches = -(-len(paths) // args.batch_size)
        X = np.concatenate(
            [
                features.transform(chunk)
                for chunk in progress(
                    batches(paths, args.batch_size),
                    total=n_batches,
                    desc="features",
                    quiet=args.quiet,
                )
            ]
        )
        head = build_head(args.model, args.random_state)
        folds = _cv_folds(y, args.cv)
        if args.cv and folds >= 2:
            cv = StratifiedKFold(folds, shuffle=True, random_state=args.random_state)
            scores = cross_val_score(head, X, y, cv=cv)
            note = ""
            if args.model == "bow":  # the folds share the vocabulary (no labels)
                note = " (the vocabulary was learned once, from every image)"
            print(
                f"{folds}-fold cross-validated accuracy: {scores.mean():.3f} "
                f"+/- {scores.std():.3f}{note}"
            )
        elif args.cv:
            print("too few images per class for cross-validation: no score")
        head.fit(X, y)
        model = Pipeline([("features", features), *head.steps])
    return model
