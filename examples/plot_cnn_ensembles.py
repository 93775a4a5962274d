"""
Model ensembles: voting, stacking and snapshot ensembles
========================================================

The course's last trick for a few more points of accuracy: train several
models and average their predictions. skcv's classifiers are scikit-learn
estimators, so :class:`sklearn.ensemble.VotingClassifier` and
:class:`sklearn.ensemble.StackingClassifier` combine them as they are: here a
linear SVM, a softmax classifier, an MLP and a CNN on the 8x8 digits.

An ensemble usually costs one training per member. A snapshot ensemble (Huang
et al., 2017) gets its members from one training run:
``CNNClassifier(snapshot_ensemble=k)`` splits the epochs into ``k`` cycles of a
cosine learning-rate schedule that restarts at the top of each cycle, keeps the
weights at the end of every cycle and averages the snapshots' probabilities.
The learning rate of each epoch (``history_``) shows the restarts. Whether
the snapshots beat one model trained for the same epochs depends on the
problem: on these 600 digits the short cycles give weaker members and the
average gains little or nothing; ``benchmarks/bench_cnn.py --part ensemble``
measures it on CIFAR-10.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skcv.cnn import CNNClassifier
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier
from skcv.neural_network import MLPClassifier
from skcv.plot._save import save_example_figures

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, train_size=600, random_state=0, stratify=y
)


def cnn(**params):
    return CNNClassifier(
        module="simple",
        module_params={"widths": (8, 16)},
        epochs=12,
        batch_size=32,
        solver="sgd",
        learning_rate_init=0.05,
        weight_decay=5e-4,
        image_shape=(8, 8),
        random_state=0,
        device="cpu",
        **params,
    )


members = [
    ("linear SVM", LinearSVMClassifier(random_state=0)),
    ("softmax", SoftmaxClassifier(random_state=0)),
    ("MLP", MLPClassifier((64,), solver="lbfgs", max_iter=500, random_state=0)),
    ("CNN", cnn()),
]

# %%
# Voting and stacking over skcv estimators
# ----------------------------------------
scores = {}
for name, est in members:
    scores[name] = est.fit(X_train, y_train).score(X_test, y_test)
scores["hard vote"] = (
    VotingClassifier(members, voting="hard").fit(X_train, y_train).score(X_test, y_test)
)
soft = [(n, e) for n, e in members if n != "linear SVM"]  # hinge loss: no proba
scores["soft vote"] = (
    VotingClassifier(soft, voting="soft").fit(X_train, y_train).score(X_test, y_test)
)
stack = StackingClassifier(
    members, final_estimator=LogisticRegression(max_iter=1000), cv=3
)
scores["stacking"] = stack.fit(X_train, y_train).score(X_test, y_test)

# %%
# A snapshot ensemble for the price of one CNN
# --------------------------------------------
snap = cnn(snapshot_ensemble=3).fit(X_train, y_train)
scores["CNN snapshots (3)"] = snap.score(X_test, y_test)
member_scores = [snap.get_snapshot(i).score(X_test, y_test) for i in range(3)]
for name, acc in scores.items():
    print(f"{name:18s} {acc:.3f}")
print("snapshot members:", " ".join(f"{a:.3f}" for a in member_scores))

fig, (ax_acc, ax_lr) = plt.subplots(1, 2, figsize=(11, 4))
names = list(scores)
colors = ["tab:gray"] * len(members) + ["tab:blue"] * (len(names) - len(members))
ax_acc.barh(names, scores.values(), color=colors)
ax_acc.invert_yaxis()
low = min(scores.values())
ax_acc.set_xlim(low - 0.05, 1.0)
ax_acc.set_xlabel("test accuracy (digits, 600 training images)")
ax_acc.set_title("Members (grey) and ensembles (blue)")
lr = [h["lr"] for h in snap.history_]
ax_lr.plot(np.arange(1, len(lr) + 1), lr, "o-")
ax_lr.set(xlabel="epoch", ylabel="learning rate (first step of the epoch)")
ax_lr.set_title("Cosine schedule restarted for 3 snapshots")
fig.tight_layout()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_cnn_ensembles")
