"""
CNN architectures from the course: LeNet-5, VGG, ResNet and the fast preset
============================================================================

Trains four networks with :class:`skcv.cnn.CNNClassifier` on the same small
training set and compares their test accuracy and training time, then plots
the first-layer filters of each network and the training curves.

By default the data are scikit-learn's bundled 8x8 digits (adaptive pooling lets
every network run on them; LeNet-5 zero-pads to 9x9), which keeps the run under a
minute on a laptop CPU. Pass ``--data-home DIR`` (a folder holding
``cifar-10-batches-py/``) to use a CIFAR-10 subset instead, with ``--n-train``
images.
"""

import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skcv.cnn import CNNClassifier
from skcv.plot import plot_filters
from skcv.plot._save import save_example_figures

parser = argparse.ArgumentParser(
    description="CNN architectures from the course: LeNet-5, VGG, ResNet, fast preset"
)
parser.add_argument("--data-home", default=None, help="folder with CIFAR-10")
parser.add_argument("--n-train", type=int, default=5000)
parser.add_argument("--epochs", type=int, default=None)
args, _ = parser.parse_known_args()

# %%
# Data
# ----
if args.data_home:
    from skcv.datasets import load_cifar10

    X, y = load_cifar10(args.data_home, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(args.data_home, subset="test", return_X_y=True)
    X, y = X[: args.n_train], y[: args.n_train]
    X_test, y_test = X_test[:2000], y_test[:2000]
    epochs = args.epochs or 8
    small = {}
else:
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    X, X_test, y, y_test = train_test_split(
        images, digits.target, test_size=0.3, random_state=0
    )
    epochs = args.epochs or 5
    small = {"width": 0.25}

# %%
# The four networks
# -----------------
# Same optimiser settings for the three classic networks (Adam, one-cycle
# schedule); the fast preset brings its own (Nesterov SGD, one-cycle schedule,
# label smoothing, flip + translate augmentation, frozen patch-whitening first
# layer, test-time flip). The preset is tuned for 32x32 CIFAR-10; on the tiny
# digits it gets narrower layers, an unscaled head and smaller batches.
common = dict(
    epochs=epochs,
    batch_size=32,
    solver="adam",
    learning_rate_init=0.003,
    lr_schedule="onecycle",
    random_state=0,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=epochs,
)
fast_digits = dict(
    batch_size=32,
    learning_rate_init=0.1,
    module_params={"widths": (16, 32, 64), "head_scale": 1.0},
)
models = {
    "LeNet-5": CNNClassifier(
        module="lenet5", module_params={"activation": "relu"}, **common
    ),
    "VGG-11 (BN)": CNNClassifier(module="vgg11_bn", module_params=small, **common),
    "ResNet-20": CNNClassifier(module="resnet20", module_params=small, **common),
    "fast preset": CNNClassifier.from_preset(
        "fast",
        epochs=epochs,
        random_state=0,
        early_stopping=True,
        n_iter_no_change=epochs,
        **({} if args.data_home else fast_digits),
    ),
}

results = {}
for name, clf in models.items():
    t0 = time.perf_counter()
    clf.fit(X, y)
    seconds = time.perf_counter() - t0
    acc = clf.score(X_test, y_test)
    results[name] = (acc, seconds)
    print(f"{name:12s} test accuracy {acc:.3f}  training {seconds:5.1f} s")


# %%
# First-layer filters
# -------------------
# LeNet, VGG and ResNet learn their first filters; the fast preset's first layer
# is frozen at the patch-whitening filters of the training images (each filter
# and its negative), computed by :func:`skcv.preprocessing.patch_whitening_filters`.
fig, axes = plt.subplots(1, len(models), figsize=(2.6 * len(models), 3))
for ax, (name, clf) in zip(axes, models.items(), strict=True):
    plot_filters(clf, layer=0, ax=ax)  # each filter normalised on its own
    ax.set_xlabel(name)
fig.suptitle("First-layer filters")

# %%
# Training curves
# ---------------
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
for name, clf in models.items():
    epochs_run = [h["epoch"] for h in clf.history_]
    ax_loss.plot(epochs_run, [h["train_loss"] for h in clf.history_], label=name)
    ax_acc.plot(epochs_run, [h["valid_accuracy"] for h in clf.history_], label=name)
ax_loss.set(xlabel="epoch", ylabel="training loss", title="Loss")
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="Accuracy")
ax_acc.legend(fontsize=8)
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_cnn_architectures")
