"""
Semantic segmentation with a fully convolutional network
========================================================

First the course's four ways of upsampling a feature map by 2 (nearest
neighbour, zero fill or "bed of nails", max-unpooling to the positions the
pooling remembered, and the transposed convolution) on a 4 x 4 map; then an
:class:`skcv.segmentation.FCNSegmenter` trained to separate synthetic shapes
from textured backgrounds (:func:`skcv.datasets.make_shapes_segmentation`),
with its predicted masks on held-out images.

Small images (32 x 32) keep the run under a minute on a laptop CPU; the
benchmark (``benchmarks/bench_segmentation.py``) trains on 64 x 64 images.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from skcv.datasets import make_shapes_segmentation
from skcv.metrics import mean_iou
from skcv.plot._save import save_example_figures
from skcv.segmentation import FCNSegmenter, Upsample, conv_matrix

# %%
# Four ways to upsample
# ---------------------
# A 4 x 4 map is max-pooled to 2 x 2 (remembering where the maxima were) and
# upsampled back to 4 x 4.
torch.manual_seed(0)
x = torch.tensor(
    [[[[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 2], [9, 1, 3, 6]]]], dtype=torch.float32
)
pooled, indices = nn.MaxPool2d(2, 2, return_indices=True)(x)
maps = {"input": x, "max-pooled": pooled}
for kind in ("nearest", "zeros", "unpool", "transposed"):
    maps[kind] = Upsample(kind, 1)(pooled, (4, 4), indices).detach()

fig, axes = plt.subplots(1, len(maps), figsize=(2.2 * len(maps), 2.6))
for ax, (name, m) in zip(axes, maps.items(), strict=True):
    m = m[0, 0].numpy()
    ax.imshow(m, cmap="viridis", vmin=0, vmax=9)
    for (r, c), v in np.ndenumerate(m):
        ax.text(c, r, f"{v:.2g}", ha="center", va="center", color="w", fontsize=8)
    ax.set_title(name)
    ax.set_axis_off()
fig.suptitle("Downsampling by max pooling, then the four ways to upsample")
fig.tight_layout()

# %%
# The transposed convolution is the transpose of a convolution's matrix: the
# stride-2 convolution maps 4 values to 2, its transpose maps 2 back to 4.
M = conv_matrix([1.0, 2.0, 1.0], 4, stride=2, padding=1)
print("convolution matrix (stride 2):\n", M)
print("transposed convolution of [1, 1]:", M.T @ np.array([1.0, 1.0]))

# %%
# Training an FCN on synthetic shapes
# -----------------------------------
# To stay under a minute this trains the two-class problem (shape against
# textured background) on 32 x 32 images. Telling circles, squares and
# triangles apart (``n_classes=4``) needs more training: the benchmark reaches a
# held-out mean IoU above 0.9 on 64 x 64 images in a few minutes.
X, Y = make_shapes_segmentation(600, image_size=32, n_classes=2, random_state=0)
X_test, Y_test = make_shapes_segmentation(
    100, image_size=32, n_classes=2, random_state=1
)

seg = FCNSegmenter(
    depth=3, width=8, epochs=6, batch_size=16, random_state=0, device="cpu"
)
t0 = time.perf_counter()
seg.fit(X, Y)
print(f"trained in {time.perf_counter() - t0:.1f} s")
pred = seg.predict(X_test)
print("held-out mean IoU:", round(seg.score(X_test, Y_test), 3))
print(
    "IoU per class (background, shape):",
    mean_iou(Y_test, pred, average=None).round(3),
)

# %%
# Predictions on held-out images
# ------------------------------
n = 6
fig, axes = plt.subplots(3, n, figsize=(1.8 * n, 5.6))
for i in range(n):
    axes[0, i].imshow(X_test[i])
    axes[1, i].imshow(Y_test[i], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes[2, i].imshow(pred[i], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
for ax in axes.ravel():
    ax.set_axis_off()
for row, label in enumerate(("image", "true mask", "predicted")):
    axes[row, 0].set_title(label, loc="left", fontsize=9)
fig.suptitle("FCNSegmenter on held-out images (white: shape)")
fig.tight_layout()

# %%
# One network, any image size
# ---------------------------
# Only convolutions: the network trained on 32 x 32 images segments larger,
# non-square images as they are (sides that are not multiples of its total
# stride of 8 are padded inside the network and the scores cropped back), and a
# list of differently sized images gives a list of masks. The shapes grow with
# the image (1/9 to 1/5 of the shorter side), so some are larger than any seen
# in training, and the mean IoU drops a little.
X_wide, Y_wide = make_shapes_segmentation(
    50, image_size=(45, 77), n_classes=2, random_state=2
)
print("held-out mean IoU on 45 x 77 images:", round(seg.score(X_wide, Y_wide), 3))
masks = seg.predict([X_test[0], X_wide[0]])
print("list of images -> masks of shapes", [m.shape for m in masks])
fig, axes = plt.subplots(2, 3, figsize=(9, 3.4))
wide_pred = seg.predict(X_wide[:3])
for i in range(3):
    axes[0, i].imshow(X_wide[i])
    axes[1, i].imshow(wide_pred[i], cmap="gray", vmin=0, vmax=1, interpolation="none")
for ax in axes.ravel():
    ax.set_axis_off()
fig.suptitle("The same FCN on 45 x 77 images (trained on 32 x 32)")
fig.tight_layout()

# %%
# Training curve
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot([h["train_loss"] for h in seg.history_], label="training loss")
ax.plot([h["train_mean_iou"] for h in seg.history_], label="training mean IoU")
ax.set_xlabel("epoch")
ax.legend()
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_segmentation_fcn")
