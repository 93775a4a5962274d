"""Benchmark skcv.filters against scikit-image, OpenCV and scipy.ndimage.

Run from the repository root::

    python benchmarks/bench_filters.py [--quick]

On 512x512 images bundled with scikit-image (camera, astronaut in grey, brick,
moon) it times, in one process (median of ``--repeat`` runs):

* ``skcv.filters.canny`` vs ``skimage.feature.canny`` (same sigma, thresholds and
  border mode, float32 input) vs ``cv2.Canny`` after ``cv2.GaussianBlur`` with the
  same Gaussian (9x9 taps for sigma=1, scikit-image's truncation) and the same
  thresholds on the L2 Sobel magnitude; with the F-measure of each edge map
  against scikit-image's;
* ``gaussian_filter``, ``median_filter`` and ``convolve`` (5x5 direct, 7x7 rank-1
  separable, 31x31 FFT) vs ``scipy.ndimage`` with the same kernels and modes,
  with the largest absolute difference.

The functions of a row are called in alternation (``paired``), so a changing
load on a shared machine affects them alike.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from scipy import ndimage as ndi  # noqa: E402
from skimage import color, data, feature  # noqa: E402

import benchmarks._common as common  # noqa: E402
from benchmarks._common import machine_line, markdown_table, parser  # noqa: E402
from skcv.filters import canny, convolve, gaussian_filter, median_filter  # noqa: E402

try:  # OpenCV is a test extra, not a dependency.
    import cv2

    cv2.setNumThreads(1)  # single-threaded, like skcv and scikit-image
except ImportError:  # pragma: no cover
    cv2 = None


class _Sampler(threading.Thread):
    """Copy of ``_common._PeakSampler`` whose stop event does not shadow
    ``Thread._stop`` (the shared one raises "'Event' object is not callable")."""

    def __init__(self, interval=0.002):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = common._rss_bytes()
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, common._rss_bytes())
            time.sleep(self.interval)

    def stop(self):
        self._halt.set()
        self.join()
        return max(self.peak, common._rss_bytes())


def measure(func, *args, repeat=1, **kwargs):
    """``_common.measure``, falling back to a fixed sampler if the shared one fails."""
    try:
        return common.measure(func, *args, repeat=repeat, **kwargs)
    except TypeError as exc:
        if "not callable" not in str(exc):
            raise
    common._PeakSampler = _Sampler
    return common.measure(func, *args, repeat=repeat, **kwargs)


CPU_TIMES = []  # CPU-time medians of the last ``paired`` call


def paired(funcs, repeat):
    """Time several functions in alternation; return results, medians, peak MiB.

    On a shared machine the load changes during a run; alternating the calls
    (a, b, c, a, b, c, ...) exposes every function to the same load, so the
    ratios of the medians are fair. Peak memory comes from ``measure`` (3 runs).
    """
    results, peaks = [], []
    for func in funcs:
        result, _, peak = measure(func, repeat=min(repeat, 3))
        results.append(result)
        peaks.append(peak)
    times = [[] for _ in funcs]
    cpu = [[] for _ in funcs]
    for _ in range(repeat):
        for i, func in enumerate(funcs):
            t0, c0 = time.perf_counter(), time.process_time()
            func()
            times[i].append(time.perf_counter() - t0)
            cpu[i].append(time.process_time() - c0)
    CPU_TIMES[:] = [float(np.median(c)) for c in cpu]
    return results, [float(np.median(t)) for t in times], peaks


def f_measure(edges, reference):
    tp = np.logical_and(edges, reference).sum()
    return 2.0 * tp / max(edges.sum() + reference.sum(), 1)


def images(quick):
    out = {
        "camera": data.camera(),
        "astronaut": (color.rgb2gray(data.astronaut()) * 255).astype(np.uint8),
        "brick": data.brick(),
        "moon": data.moon(),
    }
    return dict(list(out.items())[:1]) if quick else out


def bench_canny(name, image_u8, repeat, sigma=1.0, low=0.1, high=0.2):
    image = image_u8.astype(np.float32) / 255
    radius = int(4 * sigma + 0.5)

    def opencv():
        blurred = cv2.GaussianBlur(
            image_u8,
            (2 * radius + 1, 2 * radius + 1),
            sigma,
            borderType=cv2.BORDER_REFLECT,
        )
        return cv2.Canny(blurred, 255 * low, 255 * high, L2gradient=True) > 0

    funcs = [
        lambda: canny(image, sigma, low, high),
        lambda: feature.canny(image, sigma, low, high),
    ]
    if cv2 is not None:
        funcs.append(opencv)
    results, times, peaks = paired(funcs, repeat)
    ours, ref = results[:2]
    rows = [
        {
            "task": f"canny sigma={sigma:g}",
            "image": name,
            "skcv ms": 1e3 * times[0],
            "peer": "skimage.feature.canny",
            "peer ms": 1e3 * times[1],
            "skcv / peer": times[0] / times[1],
            "CPU-time ratio": CPU_TIMES[0] / CPU_TIMES[1],
            "agreement": f"F={f_measure(ours, ref):.4f}",
            "skcv MiB": peaks[0],
            "peer MiB": peaks[1],
        }
    ]
    if cv2 is not None:
        rows.append(
            {
                "task": f"canny sigma={sigma:g}",
                "image": name,
                "skcv ms": 1e3 * times[0],
                "peer": "cv2.GaussianBlur+cv2.Canny (uint8)",
                "peer ms": 1e3 * times[2],
                "skcv / peer": times[0] / times[2],
                "CPU-time ratio": CPU_TIMES[0] / CPU_TIMES[2],
                "agreement": f"F={f_measure(results[2], ref):.4f} (cv2 vs skimage)",
                "skcv MiB": peaks[0],
                "peer MiB": peaks[2],
            }
        )
    return rows


def bench_filters(name, image_u8, repeat):
    image = image_u8.astype(np.float32) / 255
    rng = np.random.default_rng(0)
    sigma = 2.0
    truncate = math.ceil(3 * sigma) / sigma
    cases = [
        (
            "gaussian_filter sigma=2",
            lambda: gaussian_filter(image, sigma),
            "ndimage.gaussian_filter",
            lambda: ndi.gaussian_filter(image, sigma, truncate=truncate),
        ),
        (
            "median_filter 3x3",
            lambda: median_filter(image, 3),
            "ndimage.median_filter",
            lambda: ndi.median_filter(image, 3),
        ),
    ]
    for label, kernel in [
        ("convolve 5x5 (direct)", rng.normal(size=(5, 5))),
        ("convolve 7x7 rank-1 (separable)", np.outer(rng.random(7), rng.random(7))),
        ("convolve 31x31 (FFT)", rng.normal(size=(31, 31)) / 31),
    ]:
        cases.append(
            (
                label,
                lambda k=kernel: convolve(image, k),
                "ndimage.convolve",
                lambda k=kernel: ndi.convolve(image, k),
            )
        )
    rows = []
    for task, ours, peer, ref in cases:
        # The direct 31x31 scipy convolution takes about a second: 3 runs.
        n = min(repeat, 3) if "31x31" in task else repeat
        (out, expected), (t_ours, t_ref), (m_ours, m_ref) = paired([ours, ref], n)
        rows.append(
            {
                "task": task,
                "image": name,
                "skcv ms": 1e3 * t_ours,
                "peer": peer,
                "peer ms": 1e3 * t_ref,
                "skcv / peer": t_ours / t_ref,
                "CPU-time ratio": CPU_TIMES[0] / CPU_TIMES[1],
                "agreement": f"max|diff|={np.abs(out - expected).max():.1e}",
                "skcv MiB": m_ours,
                "peer MiB": m_ref,
            }
        )
    return rows


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=None, help="timed runs per case")
    args = p.parse_args(argv)
    repeat = args.repeat or (5 if args.quick else 30)
    rows = []
    for name, image in images(args.quick).items():
        rows += bench_canny(name, image, repeat)
        if name == "camera":
            rows += bench_canny(name, image, repeat, sigma=2.0, low=0.05, high=0.15)
    rows += bench_filters("camera", data.camera(), repeat)
    print(f"Machine: {machine_line()}; median of {repeat} runs, 512x512 images.\n")
    print(markdown_table(rows))
    canny_rows = [r for r in rows if r["peer"] == "skimage.feature.canny"]
    ratios = [r["skcv / peer"] for r in canny_rows]
    cpu_ratios = [r["CPU-time ratio"] for r in canny_rows]
    fs = [float(r["agreement"][2:]) for r in canny_rows]
    print(
        f"\ncanny vs skimage: wall-time ratio median {np.median(ratios):.3f} "
        f"(max {max(ratios):.3f}), CPU-time ratio median "
        f"{np.median(cpu_ratios):.3f} (max {max(cpu_ratios):.3f}), "
        f"F-measure min {min(fs):.4f}"
    )
    cv_rows = [r for r in rows if r["peer"].startswith("cv2")]
    if cv_rows:
        print(
            "canny vs OpenCV: time ratio median "
            f"{np.median([r['skcv / peer'] for r in cv_rows]):.2f}"
        )


if __name__ == "__main__":
    main()
