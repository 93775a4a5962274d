"""
Optimisers compared on one problem
==================================

The same softmax classifier (a convex problem) trained on the digits with every
optimiser of the course: plain SGD, SGD with momentum and with Nesterov
momentum, Adagrad, RMSProp and Adam (one epoch = one pass over the data in
minibatches of 64), and L-BFGS (one point = one iteration over the full batch).
Momentum methods and the adaptive ones reach a low loss in far fewer epochs than
plain SGD at the same learning rate.

L-BFGS runs twice: plain, and with ``precondition=True``, which changes the
variables to ``[W, b] = V L^-1`` where ``L L^T`` estimates the Hessian from the
pixels' second moment. Neighbouring pixels are correlated, so the plain problem
is ill-conditioned; the preconditioned one reaches the same minimum in about a
third of the iterations (``"auto"`` turns it on for large problems such as
CIFAR-10, where it makes L-BFGS about 3x faster).
"""

import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skcv.linear_model import SoftmaxClassifier
from skcv.plot import plot_history
from skcv.plot._save import save_example_figures

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
    ax = plot_history(clf, ax=ax, label=label, log_scale=True).ax_[0]
    print(f"{label:15s} final loss {clf.loss_curve_[-1]:.4f}")

for precondition, style in [(False, "k--"), (True, "k:")]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lbfgs = SoftmaxClassifier(
            solver="lbfgs", max_iter=30, tol=0.0, precondition=precondition
        ).fit(X, y)
    label = "lbfgs, preconditioned" if precondition else "lbfgs"
    curve = lbfgs.loss_curve_
    ax.plot(range(1, len(curve) + 1), curve, style, label=label)
    print(f"{label:22s} loss after 10 iterations {curve[9]:.4f}")
ax.legend()
ax.set_title("Softmax on digits: training loss per epoch")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_linear_optimizers")
