"""Score a model file on a labelled folder: report and confusion matrix.

The folder has the layout ``skcv fit`` reads (one sub-folder per class). Prints
the accuracy and a per-class report and saves the confusion matrix as a figure.
"""

from __future__ import annotations

import numpy as np

from skcv._commands._common import (
    add_reading_options,
    error,
    load,
    load_folder,
    predict_files,
)


def add_arguments(parser) -> None:
    """Add the command's options to ``parser``."""
    parser.add_argument("model", help="model file written by 'skcv fit'")
    parser.add_argument("folder", help="folder with one sub-folder of images per class")
    parser.add_argument(
        "--output", default="confusion_matrix.png", help="confusion matrix figure"
    )
    parser.add_argument("--no-plot", action="store_true", help="do not save a figure")
    add_reading_options(parser)


def run(args) -> int:
    """Run the command; return the exit status."""
    from sklearn.metrics import accuracy_score, classification_report

    model = load(args.model, args.trusted)
    data = load_folder(args.folder)
    y_true = np.asarray(data.target_names, dtype=object)[data.target].astype(str)
    labels, _, errors = predict_files(
        model, list(data.filenames), batch_size=args.batch_size, quiet=args.quiet
    )
    bad = [p for p, e in zip(data.filenames, errors, strict=True) if e is not None]
    keep = np.array([e is None for e in errors])
    if not keep.any():
        raise error(f"no image in {args.folder} could be read")
    y_true, y_pred = y_true[keep], labels[keep].astype(str)
    known = set(map(str, model.classes_))
    unknown = sorted(set(y_true) - known)
    if unknown:
        print(f"note: classes the model never saw: {', '.join(unknown)}")
    print(f"{keep.sum()} images, accuracy {accuracy_score(y_true, y_pred):.3f}")
    print(classification_report(y_true, y_pred, digits=3, zero_division=0))
    if bad:
        print(f"skipped {len(bad)} unreadable files: {', '.join(map(str, bad[:5]))}")
    if not args.no_plot:
        from skcv.utils._optional import has_module

        if has_module("matplotlib"):
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from sklearn.metrics import ConfusionMatrixDisplay

            fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
            ConfusionMatrixDisplay.from_predictions(
                y_true, y_pred, ax=ax, colorbar=False, xticks_rotation=45
            )
            ax.set_title(f"{args.model} on {args.folder}", fontsize=9)
            fig.savefig(args.output, dpi=100)
            plt.close(fig)
            print(f"saved {args.output}")
        else:
            print("matplotlib is not installed: no figure (pip install 'skcv[cli]')")
    return 1 if bad else 0
