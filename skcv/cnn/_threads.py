"""Torch's intra-op threads for one fit or predict, restored afterwards.

``torch.set_num_threads`` is process-global. The torch-backed estimators take an
``n_jobs`` parameter, set the thread count from it for the duration of ``fit`` /
``predict`` and give the caller's setting back afterwards, on errors too.

Why the default is not "all cores": torch's OpenMP threads wait for each other at
the end of every parallel region. When another process is busy on one of the
cores, the thread sharing that core falls behind and the others spin at the
barrier; measured on 2 cores (``benchmarks/bench_cnn.py --part threads``) a
2-thread fit took several times its quiet time with one competing CPU-bound
process, while a 1-thread fit barely slowed down. The default therefore leaves
one physical core free: ``max(1, physical cores - 1)``, and never more threads
than torch would use anyway (``torch.get_num_threads()`` at the call, which
honours ``OMP_NUM_THREADS`` and joblib's limits inside its workers).
"""

from __future__ import annotations

import contextlib
import functools
from numbers import Integral

import torch

__all__ = ["default_n_threads", "resolve_n_threads", "torch_threads", "with_threads"]


def default_n_threads() -> int:
    """Threads used for ``n_jobs=None``: one physical core left free, at least 1."""
    from joblib import cpu_count

    physical = cpu_count(only_physical_cores=True)
    return max(1, min(torch.get_num_threads(), physical - 1))


def resolve_n_threads(n_jobs) -> int:
    """Return the number of intra-op threads for ``n_jobs`` (joblib's convention).

    ``None``: :func:`default_n_threads`; a positive int: that many; a negative
    int: ``cpu_count + 1 + n_jobs`` (``-1``: every core), at least 1.
    """
    if n_jobs is None:
        return default_n_threads()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero integer; got {n_jobs!r}.")
    if n_jobs > 0:
        return int(n_jobs)
    from joblib import cpu_count

    return max(1, cpu_count() + 1 + int(n_jobs))


@contextlib.contextmanager
def torch_threads(n_jobs):
    """Run the block with :func:`resolve_n_threads` ``(n_jobs)`` torch threads.

    The caller's ``torch.get_num_threads()`` is restored on exit, also when the
    block raises.
    """
    before = torch.get_num_threads()
    wanted = resolve_n_threads(n_jobs)
    if wanted != before:
        torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def with_threads(method):
    """Decorate an estimator method to run under ``torch_threads(self.n_jobs)``."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with torch_threads(getattr(self, "n_jobs", None)):
            return method(self, *args, **kwargs)

    return wrapper
