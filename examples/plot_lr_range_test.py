"""
Learning-rate range test: pick ``learning_rate_init`` in one short run
======================================================================

:func:`skcv.model_selection.lr_range_test` trains a clone of the estimator for
100 minibatches while the learning rate grows exponentially from ``min_lr`` to
``max_lr``, smooths the batch losses and stops once the loss exceeds four times
its best value (the fastai / PyTorch Lightning LR finder). Too low a rate
leaves the loss flat, a good one makes it fall fast, too high a one makes it
explode. The suggestion is a tenth of the rate of the lowest loss (chosen by
measurement: see ``benchmarks/bench_lr_range.py``).

Left: the range test of an MLP (SGD with momentum) on digits. Right: the same
MLP trained for 15 epochs at the suggested rate, at 100 x less and at 10 x
more: the course's picture of learning rates read from loss curves.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skcv.model_selection import LRRangeTestDisplay
from skcv.neural_network import MLPClassifier
from skcv.plot._save import save_example_figures

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.3, random_state=0, stratify=y
)
mlp = MLPClassifier((64,), solver="sgd", batch_size=32, max_iter=15, random_state=0)

fig, (ax_test, ax_train) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
disp = LRRangeTestDisplay.from_estimator(
    mlp, X_train, y_train, min_lr=1e-5, max_lr=10, ax=ax_test
)
best = disp.result_.suggestion
print(f"suggested learning_rate_init: {best:.3g}")

for factor in (0.01, 1.0, 10.0):
    lr = best * factor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            mlp.set_params(learning_rate_init=lr).fit(X_train, y_train)
            acc = f"{mlp.score(X_test, y_test):.3f}"
        except ValueError:  # diverged: the history up to there is kept
            acc = "diverged"
    curve = [h["train_loss"] for h in mlp.history_]
    ax_train.plot(range(1, len(curve) + 1), curve, label=f"lr={lr:.2g}: test {acc}")
    print(f"lr={lr:.3g}: test accuracy {acc}")
ax_train.set_yscale("log")
ax_train.set_xlabel("epoch")
ax_train.set_ylabel("training loss")
ax_train.set_title("15 epochs at the suggestion, 100x lower, 10x higher")
ax_train.legend()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_lr_range_test")
