"""
Selective search region proposals
=================================

Selective search (Uijlings et al., 2013) proposes object locations without
knowing the object class:

1. segment the image into Felzenszwalb superpixels;
2. repeatedly merge the two most similar neighbouring regions (colour and
   texture histogram intersection, plus size and fill terms), recording the box
   of every region of the hierarchy;
3. repeat for several strategies (colour spaces, similarity sets, superpixel
   scales) and rank all boxes by ``hierarchy position * random number``, so
   large regions tend to come first.

The top row shows the initial superpixels and the 60 best-ranked proposals on
scikit-image's astronaut. The bottom row measures recall (the fraction of objects
with a proposal of IoU >= 0.5) against the number of proposals on held-out
synthetic face scenes, and shows a :class:`~skcv.detection.RegionProposalDetector`
(R-CNN style: a linear classifier on warped proposal pixels) trained on
``lfw_subset`` patches.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from skimage import data
from skimage.segmentation import felzenszwalb, mark_boundaries
from skimage.transform import rescale
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skcv.datasets import load_face_patches, make_detection_scenes
from skcv.detection import RegionProposalDetector, box_iou, selective_search
from skcv.plot._save import save_example_figures


def draw(ax, boxes, color, lw=1.0):
    for x0, y0, x1, y1 in boxes:
        ax.add_patch(
            Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, color=color, lw=lw)
        )


# %%
# Proposals on a photograph (half size: 256x256)
image = rescale(data.astronaut(), 0.5, channel_axis=-1, anti_aliasing=True)
t0 = time.perf_counter()
boxes = selective_search(image, strategies="fast", random_state=0)
seconds = time.perf_counter() - t0
print(f"astronaut {image.shape[:2]}: {len(boxes)} proposals in {seconds:.2f} s")
labels = felzenszwalb(image, scale=100, sigma=0.8, min_size=20)

# %%
# Recall against the number of proposals on held-out synthetic scenes
scenes, truths, _ = make_detection_scenes(
    12, image_size=(96, 96), n_objects=(1, 3), subset="test", random_state=0
)
budgets = np.array([1, 3, 10, 30, 100, 300, 1000])
found = np.zeros(len(budgets))
for scene, gt in zip(scenes, truths, strict=True):
    best = box_iou(gt, selective_search(scene))
    found += [(best[:, :k].max(axis=1) >= 0.5).sum() for k in budgets]
recall = found / sum(len(gt) for gt in truths)
print("recall at", dict(zip(budgets.tolist(), recall.round(3).tolist(), strict=True)))

# %%
# R-CNN style detection: logistic regression on contrast-normalised pixels of
# 24x24 patches (faces against texture and photo crops); every proposal is warped
# to 24x24 and scored, NMS keeps the best. As many best detections as
# there are faces are drawn.


def normalise(rows):
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / (rows.std(axis=1, keepdims=True) + 1e-3)


X, y = load_face_patches(24, n_negatives=1500, subset="train", random_state=0)
classifier = make_pipeline(
    FunctionTransformer(normalise), LogisticRegression(C=0.01, max_iter=3000)
)
detector = RegionProposalDetector(
    classifier, max_proposals=1000, score_threshold=-np.inf, nms_iou=0.2
).fit(X, y)
found_boxes, scores = detector.detect(scenes[0])

fig, axes = plt.subplots(2, 2, figsize=(9, 9))
axes[0, 0].imshow(mark_boundaries(image, labels))
axes[0, 0].set_title(f"{labels.max() + 1} Felzenszwalb superpixels (k=100)")
axes[0, 1].imshow(image)
draw(axes[0, 1], boxes[:60], "yellow")
axes[0, 1].set_title(f"60 of {len(boxes)} proposals ({seconds:.1f} s)")
axes[1, 0].semilogx(budgets, recall, "o-")
axes[1, 0].set(
    xlabel="proposals per image",
    ylabel="recall at IoU 0.5",
    ylim=(0, 1.05),
    title="held-out face scenes",
)
axes[1, 0].grid(True)
axes[1, 1].imshow(scenes[0], cmap="gray")
draw(axes[1, 1], truths[0], "lime", lw=2)
draw(axes[1, 1], found_boxes[: len(truths[0])], "red", lw=1.5)
axes[1, 1].set_title("best detections (red), ground truth (green)")
for ax in axes.ravel()[[0, 1, 3]]:
    ax.set_axis_off()
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_detection_proposals")
