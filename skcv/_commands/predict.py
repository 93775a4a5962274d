"""Predict the class of image files with a model file from ``skcv fit``.

Writes one line per file, ``file,label,probability``, to the terminal or to
``--csv``. A file that cannot be read gets an empty label and the reason, and
the command exits with status 1 after the other files are done.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from skcv._commands._common import add_reading_options, error, load, predict_files


def add_arguments(parser) -> None:
    """Add the command's options to ``parser``."""
    parser.add_argument("model", help="model file written by 'skcv fit'")
    parser.add_argument(
        "files", nargs="+", help="image files, or folders (searched recursively)"
    )
    parser.add_argument("--csv", default=None, help="write the lines to this file")
    add_reading_options(parser)


def _expand(items):
    """Files as given; folders replaced by their image files, sorted."""
    from skcv.io._imread import IMAGE_EXTENSIONS

    paths = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            paths.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in IMAGE_EXTENSIONS
                    and not f.name.startswith(".")
                )
            )
        elif p.is_file():
            paths.append(p)
        else:
            raise error(f"{item} does not exist")
    if not paths:
        raise error("no image files found in " + ", ".join(items))
    return paths


def run(args) -> int:
    """Run the command; return the exit status."""
    model = load(args.model, args.trusted)
    paths = _expand(args.files)
    labels, confidence, errors = predict_files(
        model, paths, batch_size=args.batch_size, quiet=args.quiet
    )
    out = open(args.csv, "w", newline="") if args.csv else sys.stdout  # noqa: SIM115
    try:
        writer = csv.writer(out)
        writer.writerow(["file", "label", "probability"])
        for path, label, p, err in zip(paths, labels, confidence, errors, strict=True):
            if err is not None:
                writer.writerow([str(path), "", f"error: {err}"])
            else:
                writer.writerow([str(path), label, "" if p != p else f"{p:.4f}"])
    finally:
        if args.csv:
            out.close()
    n_bad = sum(e is not None for e in errors)
    if args.csv:
        print(f"wrote {len(paths)} lines to {args.csv}")
    if n_bad:
        print(f"skcv: {n_bad} of {len(paths)} files could not be read", file=sys.stderr)
        return 1
    return 0
