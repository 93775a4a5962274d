"""
Why weights start random: the symmetry of a constant initialisation
===================================================================

If every weight of a layer starts at the same value (zero or any constant),
every hidden unit computes the same function of the input, receives the same
gradient and takes the same step: the units stay identical for ever and the
layer is worth a single unit. Random initialisation breaks the symmetry.

Each row shows the incoming weights of 8 of the 16 hidden units (as 8 x 8
templates over the digit pixels) of an MLP trained for 30 epochs of SGD on
digits. Xavier: 16 different templates. All weights 0.05: the units have
changed, but all 16 are the same template. All weights 0 (``weight_init=0.0``):
with tanh the hidden units output 0, no gradient reaches the weights and only
the output biases learn. :func:`skcv.neural_network.activation_statistics`
counts the distinct units of each layer at initialisation
(``n_distinct_units``).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skcv.neural_network import MLPClassifier, activation_statistics
from skcv.plot._save import save_example_figures

X, y = load_digits(return_X_y=True)
X = X / 16


def train(init):
    """Train a 16-unit tanh MLP whose weights all start at ``init`` (or Xavier)."""
    clf = MLPClassifier(
        (16,),
        activation="tanh",
        solver="sgd",
        learning_rate_init=0.05,
        max_iter=1,
        warm_start=True,
        tol=0.0,
        n_iter_no_change=100,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)  # builds the network (one epoch)
        if init != "xavier":  # restart from constant weights, zero biases
            for W, b in zip(clf.coefs_, clf.intercepts_, strict=True):
                W[...] = init
                b[...] = 0.0
        clf.set_params(max_iter=30).fit(X, y)
    return clf


fig, axes = plt.subplots(3, 8, figsize=(10, 4.6), layout="constrained")
for row, init in zip(axes, ["xavier", 0.05, 0.0], strict=True):
    clf = train(init)
    W1 = clf.coefs_[0]
    n_distinct = np.unique(W1.T.round(12), axis=0).shape[0]
    acc = clf.score(X, y)
    label = f"init {init}: {n_distinct} distinct units, training acc {acc:.2f}"
    print(label)
    scale = np.abs(W1).max() or 1.0
    for j, ax in enumerate(row):
        ax.imshow(W1[:, j].reshape(8, 8), cmap="RdBu", vmin=-scale, vmax=scale)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(f"{init}", rotation=0, labelpad=22)
    text = row[0].annotate(label, (0, 1.06), xycoords="axes fraction", fontsize=9)
    text.set_in_layout(False)  # a row title that does not move the columns

stats = activation_statistics(
    np.random.default_rng(0).standard_normal((200, 64)), (16, 16), "tanh", 0.0
)
print("distinct units at zero init per layer:", stats.n_distinct_units)
fig.suptitle("Incoming weights of hidden units after training")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_mlp_symmetry")
