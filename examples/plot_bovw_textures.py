"""
Texture classification with a bag of visual words and a spatial pyramid
=======================================================================

Dense SIFT descriptors are quantised into visual words (mini-batch k-means); each
image becomes a spatial-pyramid histogram of words, classified by an SVM with the
histogram intersection kernel. ``GridSearchCV`` picks the codebook size and ``C``.
The second figure shows some visual words: for a few codebook centres, the image
patches whose descriptors are nearest to them.

Runs on scikit-image's bundled textures (brick, grass, gravel). With
``--data-home DIR`` (folder holding ``cifar-10-batches-py/``) it also fits the same
pipeline on a small CIFAR-10 subset.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC

from skcv.datasets import load_cifar10, load_textures
from skcv.feature import BagOfVisualWords, dense_sift
from skcv.metrics import histogram_intersection_kernel
from skcv.plot._save import save_example_figures

NAMES = ("brick", "grass", "gravel")


args = argparse.ArgumentParser(
    description="Texture classification with a bag of visual words"
)
args.add_argument("--data-home", default=None)
args = args.parse_known_args()[0]

# %%
# Data: non-overlapping 64x64 patches of brick, grass and gravel, split in half.
X, y = load_textures(patch_size=64, return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)

# %%
# The pipeline: dense SIFT -> visual words -> 3-level spatial pyramid ->
# intersection-kernel SVM, tuned over the codebook size and C.
pipe = Pipeline(
    [
        (
            "bovw",
            BagOfVisualWords(
                descriptor_params={"step": 8, "patch_size": 16},
                pyramid_levels=3,
                random_state=0,
            ),
        ),
        ("svm", SVC(kernel=histogram_intersection_kernel)),
    ]
)
search = GridSearchCV(
    pipe,
    {"bovw__n_words": [20, 60], "svm__C": [0.1, 1.0, 10.0]},
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"cross-validated accuracy: {search.best_score_:.3f}")
print(f"test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Visual words: the patches nearest to a few codebook centres. Each column is
# one word; its rows are the 16x16 patches (from the training images) whose
# dense SIFT descriptors lie closest to that centre.
bovw = search.best_estimator_.named_steps["bovw"]
patches, descriptors = [], []
for image in X_train[::4]:
    keypoints, desc = dense_sift(image, step=8, patch_size=16)
    for r, c, size in keypoints:
        top, left = int(r - (size - 1) / 2), int(c - (size - 1) / 2)
        patches.append(image[top : top + int(size), left : left + int(size)])
    descriptors.append(desc)
descriptors = np.concatenate(descriptors)
distances = ((descriptors[:, None, :] - bovw.codebook_[None]) ** 2).sum(-1)
counts = np.bincount(distances.argmin(1), minlength=len(bovw.codebook_))
words = np.argsort(-counts)[:8]
n_show = 6
fig, axes = plt.subplots(n_show, len(words), figsize=(1.3 * len(words), 1.3 * n_show))
for j, word in enumerate(words):
    nearest = np.argsort(distances[:, word])[:n_show]
    for i, k in enumerate(nearest):
        axes[i, j].imshow(patches[k], cmap="gray", vmin=0, vmax=255)
        axes[i, j].set_xticks([])
        axes[i, j].set_yticks([])
    axes[0, j].set_title(f"word {word}", fontsize=8)
fig.suptitle("Patches nearest to the most frequent visual words")
fig.tight_layout()

# %%
# Pyramid histograms of one test image per class (level 0, then the 4 cells of
# level 1, then the 16 cells of level 2).
features = search.best_estimator_.named_steps["bovw"].transform(X_test[[0, 40, 80]])
fig, axes = plt.subplots(3, 1, figsize=(8, 5), sharex=True)
for ax, f, name in zip(axes, features, NAMES, strict=True):
    ax.bar(np.arange(len(f)), f, width=1.0)
    ax.set_ylabel(name)
axes[-1].set_xlabel("feature (level, cell, word)")
fig.suptitle("Spatial-pyramid bag-of-words features")
fig.tight_layout()

# %%
# Optional: the same pipeline (without grid search) on a CIFAR-10 subset.
if args.data_home:
    cifar10 = load_cifar10(data_home=args.data_home)
    Xc, yc = cifar10.X_train[:1000], cifar10.y_train[:1000]
    # test_batch may be grouped by class: take a seeded random subset of it.
    test_idx = np.random.default_rng(0).permutation(len(cifar10.y_test))[:500]
    Xc_test, yc_test = cifar10.X_test[test_idx], cifar10.y_test[test_idx]
    for levels in (1, 3):
        cifar = Pipeline(
            [
                (
                    "bovw",
                    BagOfVisualWords(
                        n_words=200,
                        descriptor_params={"step": 2, "patch_size": 8},
                        pyramid_levels=levels,
                        random_state=0,
                    ),
                ),
                ("svm", SVC(kernel=histogram_intersection_kernel, C=1.0)),
            ]
        ).fit(Xc, yc)
        print(
            f"CIFAR-10 subset, {levels} pyramid level(s): "
            f"test accuracy {cifar.score(Xc_test, yc_test):.3f}"
        )

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_bovw_textures")
