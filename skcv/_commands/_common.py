"""Shared parts of the ``fit``, ``predict`` and ``evaluate`` commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

# What each ``skcv fit --model`` trains: a name -> (one-line description, builder).
MODEL_HELP = {
    "texture": "filter-bank (MR8) texture statistics + softmax classifier",
    "scene": "GIST scene descriptor (colour) + softmax classifier",
    "bow": "dense SIFT bag of visual words with a spatial pyramid + chi2 map + "
    "softmax classifier",
    "cnn": "a convolutional network trained on the images (needs torch)",
}


def positive_int(text: str) -> int:
    """Argparse type: an int >= 1 (0 or less is a usage error, not a traceback)."""
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    """Argparse type: an int >= 0."""
    return _int_at_least(text, 0)


def _int_at_least(text: str, low: int) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {value}")
    return value


def add_reading_options(parser) -> None:
    """Add the options of commands that read a model file and images."""
    parser.add_argument(
        "--batch-size", type=positive_int, default=64, help="images decoded at a time"
    )
    parser.add_argument(
        "--trusted",
        action="append",
        default=[],
        help="a type name to trust in the model file (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def error(message: str):
    """Return the CLI's one-line error (imported late: _cli imports commands)."""
    from skcv._cli import CLIError

    return CLIError(message)


def progress(iterable, *, total: int, desc: str, quiet: bool):
    """Wrap ``iterable`` in a tqdm progress bar on stderr when tqdm is there."""
    if quiet:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, unit="batch", file=sys.stderr)


def batches(items, batch_size: int):
    """Yield consecutive slices of ``items`` of at most ``batch_size``."""
    for start in range(0, len(items), batch_size):
        yield items[start : start + batch_size]


def load_folder(folder):
    """Read a class-per-subfolder folder; CLIError when it is unusable."""
    from skcv.datasets import load_image_folder

    if not Path(folder).is_dir():
        raise error(f"{folder} is not a folder")
    try:
        data = load_image_folder(folder)
    except (ValueError, OSError) as exc:
        raise error(str(exc)) from None
    return data


def load(model_file, trusted=()):
    """Load a model file; CLIError when it is missing, broken or untrusted."""
    from skcv.io import load_model

    if not os.path.isfile(model_file):
        raise error(f"model file {model_file} does not exist")
    try:
        return load_model(model_file, trusted=list(trusted or ()))
    except ValueError as exc:
        raise error(str(exc)) from None
    except ImportError as exc:
        raise error(str(exc)) from None


def predict_files(model, paths, *, batch_size: int, quiet: bool):
    """Predict labels (and the top probability) for image files, in batches.

    A batch with an unreadable file is predicted file by file, so that one bad
    file costs only its own row. Returns ``(labels, confidences, errors)`` where
    ``errors[i]`` is the message for a file that could not be read (else None).
    """
    from skcv.io import ImageReadError

    paths = [os.fspath(p) for p in paths]
    labels = np.empty(len(paths), dtype=object)
    confidence = np.full(len(paths), np.nan)
    errors: list[str | None] = [None] * len(paths)
    has_proba = hasattr(model, "predict_proba")
    n_batches = -(-len(paths) // batch_size)

    def run(chunk):
        if has_proba:
            proba = model.predict_proba(chunk)
            return model.classes_[proba.argmax(axis=1)], proba.max(axis=1)
        return model.predict(chunk), np.full(len(chunk), np.nan)

    index = np.arange(len(paths))
    for idx in progress(
        batches(index, batch_size), total=n_batches, desc="predict", quiet=quiet
    ):
        chunk = [paths[i] for i in idx]
        try:
            labels[idx], confidence[idx] = run(chunk)
        except (ImageReadError, OSError):
            for i in idx:
                try:
                    (labels[i],), (confidence[i],) = run([paths[i]])
                except (ImageReadError, OSError) as exc:
                    errors[i] = str(exc)
    return labels, confidence, errors
