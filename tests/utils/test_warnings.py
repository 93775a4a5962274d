"""Warnings raised deep inside skcv point at the user's line."""

import warnings
from pathlib import Path

import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcv.linear_model import SoftmaxClassifier
from skcv.utils._warnings import warn_external


def _fit_and_catch(estimator, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(X, y)  # the line every warning must name
    return [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("solver", ["lbfgs", "sgd"])
@pytest.mark.parametrize("in_pipeline", [False, True])
def test_convergence_warnings_name_the_callers_line(solver, in_pipeline):
    X, y = load_iris(return_X_y=True)
    clf = SoftmaxClassifier(solver=solver, max_iter=1, random_state=0)
    if in_pipeline:  # one more layer of scikit-learn between the user and fit
        clf = make_pipeline(StandardScaler(), clf)
    (warning,) = _fit_and_catch(clf, X, y)
    assert warning.filename == __file__
    line = Path(__file__).read_text().splitlines()[warning.lineno - 1]
    assert "estimator.fit(X, y)" in line


def test_warn_external_from_outside_skcv_names_the_direct_caller():
    with pytest.warns(UserWarning, match="here") as record:
        warn_external("here")
    assert record[0].filename == __file__


def test_grid_search_fits_name_the_callers_line():
    # joblib's frames (n_jobs=1 runs the folds in this process) are skipped too.
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        SoftmaxClassifier(solver="lbfgs", max_iter=1), {"alpha": [1e-3, 1e-2]}, cv=2
    )
    caught = _fit_and_catch(search, X, y)
    assert len(caught) == 5  # 2 alphas x 2 folds + the refit
    assert {w.filename for w in caught} == {__file__}
