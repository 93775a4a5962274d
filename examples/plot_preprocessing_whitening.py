"""
PCA and ZCA whitening of texture patches
========================================

Whitening removes the correlations between neighbouring pixels and gives every
direction unit variance. PCA whitening expresses a patch in the eigenbasis of the
pixel covariance (global, Fourier-like filters ordered by variance); ZCA whitening
rotates back to pixel space, so its filters are local centre-surround detectors and
its output still looks like an image, with edges enhanced.

This example fits both on 16 x 16 patches of scikit-image's bundled textures
(:func:`skcv.datasets.load_textures`), checks that the whitened covariance is the
identity, and shows the filters and whitened patches. Pass ``--data-home DIR`` to use
1,000 CIFAR-10 images instead (colour 32 x 32, the first channel is displayed).
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np

from skcv.datasets import load_textures
from skcv.plot._save import save_example_figures
from skcv.preprocessing import Whitener

parser = argparse.ArgumentParser(description="PCA and ZCA whitening of texture patches")
parser.add_argument("--data-home", default=None, help="use CIFAR-10 from this folder")
args, _ = parser.parse_known_args()

# %%
# Data: grey texture patches (or CIFAR-10 when asked explicitly).
if args.data_home:
    from skcv.datasets import load_cifar10

    images = load_cifar10(data_home=args.data_home, subset="test").data[:1000]
else:
    images = load_textures(patch_size=16).data  # (3072, 16, 16) uint8
print(f"{len(images)} images of shape {images.shape[1:]}")

# %%
# Fit both whiteners. epsilon regularises the smallest eigenvalues; with a tiny
# epsilon the output covariance is the identity.
pca = Whitener(method="pca", epsilon=1e-3).fit(images)
zca = Whitener(method="zca", epsilon=1e-3).fit(images)
for name, white in [("PCA", pca), ("ZCA", zca)]:
    exact = Whitener(method=white.method, epsilon=1e-10).fit(images)
    Z = exact.transform(images)
    err = np.abs(np.cov(Z, rowvar=False) - np.eye(Z.shape[1])).max()
    print(f"{name}: max |cov(output) - I| = {err:.2e} (epsilon=1e-10)")

# %%
# PCA filters are the eigenvectors (columns of ``whitening_``); ZCA filters are the
# rows of the symmetric ZCA matrix, each centred on its own pixel.
shape = zca.image_shape_


def channel0(row):
    image = np.asarray(row).reshape(shape)
    return image[..., 0] if image.ndim == 3 else image


fig, axes = plt.subplots(4, 8, figsize=(10, 5.6))
for j in range(8):
    axes[0, j].imshow(channel0(pca.components_[j]), cmap="RdBu_r")
    centre = (shape[0] // 2 + j // 4) * shape[1] + (shape[1] // 2 + j % 4 - 2)
    if len(shape) == 3:
        centre *= shape[2]
    axes[1, j].imshow(channel0(zca.whitening_[centre]), cmap="RdBu_r")
    axes[2, j].imshow(channel0(images[j * 97]), cmap="gray")
    axes[3, j].imshow(channel0(zca.transform(images[j * 97 : j * 97 + 1])), cmap="gray")
for ax in axes.ravel():
    ax.set_axis_off()
for ax, title in zip(
    axes[:, 0],
    ["PCA filters", "ZCA filters", "patches", "ZCA-whitened"],
    strict=True,
):
    ax.set_title(title, fontsize=9, loc="left")
fig.suptitle("PCA vs ZCA whitening (skcv.preprocessing.Whitener)")
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_preprocessing_whitening")
