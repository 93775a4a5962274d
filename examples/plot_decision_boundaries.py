"""
Decision boundaries: a linear classifier fails, wider MLPs succeed
==================================================================

The course's non-linearly separable 2-D sets (:func:`skcv.datasets.make_spiral`
and :func:`skcv.datasets.make_xor`) and scikit-learn's
:class:`~sklearn.inspection.DecisionBoundaryDisplay`, which works with every skcv
classifier (``response_method="predict_proba"`` included).

The softmax (linear) classifier cuts the plane into straight-edged regions and
gets about half of the spiral points wrong and XOR at chance. A network with
one hidden layer of ReLU units bends the boundary: the more units, the more
pieces it can be made of, and from a few dozen units both sets are learnt
(the course: more neurons, more complex boundaries, and a risk to overfit).
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay

from skcv.datasets import make_spiral, make_xor
from skcv.linear_model import SoftmaxClassifier
from skcv.neural_network import MLPClassifier
from skcv.plot._save import save_example_figures

datasets = {
    "spiral": make_spiral(300, 3, random_state=0),
    "xor": make_xor(300, noise=0.05, random_state=0),
}
models = {"linear (softmax)": SoftmaxClassifier()}
for width in (3, 10, 100):
    models[f"MLP, {width} hidden units"] = MLPClassifier(
        (width,), learning_rate_init=0.01, max_iter=1000, random_state=0
    )

fig, axes = plt.subplots(2, len(models), figsize=(3.2 * len(models), 6.6))
for row, (data_name, (X, y)) in zip(axes, datasets.items(), strict=True):
    for ax, (name, clf) in zip(row, models.items(), strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        colours = {"cmap": "coolwarm"} if data_name == "xor" else {}
        DecisionBoundaryDisplay.from_estimator(
            clf,
            X,
            response_method="predict_proba" if data_name == "xor" else "predict",
            **colours,
            alpha=0.5,
            grid_resolution=150,
            ax=ax,
        )
        ax.scatter(X[:, 0], X[:, 1], c=y, s=8, edgecolor="k", linewidth=0.2)
        acc = clf.score(X, y)
        ax.set_title(f"{name}\ntraining acc {acc:.2f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        print(f"{data_name:6s} {name:24s} training accuracy {acc:.3f}")
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_decision_boundaries")
