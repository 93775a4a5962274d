"""
GIST descriptors: texture classification and nearest-neighbour retrieval
========================================================================

The GIST descriptor (Oliva and Torralba, 2001) summarises an image by the energy
of a bank of Gabor filters (4 scales x 8 orientations) averaged over a 4 x 4 grid:
512 numbers describing "which orientations and scales are where".

This example

1. shows the Gabor transfer functions of the bank in the Fourier domain,
2. classifies texture patches (brick, grass, gravel; bundled with scikit-image) with
   GIST + a linear classifier, and
3. retrieves, for a few query patches, their nearest neighbours in GIST space.

With ``--data-home DIR`` (a folder holding ``cifar-10-batches-py/``) it also trains
GIST + a linear classifier on a CIFAR-10 subset. Run::

    MPLBACKEND=Agg python examples/plot_gist_textures.py [--data-home DIR]
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcv.datasets import load_cifar10
from skcv.feature import GISTExtractor
from skcv.feature._gist import _create_gabor
from skcv.plot._save import save_example_figures

TEXTURES = ("brick", "grass", "gravel")


def texture_patches(patch_size=64):
    """Non-overlapping patches of scikit-image's textures (or skcv.datasets')."""
    try:
        from skcv.datasets import load_textures

        return load_textures(patch_size=patch_size, return_X_y=True)
    except ImportError:  # skcv.datasets not available yet: cut them here
        from skimage import data

        X, y = [], []
        for label, name in enumerate(TEXTURES):
            img = getattr(data, name)()
            for r in range(0, img.shape[0] - patch_size + 1, patch_size):
                for c in range(0, img.shape[1] - patch_size + 1, patch_size):
                    X.append(img[r : r + patch_size, c : c + patch_size])
                    y.append(label)
        return np.stack(X), np.array(y)


def plot_filter_bank():
    """Gabor transfer functions (fftshifted; one colour per scale)."""
    n = 128
    bank = np.fft.fftshift(_create_gabor((8, 8, 8, 8), n, n), axes=(1, 2))
    f = np.arange(-n / 2, n / 2) / n  # cycles per pixel
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for s, color in enumerate(["tab:red", "tab:green", "tab:blue", "tab:purple"]):
        for k in range(8):
            ax.contour(f, f, bank[8 * s + k], levels=[0.5], colors=[color])
    ax.set_title(
        "GIST filter bank: half-amplitude contours\n(4 scales x 8 orientations)"
    )
    ax.set_xlabel("fx (cycles/pixel)")
    ax.set_ylabel("fy (cycles/pixel; rows point down)")
    ax.set_aspect("equal")
    fig.tight_layout()


def textures_demo():
    X, y = texture_patches(64)
    gist = GISTExtractor(image_size=64, boundary_extension=8)
    features = gist.fit_transform(X)
    print(f"texture patches: {X.shape}, GIST features: {features.shape}")

    clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    scores = cross_val_score(clf, features, y, cv=5)
    print(f"GIST + logistic regression, 5-fold accuracy: {scores.mean():.3f}")
    raw = X.reshape(len(X), -1) / 255.0
    raw_scores = cross_val_score(clf, raw, y, cv=5)
    print(f"raw pixels + logistic regression, 5-fold accuracy: {raw_scores.mean():.3f}")

    # Nearest-neighbour retrieval in GIST space.
    train, query = train_test_split(
        np.arange(len(X)), test_size=6, stratify=y, random_state=0
    )
    nn = NearestNeighbors(n_neighbors=5).fit(features[train])
    _, idx = nn.kneighbors(features[query])
    fig, axes = plt.subplots(len(query), 6, figsize=(7.5, 1.35 * len(query)))
    for row, (q, neighbours) in enumerate(zip(query, idx, strict=True)):
        axes[row, 0].imshow(X[q], cmap="gray")
        axes[row, 0].set_title("query" if row == 0 else "", fontsize=9)
        for col, j in enumerate(train[neighbours], start=1):
            axes[row, col].imshow(X[j], cmap="gray")
            ok = y[j] == y[q]
            for spine in axes[row, col].spines.values():
                spine.set_edgecolor("tab:green" if ok else "tab:red")
                spine.set_linewidth(2)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("Nearest neighbours by GIST (green: same texture)")
    fig.tight_layout()
    hits = np.mean(y[train][idx] == y[query][:, None])
    print(f"retrieval: {hits:.0%} of the 5 nearest neighbours share the query's class")


def load_cifar(data_home, n_train=5000, n_test=1000):
    cifar = load_cifar10(data_home=data_home)
    # test_batch may be grouped by class: take a seeded random subset of it.
    test_idx = np.random.default_rng(0).permutation(len(cifar.y_test))[:n_test]
    return (
        cifar.X_train[:n_train],
        cifar.y_train[:n_train],
        cifar.X_test[test_idx],
        cifar.y_test[test_idx],
    )


def cifar_demo(data_home):
    Xtr, ytr, Xte, yte = load_cifar(data_home)
    # Colour GIST of Douze et al. (2009): 3 scales (8, 8, 4), 960 values.
    gist = GISTExtractor(
        orientations_per_scale=(8, 8, 4),
        image_size=32,
        boundary_extension=4,
        color=True,
    )
    Ftr, Fte = gist.fit_transform(Xtr), gist.transform(Xte)
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000))
    clf.fit(Ftr, ytr)
    print(
        f"CIFAR-10 ({len(Xtr)} train / {len(Xte)} test): colour GIST "
        f"({Ftr.shape[1]}-D) + logistic regression accuracy "
        f"{clf.score(Fte, yte):.3f} (chance 0.100)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description="GIST descriptors: texture classification and retrieval"
    )
    parser.add_argument(
        "--data-home", default=None, help="folder with cifar-10-batches-py/ (optional)"
    )
    args, _ = parser.parse_known_args()
    plot_filter_bank()
    textures_demo()
    if args.data_home:
        cifar_demo(args.data_home)
    save_example_figures("plot_gist_textures")
