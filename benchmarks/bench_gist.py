"""Benchmark GIST: skcv's fast and reference paths against straightforward peers.

Run from the repository root::

    python benchmarks/bench_gist.py [--data-home DIR] [--quick]

Tables:

1. 256x256 grey images (random crops of scikit-image's bundled photographs):
   images/s (best and median of several runs), images per CPU-second (robust when
   the machine is shared), peak memory, speed-up over the peer and agreement with
   the reference path. Peers: a straightforward LMgist in scipy.fft (float64, one
   image and one inverse FFT per filter) and a spatial Gabor bank with
   ``skimage.filters.gabor`` (same centre frequencies and orientations; timed on a
   few images only).
2. Memory bounded by ``batch_size``: 10,000 CIFAR-10 images (32x32, upscaled to
   ``image_size=64``; synthetic 32x32 crops when no CIFAR-10 is found) and the
   peak memory for several batch sizes.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import scipy.fft as sfft  # noqa: E402

from benchmarks import _common  # noqa: E402
from benchmarks._common import machine_line, markdown_table, parser  # noqa: E402
from skcv.datasets import load_cifar10  # noqa: E402
from skcv.feature import GISTExtractor  # noqa: E402
from skcv.feature._gist import _create_gabor, _filter_params  # noqa: E402


# ------------------------------------------------------------------------ data
def photo_crops(n: int, size: int, seed: int = 0) -> np.ndarray:
    """``n`` grey ``size x size`` float32 crops of scikit-image's photographs."""
    from skimage import data
    from skimage.color import rgb2gray

    names = [
        "astronaut",
        "camera",
        "coffee",
        "chelsea",
        "rocket",
        "brick",
        "grass",
        "gravel",
        "page",
        "text",
        "moon",
        "coins",
        "hubble_deep_field",
    ]
    photos = []
    for name in names:
        img = getattr(data, name)()
        img = rgb2gray(img) if img.ndim == 3 else img / 255.0
        if min(img.shape) >= size:
            photos.append(img.astype(np.float32))
    rng = np.random.default_rng(seed)
    out = np.empty((n, size, size), dtype=np.float32)
    for i in range(n):
        p = photos[i % len(photos)]
        r = rng.integers(0, p.shape[0] - size + 1)
        c = rng.integers(0, p.shape[1] - size + 1)
        out[i] = p[r : r + size, c : c + size]
    return out


def load_cifar_test(data_home: str | None):
    """CIFAR-10 test images (10,000, 32x32x3 uint8) or None."""
    try:
        return load_cifar10(data_home=data_home, subset="test").data
    except FileNotFoundError:
        return None


measure = _common.measure


# ----------------------------------------------------------------------- peers
def peer_scipy_per_filter(images: np.ndarray) -> np.ndarray:
    """Straightforward LMgist: scipy.fft in float64, one inverse FFT per filter."""
    size, be, n_blocks = images.shape[1], 32, 4
    n = size + 2 * be
    G = _create_gabor((8, 8, 8, 8), n, n)
    s1 = 4 / np.sqrt(np.log(2))
    npf = size + 10
    f = np.fft.fftfreq(npf) * npf
    gf = np.exp(-(f[:, None] ** 2 + f[None, :] ** 2) / s1**2)
    out = []
    for img in images:
        img = img.astype(np.float64)
        img = 255 * (img - img.min()) / max(img.max() - img.min(), 1e-12)
        x = np.pad(np.log(img + 1), 5, mode="symmetric")
        x = x - np.real(sfft.ifft2(sfft.fft2(x) * gf))
        x = x / (0.2 + np.sqrt(np.abs(sfft.ifft2(sfft.fft2(x**2) * gf))))
        x = np.pad(x[5:-5, 5:-5], be, mode="symmetric")
        F = sfft.fft2(x)
        feats = []
        for g in G:
            mag = np.abs(sfft.ifft2(F * g))[be:-be, be:-be]
            blocks = mag.reshape(n_blocks, size // n_blocks, n_blocks, -1).mean((1, 3))
            feats.append(blocks.T.ravel())
        out.append(np.concatenate(feats))
    return np.array(out)


def peer_skimage_gabor(images: np.ndarray) -> np.ndarray:
    """Spatial Gabor bank with skimage.filters.gabor on the prefiltered image."""
    from skimage.filters import gabor

    from skcv.feature._gist import _prefilt_reference

    out = []
    for img in images:
        img = img.astype(np.float64)
        img = 255 * (img - img.min()) / max(img.max() - img.min(), 1e-12)
        x = _prefilt_reference(img[..., None], 4.0)[..., 0]
        feats = []
        for _, f0, _, theta in _filter_params((8, 8, 8, 8)):
            real, imag = gabor(x, frequency=f0, theta=-theta, mode="reflect")
            mag = np.hypot(real, imag)
            feats.append(mag.reshape(4, 64, 4, 64).mean((1, 3)).T.ravel())
        out.append(np.concatenate(feats))
    return np.array(out)


# ------------------------------------------------------------------- helpers
def throughput(func, X, repeat):
    """Run ``func(X)`` ``repeat`` times: (result, best/s, median/s, per-CPU-s, MiB)."""
    walls, cpus, peak = [], [], 0.0
    result = None
    for _ in range(repeat):
        c0 = time.process_time()
        result, wall, mib = measure(func, X)
        cpus.append(time.process_time() - c0)
        walls.append(wall)
        peak = max(peak, mib)
    n = len(X)
    return (
        result,
        n / min(walls),
        n / statistics.median(walls),
        n / min(cpus),
        peak,
    )


def main():
    args = parser(__doc__.splitlines()[0]).parse_args()
    quick = args.quick
    n_img = 16 if quick else 128
    repeat = 3 if quick else 5
    print(f"# GIST benchmark ({machine_line()})")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")

    X = photo_crops(n_img, 256)
    fast1 = GISTExtractor(batch_size=32).fit(X[:2])
    fast2 = GISTExtractor(batch_size=32, n_jobs=2).fit(X[:2])
    ref = GISTExtractor(method="reference").fit(X[:2])
    fast1.transform(X[:4])  # build the cached transfer functions once
    n_ref = 4 if quick else 16
    ref_out, r_best, r_med, r_cpu, r_mem = throughput(ref.transform, X[:n_ref], 1)
    peer_out, p_best, p_med, p_cpu, p_mem = throughput(
        peer_scipy_per_filter, X[:n_ref], 1 if quick else 2
    )
    rows = []
    for name, est in [
        ("skcv GIST fast, n_jobs=1", fast1),
        ("skcv GIST fast, n_jobs=2", fast2),
    ]:
        out, best, med, cpu, mem = throughput(est.transform, X, repeat)
        corr = min(
            np.corrcoef(a, b)[0, 1] for a, b in zip(out[:n_ref], ref_out, strict=True)
        )
        rel = np.abs(out[:n_ref] - ref_out) / np.abs(ref_out)
        rows.append(
            {
                "method": name,
                "images": len(X),
                "img/s best": best,
                "img/s median": med,
                "img per CPU-s": cpu,
                "peak MiB": mem,
                "x peer (best)": best / p_best,
                "min corr vs ref": f"{corr:.6f}",
                "max / mean rel err": f"{rel.max():.1e} / {rel.mean():.1e}",
            }
        )
    corr_peer = min(
        np.corrcoef(a, b)[0, 1] for a, b in zip(peer_out, ref_out, strict=True)
    )
    rows.append(
        {
            "method": "skcv GIST reference (float64, per filter)",
            "images": n_ref,
            "img/s best": r_best,
            "img/s median": r_med,
            "img per CPU-s": r_cpu,
            "peak MiB": r_mem,
            "x peer (best)": r_best / p_best,
            "min corr vs ref": "1",
            "max / mean rel err": "0",
        }
    )
    rows.append(
        {
            "method": "peer: scipy.fft per filter (float64)",
            "images": n_ref,
            "img/s best": p_best,
            "img/s median": p_med,
            "img per CPU-s": p_cpu,
            "peak MiB": p_mem,
            "x peer (best)": 1.0,
            "min corr vs ref": f"{corr_peer:.6f}",
            "max / mean rel err": "-",
        }
    )
    n_sk = 1 if quick else 2
    sk_out, s_best, s_med, s_cpu, s_mem = throughput(peer_skimage_gabor, X[:n_sk], 1)
    corr_sk = np.corrcoef(sk_out[0], ref_out[0])[0, 1]
    rows.append(
        {
            "method": "peer: skimage.filters.gabor (spatial)",
            "images": n_sk,
            "img/s best": s_best,
            "img/s median": s_med,
            "img per CPU-s": s_cpu,
            "peak MiB": s_mem,
            "x peer (best)": s_best / p_best,
            "min corr vs ref": f"{corr_sk:.3f} (other filters)",
            "max / mean rel err": "-",
        }
    )
    print("## 256x256 grey images, default GIST (512-D)\n")
    print(markdown_table(rows))
    print(
        f"\nfast vs scipy.fft peer: x{rows[0]['img/s best'] / p_best:.1f} (n_jobs=1),"
        f" x{rows[1]['img/s best'] / p_best:.1f} (n_jobs=2); vs skimage.filters.gabor:"
        f" x{rows[0]['img/s best'] / s_best:.0f}"
    )
    print(f"load average after table 1: {os.getloadavg()[0]:.2f}\n")

    # ---------------------------------------------------------------- memory
    cifar = load_cifar_test(args.data_home)
    if cifar is None:
        source = "synthetic 32x32 crops (no CIFAR-10 found)"
        small = photo_crops(10_000, 32, seed=1)
    else:
        source = "CIFAR-10 test set, 32x32x3 uint8 (grey = mean of channels)"
        small = cifar
    n_small = 2_000 if quick else 10_000
    # float32 input: the validation then neither copies nor rescales it.
    small = np.asarray(small[:n_small], dtype=np.float32)
    if small.max() > 1:
        small /= 255.0
    mem_rows = []
    configs = [(n_small, 16), (n_small, 64), (n_small, 256), (n_small // 5, 64)]
    for n, batch_size in configs:
        ext = GISTExtractor(
            image_size=64, boundary_extension=8, batch_size=batch_size
        ).fit(small[:2])
        ext.transform(small[:2])
        gc.collect()
        tracemalloc.start()
        c0, t0 = time.process_time(), time.perf_counter()
        out = ext.transform(small[:n])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        mem_rows.append(
            {
                "images": n,
                "batch_size": batch_size,
                "wall s": wall,
                "img/s": n / wall,
                "img per CPU-s": n / cpu,
                "peak MiB (numpy, tracemalloc)": traced,
                "output MiB": out.nbytes / 2**20,
                "peak - output MiB": traced - out.nbytes / 2**20,
            }
        )
    print(f"## Memory: {source}, upscaled to image_size=64\n")
    print(
        f"input: {small.nbytes / 2**20:.1f} MiB float32 (passed in, not counted); "
        "the input validation makes one full-size boolean isfinite mask "
        f"({small.size / 2**20:.1f} MiB for all images) before any batch runs.\n"
    )
    print(markdown_table(mem_rows))

    # ------------------------------------------------ working memory vs batch_size
    n_mem = 32 if quick else 128
    rows3 = []
    for batch_size in (8, 32, 128):
        ext = GISTExtractor(batch_size=batch_size).fit(X[:2])
        gc.collect()
        tracemalloc.start()
        out = ext.transform(X[:n_mem])
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        rows3.append(
            {
                "images (256x256 float32)": n_mem,
                "batch_size": batch_size,
                "peak MiB (numpy, tracemalloc)": traced,
                "peak / batch_size MiB": traced / batch_size,
            }
        )
    print(
        f"\n## Working memory vs batch_size at 256x256 (input {n_mem * 0.25:.0f} "
        "MiB, not counted; its isfinite mask is counted)\n"
    )
    print(markdown_table(rows3))


if __name__ == "__main__":
    main()
