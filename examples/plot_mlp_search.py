"""
Random search in log space over the learning rate and lambda
=============================================================

The course's advice for hyperparameters: search the learning rate and the
regularisation strength on a log scale, by random search rather than a grid
(with the same budget, random search tries more distinct values of the
parameter that matters), with cross-validation on the training set only. The
final model is scored once on the test set.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, train_test_split

from skcv.neural_network import MLPClassifier
from skcv.plot._save import save_example_figures

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
base = MLPClassifier(hidden_layer_sizes=(64,), max_iter=15, random_state=0)
warnings.simplefilter("ignore", ConvergenceWarning)

grid = GridSearchCV(
    base,
    {"learning_rate_init": [1e-4, 1e-3, 1e-2], "alpha": [1e-5, 1e-3, 1e-1]},
    cv=3,
).fit(X_train, y_train)
random = RandomizedSearchCV(
    base,
    {"learning_rate_init": loguniform(1e-4, 1e-1), "alpha": loguniform(1e-6, 1)},
    n_iter=9,
    cv=3,
    random_state=0,
).fit(X_train, y_train)

fig, ax = plt.subplots(figsize=(5, 4))
for search, marker, name in [(grid, "s", "grid"), (random, "o", "random")]:
    res = search.cv_results_
    sc = ax.scatter(
        np.asarray(res["param_learning_rate_init"], dtype=float),
        np.asarray(res["param_alpha"], dtype=float),
        c=res["mean_test_score"],
        marker=marker,
        vmin=0.5,
        vmax=1.0,
        label=name,
    )
    print(
        f"{name:6s} best {search.best_params_} CV {search.best_score_:.3f} "
        f"test {search.score(X_test, y_test):.3f}"
    )
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("learning_rate_init")
ax.set_ylabel("alpha")
ax.legend()
fig.colorbar(sc, label="mean CV accuracy")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_mlp_search")
