"""
Canny edge detection, step by step
==================================

The four steps of the Canny detector on the camera image:

1. derivative-of-Gaussian gradients (Gaussian smoothing, then Sobel);
2. the gradient magnitude (and direction);
3. non-maximum suppression with interpolation of the two neighbours along the
   gradient direction: only one-pixel-thin ridges of the magnitude survive;
4. hysteresis: maxima above the high threshold (strong) start edges, maxima
   above the low threshold (weak) continue them when 8-connected to a strong
   one.

The last panel compares the result with :func:`skimage.feature.canny` at the
same parameters.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from skimage import data, feature

from skcv.filters import canny
from skcv.plot._save import save_example_figures

image = data.camera().astype(np.float32) / 255
edges, steps = canny(
    image, sigma=1.5, low_threshold=0.05, high_threshold=0.15, return_steps=True
)

t0 = time.perf_counter()
canny(image, sigma=1.5, low_threshold=0.05, high_threshold=0.15)
t_skcv = time.perf_counter() - t0
t0 = time.perf_counter()
reference = feature.canny(image, sigma=1.5, low_threshold=0.05, high_threshold=0.15)
t_skimage = time.perf_counter() - t0
tp = np.logical_and(edges, reference).sum()
f_measure = 2 * tp / (edges.sum() + reference.sum())
print(
    f"skcv {1e3 * t_skcv:.1f} ms, skimage {1e3 * t_skimage:.1f} ms, F={f_measure:.4f}"
)

weak = steps["nms"] & ~steps["strong"]
hysteresis = np.zeros(image.shape + (3,))
hysteresis[weak & ~edges] = (0.5, 0.5, 0.5)  # weak, dropped
hysteresis[weak & edges] = (0.2, 0.6, 1.0)  # weak, kept (connected)
hysteresis[steps["strong"]] = (1.0, 1.0, 1.0)  # strong
diff = np.zeros(image.shape + (3,))
diff[edges & reference] = (1, 1, 1)
diff[edges & ~reference] = (1, 0, 0)
diff[~edges & reference] = (0, 1, 0)

panels = [
    ("input", image, "gray"),
    ("1. smoothed (sigma=1.5)", steps["smoothed"], "gray"),
    ("2. gradient magnitude", steps["magnitude"], "magma"),
    ("3. non-maximum suppression", steps["nms"], "gray"),
    ("4. hysteresis: strong / weak kept / dropped", hysteresis, None),
    (f"skcv vs skimage (F={f_measure:.3f})", diff, None),
]
fig, axes = plt.subplots(2, 3, figsize=(13, 9))
for ax, (title, img, cmap) in zip(axes.ravel(), panels, strict=True):
    ax.imshow(img, cmap=cmap)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_filters_canny")
