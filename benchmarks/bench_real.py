"""Hand-crafted features on real photographs: skcv against published tables and peers.

Run from the repository root::

    python benchmarks/bench_real.py --data-home DIR [--quick] [--datasets ...]
        [--only TEXT,...] [--kth-train N ...]

``DIR`` holds the data sets laid out by ``benchmarks/make_real_datasets.py`` (see
``benchmarks/data_recipes.md``): ``DIR/caltech101/CLASS/*.jpg`` (Caltech-101, 101
object classes, no background class, longest side 300 px) and
``DIR/kth_tips/CLASS/*.png`` (KTH-TIPS, 10 materials x 81 grey images of at most
200 x 200 px under varying scale, pose and illumination).

Protocols (seeded random splits, stated in every table):

* Caltech-101: 15 training and 15 test images per class (all 101 classes), one
  split (``--quick``: 10 classes). Lazebnik et al. (CVPR 2006) report 56.4 % at 15
  training images (test: up to 50 per class, mean per-class accuracy); VLFeat's
  ``apps/phow_caltech101.m`` "about 64 %" for its PHOW setup (a row here copies it).
* KTH-TIPS: ``--kth-train N`` training images per class (default 40) and the rest
  of the 81 testing, mean over 3 splits (``--quick``: 1 split); one table per N.
  Sifre and Mallat (CVPR 2013) publish scattering figures at 5, 20 and 40 (printed
  under those tables).

Every row fits its features on the training images only, classifies with a
(kernel) SVM and reports the accuracy (mean per-class recall equals plain
accuracy here: the test sets are balanced), the feature time per image (fit +
transform, one process, one thread), the classifier time and the peak resident
memory of the feature step. The folders are listed with
``skcv.datasets.load_image_folder`` and decoded once with Pillow, so that every row
sees the same pixels.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from sklearn.base import BaseEstimator, TransformerMixin, clone  # noqa: E402
from sklearn.cluster import MiniBatchKMeans  # noqa: E402
from sklearn.kernel_approximation import AdditiveChi2Sampler  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks._common import (  # noqa: E402
    machine_line,
    markdown_table,
    measure,
    parser,
)
from skcv.datasets import load_image_folder  # noqa: E402
from skcv.feature import (  # noqa: E402
    BagOfVisualWords,
    FilterBankExtractor,
    HomogeneousKernelMap,
    TextonEncoder,
)
from skcv.metrics import histogram_intersection_kernel  # noqa: E402


# ------------------------------------------------------------------- data
def list_folder(root, classes=None):
    """Paths and labels of ``root/CLASS/*`` (the first ``classes`` classes), listed
    by :func:`skcv.datasets.load_image_folder` (sorted classes, sorted files)."""
    folder = load_image_folder(root)
    if classes is not None:  # list again with only the first classes
        folder = load_image_folder(root, classes=folder.target_names[:classes])
    return list(folder.filenames), folder.target, folder.target_names


def read_images(paths, mode="RGB"):
    """uint8 arrays in Pillow ``mode`` (one mode for all: Caltech-101 holds a few
    grey photographs among the colour ones).

    Every row, skcv's and the peers', works on these same decoded arrays, so the
    pixels are identical across rows and the feature times leave decoding out.
    """
    images = []
    for path in paths:
        with Image.open(path) as im:
            images.append(np.asarray(im.convert(mode)))
    return images


def split(labels, n_train, n_test, seed):
    """Per class: ``n_train`` training and ``n_test`` test indices, seeded."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        train.extend(idx[:n_train])
        test.extend(idx[n_train : n_train + n_test])
    return np.asarray(train), np.asarray(test)


def grey(image):
    if image.ndim == 2:
        return image.astype(np.float32) / 255
    return (image[..., :3] @ np.array([0.2126, 0.7152, 0.0722], np.float32)) / 255


# ------------------------------------------------------------------ peers
class _PerImage(TransformerMixin, BaseEstimator):
    """Apply ``func`` to each image (a stateless peer feature)."""

    def __init__(self, func=None):
        self.func = func

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.stack([self.func(x) for x in X])


class _PeerBoW(TransformerMixin, BaseEstimator):
    """Bag of words (hard, spatial pyramid, Lazebnik weights) on peer descriptors.

    ``describe(image) -> (rows, cols, descriptors)``; the codebook is learnt by
    the same MiniBatchKMeans on the same number of sampled descriptors as skcv.
    """

    def __init__(self, describe=None, n_words=256, levels=3, max_descriptors=100_000):
        self.describe = describe
        self.n_words = n_words
        self.levels = levels
        self.max_descriptors = max_descriptors

    def fit(self, X, y=None):
        rng = np.random.default_rng(0)
        per = max(1, self.max_descriptors // len(X))
        sample = []
        for x in X:
            d = self.describe(x)[2]
            if len(d) > per:
                d = d[rng.choice(len(d), per, replace=False)]
            sample.append(d)
        sample = np.concatenate(sample).astype(np.float32)
        self.kmeans_ = MiniBatchKMeans(
            self.n_words, n_init=3, batch_size=1024, random_state=0
        ).fit(sample)
        return self

    def transform(self, X):
        from skcv.feature._bovw import pyramid_level_weights

        weights = pyramid_level_weights(self.levels)
        out = []
        for x in X:
            rows, cols, d = self.describe(x)
            words = self.kmeans_.predict(d.astype(np.float32)) if len(d) else []
            parts = []
            for level, w in enumerate(weights):
                n = 2**level
                r = np.clip((rows * n / x.shape[0]).astype(int), 0, n - 1)
                c = np.clip((cols * n / x.shape[1]).astype(int), 0, n - 1)
                hist = np.bincount(
                    (r * n + c) * self.n_words + words, minlength=n * n * self.n_words
                ).astype(np.float64)
                parts.append(w * hist / max(hist.sum(), 1))
            out.append(np.concatenate(parts))
        return np.stack(out)


def daisy_describe(image):
    from skimage.feature import daisy

    g = grey(image)
    d = daisy(g, step=8, radius=15, rings=2, histograms=6, orientations=8)
    rr, cc = np.meshgrid(
        15 + 8 * np.arange(d.shape[0]), 15 + 8 * np.arange(d.shape[1]), indexing="ij"
    )
    return rr.ravel(), cc.ravel(), d.reshape(-1, d.shape[2])


def orb_describe(image):
    import cv2

    g = (grey(image) * 255).astype(np.uint8)
    orb = cv2.ORB_create(nfeatures=1000, edgeThreshold=15, patchSize=15)
    kps, d = orb.detectAndCompute(g, None)
    if d is None:
        return np.zeros(0), np.zeros(0), np.zeros((0, 256), np.float32)
    bits = np.unpackbits(d, axis=1).astype(np.float32)
    pts = np.array([k.pt for k in kps])
    return pts[:, 1], pts[:, 0], bits


def opencv_sift_describe(image):
    import cv2

    g = (grey(image) * 255).astype(np.uint8)
    step, size = 8, 16
    kps = [
        cv2.KeyPoint(float(c), float(r), size / 6)  # bench_bovw's matching
        for r in range(size // 2, g.shape[0] - size // 2 + 1, step)
        for c in range(size // 2, g.shape[1] - size // 2 + 1, step)
    ]
    kps, d = cv2.SIFT_create().compute(g, kps)
    pts = np.array([k.pt for k in kps])
    return (
        pts[:, 1],
        pts[:, 0],
        d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12),
    )


def hog_features(image):
    from skimage.feature import hog
    from skimage.transform import resize

    g = resize(grey(image), (128, 128), anti_aliasing=True)
    return hog(g, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2))


def lbp_features(image, grid=2):
    """Rotation-invariant uniform LBP histograms at radii 1, 2, 3 (Ojala 2002)."""
    from skimage.feature import local_binary_pattern

    g = (grey(image) * 255).astype(np.uint8)
    parts = []
    for p, r in ((8, 1), (16, 2), (24, 3)):
        codes = local_binary_pattern(g, p, r, method="uniform")
        for rows in np.array_split(codes, grid, axis=0):
            for cell in np.array_split(rows, grid, axis=1):
                h = np.bincount(cell.astype(int).ravel(), minlength=p + 2)
                parts.append(h / max(h.sum(), 1))
    return np.concatenate(parts)


# -------------------------------------------------------------- classifiers
class _IntersectionSVC(BaseEstimator):
    """SVC on the histogram-intersection kernel (precomputed)."""

    def __init__(self, C=10.0):
        self.C = C

    def fit(self, X, y):
        self.X_ = X
        self.svc_ = SVC(kernel="precomputed", C=self.C).fit(
            histogram_intersection_kernel(X), y
        )
        return self

    def score(self, X, y):
        return self.svc_.score(histogram_intersection_kernel(X, self.X_), y)


def linear(C=1.0):
    return LinearSVC(C=C, max_iter=5000)


def chi2_linear(C=1.0):
    return make_pipeline(
        AdditiveChi2Sampler(sample_steps=2), LinearSVC(C=C, max_iter=5000)
    )


def intersection_linear(C=1.0):
    return make_pipeline(HomogeneousKernelMap(order=2), LinearSVC(C=C, max_iter=5000))


def scaled_rbf():
    return make_pipeline(StandardScaler(), SVC(C=10.0, gamma="scale"))


# ------------------------------------------------------------ PHOW speed
def phow_speed(repeat=7):
    """Dense SIFT time per descriptor: one window size vs PHOW vs colour PHOW."""
    from skimage import data

    from skcv.feature import dense_sift

    image = (data.astronaut()[:200, :300] / 255).astype(np.float32)
    settings = {
        "16 px windows, step 4 (one size)": {"step": 4, "patch_size": 16},
        "PHOW scales (4, 6, 8, 10), step 4": {"step": 4, "scales": (4, 6, 8, 10)},
        "PHOW, color='opponent' (3 x 128 values)": {
            "step": 4,
            "scales": (4, 6, 8, 10),
            "color": "opponent",
        },
    }
    rows = []
    for name, params in settings.items():
        times = []
        with threadpool_limits(limits=1):
            for _ in range(repeat):  # CPU time: robust to a busy shared machine
                t0 = time.process_time()
                _, desc = dense_sift(image, **params)
                times.append(time.process_time() - t0)
        t = min(times)
        per_128 = desc.shape[1] // 128
        rows.append(
            {
                "dense_sift on 300 x 200 px": name,
                "descriptors": len(desc),
                "CPU ms / image": round(1000 * t, 1),
                "CPU us / 128-D descriptor": round(1e6 * t / (len(desc) * per_128), 2),
            }
        )
    print(markdown_table(rows))


# --------------------------------------------------------------------- run
def run_row(name, library, features, classifiers, images, labels, splits, published):
    """Fit ``features`` once per split, then every classifier of ``classifiers``.

    ``classifiers`` maps a suffix of the method name to an estimator; one table
    row per classifier, sharing the feature time and memory.
    """
    accs = {key: [] for key in classifiers}
    clf_times = {key: [] for key in classifiers}
    feat_times, peaks = [], []
    for train, test in splits:
        Xtr = [images[i] for i in train]
        Xte = [images[i] for i in test]

        def extract(Xtr=Xtr, Xte=Xte, train=train):
            f = clone(features)
            return f.fit(Xtr, labels[train]).transform(Xtr), f.transform(Xte)

        with threadpool_limits(limits=1):
            (Ftr, Fte), t_feat, peak = measure(extract)
            for key, classifier in classifiers.items():
                t0 = time.perf_counter()
                clf = clone(classifier).fit(Ftr, labels[train])
                accs[key].append(clf.score(Fte, labels[test]))
                clf_times[key].append(time.perf_counter() - t0)
        feat_times.append(t_feat / (len(train) + len(test)))
        peaks.append(peak)
        dims = Ftr.shape[1]
        del Ftr, Fte
    rows = []
    for key in classifiers:
        row = {
            "method": f"{name} + {key}",
            "library": library,
            "published %": published.get(key, "")
            if isinstance(published, dict)
            else published,
            "accuracy %": round(100 * float(np.mean(accs[key])), 1),
            "+-": round(100 * float(np.std(accs[key])), 1) if len(splits) > 1 else "",
            "ms / image": round(1000 * float(np.mean(feat_times)), 1),
            "classifier s": round(float(np.mean(clf_times[key])), 1),
            "peak MiB": round(float(np.max(peaks))),
            "dims": dims,
        }
        print(markdown_table([row]).splitlines()[-1], flush=True)
        rows.append(row)
    return rows


def phow(step, **kw):
    return {"step": step, "scales": (4, 6, 8, 10), **kw}


INTERSECTION = "intersection-kernel SVM"
INTERSECTION_MAP = "intersection map + linear SVM"
CHI2_MAP = "chi2 map + linear SVM"
LINEAR = "linear SVM"


def caltech_rows(quick):
    """(name, library, features, {classifier name: estimator}, published)."""
    lazebnik = {"step": 8, "patch_size": 16}
    k, big = 256, 1024
    chi2 = {CHI2_MAP: chi2_linear()}
    return [
        (
            "SPM: dense SIFT 16px/8px, hard 200 words, L=2",
            "skcv",
            BagOfVisualWords(n_words=200, descriptor_params=lazebnik, random_state=0),
            {
                INTERSECTION: _IntersectionSVC(),
                INTERSECTION_MAP: intersection_linear(),
                CHI2_MAP: chi2_linear(),
            },
            {INTERSECTION: "56.4 (Lazebnik 2006)"},
        ),
        (
            f"PHOW 4 scales/6px, hard {k} words, L=2",
            "skcv",
            BagOfVisualWords(n_words=k, descriptor_params=phow(6), random_state=0),
            chi2,
            "",
        ),
        (
            "VLFeat phow_caltech101 setup: PHOW 4 scales/3px, hard 600 words, L=2",
            "skcv",
            BagOfVisualWords(n_words=600, descriptor_params=phow(3), random_state=0),
            {"chi2 map + linear SVM (C=10)": chi2_linear(10.0)},
            "about 64 (VLFeat)",
        ),
        (
            f"PHOW 4 scales/6px, Fisher K={k} D=64, L=1",
            "skcv",
            BagOfVisualWords(
                n_words=k,
                encoding="fisher",
                pyramid_levels=2,
                descriptor_params=phow(6),
                random_state=0,
            ),
            {LINEAR: linear()},
            "",
        ),
        (
            f"PHOW 4 scales/6px, LLC {big} words, L=2",
            "skcv",
            BagOfVisualWords(
                n_words=big,
                encoding="llc",
                descriptor_params=phow(6),
                random_state=0,
            ),
            {LINEAR: linear(10.0)},
            "",
        ),
        (
            f"OpenCV dense SIFT 16px/8px, hard {k} words, L=2",
            "OpenCV",
            _PeerBoW(opencv_sift_describe, n_words=k),
            chi2,
            "",
        ),
        (
            f"DAISY 8px, hard {k} words, L=2",
            "scikit-image",
            _PeerBoW(daisy_describe, n_words=k),
            chi2,
            "",
        ),
        (
            f"ORB (1000 keypoints), hard {k} words, L=2",
            "OpenCV",
            _PeerBoW(orb_describe, n_words=k),
            chi2,
            "",
        ),
        (
            "HOG 128x128",
            "scikit-image",
            _PerImage(hog_features),
            {LINEAR: linear(0.1)},
            "",
        ),
        (
            "LBP riu2 (8,1)+(16,2)+(24,3), 2x2 cells",
            "scikit-image",
            _PerImage(lbp_features),
            chi2,
            "",
        ),
    ]


def _lbp_whole(image):
    return lbp_features(image, grid=1)


def kth_rows(quick):
    k = 256
    rbf = {"RBF SVM": scaled_rbf()}
    four = ("mean", "std", "energy", "max")
    return [
        (
            "MR8 filter bank, mean only",
            "skcv",
            FilterBankExtractor("mr8", statistics=("mean",)),
            rbf,
            "",
        ),
        (
            "MR8 filter bank, mean+std+energy+max",
            "skcv",
            FilterBankExtractor("mr8", statistics=four),
            rbf,
            "",
        ),
        (
            "LM filter bank, mean only",
            "skcv",
            FilterBankExtractor("lm", statistics=("mean",)),
            rbf,
            "",
        ),
        (
            "LM filter bank, mean+std+energy+max",
            "skcv",
            FilterBankExtractor("lm", statistics=four),
            rbf,
            "",
        ),
        (
            "LM rotation-invariant (18 ch), mean+std+energy+max",
            "skcv",
            FilterBankExtractor("lm", statistics=four, rotation_invariant=True),
            rbf,
            "",
        ),
        (
            "MR8 textons (10 per class, Varma-Zisserman)",
            "skcv",
            TextonEncoder(bank="mr8", n_textons=10, random_state=0),
            {CHI2_MAP: chi2_linear(10.0)},
            "",
        ),
        (
            f"dense SIFT 16px/4px, hard {k} words, L=0",
            "skcv",
            BagOfVisualWords(
                n_words=k,
                pyramid_levels=1,
                descriptor_params={"step": 4, "patch_size": 16},
                random_state=0,
            ),
            {CHI2_MAP: chi2_linear(10.0)},
            "",
        ),
        (
            f"PHOW 4 scales/4px, Fisher K={k} D=64, L=0",
            "skcv",
            BagOfVisualWords(
                n_words=k,
                encoding="fisher",
                pyramid_levels=1,
                descriptor_params=phow(4),
                random_state=0,
            ),
            {LINEAR: linear()},
            "",
        ),
        (
            "LBP riu2 (8,1)+(16,2)+(24,3)",
            "scikit-image",
            _PerImage(_lbp_whole),
            {CHI2_MAP: chi2_linear(10.0)},
            "",
        ),
        (
            f"DAISY 8px, hard {k} words, L=0",
            "scikit-image",
            _PeerBoW(daisy_describe, n_words=k, levels=1),
            {CHI2_MAP: chi2_linear(10.0)},
            "",
        ),
    ]


# Published figures on the same protocols, printed under each table. KTH-TIPS:
# Sifre & Mallat (CVPR 2013), scattering (not a bag of words), mean over 10 splits:
# the translation and the rotation-translation + log rows as printed by the ScatNet
# release's script for their Table 1 (its other rows, scale averaging and
# multiscale training, have no printed figures there and are not quoted).
PUBLISHED = {
    "caltech101": (
        "Lazebnik et al. 2006 spatial pyramid (200 words, L=2, intersection-kernel "
        "SVM): 56.4 %; VLFeat's phow_caltech101 (PHOW step 3, 600 words, 2x2 + 4x4 "
        "cells, chi2 map + linear SVM): 'about 64 %'"
    ),
    ("kth_tips", 5): "scattering 69.8 +- 3.4 (translation) / 78.0 +- 3.0 (rotation-"
    "translation + log); Table 1's other rows not checked",
    ("kth_tips", 20): "scattering 95.0 +- 1.1 / 97.3 +- 0.7",
    ("kth_tips", 40): "scattering 98.1 +- 0.8 / 99.3 +- 0.4",
}

COLUMNS = [
    "method",
    "library",
    "published %",
    "accuracy %",
    "+-",
    "ms / image",
    "classifier s",
    "peak MiB",
    "dims",
]


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="*", default=["kth_tips", "caltech101"])
    p.add_argument(
        "--only",
        default=None,
        help="run only the rows whose name has one of these comma-separated texts",
    )
    p.add_argument(
        "--kth-train",
        type=int,
        nargs="+",
        default=[40],
        help="KTH-TIPS training images per class, 1 to 80, one table each (the rest "
        "of the 81 images test); published figures at 5, 20, 40",
    )
    args = p.parse_args(argv)
    if not all(1 <= n <= 80 for n in args.kth_train):
        p.error(f"--kth-train takes 1 to 80 images per class; got {args.kth_train}")
    if not args.data_home:
        p.error("--data-home (or SKCV_DATA) is required: see data_recipes.md")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(machine_line())
    print(f"load average {os.getloadavg()[0]:.1f}\n")
    phow_speed()
    for dataset in args.datasets:
        root = Path(args.data_home) / dataset
        if dataset == "caltech101":
            paths, labels, names = list_folder(root, 10 if args.quick else None)
            mode = "RGB"
            rows = caltech_rows(args.quick)
            tables = [
                (
                    f"{len(names)} classes, 15 train / 15 test per class, 1 split, "
                    "longest side 300 px",
                    [split(labels, 15, 15, seed=0)],
                    PUBLISHED["caltech101"],
                )
            ]
        else:
            paths, labels, names = list_folder(root)
            n_splits = 1 if args.quick else 3
            mode = "L"
            rows = kth_rows(args.quick)
            tables = [
                (
                    f"{len(names)} classes, {n} train / {81 - n} test per class, "
                    f"{n_splits} splits, grey, at most 200 x 200 px",
                    [split(labels, n, 81 - n, seed=s) for s in range(n_splits)],
                    PUBLISHED.get((dataset, n), ""),
                )
                for n in args.kth_train
            ]
        if args.only:
            keys = args.only.split(",")
            rows = [r for r in rows if any(k in r[0] for k in keys)]
        # read only the images some split uses
        used = np.unique(
            np.concatenate([np.concatenate(s) for t in tables for s in t[1]])
        )
        images = dict(
            zip(used, read_images([paths[i] for i in used], mode), strict=True)
        )
        for protocol, splits, published_line in tables:
            print(f"\n## {dataset}: {protocol}\n")
            if published_line:
                print(f"Published on this protocol: {published_line}.\n")
            header = markdown_table([{c: "" for c in COLUMNS}]).splitlines()
            print(header[0])
            print(header[1])
            for name, library, features, classifiers, published in rows:
                try:
                    run_row(
                        name,
                        library,
                        features,
                        classifiers,
                        images,
                        labels,
                        splits,
                        published,
                    )
                except Exception as exc:  # report the failed row, go on
                    print(f"| {name} | {library} | FAILED: {exc!r} |", flush=True)


if __name__ == "__main__":
    main()
