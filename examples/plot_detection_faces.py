"""
Face detection with a sliding window, an image pyramid and NMS
==============================================================

A window classifier (per-window standardisation, PCA and an RBF SVM) is trained on
24x24 face patches of scikit-image's ``lfw_subset`` and non-face patches of
scikit-image's textures and photographs (:func:`skcv.datasets.load_face_patches`).
:class:`skcv.detection.SlidingWindowDetector` slides it over an image pyramid of
``skimage.data.astronaut()`` (whose face is about 100 pixels wide, so the pyramid
shrinks the image 3 to 5 times), and non-maximum suppression keeps the best box of
each overlapping group. The first figure shows the raw windows above the threshold
and the three best boxes kept by NMS (the best in red: the face; the others are
false positives on the flag and the rocket, which a bigger training set or hard
negative mining would remove); the second, the detector on held-out synthetic scenes
with their average precision.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from skimage import data
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from skcv.datasets import load_face_patches, make_detection_scenes
from skcv.detection import SlidingWindowDetector
from skcv.metrics import average_precision
from skcv.plot._save import save_example_figures
from skcv.preprocessing import ImageStandardizer

# %%
# Train the window classifier on faces (and their mirror images) and background.
X, y = load_face_patches(patch_size=24, n_negatives=3000, random_state=0)
classifier = make_pipeline(
    ImageStandardizer(mode="image", epsilon=1e-4, image_shape=(24, 24)),
    PCA(20, random_state=0),
    SVC(C=10.0),
)
detector = SlidingWindowDetector(
    classifier, step=2, scales=np.geomspace(0.34, 0.18, 7), score_threshold=0.0
)
detector.fit(X, y)
print(f"{int(y.sum())} face and {int((y == 0).sum())} non-face patches")

# %%
# Detect: every window of every pyramid level is scored in batches; NMS at the end.
image = data.astronaut()
raw_boxes, raw_scores = detector.set_params(nms_iou=None).detect(image)
boxes, scores = detector.set_params(nms_iou=0.3).detect(image)
print(f"{len(raw_boxes)} windows above the threshold, {len(boxes)} after NMS")


def draw(ax, boxes, color, lw=1.5, scores=None):
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        ax.add_patch(
            Rectangle(
                (x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, ec=color, lw=lw
            )
        )
        if scores is not None:
            ax.text(x0, y0 - 4, f"{scores[i]:.2f}", color=color, fontsize=8)


fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, title in zip(axes, ("windows above threshold", "after NMS"), strict=True):
    ax.imshow(image)
    ax.set_title(title)
    ax.axis("off")
draw(axes[0], raw_boxes, "yellow", lw=0.5)
draw(axes[1], boxes[:1], "red", lw=2, scores=scores[:1])
draw(axes[1], boxes[1:3], "orange", lw=1, scores=scores[1:3])
print(
    "best boxes (x_min, y_min, x_max, y_max):", boxes[:3].round(), scores[:3].round(2)
)

# %%
# Held-out synthetic scenes: faces and background regions never seen in training.
X_train, y_train = load_face_patches(24, 3000, subset="train", random_state=0)
held_out = SlidingWindowDetector(
    classifier, step=2, scales=(1.0, 0.85, 0.72, 0.6), score_threshold=-0.5
).fit(X_train, y_train)
scenes, true_boxes, _ = make_detection_scenes(
    6, image_size=(96, 96), n_objects=(1, 3), subset="test", random_state=1
)
found, found_scores = held_out.detect_batch(scenes)
ap = average_precision(true_boxes, found, found_scores)
fig, axes = plt.subplots(2, 3, figsize=(9, 6))
for ax, scene, t, f, s in zip(
    axes.ravel(), scenes, true_boxes, found, found_scores, strict=True
):
    ax.imshow(scene, cmap="gray")
    draw(ax, t, "lime", lw=2)
    draw(ax, f[s > 0.5], "red")
    ax.axis("off")
fig.suptitle(f"held-out scenes: truth (green), detections (red); AP@0.5 = {ap:.2f}")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_detection_faces")
