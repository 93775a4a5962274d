"""
Denoising: which filter for which noise?
========================================

Three noise models corrupt the camera image -- additive Gaussian noise,
salt-and-pepper noise and impulse (salt-only) noise -- and three filters try
to undo them: the mean (box) filter, the Gaussian filter and the median filter.
The PSNR against the clean image (higher is better) tells the course's lesson:
linear smoothing is the right tool for zero-mean Gaussian noise, while the
median, an order statistic that ignores outliers, removes impulses that linear
filters only smear out.
"""

import matplotlib.pyplot as plt
import numpy as np
from skimage import data

from skcv.filters import (
    add_gaussian_noise,
    add_impulse_noise,
    add_salt_and_pepper,
    gaussian_filter,
    mean_filter,
    median_filter,
)
from skcv.metrics import psnr
from skcv.plot._save import save_example_figures

clean = data.camera()[::2, ::2].astype(np.float32) / 255  # 256 x 256

noises = {
    "Gaussian, sigma=0.1": lambda im: add_gaussian_noise(im, 0.1, random_state=0),
    "salt & pepper, 10%": lambda im: add_salt_and_pepper(im, 0.1, random_state=0),
    "impulse (salt), 10%": lambda im: add_impulse_noise(im, 0.1, random_state=0),
}
filters = {
    "noisy": lambda im: im,
    "mean 3x3": lambda im: mean_filter(im, 3),
    "Gaussian sigma=1": lambda im: gaussian_filter(im, 1.0),
    "median 3x3": lambda im: median_filter(im, 3),
}

fig, axes = plt.subplots(len(noises), len(filters), figsize=(12, 9))
print(f"{'noise':24s}" + "".join(f"{name:>18s}" for name in filters))
for row, (noise_name, add_noise) in enumerate(noises.items()):
    noisy = add_noise(clean)
    scores = []
    for col, (filter_name, denoise) in enumerate(filters.items()):
        restored = denoise(noisy)
        score = psnr(clean, restored)
        scores.append(score)
        ax = axes[row, col]
        ax.imshow(restored, cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"{filter_name}\nPSNR {score:.1f} dB", fontsize=9)
        ax.axis("off")
    axes[row, 0].set_ylabel(noise_name)
    axes[row, 0].axis("on")
    axes[row, 0].set_xticks([])
    axes[row, 0].set_yticks([])
    print(f"{noise_name:24s}" + "".join(f"{s:18.2f}" for s in scores))
fig.suptitle("Noise models (rows) vs denoising filters (columns)")
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_filters_denoising")
