"""
Training curves: loss, accuracy and the overfitting gap
=======================================================

Every iterative skcv estimator records the same ``history_``: per epoch the
training loss and accuracy (of the batches as they were seen, no extra pass),
the validation loss and accuracy when ``early_stopping`` holds out a split,
the learning rate and the time. :func:`skcv.plot.plot_history` draws loss and
accuracy side by side and shades the gap between training and validation.

Here an MLP with many units and no regularisation learns 120 noisy digits by heart:
the training accuracy reaches 100 % and the training loss keeps falling while
the validation accuracy stalls near 77 % and the validation loss stays flat
(overfitting). An L2 penalty (``alpha``) halves the gap and raises the
validation accuracy. The torch estimators (``CNNClassifier``,
``FCNSegmenter``, ``ObjectLocalizer``) record the same keys, so the same call
plots them.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skcv.neural_network import MLPClassifier
from skcv.plot import plot_history
from skcv.plot._save import save_example_figures

X, y = load_digits(return_X_y=True)
X, y = X[:240] / 16, y[:240]
# Noisy pixels make the task hard enough for memorising to show.
X = X + np.random.default_rng(0).normal(scale=0.35, size=X.shape)

fig, axes = plt.subplots(2, 2, figsize=(10, 7), layout="constrained")
for row, alpha in zip(axes, (0.0, 0.05), strict=True):
    clf = MLPClassifier(
        (256,),
        alpha=alpha,
        solver="adam",
        learning_rate_init=3e-3,
        batch_size=32,
        max_iter=100,
        early_stopping=True,
        validation_fraction=0.5,
        n_iter_no_change=100,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    disp = plot_history(clf, ax=row, label=f"alpha={alpha:g}", log_scale=True)
    last = clf.history_[-1]
    print(
        f"alpha={alpha:g}: train acc {last['train_accuracy']:.3f}, "
        f"validation acc {last['valid_accuracy']:.3f}, final gap {disp.gap_:.3f}"
    )
fig.suptitle(
    "MLP on 120 noisy digits: training vs validation (shaded: overfitting gap)"
)

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_training_history")
