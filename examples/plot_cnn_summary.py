"""
Network summary: where VGG-16 keeps its parameters and spends its arithmetic
============================================================================

:func:`skcv.cnn.summary` runs one image through a network and lists, per layer,
the output shape, the parameters and their share of the network's, the
multiply-adds and the receptive field. The course's table of VGG-16 at 224x224
reads off directly: the thirteen 3x3 convolutions do almost all of the
arithmetic, while the first fully connected layer (FC6, 7 x 7 x 512 inputs to
4096 units) holds about three quarters of the 138 million parameters.

The network is built on torch's ``meta`` device, so the summary costs no memory
and no arithmetic. Every output size follows ``(W - F + 2P) / S + 1``
(:func:`skcv.utils.conv_output_size`).
"""

import matplotlib.pyplot as plt
import numpy as np

from skcv.cnn import summary
from skcv.plot._save import save_example_figures
from skcv.utils import conv_output_size

# %%
# The table
# ---------
s = summary("vgg16", (224, 224, 3), n_classes=1000)
print(s)

# %%
# The output size formula, checked on AlexNet's first layer (227 input, 11x11
# filters, stride 4) and on one of VGG's 3x3 "same" convolutions.
print("AlexNet conv1:", conv_output_size(227, 11, 0, 4))  # 55
print("VGG 3x3, pad 1:", conv_output_size(224, 3, 1, 1))  # 224

# %%
# Parameters and multiply-adds per weight layer
# ---------------------------------------------
weights = [r for r in s.rows if r["type"] in ("Conv2d", "Linear")]
names, n_conv, n_fc = [], 0, 0
for r in weights:
    if r["type"] == "Conv2d":
        n_conv += 1
        names.append(f"conv{n_conv}")
    else:
        n_fc += 1
        names.append(f"FC{5 + n_fc}")
params = np.array([r["params"] for r in weights]) / s.total_params
madds = np.array([r["mult_adds"] for r in weights]) / s.total_mult_adds
rf = [r["receptive_field"][0] for r in weights]

fig, (ax_p, ax_m) = plt.subplots(1, 2, figsize=(10, 5), sharey=True)
y = np.arange(len(weights))
ax_p.barh(y, 100 * params, color="tab:blue")
ax_p.set_yticks(y, [f"{n} (RF {f})" for n, f in zip(names, rf, strict=True)])
ax_p.invert_yaxis()
ax_p.set_xlabel("share of the parameters (%)")
ax_p.set_title(f"{s.total_params / 1e6:.1f} M parameters")
ax_m.barh(y, 100 * madds, color="tab:orange")
ax_m.set_xlabel("share of the multiply-adds (%)")
ax_m.set_title(f"{s.total_mult_adds / 1e9:.2f} G multiply-adds per image")
for yi, share in zip(y, params, strict=True):
    if share > 0.02:
        ax_p.text(100 * share + 1, yi, f"{100 * share:.0f} %", va="center")
ax_p.set_xlim(0, 100)
fig.suptitle("VGG-16 at 224x224 (RF: receptive field in pixels)")
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_cnn_summary")
