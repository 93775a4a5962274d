"""
Encodings of PHOW descriptors and pooled filter banks on real photographs
=========================================================================

Scikit-image ships a handful of real photographs. Crops of four of them (the cat
``chelsea``, ``coffee``, the ``astronaut`` and the ``rocket``) make a tiny object
task: crops from the left part of each photograph train, crops from the right
part test, so no pixel is shared. Crops of three bundled textures (``brick``,
``grass``, ``gravel``), rotated at random, make a tiny material task.

The first panel compares the encodings of :class:`skcv.feature.BagOfVisualWords`
on multi-scale dense SIFT (PHOW: four window sizes on one grid): hard assignment,
kernel codebook, LLC and improved Fisher vectors, each followed by a linear SVM
(hard assignment and the kernel codebook through the explicit intersection-kernel
map :class:`skcv.feature.HomogeneousKernelMap`). The second compares
:class:`skcv.feature.FilterBankExtractor` poolings: mean responses only, then mean,
standard deviation, energy and maximum, then the same with MR8's maximum over
orientations (``rotation_invariant=True``). The third shows PHOW's four window
sizes around one grid point.

The real-photograph tables of ``docs/real_photographs.md`` come from
``benchmarks/bench_real.py`` on Caltech-101 and KTH-TIPS.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from skimage import data
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from skcv.feature import (
    BagOfVisualWords,
    FilterBankExtractor,
    HomogeneousKernelMap,
    dense_sift,
)
from skcv.plot._save import save_example_figures

rng = np.random.default_rng(0)


def crops(image, n, size, columns):
    """``n`` random ``size`` x ``size`` crops whose columns lie in ``columns``."""
    lo, hi = columns
    rows = rng.integers(0, image.shape[0] - size, n)
    cols = rng.integers(lo, hi - size, n)
    return [image[r : r + size, c : c + size] for r, c in zip(rows, cols, strict=True)]


# %%
# Objects: 12 training and 12 test crops (96 px) per photograph.
photos = {
    "cat": data.chelsea(),
    "coffee": data.coffee(),
    "astronaut": data.astronaut(),
    "rocket": data.rocket(),
}
X_train, y_train, X_test, y_test = [], [], [], []
for label, image in enumerate(photos.values()):
    width = image.shape[1]
    X_train += crops(image, 12, 96, (0, width // 2 + 24))
    X_test += crops(image, 12, 96, (width // 2 - 24, width))
    y_train += [label] * 12
    y_test += [label] * 12
X_train, X_test = np.stack(X_train), np.stack(X_test)

phow = {"step": 6, "scales": (4, 6, 8, 10)}
intersection_svm = make_pipeline(HomogeneousKernelMap(), LinearSVC(C=10))
pipelines = {
    "hard": (
        BagOfVisualWords(n_words=32, descriptor_params=phow, random_state=0),
        intersection_svm,
    ),
    "kernel\ncodebook": (
        BagOfVisualWords(
            n_words=32,
            encoding="kernel_codebook",
            descriptor_params=phow,
            random_state=0,
        ),
        intersection_svm,
    ),
    "LLC": (
        BagOfVisualWords(
            n_words=32, encoding="llc", descriptor_params=phow, random_state=0
        ),
        LinearSVC(C=10),
    ),
    "Fisher": (
        BagOfVisualWords(
            n_words=8,
            encoding="fisher",
            pca_components=32,
            pyramid_levels=2,
            descriptor_params=phow,
            random_state=0,
        ),
        LinearSVC(C=1),
    ),
}
object_scores = {}
for name, (encoder, classifier) in pipelines.items():
    model = make_pipeline(encoder, classifier).fit(X_train, y_train)
    object_scores[name] = model.score(X_test, y_test)
    print(f"objects, {name!r:>20}: accuracy {object_scores[name]:.2f}")

# %%
# Materials: 64 px crops of the three textures, each rotated by a random
# multiple of 90 degrees (plus a transpose), left part trains, right part tests.
textures = [data.brick(), data.grass(), data.gravel()]
T_train, t_train, T_test, t_test = [], [], [], []
for label, image in enumerate(textures):
    width = image.shape[1]
    for part, (X, y) in (
        ((0, width // 2), (T_train, t_train)),
        ((width // 2, width), (T_test, t_test)),
    ):
        for crop in crops(image, 15, 64, part):
            crop = np.rot90(crop, rng.integers(4))
            X.append(crop.T if rng.random() < 0.5 else crop)
            y.append(label)
T_train, T_test = np.stack(T_train), np.stack(T_test)

four = ("mean", "std", "energy", "max")
poolings = {
    "LM mean": FilterBankExtractor("lm", statistics=("mean",), size=25),
    "LM mean+std\n+energy+max": FilterBankExtractor("lm", statistics=four, size=25),
    "LM pooled,\nrotation-inv.": FilterBankExtractor(
        "lm", statistics=four, rotation_invariant=True, size=25
    ),
}
texture_scores = {}
for name, extractor in poolings.items():
    model = make_pipeline(extractor, StandardScaler(), SVC(C=10))
    texture_scores[name] = model.fit(T_train, t_train).score(T_test, t_test)
    print(f"textures, {name!r:>30}: accuracy {texture_scores[name]:.2f}")

# %%
# Figure: accuracies and PHOW's window sizes on one grid point.
fig, axes = plt.subplots(1, 3, figsize=(13, 4))
axes[0].bar(list(object_scores), list(object_scores.values()), color="tab:blue")
axes[0].set(ylim=(0, 1), ylabel="test accuracy", title="Objects: PHOW encodings")
axes[1].bar(list(texture_scores), list(texture_scores.values()), color="tab:green")
axes[1].set(ylim=(0, 1), title="Materials: filter-bank pooling")
axes[1].tick_params(axis="x", labelsize=8)
image = X_test[0]
keypoints, _ = dense_sift(image, **phow)
centre = keypoints[len(keypoints) // 8]
axes[2].imshow(image)
for (r, c, size), colour in zip(
    keypoints[np.all(keypoints[:, :2] == centre[:2], axis=1)],
    ("yellow", "orange", "red", "magenta"),
    strict=True,
):
    axes[2].add_patch(
        Rectangle(
            (c - size / 2, r - size / 2), size, size, fill=False, color=colour, lw=2
        )
    )
axes[2].set(title="PHOW: 16, 24, 32, 40 px windows", xticks=[], yticks=[])
fig.tight_layout()
save_example_figures("plot_real_photographs")
