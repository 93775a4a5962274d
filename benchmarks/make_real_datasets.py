"""Lay out real-photograph datasets as ``DATA_HOME/NAME/CLASS/*.jpg`` (or ``.png``).

Reads the images straight from a git snapshot of a public repository (see
``benchmarks/data_recipes.md`` for the repository, commit and folder of each data
set), optionally shrinks them so that the longest side is at most ``--max-side``
pixels (Lanczos, JPEG quality 90; PNG files stay PNG), and prints the per-class
counts and one SHA-256 checksum over the sorted relative paths and bytes it wrote.

Usage::

    python benchmarks/make_real_datasets.py GIT_DIR FOLDER DATA_HOME/NAME \
        [--max-side 300] [--exclude BACKGROUND_Google]

Only data comes out of the snapshot; nothing in it is run.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import tarfile
from collections import Counter
from pathlib import Path

from PIL import Image

_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".ppm", ".pgm"}


def convert(git_dir, folder, out, max_side=None, exclude=()):
    """Write the images of ``folder`` in ``git_dir`` to ``out/CLASS/``."""
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "HEAD", folder],
        check=True,
        capture_output=True,
    ).stdout
    out = Path(out)
    counts: Counter = Counter()
    written = []
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            path = Path(member.name)
            if not member.isfile() or path.suffix.lower() not in _EXTENSIONS:
                continue
            label = path.parent.name
            if label in exclude:
                continue
            data = tar.extractfile(member).read()
            image = Image.open(io.BytesIO(data))
            image.load()
            if max_side and max(image.size) > max_side:
                scale = max_side / max(image.size)
                size = tuple(max(1, round(s * scale)) for s in image.size)
                image = image.resize(size, Image.Resampling.LANCZOS)
            target = out / label / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() in {".jpg", ".jpeg"}:
                image = (
                    image.convert("RGB") if image.mode not in ("L", "RGB") else image
                )
                image.save(target.with_suffix(".jpg"), quality=90)
                target = target.with_suffix(".jpg")
            else:
                target = target.with_suffix(".png")
                image.save(target)
            counts[label] += 1
            written.append(target)
    digest = hashlib.sha256()
    for target in sorted(written):
        digest.update(str(target.relative_to(out)).encode())
        digest.update(target.read_bytes())
    return counts, digest.hexdigest()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir")
    parser.add_argument("folder")
    parser.add_argument("out")
    parser.add_argument("--max-side", type=int, default=None)
    parser.add_argument("--exclude", nargs="*", default=())
    args = parser.parse_args(argv)
    counts, digest = convert(
        args.git_dir, args.folder, args.out, args.max_side, set(args.exclude)
    )
    print(f"{len(counts)} classes, {sum(counts.values())} images")
    for label in sorted(counts):
        print(f"{label}: {counts[label]}")
    print(f"sha256 {digest}")


if __name__ == "__main__":
    main()
