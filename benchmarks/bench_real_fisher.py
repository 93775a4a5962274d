"""Fisher vectors against hard assignment at equal vocabulary size, one split.

A smaller companion of ``bench_real.py`` (whose K=256 PHOW Fisher rows need an
idle machine): dense SIFT, K=64 words / Gaussians, at most 30,000 descriptors for
the codebook, the first split of each data set::

    python benchmarks/bench_real_fisher.py --data-home DIR
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks._common import parser  # noqa: E402
from benchmarks.bench_real import (  # noqa: E402
    chi2_linear,
    linear,
    list_folder,
    read_images,
    split,
)
from skcv.feature import BagOfVisualWords  # noqa: E402

SETTINGS = {
    # name: (n_train, n_test, mode, step, pyramid_levels)
    "kth_tips": (40, 41, "L", 4, 1),
    "caltech101": (15, 15, "RGB", 8, 2),
}


def main(argv=None):
    args = parser(__doc__.splitlines()[0]).parse_args(argv)
    for name, (n_train, n_test, mode, step, levels) in SETTINGS.items():
        paths, labels, _ = list_folder(Path(args.data_home) / name)
        train, test = split(labels, n_train, n_test, seed=0)
        used = np.concatenate([train, test])
        images = dict(
            zip(used, read_images([paths[i] for i in used], mode), strict=True)
        )
        Xtr, Xte = [images[i] for i in train], [images[i] for i in test]
        common = dict(
            n_words=64,
            pyramid_levels=levels,
            max_descriptors=30_000,
            random_state=0,
            descriptor_params={"step": step, "patch_size": 16},
        )
        for encoding, clf in (("hard", chi2_linear(10.0)), ("fisher", linear())):
            t0 = time.perf_counter()
            with threadpool_limits(1):
                bovw = BagOfVisualWords(encoding=encoding, **common).fit(Xtr)
                Ftr, Fte = bovw.transform(Xtr), bovw.transform(Xte)
                acc = clf.fit(Ftr, labels[train]).score(Fte, labels[test])
            print(
                f"{name} split 0, dense SIFT 16px/{step}px, L={levels - 1}, K=64, "
                f"{encoding}: {100 * acc:.1f} % ({time.perf_counter() - t0:.0f} s, "
                f"dims {Ftr.shape[1]})",
                flush=True,
            )


if __name__ == "__main__":
    main()
