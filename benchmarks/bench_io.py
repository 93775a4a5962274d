"""Benchmark reading images from files: decoders, features and CNN epochs over paths.

Run from the repository root::

    python benchmarks/bench_io.py [--n 500] [--quick] [--tables decode,features,...]

It writes ``--n`` JPEGs (256x256 random crops of scikit-image's bundled colour
photographs, quality 90) to a temporary folder, then prints markdown tables:

1. ``decode``: images/s of each decoder over the same files, its ratio to a plain
   Pillow loop, and the peak resident memory added while decoding (results
   discarded). Decoders: a plain Pillow loop, :func:`skcv.io.imread`,
   ``skimage.io.imread``, ``cv2.imread`` and ``simplejpeg`` when installed; plus
   a reduce-on-decode row (256 -> 64 pixels: ``imread(size=64)`` against Pillow
   decode + resize).
2. ``features``: GIST and dense-SIFT bag of visual words over the files ("paths")
   and over the same images already decoded into one array ("arrays"); each run in a
   fresh subprocess, so its peak RSS (``ru_maxrss``) is its own, at
   N = ``--n`` // 10 and N = ``--n``: memory over paths must not grow with N.
3. ``varied``: per-image cost of every feature transformer on photographs of
   varied sizes (and a few grey ones) against the same images resized to one size.
4. ``cnn``: one CNNClassifier epoch from paths against one from arrays.

Path input: when a transformer's ``transform`` accepts a list of file paths
(DESIGN section 2, form 4), the "paths" rows pass the paths straight in. Until then
they decode one batch at a time with ``skcv.io.imread_collection`` and transform that
batch (memory still bounded by one batch), and the table says "imread batches".
The switch is one line: :func:`transform_paths`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks._common import (  # noqa: E402
    machine_line,
    markdown_table,
    measure,
    parser,
)
import skcv.io._imread as _imread_module  # noqa: E402
from skcv.io import imread, imread_collection  # noqa: E402

PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "immunohistochemistry",
    "hubble_deep_field",
    "retina",
    "colorwheel",
)
SIZE = 256  # side of the one-size crops
FEATURE_SIZE = 128  # GIST image_size / decoded size in the feature rows


# ------------------------------------------------------------------------ data
def _photos() -> list[np.ndarray]:
    from skimage import data

    return [getattr(data, name)()[..., :3] for name in PHOTOS]


def write_jpegs(
    folder: str,
    n: int,
    *,
    size: int = SIZE,
    varied: bool = False,
    grey_every: int = 0,
    seed: int = 0,
    quality: int = 90,
) -> list[str]:
    """Write ``n`` JPEG crops of the bundled photographs; return their paths.

    One-size crops are ``size x size``. With ``varied``, each crop's height and
    width are drawn in ``[size // 2, 3 * size // 2]``; ``grey_every=k`` saves every
    k-th file grey.
    """
    os.makedirs(folder, exist_ok=True)
    photos = _photos()
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        photo = photos[i % len(photos)]
        h = w = size
        if varied:
            h, w = rng.integers(size // 2, 3 * size // 2 + 1, size=2)
        h, w = min(h, photo.shape[0]), min(w, photo.shape[1])
        r = rng.integers(0, photo.shape[0] - h + 1)
        c = rng.integers(0, photo.shape[1] - w + 1)
        image = Image.fromarray(photo[r : r + h, c : c + w])
        if grey_every and i % grey_every == grey_every - 1:
            image = image.convert("L")
        path = os.path.join(folder, f"{i:06d}.jpg")
        image.save(path, quality=quality)
        paths.append(path)
    return paths


# -------------------------------------------------------------------- decoders
def _pillow(path):
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def _skimage(path):
    import skimage.io

    return skimage.io.imread(path)


def _cv2(path):
    import cv2

    flag = getattr(cv2, "IMREAD_COLOR_RGB", None)
    if flag is not None:
        return cv2.imread(path, flag)
    return cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _simplejpeg(path):
    import simplejpeg

    with open(path, "rb") as fh:
        return simplejpeg.decode_jpeg(fh.read())


def _pillow_resize(path, side=64):
    with Image.open(path) as img:
        return np.asarray(
            img.convert("RGB").resize((side, side), Image.Resampling.BILINEAR)
        )


def _simplejpeg_resize(path, side=64):
    import simplejpeg

    with open(path, "rb") as fh:
        image = simplejpeg.decode_jpeg(fh.read(), min_height=side, min_width=side)
    return np.asarray(Image.fromarray(image).resize((side, side), Image.BILINEAR))


def _imread_pillow_only(path, **kwargs):
    """skcv.io.imread with the optional simplejpeg path switched off."""
    saved = _imread_module._SIMPLEJPEG
    _imread_module._SIMPLEJPEG = None
    try:
        return imread(path, **kwargs)
    finally:
        _imread_module._SIMPLEJPEG = saved


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def decoders() -> dict:
    """``{row name: function(path) -> array}``; the first row is the baseline."""
    found = {"Pillow loop (open + convert RGB)": _pillow}
    if _has("simplejpeg"):
        found["skcv.io.imread (simplejpeg, skcv[fast])"] = imread
        found["skcv.io.imread (Pillow only)"] = _imread_pillow_only
    else:
        found["skcv.io.imread (Pillow)"] = imread
    found["skimage.io.imread"] = _skimage
    if _has("cv2"):
        found["cv2.imread"] = _cv2
    if _has("simplejpeg"):
        found["simplejpeg.decode_jpeg (bare)"] = _simplejpeg
    return found


def resize_decoders() -> dict:
    """Reduce-on-decode rows: 256x256 files read at 64x64."""
    found = {"Pillow decode + resize to 64": _pillow_resize}
    if _has("simplejpeg"):
        found["skcv.io.imread(size=64) (simplejpeg)"] = lambda p: imread(p, size=64)
        found["skcv.io.imread(size=64) (Pillow draft)"] = lambda p: _imread_pillow_only(
            p, size=64
        )
    else:
        found["skcv.io.imread(size=64) (Pillow draft)"] = lambda p: imread(p, size=64)
    return found


def _decode_all(func, paths):
    for path in paths:
        func(path)


def decode_rows(paths: list[str], repeat: int) -> list[dict]:
    """One row per decoder: images/s, per CPU-second, ratio, peak MiB.

    Decoders run in turns (``repeat`` rounds, best round kept) so that load from
    other processes hits every row alike.
    """
    rows = []
    for group in (decoders(), resize_decoders()):
        best = dict.fromkeys(group, np.inf)
        cpu = dict.fromkeys(group, np.inf)
        peak = dict.fromkeys(group, 0.0)
        for func in group.values():
            func(paths[0])  # import and warm up
        for _ in range(repeat):
            for name, func in group.items():
                c0 = time.process_time()
                _, seconds, mib = measure(_decode_all, func, paths)
                cpu[name] = min(cpu[name], time.process_time() - c0)
                best[name] = min(best[name], seconds)
                peak[name] = max(peak[name], mib)
        base = len(paths) / best[next(iter(group))]
        for name in group:
            rate = len(paths) / best[name]
            rows.append(
                {
                    "decoder": name,
                    "images/s": rate,
                    "images/CPU-s": len(paths) / cpu[name],
                    "ratio": rate / base,
                    "peak RSS added (MiB)": peak[name],
                }
            )
    return rows
