"""
=========================================
Coarse-to-fine hyperparameter search
=========================================

The course's recipe for choosing the regularisation strength ``alpha`` and the
learning rate of a linear classifier:

1. a **coarse** random search over wide ranges, sampled in log space, where every
   configuration trains for a few epochs only (here 5 of 50);
2. keep the best few configurations and **narrow** each range to their span;
3. a **fine** grid on the narrowed ranges, with the full training budget.

We compare it with a full 10 x 10 grid over the same ranges on the digits, and plot
where each search spent its fits.
"""

# %%
# Data and model
# --------------
# A linear SVM trained by stochastic gradient descent: skcv's
# ``LinearSVMClassifier`` when available, else scikit-learn's ``SGDClassifier`` with
# the hinge loss and a constant learning rate.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skcv.model_selection import CoarseToFineSearchCV
from skcv.plot._save import save_example_figures

warnings.simplefilter("ignore", ConvergenceWarning)

try:
    from skcv.linear_model import LinearSVMClassifier

    estimator = LinearSVMClassifier(
        loss="hinge", solver="sgd", max_iter=50, random_state=0
    )
    rate, coarse_budget = "learning_rate_init", {"max_iter": 5}
except ImportError:
    from sklearn.linear_model import SGDClassifier

    estimator = SGDClassifier(loss="hinge", learning_rate="constant", random_state=0)
    rate, coarse_budget = "eta0", {"max_iter": 5, "tol": None}

X, y = load_digits(return_X_y=True)
X, y = X[:900] / 16.0, y[:900]
cv = StratifiedKFold(3, shuffle=True, random_state=0)

# %%
# The full grid: 100 configurations
# ---------------------------------
grid = GridSearchCV(
    estimator,
    {"alpha": np.geomspace(1e-6, 1, 10), rate: np.geomspace(1e-4, 1, 10)},
    cv=cv,
).fit(X, y)
print(
    f"grid:           {len(grid.cv_results_['params'])} candidates, "
    f"best CV accuracy {grid.best_score_:.4f}"
)

# %%
# Coarse to fine: 8 configurations of 5 epochs, then a 5 x 5 grid
# ------------------------------------------------------------------
search = CoarseToFineSearchCV(
    estimator,
    {"alpha": loguniform(1e-6, 1), rate: loguniform(1e-4, 1)},
    n_coarse=8,
    top_k=3,
    n_fine_per_param=5,
    coarse_params=coarse_budget,
    cv=cv,
    random_state=0,
).fit(X, y)
print(
    f"coarse to fine: {len(search.cv_results_['params'])} candidates, "
    f"best CV accuracy {search.best_score_:.4f}"
)
print(
    "narrowed grid:",
    {k: np.round(v, 6).tolist() for k, v in search.fine_param_grid_.items()},
)

# %%
# Where the fits went
# -------------------
# Grey: the full grid, coloured by CV accuracy. Crosses: the coarse few-epoch
# samples; dots: the fine grid on the narrowed ranges; star: the chosen configuration.
res = search.cv_results_
coarse = res["stage"] == "coarse"
fig, ax = plt.subplots(figsize=(6, 5))
g = grid.cv_results_
sc = ax.scatter(
    g["param_alpha"].astype(float),
    g[f"param_{rate}"].astype(float),
    c=g["mean_test_score"],
    cmap="Greys",
    s=60,
    vmin=0.5,
    vmax=1,
)
ax.scatter(
    res["param_alpha"][coarse].astype(float),
    res[f"param_{rate}"][coarse].astype(float),
    marker="x",
    c="tab:blue",
    label="coarse (5 epochs)",
)
ax.scatter(
    res["param_alpha"][~coarse].astype(float),
    res[f"param_{rate}"][~coarse].astype(float),
    c="tab:orange",
    s=20,
    label="fine (full budget)",
)
ax.scatter(
    [search.best_params_["alpha"]],
    [search.best_params_[rate]],
    marker="*",
    s=250,
    c="tab:red",
    label="best",
)
ax.set(
    xscale="log",
    yscale="log",
    xlabel="alpha",
    ylabel=rate,
    title="Coarse-to-fine vs a 10 x 10 grid",
)
fig.colorbar(sc, ax=ax, label="grid CV accuracy")
ax.legend(loc="lower left")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_search_coarse_to_fine")
