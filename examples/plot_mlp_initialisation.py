"""
Weight initialisation: collapse, saturation, Xavier and He
==========================================================

The course's experiment: push unit Gaussian data through ten layers of 500
units without training and look at the activations of each layer.

* ``N(0, 0.01^2)`` weights: every layer multiplies the spread by about
  ``0.01 * sqrt(500) = 0.22``; from layer 3 on the activations are all close to
  0, and so are the weight gradients (they are proportional to the inputs).
* ``N(0, 1)`` weights: the pre-activations are huge, tanh saturates at +-1 and
  its local gradient ``1 - a^2`` vanishes.
* Xavier, ``N(0, 1 / fan_in)``: the spread of tanh activations decays slowly.
* For ReLU, which zeroes half of its inputs, He's ``N(0, 2 / fan_in)`` keeps the
  spread constant where Xavier halves the variance at every layer.
"""

import matplotlib.pyplot as plt
import numpy as np

from skcv.neural_network import activation_statistics
from skcv.plot import plot_activation_statistics
from skcv.plot._save import save_example_figures

X = np.random.default_rng(0).standard_normal((500, 500))
settings = [
    ("tanh", 0.01),
    ("tanh", 1.0),
    ("tanh", "xavier"),
    ("relu", "xavier"),
    ("relu", "he"),
]
for activation, init in settings:
    stats = activation_statistics(
        X, (500,) * 10, activation, init, bins=30, random_state=0
    )
    plot_activation_statistics(stats)
    print(
        f"{activation:5s} {init!s:7s} std per layer:",
        np.array2string(stats.activation_std, precision=3),
        f"saturated: {stats.saturation.mean():.2f}",
    )

# Standard deviation per layer, all settings on one axes.
fig, ax = plt.subplots(figsize=(5, 3.5))
for activation, init in settings:
    stats = activation_statistics(X, (500,) * 10, activation, init, random_state=0)
    ax.semilogy(range(1, 11), stats.activation_std, "o-", label=f"{activation}, {init}")
ax.set_xlabel("layer")
ax.set_ylabel("std of activations")
ax.legend(fontsize="small")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_mlp_initialisation")
