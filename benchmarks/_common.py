"""Shared benchmark helpers: timing, peak memory, data loading and markdown tables.

Every ``bench_<area>.py`` runs skcv and its peers on the same data in one process and
prints a markdown table with ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import threading
import time
from collections.abc import Callable


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _PeakSampler(threading.Thread):
    def __init__(self, interval: float = 0.002):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = _rss_bytes()
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, _rss_bytes())
            time.sleep(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return max(self.peak, _rss_bytes())


def measure(func: Callable, *args, repeat: int = 1, **kwargs):
    """Run ``func`` ``repeat`` times; return (last result, median seconds, peak MiB).

    Peak memory is the largest resident-set size seen while ``func`` ran, minus the
    resident size just before it: it counts every allocator (numpy, OpenCV, torch).
    """
    gc.collect()
    base = _rss_bytes()
    sampler = _PeakSampler()
    sampler.start()
    times = []
    result = None
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = func(*args, **kwargs)
            times.append(time.perf_counter() - t0)
    finally:
        peak = sampler.stop()
    return result, statistics.median(times), max(peak - base, 0) / 2**20


def parser(description: str) -> argparse.ArgumentParser:
    """Argument parser with the common ``--data-home`` and ``--quick`` options."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--data-home",
        default=os.environ.get("SKCV_DATA"),
        help="folder holding cifar-10-batches-py/ (default: $SKCV_DATA)",
    )
    p.add_argument("--quick", action="store_true", help="a smaller, faster run")
    return p


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """Format a list of dicts as a markdown table (floats with 4 significant digits)."""
    columns = columns or list(rows[0])

    def fmt(v):
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(fmt(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def machine_line() -> str:
    """One line describing the machine and library versions, for the table header."""
    import platform

    import numpy
    import scipy
    import sklearn

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"numpy {numpy.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
