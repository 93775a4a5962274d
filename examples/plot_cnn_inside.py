"""
Looking inside a trained CNN: filters, feature maps, saliency and occlusion
===========================================================================

A small CNN learns to tell rectangles, disks and triangles apart in 32x32 grey
scenes (:func:`skcv.datasets.make_detection_scenes`, textured backgrounds). The
scenes come with the box of their object, so we can check that the network
looks at the object:

* :func:`skcv.plot.plot_filters`: the first-layer filters, each normalised on
  its own (for RGB input they are drawn in colour);
* :class:`skcv.plot.FeatureMapsDisplay`: the ReLU maps of the first layer for
  one scene;
* :class:`skcv.plot.AttributionDisplay` with ``method="saliency"``: the
  gradient of the class score with respect to the pixels (Simonyan et al.,
  2014);
* ``method="occlusion"``: the probability of the class while a grey square
  slides over the scene (Zeiler and Fergus, 2014); it drops where the square
  hides the object.

The arrays behind the pictures come from :mod:`skcv.cnn` (``conv_filters``,
``feature_maps``, ``saliency_map``, ``occlusion_map``).
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from skcv.cnn import CNNClassifier, occlusion_map
from skcv.datasets import make_detection_scenes
from skcv.plot import AttributionDisplay, FeatureMapsDisplay, plot_filters
from skcv.plot._save import save_example_figures

# %%
# Data and model
# --------------
X, boxes, labels = make_detection_scenes(
    800,
    image_size=(32, 32),
    objects="shapes",
    object_size=(12, 18),
    background="textures",
    random_state=0,
)
y = np.array([lab[0] for lab in labels])  # 1 rectangle, 2 disk, 3 triangle
clf = CNNClassifier(
    module="simple",
    module_params={"widths": (8, 16)},
    epochs=12,
    batch_size=64,
    solver="adam",
    learning_rate_init=0.01,
    weight_decay=0.0,
    random_state=0,
    device="cpu",
).fit(X[:600], y[:600])
print(f"test accuracy: {clf.score(X[600:], y[600:]):.3f}")

# %%
# Does the network look at the object? Over the test scenes, the occluder
# position that lowers the probability of the true class most falls inside
# the object's box in most scenes.
size, stride = 8, 2
occ = occlusion_map(clf, X[600:], target=y[600:], size=size, stride=stride)
hits = 0
for k, m in enumerate(occ):
    i, j = np.unravel_index(m.argmin(), m.shape)
    cy, cx = i * stride + size / 2, j * stride + size / 2
    x0, y0, x1, y1 = boxes[600 + k][0]
    hits += x0 <= cx <= x1 and y0 <= cy <= y1
print(f"most harmful occluder centred on the object in {hits} of {len(occ)} scenes")

# %%
# The pictures
# ------------
k = 600 + int(np.argmax(clf.predict_proba(X[600:]).max(1)))  # a confident scene
fig, axes = plt.subplots(1, 5, figsize=(17, 3.6))
axes[0].imshow(X[k], cmap="gray")
axes[0].add_patch(Rectangle((boxes[k][0][0] - 0.5, boxes[k][0][1] - 0.5),
                            *(boxes[k][0][2:] - boxes[k][0][:2]),
                            fill=False, color="red"))  # fmt: skip
axes[0].set_title(f"scene (class {y[k]}, box in red)")
axes[0].set_axis_off()
plot_filters(clf, layer=0, ax=axes[1])
FeatureMapsDisplay.from_estimator(clf, X[k], layer="features.2", ax=axes[2])
AttributionDisplay.from_estimator(clf, X[k], method="saliency", ax=axes[3])
AttributionDisplay.from_estimator(
    clf, X[k], method="occlusion", size=size, stride=stride, ax=axes[4]
)
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_cnn_inside")
