"""
Hinge loss and softmax cross-entropy on the same scores
=======================================================

:mod:`skcv.losses` evaluates the losses the linear classifiers and the MLP
train with on any scores, with their gradients.

Left: the course's worked example. Scores ``[10, 9, 9]`` with the true class
(bird) first: every margin ``s_j - s_y + 1`` is 0, so the multiclass SVM
(hinge) loss is 0 and its gradient vanishes: the SVM is satisfied. Softmax
turns the same scores into probabilities ``[0.58, 0.21, 0.21]``: the
classifier is right but far from sure, its cross-entropy is 0.55 and its
gradient still pushes the true score up. Right: the three losses as the true
class's lead over the other two grows. The hinge is exactly 0 beyond the
margin, the squared hinge is smooth, the cross-entropy never reaches 0.
"""

import matplotlib.pyplot as plt
import numpy as np

from skcv.losses import hinge_loss, softmax, softmax_cross_entropy, squared_hinge
from skcv.plot._save import save_example_figures

scores = np.array([10.0, 9.0, 9.0])
p = softmax(scores)
hinge, g_hinge = hinge_loss([0], scores, return_gradient=True)
ce, g_ce = softmax_cross_entropy([0], scores, return_gradient=True)
print(f"hinge loss {hinge:.3f}, gradient {g_hinge}")
print(f"softmax {p.round(3)}, cross-entropy {ce:.3f}, gradient {g_ce.round(3)}")

fig, (ax_bar, ax_curve) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
classes = ["bird (true)", "cat", "dog"]
x = np.arange(3)
ax_bar.bar(x - 0.2, scores / scores.sum(), 0.4, label="scores / sum (for scale)")
ax_bar.bar(x + 0.2, p, 0.4, label="softmax probability")
ax_bar.set_xticks(x, classes)
ax_bar.set_title(f"scores [10, 9, 9]: hinge {hinge:.2f}, cross-entropy {ce:.2f}")
ax_bar.legend()

lead = np.linspace(-3, 5, 200)
S = np.column_stack([lead, np.zeros_like(lead), np.zeros_like(lead)])
for name, loss in [
    ("hinge (Weston-Watkins)", hinge_loss),
    ("squared hinge", squared_hinge),
    ("softmax cross-entropy", softmax_cross_entropy),
]:
    values = [loss([0], row) for row in S]
    ax_curve.plot(lead, values, label=name)
ax_curve.axvline(1.0, color="0.6", ls=":", label="margin delta = 1")
ax_curve.set_ylim(0, 8)
ax_curve.set_xlabel("true-class score minus the other scores")
ax_curve.set_ylabel("loss")
ax_curve.legend()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_losses_hinge_softmax")
