"""scikit-learn's estimator checks and skcv's own common checks for every estimator."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from skcv.utils.discovery import all_estimators
from tests.registry import load_registry, load_structured

ESTIMATORS, EXPECTED_FAILED_CHECKS, DATA = load_registry()


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def _ids(est):
    return type(est).__name__


def test_expected_failures_have_reasons():
    for name, checks in EXPECTED_FAILED_CHECKS.items():
        for check, reason in checks.items():
            assert isinstance(reason, str) and len(reason.split()) >= 3, (name, check)


def test_every_public_estimator_is_registered():
    registered = {type(est).__name__ for est in [*ESTIMATORS, *load_structured()]}
    public = {name for name, _ in all_estimators()}
    missing = public - registered
    assert not missing, f"public estimators missing from tests/registry: {missing}"


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _digit_images():
    digits = load_digits()
    idx = np.r_[0:60]
    return digits.images[idx] / 16.0, digits.target[idx]


def _is_image_estimator(est):
    return "image_shape" in est.get_params(deep=False)


def _data(est):
    """Images for image estimators, flattened rows for the others."""
    maker = DATA.get(type(est).__name__)
    X, y = maker() if maker is not None else _digit_images()
    if not _is_image_estimator(est):
        X = np.asarray(X).reshape(len(X), -1)
    return X, y


def _output(est, X):
    if is_classifier(est):
        return est.predict(X)
    return est.transform(X)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_ids)
def test_not_fitted_error(estimator):
    X, _ = _data(estimator)
    method = estimator.predict if is_classifier(estimator) else estimator.transform
    with pytest.raises(NotFittedError):
        method(X)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_ids)
def test_pickle_clone_and_refit(estimator):
    X, y = _data(estimator)
    est = clone(estimator).fit(X, y)
    out = _output(est, X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(_output(restored, X), out, rtol=1e-6, atol=1e-8)
    # Fitting twice from the same parameters gives the same result.
    again = clone(estimator).fit(X, y)
    np.testing.assert_allclose(_output(again, X), out, rtol=1e-5, atol=1e-7)
    # set_params round trip.
    params = est.get_params(deep=False)
    again_params = clone(est).set_params(**params).get_params(deep=False)
    assert again_params.keys() == params.keys()


@pytest.mark.parametrize(
    "estimator", [e for e in ESTIMATORS if _is_image_estimator(e)], ids=_ids
)
def test_images_and_rows_agree(estimator):
    X, y = _data(estimator)
    X = np.asarray(X)
    est = clone(estimator).fit(X, y)
    out = _output(est, X)
    rows = X.reshape(len(X), -1)
    est_rows = clone(estimator).set_params(image_shape=X.shape[1:]).fit(rows, y)
    np.testing.assert_allclose(_output(est_rows, rows), out, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="image_shape"):
        clone(estimator).set_params(image_shape=(3, 3)).fit(rows, y)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_ids)
def test_bad_input_errors(estimator):
    X, y = _data(estimator)
    X = np.array(X, dtype=np.float64)
    bad = X.copy()
    bad[0].flat[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clone(estimator).fit(bad, y)
    bad.flat[0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        clone(estimator).fit(bad, y)
    with pytest.raises(ValueError, match="empty|0 sample"):
        clone(estimator).fit(X[:0], y[:0])
    if _is_image_estimator(estimator):
        with pytest.raises(ValueError, match="ndim"):
            clone(estimator).fit(X[..., None, None], y)


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_ids)
def test_pipeline_gridsearch_kfold(estimator):
    from sklearn.linear_model import LogisticRegression

    X, y = _data(estimator)
    shape = np.asarray(X).shape[1:]
    X = np.asarray(X).reshape(len(X), -1)
    est = clone(estimator)
    if _is_image_estimator(est):
        est.set_params(image_shape=shape)
    if is_classifier(est):
        pipe = Pipeline([("clf", est)])
    else:
        pipe = Pipeline([("step", est), ("clf", LogisticRegression(max_iter=500))])
    search = GridSearchCV(
        pipe,
        {"clf__C": [0.1, 1.0]} if not is_classifier(estimator) else {},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(X, y)
    assert np.isfinite(search.best_score_)
