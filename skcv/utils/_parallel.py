"""Batching and joblib helpers shared by every transformer that loops over images."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs


def gen_batches(n: int, batch_size: int | None) -> Iterator[slice]:
    """Yield slices of at most ``batch_size`` consecutive indices covering ``range(n)``.

    ``batch_size=None`` gives one slice over everything.

    Examples
    --------
    >>> from skcv.utils._parallel import gen_batches
    >>> list(gen_batches(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    step = n if not batch_size else int(batch_size)
    step = max(step, 1)
    for start in range(0, n, step):
        yield slice(start, min(start + step, n))


def map_batches(
    func: Callable[[Sequence], np.ndarray],
    images: Sequence,
    *,
    batch_size: int | None = 64,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Apply ``func`` to batches of ``images`` (optionally in parallel) and stack rows.

    ``func`` receives a slice of ``images`` (an array or a list) and returns a 2-D
    array with one row per image. Batches run through joblib, so a
    ``joblib.parallel_backend`` context (Dask, Ray, ...) takes effect.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.utils._parallel import map_batches
    >>> X = np.ones((5, 4, 4))
    >>> map_batches(lambda b: np.asarray(b).reshape(len(b), -1).sum(1)[:, None], X,
    ...             batch_size=2).ravel()
    array([16., 16., 16., 16., 16.])
    """
    slices = list(gen_batches(len(images), batch_size))
    if effective_n_jobs(n_jobs) == 1 or len(slices) == 1:
        parts = [func(images[s]) for s in slices]
    else:
        parts = Parallel(n_jobs=n_jobs)(delayed(func)(images[s]) for s in slices)
    return np.concatenate(parts, axis=0)
