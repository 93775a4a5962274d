"""
Texture classification with filter banks and textons
=====================================================

The course's texture pipeline on bundled data (no download): patches of
scikit-image's brick, grass and gravel textures.

1. Show the Leung-Malik filter bank (the course's figure of 48 filters).
2. Cross-validate ``Pipeline([FilterBankExtractor, StandardScaler, linear SVM])``
   with ``GridSearchCV`` and ``RepeatedKFold`` (the extractor is cached, so each
   fold computes the training responses once).
3. Varma-Zisserman textons: MR8 responses, k-means per class, texton histograms
   classified by an SVM with the chi-squared kernel, or by a linear SVM after
   ``AdditiveChi2Sampler``.
"""

import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.kernel_approximation import AdditiveChi2Sampler
from sklearn.metrics.pairwise import chi2_kernel
from sklearn.model_selection import GridSearchCV, RepeatedKFold, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from skcv.datasets import load_textures
from skcv.feature import FilterBankExtractor, TextonEncoder, leung_malik_bank
from skcv.plot import plot_filter_bank
from skcv.plot._save import save_example_figures


def linear_svm():
    """skcv's LinearSVMClassifier when available, else scikit-learn's LinearSVC."""
    try:
        from skcv.linear_model import LinearSVMClassifier

        return LinearSVMClassifier()
    except (ImportError, AttributeError):
        return LinearSVC(C=1.0, max_iter=20000)


X, y = load_textures(return_X_y=True)
print(f"{len(X)} texture patches of shape {X.shape[1:]}, {len(set(y))} classes")

# %%
# The Leung-Malik bank: 18 edge and 18 bar filters (6 orientations x 3 scales),
# then, per isotropic scale, a Gaussian and two Laplacians of Gaussian.
fig = plot_filter_bank(leung_malik_bank())
fig.suptitle("Leung-Malik filter bank (49x49)")

# %%
# Mean-response texture vectors (MR8: 8 rotation-invariant responses, their mean
# and standard deviation), cross-validated with a grid search over the
# classifier's regularisation. The stateless extractor is cached, so each fold
# computes the filter responses of its training images once.
t0 = time.perf_counter()
with tempfile.TemporaryDirectory() as cache:
    pipe = Pipeline(
        [
            ("features", FilterBankExtractor(bank="mr8", statistics=("mean", "std"))),
            ("scale", StandardScaler()),
            ("clf", linear_svm()),
        ],
        memory=cache,
    )
    param = "clf__C" if "C" in pipe.named_steps["clf"].get_params() else "clf__alpha"
    search = GridSearchCV(
        pipe,
        {param: [0.1, 1.0]} if param == "clf__C" else {param: [1e-4, 1e-2]},
        cv=RepeatedKFold(n_splits=5, n_repeats=2, random_state=0),
    )
    search.fit(X, y)
print(
    f"MR8 mean+std pipeline: CV accuracy {search.best_score_:.3f} with "
    f"{search.best_params_} ({time.perf_counter() - t0:.1f} s)"
)

# %%
# Textons + chi-squared kernel SVM (Varma and Zisserman), and the same
# histograms through the additive chi2 feature map and a linear SVM. The
# dictionary is learnt from the training folds only.
t0 = time.perf_counter()
classifiers = {
    "chi2-kernel SVM": SVC(kernel=chi2_kernel, C=10.0),
    "AdditiveChi2Sampler + linear SVM": make_pipeline(
        AdditiveChi2Sampler(), LinearSVC()
    ),
}
scores = {name: [] for name in classifiers}
for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
    enc = TextonEncoder(bank="mr8", n_textons=10, random_state=0)
    H_train = enc.fit_transform(X[train], y[train])
    H_test = enc.transform(X[test])
    for name, clf in classifiers.items():
        scores[name].append(clf.fit(H_train, y[train]).score(H_test, y[test]))
for name, s in scores.items():
    print(f"MR8 textons + {name}: 5-fold CV accuracy {np.mean(s):.3f}")
print(f"(textons: {time.perf_counter() - t0:.1f} s)")

# %%
# The texton histograms of one patch per class.
H = TextonEncoder(bank="mr8", n_textons=10, random_state=0).fit_transform(X, y)
fig, ax = plt.subplots(figsize=(7, 3))
for label in np.unique(y):
    ax.plot(H[y == label].mean(axis=0), marker="o", label=f"class {label}")
ax.set_xlabel("texton (10 learnt per class)")
ax.set_ylabel("mean frequency")
ax.legend()

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_texture_classification")
