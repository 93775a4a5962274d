"""Varied-size folders vs one size: per-image cost of every feature transformer.

Run from the repository root::

    python benchmarks/bench_io_varied.py [--quick] [--n N]

A "folder of photographs" is synthesised from scikit-image's bundled photos:
``N`` random crops of random sizes (short side 160..400 pixels), a few of them grey
and a few RGBA, as a list of uint8 arrays (what ``skcv.io.imread`` returns). The
reference is the same images resized to one size of the same mean area. Each
transformer is fitted once, then ``transform`` is timed on both inputs in one
process (CPU time of this process, best of ``--repeat``, so that other processes on
a shared machine disturb the ratio less). The table gives the per-image cost of
each input and their ratio; issue 17 asks for a ratio within 1.5.

``varied_size_rows(n, ...)`` is the function ``bench_io.py`` can call to print the
same row.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from skimage import data
from skimage.transform import resize

from benchmarks._common import machine_line, markdown_table, parser

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "moon")


def varied_folder(n: int, seed: int = 0, low: int = 160, high: int = 400):
    """``n`` uint8 crops of random sizes; every 7th grey, every 11th RGBA."""
    rng = np.random.default_rng(seed)
    photos = [getattr(data, name)() for name in PHOTOS]
    images = []
    for i in range(n):
        photo = photos[i % len(photos)]
        h, w = (int(v) for v in rng.integers(low, high, size=2))
        scale = max(h / photo.shape[0], w / photo.shape[1], 1.0)
        if scale > 1.0:
            big = tuple(int(np.ceil(s * scale)) for s in photo.shape[:2])
            photo = resize(photo, big, preserve_range=True).astype(np.uint8)
        r = int(rng.integers(0, photo.shape[0] - h + 1))
        c = int(rng.integers(0, photo.shape[1] - w + 1))
        crop = photo[r : r + h, c : c + w]
        if i % 7 == 3 and crop.ndim == 3:
            crop = crop.mean(axis=2).astype(np.uint8)
        elif crop.ndim == 2 and i % 7 != 3:
            crop = np.repeat(crop[..., None], 3, axis=2)
        if i % 11 == 5 and crop.ndim == 3:
            crop = np.dstack([crop, np.full(crop.shape[:2], 255, np.uint8)])
        images.append(np.ascontiguousarray(crop))
    return images


def same_size(images):
    """The same images resized to one square size of the same mean area."""
    side = int(round(np.sqrt(np.mean([im.shape[0] * im.shape[1] for im in images]))))
    return [
        resize(im, (side, side) + im.shape[2:], preserve_range=True).astype(np.uint8)
        for im in images
    ], side


def transformers(quick: bool):
    from skcv.feature import (
        BagOfVisualWords,
        CannyEdgeDetector,
        FilterBankExtractor,
        GISTExtractor,
        TextonEncoder,
    )

    return {
        "GISTExtractor": GISTExtractor(),
        "FilterBankExtractor": FilterBankExtractor(),
        "BagOfVisualWords": BagOfVisualWords(n_words=50, random_state=0),
        "TextonEncoder": TextonEncoder(n_textons=8, random_state=0),
        "CannyEdgeDetector": CannyEdgeDetector(output="histogram"),
    }


def _cpu_time(func, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        func()
        best = min(best, time.process_time() - t0)
    return best


def varied_size_rows(n: int = 48, *, repeat: int = 2, quick: bool = False, seed=0):
    """One row per feature transformer: per-image CPU seconds, varied vs one size."""
    varied = varied_folder(n, seed)
    same, side = same_size(varied)
    rows = []
    for name, est in transformers(quick).items():
        est.fit(varied[: min(n, 12)])
        est.transform(same[:2])  # warm-up (imports, caches for one size)
        t_same = _cpu_time(lambda est=est: est.transform(same), repeat)
        t_var = _cpu_time(lambda est=est: est.transform(varied), repeat)
        rows.append(
            {
                "transformer": name,
                "images": n,
                f"one size {side}x{side} (ms/img)": 1e3 * t_same / n,
                "varied sizes (ms/img)": 1e3 * t_var / n,
                "ratio": t_var / t_same,
            }
        )
    return rows


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=None, help="images (default 48, quick 16)")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    n = args.n or (16 if args.quick else 48)
    print(machine_line())
    print(markdown_table(varied_size_rows(n, repeat=args.repeat, quick=args.quick)))


if __name__ == "__main__":
    main()
