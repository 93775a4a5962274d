"""Dense SIFT speed and bag-of-visual-words accuracy: skcv vs scikit-image and OpenCV.

Run from the repository root::

    python benchmarks/bench_bovw.py [--data-home DIR] [--quick]

1. Dense SIFT descriptors/s on 256x256 images: ``skcv.feature.dense_sift`` vs
   ``skimage.feature.SIFT.detect_and_extract`` (DoG + descriptors, the only
   descriptor path scikit-image has) and vs OpenCV's ``SIFT.compute`` on the same
   dense keypoints (same window: OpenCV's spatial bin is 1.5 * size pixels wide,
   so size = patch_size / 6). Median of repeats, one process.
2. BagOfVisualWords fit / transform time, peak memory and accuracy with a linear
   SVM and a histogram-intersection-kernel SVM, with and without the spatial
   pyramid, on texture patches and (with --data-home) a CIFAR-10 subset.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402

from benchmarks._common import (  # noqa: E402
    machine_line,
    markdown_table,
    measure,
    parser,
)
from skcv.datasets import load_cifar10, load_textures  # noqa: E402
from skcv.feature import BagOfVisualWords, dense_sift  # noqa: E402
from skcv.metrics import histogram_intersection_kernel  # noqa: E402


def load_cifar_subset(data_home, n_train, n_test):
    cifar = load_cifar10(data_home=data_home)
    # test_batch may be grouped by class: take a seeded random subset of it.
    test_idx = np.random.default_rng(0).permutation(len(cifar.y_test))[:n_test]
    return (
        cifar.X_train[:n_train],
        cifar.y_train[:n_train],
        cifar.X_test[test_idx],
        cifar.y_test[test_idx],
    )


# ----------------------------------------------------------------------- speed
def bench_dense_sift(repeat):
    import cv2
    from skimage import data
    from skimage.feature import SIFT

    images = [getattr(data, n)()[:256, :256] for n in ("brick", "grass", "gravel")]
    rows = []
    step, patch = 8, 16
    sk_sift = SIFT()
    opencv = cv2.SIFT_create()
    results = {}
    for name in ("skcv", "skimage", "opencv", "opencv1"):
        times, counts, peaks = [], [], []
        for image in images:
            keypoints, _ = dense_sift(image, step=step, patch_size=patch)
            kps = [
                cv2.KeyPoint(float(c), float(r), patch / 6, 0) for r, c, _ in keypoints
            ]
            if name == "skcv":
                image_f = (image / np.float32(255)).astype(np.float32)
                out, t, peak = measure(
                    dense_sift, image_f, step=step, patch_size=patch, repeat=repeat
                )
                n = len(out[1])
            elif name == "skimage":
                image_f = image / 255.0
                _, t, peak = measure(
                    sk_sift.detect_and_extract, image_f, repeat=max(1, repeat // 10)
                )
                n = len(sk_sift.descriptors)
            else:
                cv2.setNumThreads(1 if name == "opencv1" else -1)
                out, t, peak = measure(opencv.compute, image, kps, repeat=repeat)
                n = len(out[1])
                cv2.setNumThreads(-1)
            times.append(t)
            counts.append(n)
            peaks.append(peak)
        results[name] = (np.median(times), int(np.median(counts)), max(peaks))
    labels = {
        "skcv": "skcv dense_sift (961 grid keypoints)",
        "skimage": "skimage SIFT.detect_and_extract (DoG)",
        "opencv": "OpenCV SIFT.compute, same keypoints",
        "opencv1": "OpenCV SIFT.compute, same keypoints, 1 thread",
    }
    ours = results["skcv"][0]
    for name, (t, n, peak) in results.items():
        rows.append(
            {
                "method": labels[name],
                "ms/image": 1e3 * t,
                "descriptors": n,
                "descriptors/s": n / t,
                "time / skcv": t / ours,
                "peak MiB": peak,
            }
        )
    return rows


# -------------------------------------------------------------------- accuracy
def bench_bovw(name, X_train, y_train, X_test, y_test, bovw_params, Cs):
    rows = []
    for levels in (1, 3):
        bovw = BagOfVisualWords(pyramid_levels=levels, random_state=0, **bovw_params)
        _, t_fit, peak_fit = measure(bovw.fit, X_train)
        F_train, t_tr, peak_tr = measure(bovw.transform, X_train)
        F_test = bovw.transform(X_test)
        n_desc = bovw.n_descriptors_fit_
        # C is chosen on a validation split of the training images (never on the
        # test split); the model is then refitted on all training images.
        fit_idx, val_idx = train_test_split(
            np.arange(len(y_train)), test_size=0.25, stratify=y_train, random_state=0
        )
        for kernel in ("linear", "intersection"):
            t0 = time.perf_counter()
            if kernel == "linear":

                def make(C):
                    return LinearSVC(C=C, max_iter=5000)

                F_all, F_te = F_train, F_test
            else:

                def make(C):
                    return SVC(kernel="precomputed", C=C)

                F_all = histogram_intersection_kernel(F_train)
                F_te = histogram_intersection_kernel(F_test, F_train)

            def rows_cols(idx_r, idx_c, F=F_all, kernel=kernel):
                return F[idx_r] if kernel == "linear" else F[np.ix_(idx_r, idx_c)]

            val_scores = []
            for C in Cs:
                clf = make(C).fit(rows_cols(fit_idx, fit_idx), y_train[fit_idx])
                pred = clf.predict(rows_cols(val_idx, fit_idx))
                val_scores.append(float((pred == y_train[val_idx]).mean()))
            best_C = Cs[int(np.argmax(val_scores))]
            clf = make(best_C).fit(F_all, y_train)
            best = (float((clf.predict(F_te) == y_test).mean()), best_C)
            t_svm = time.perf_counter() - t0
            rows.append(
                {
                    "data": name,
                    "pyramid": f"{levels} level{'s' if levels > 1 else ''}",
                    "SVM": kernel,
                    "test accuracy": best[0],
                    "best C": best[1],
                    "BoW fit s": t_fit,
                    "BoW transform ms/img": 1e3 * t_tr / len(X_train),
                    "SVM s (all C)": t_svm,
                    "peak MiB": max(peak_fit, peak_tr),
                    "features": F_train.shape[1],
                    "fit descriptors": n_desc,
                }
            )
            print(markdown_table(rows[-1:]), flush=True)
    return rows


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args(argv)
    repeat = 5 if args.quick else 20
    print("#", machine_line())
    print(f"# command: python benchmarks/bench_bovw.py {' '.join(sys.argv[1:])}")
    print("\n## Dense SIFT on 256x256 images (median of repeats)\n")
    print(markdown_table(bench_dense_sift(repeat)))

    print("\n## Bag of visual words + SVM (C chosen on a validation split)\n")
    X, y = load_textures(patch_size=64, return_X_y=True)  # non-overlapping
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    rows = bench_bovw(
        f"textures 64x64 ({len(X_train)}/{len(X_test)})",
        X_train,
        y_train,
        X_test,
        y_test,
        {"n_words": 100, "descriptor_params": {"step": 8, "patch_size": 16}},
        Cs=(0.1, 1.0, 10.0),
    )
    if args.data_home and os.path.isdir(
        Path(args.data_home).expanduser() / "cifar-10-batches-py"
    ):
        n_train, n_test = (1000, 500) if args.quick else (5000, 2000)
        X_train, y_train, X_test, y_test = load_cifar_subset(
            args.data_home, n_train, n_test
        )
        rows += bench_bovw(
            f"CIFAR-10 ({n_train}/{n_test})",
            X_train,
            y_train,
            X_test,
            y_test,
            {
                "n_words": 200,
                "max_descriptors": 100_000,
                "descriptor_params": {"step": 2, "patch_size": 8},
            },
            Cs=(0.1, 1.0, 10.0),
        )
    print()
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
