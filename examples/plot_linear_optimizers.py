"""
Optimisers compared on one problem
==================================

The same softmax classifier (a convex problem) trained on the digits with every
optimiser of the course: plain SGD, SGD with momentum and with Nesterov
momentum, Adagrad, RMSProp and Adam (one epoch = one pass over the data in
minibatches of 64), and L-BFGS (one point = one iteration over the full batch).
Momentum methods and the adaptive ones reach a low loss in far fewer epochs than
plain SGD at the same learning rate.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skcv.linear_model import SoftmaxClassifier
from skcv.plot import plot_history

X, y = load_digits(return_X_y=True)
X = X / 16.0

runs = {
    "sgd": {"solver": "sgd", "momentum": 0.0},
    "sgd + momentum": {"solver": "sgd", "nesterovs_momentum": False},
    "sgd + nesterov": {"solver": "sgd"},
    "adagrad": {"solver": "adagrad"},
    "rmsprop": {"solver": "rmsprop"},
    "adam": {"solver": "adam"},
}
ax = None
for label, params in runs.items():
    clf = SoftmaxClassifier(
        learning_rate_init=0.01 if params["solver"] in ("sgd", "adagrad") else 1e-3,
        batch_size=64,
        max_iter=30,
        tol=0.0,
        n_iter_no_change=1000,
        alpha=1e-4,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    ax = plot_history(clf, ax=ax, label=label, log_scale=True)
    print(f"{label:15s} final loss {clf.loss_curve_[-1]:.4f}")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    lbfgs = SoftmaxClassifier(solver="lbfgs", max_iter=30, tol=0.0).fit(X, y)
ax.plot(range(1, len(lbfgs.loss_curve_) + 1), lbfgs.loss_curve_, "k--", label="lbfgs")
ax.legend()
ax.set_title("Softmax on digits: training loss per epoch")
plt.show()
