"""
Choosing lambda and the learning rate: train / validation / test
=================================================================

The course's protocol: split off a test set first and never look at it while
choosing hyperparameters; choose the regularisation strength ``alpha`` (lambda)
and ``learning_rate_init`` by K-fold cross-validation on the training part; refit
on the whole training part; report the test accuracy once. Picking lambda on the
test set would make the reported accuracy an optimistic, biased estimate: the test
set would have been used for training decisions.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, train_test_split

from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier
from skcv.plot._save import save_example_figures

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

grid = {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "learning_rate_init": [1e-3, 1e-2, 1e-1]}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for ax, est in zip(
    axes,
    [
        LinearSVMClassifier(loss="hinge", solver="sgd", tol=1e-3, n_iter_no_change=3),
        SoftmaxClassifier(solver="sgd", tol=1e-3, n_iter_no_change=3),
    ],
    strict=True,
):
    est.set_params(max_iter=100, random_state=0)
    search = GridSearchCV(est, grid, cv=KFold(5, shuffle=True, random_state=0))
    with warnings.catch_warnings():
        # small learning rates do not converge in 100 epochs: that is the point
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"].reshape(4, 3)
    image = ax.imshow(scores, vmin=0.8, vmax=1.0)
    ax.set_xticks(range(3), grid["learning_rate_init"])
    ax.set_yticks(range(4), grid["alpha"])
    ax.set_xlabel("learning_rate_init")
    ax.set_ylabel("alpha (lambda)")
    name = type(est).__name__
    ax.set_title(f"{name}\n5-fold CV accuracy")
    fig.colorbar(image, ax=ax)
    # The test set is used once, after the choice.
    print(
        f"{name}: best {search.best_params_}, CV {search.best_score_:.3f}, "
        f"test {search.score(X_test, y_test):.3f}"
    )
fig.tight_layout()

print(
    "mean |W| of the best softmax model:", np.abs(search.best_estimator_.coef_).mean()
)

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_linear_gridsearch")
