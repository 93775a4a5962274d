"""
Linear classifiers learn one template per class
================================================

A linear classifier scores an image by a dot product with one weight vector per
class: each row of ``coef_`` is a template, and the score is a match against it.
Shown as images (rescaled to [0, 1]), the templates of a softmax classifier on the
8x8 digits look like blurred digits. With ``--data-home DIR`` (a folder holding
``cifar-10-batches-py``) the same is done on CIFAR-10, where the templates are
the course's famous blurry "car" and "horse" (often with two heads) images.
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skcv.datasets import load_cifar10
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier
from skcv.plot import plot_templates
from skcv.plot._save import save_example_figures

parser = argparse.ArgumentParser(
    description="Linear classifiers learn one template per class"
)
parser.add_argument("--data-home", default=None, help="folder with cifar-10-batches-py")
args, _ = parser.parse_known_args()

X, y = load_digits(return_X_y=True)
clf = SoftmaxClassifier(alpha=1e-2).fit(X / 16.0, y)
fig = plot_templates(clf, (8, 8), cmap="viridis")
fig.suptitle(f"Softmax templates on digits (train acc {clf.score(X / 16.0, y):.2f})")

if args.data_home:
    cifar = load_cifar10(data_home=args.data_home, subset="train")
    X = cifar.data.reshape(len(cifar.data), -1).astype(np.float32) / 255
    X -= X.mean(axis=0)
    y = cifar.target
    names = ["plane", "car", "bird", "cat", "deer"]
    names += ["dog", "frog", "horse", "ship", "truck"]
    # A fixed budget of 8 epochs (the benchmark's setting): silence the warning.
    warnings.simplefilter("ignore", ConvergenceWarning)
    svm = LinearSVMClassifier(
        loss="hinge",
        solver="sgd",
        alpha=1e-2,
        learning_rate_init=3e-3,
        learning_rate="step",
        batch_size=500,
        max_iter=8,
        random_state=0,
    ).fit(X, y)
    fig = plot_templates(svm, (32, 32, 3), class_names=names)
    fig.suptitle("Linear SVM templates on CIFAR-10")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_linear_templates")
