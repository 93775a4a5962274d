"""
Classification and localisation with one multi-task network
===========================================================

:class:`skcv.detection.ObjectLocalizer` answers two questions about an image that
holds one object: *what* is it (class scores) and *where* is it (a box). One
convolutional backbone feeds two heads, and the network is trained on the
cross-entropy of the class scores plus a weighted smooth L1 loss of the four box
coordinates.

The scenes come from :func:`skcv.datasets.make_detection_scenes`: one filled
rectangle, disk or triangle pasted into a crop of a texture. Training and test
scenes use disjoint backgrounds. The figure draws the true box (green) and the
predicted box (red) of held-out scenes, with the predicted class and the IoU.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from skcv.datasets import make_detection_scenes
from skcv.detection import ObjectLocalizer, box_iou
from skcv.plot._save import save_example_figures

SHAPES = {1: "rectangle", 2: "disk", 3: "triangle"}


def scenes(n, subset, seed):
    X, boxes, labels = make_detection_scenes(
        n,
        image_size=(32, 32),
        objects="shapes",
        n_objects=1,
        object_size=(8, 16),
        background="textures",
        subset=subset,
        random_state=seed,
    )
    return X, np.concatenate(labels), np.concatenate(boxes)


X_train, y_train, boxes_train = scenes(1500, "train", 0)
X_test, y_test, boxes_test = scenes(300, "test", 1)

# %%
# Train the two-headed network
# ----------------------------
# The ``"simple"`` backbone with four conv-ReLU-pool stages; its 2x2x128 feature
# map keeps where the object is, which the box head needs.
loc = ObjectLocalizer(
    module="simple",
    module_params={"widths": (16, 32, 64, 128)},
    pool_size=2,
    box_loss="smooth_l1",
    box_weight=1.0,
    epochs=15,
    random_state=0,
    device="cpu",
)
t0 = time.perf_counter()
loc.fit(X_train, y_train, boxes_train)
print(f"trained {loc.n_iter_} epochs in {time.perf_counter() - t0:.1f} s")
print(f"test accuracy {loc.score(X_test, y_test):.3f}")
print(f"test mean box IoU {loc.box_score(X_test, boxes_test):.3f}")

# %%
# Predicted and true boxes
# ------------------------
pred_boxes = loc.predict_boxes(X_test)
pred_labels = loc.predict(X_test)
ious = np.diagonal(box_iou(pred_boxes, boxes_test))

fig, axes = plt.subplots(3, 6, figsize=(10, 5.6))
for ax, i in zip(axes.flat, range(len(axes.flat)), strict=True):
    ax.imshow(X_test[i], cmap="gray", vmin=0, vmax=1)
    for box, colour in ((boxes_test[i], "lime"), (pred_boxes[i], "red")):
        x0, y0, x1, y1 = box
        # Pixel (r, c) covers [c - 0.5, c + 0.5] in imshow's coordinates.
        ax.add_patch(
            Rectangle(
                (x0 - 0.5, y0 - 0.5),
                x1 - x0,
                y1 - y0,
                fill=False,
                edgecolor=colour,
                linewidth=1.5,
            )
        )
    ax.set_title(f"{SHAPES[pred_labels[i]]}\nIoU {ious[i]:.2f}", fontsize=8)
    ax.set_axis_off()
fig.suptitle("true box (green) and predicted box (red) on held-out scenes")
fig.tight_layout()

# %%
# Training curves
# ---------------
# The loss is cross-entropy + smooth L1; ``train_iou`` is the mean IoU of the
# training batches' predicted boxes.
fig, (ax_loss, ax_iou) = plt.subplots(1, 2, figsize=(9, 3.2))
epochs = [h["epoch"] for h in loc.history_]
ax_loss.plot(epochs, loc.loss_curve_)
ax_loss.set(xlabel="epoch", ylabel="training loss")
ax_iou.plot(epochs, [h["train_iou"] for h in loc.history_])
ax_iou.set(xlabel="epoch", ylabel="mean IoU (training batches)")
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_detection_localizer")
