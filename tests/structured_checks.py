"""skcv's common checks for estimators whose target is not a 1-D ``y``.

scikit-learn's ``parametrize_with_checks`` assumes ``fit(X, y)`` with a 1-D ``y``; a
segmenter takes masks ``(n, H, W)`` and a localiser takes labels and boxes. These
checks cover what still applies to them: parameters and clone, ``NotFittedError``,
pickle round trip, fitting twice with a fixed ``random_state`` gives the same model,
images and flattened rows agree, and bad images get clear errors.

Use::

    from tests.structured_checks import STRUCTURED_CHECKS

    @pytest.mark.parametrize("check", STRUCTURED_CHECKS, ids=lambda c: c.__name__)
    def test_structured(check):
        check(make_estimator(), X, fit_args, predict_method="predict")

where ``fit_args`` is the tuple of targets after ``X`` (``(Y,)`` or ``(y, boxes)``).
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError


def _outputs(est, X, predict_method):
    out = getattr(est, predict_method)(X)
    return out if isinstance(out, tuple) else (out,)


def _assert_same(a, b):
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-5, atol=1e-6)


def check_params_and_clone(est, X, fit_args, predict_method):
    """get_params/set_params round trip; clone keeps parameters, drops fit."""
    params = est.get_params(deep=False)
    twin = clone(est)
    assert twin.get_params(deep=False).keys() == params.keys()
    for name, value in params.items():
        assert twin.get_params(deep=False)[name] is value or (
            repr(twin.get_params(deep=False)[name]) == repr(value)
        ), name
    est.set_params(**params)
    fitted = clone(est).fit(X, *fit_args)
    assert not any(
        k.endswith("_") and not k.startswith("_") for k in vars(clone(fitted))
    ), "clone must not carry fitted attributes"


def check_not_fitted(est, X, fit_args, predict_method):
    """Predicting before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        getattr(clone(est), predict_method)(X)


def check_pickle_round_trip(est, X, fit_args, predict_method):
    """A pickled and unpickled model predicts the same."""
    fitted = clone(est).fit(X, *fit_args)
    again = pickle.loads(pickle.dumps(fitted))
    a = _outputs(fitted, X, predict_method)
    _assert_same(a, _outputs(again, X, predict_method))


def check_refit_deterministic(est, X, fit_args, predict_method):
    """Two fits with the same random_state give the same predictions."""
    a = clone(est).fit(X, *fit_args)
    b = clone(est).fit(X, *fit_args)
    _assert_same(_outputs(a, X, predict_method), _outputs(b, X, predict_method))


def check_images_and_rows_agree(est, X, fit_args, predict_method):
    """Flattened rows with ``image_shape`` give the same model as images."""
    X = np.asarray(X)
    a = clone(est).fit(X, *fit_args)
    rows = X.reshape(len(X), -1)
    b = clone(est).set_params(image_shape=X.shape[1:]).fit(rows, *fit_args)
    _assert_same(_outputs(a, X, predict_method), _outputs(b, rows, predict_method))


def check_bad_images(est, X, fit_args, predict_method):
    """NaN, inf, wrong ndim and empty input get errors that say what is wrong."""
    X = np.asarray(X, dtype=np.float64)
    bad = X.copy()
    bad.flat[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clone(est).fit(bad, *fit_args)
    bad.flat[0] = np.inf
    with pytest.raises(ValueError, match="(?i)inf"):
        clone(est).fit(bad, *fit_args)
    with pytest.raises(ValueError, match="(?i)dim"):
        clone(est).fit(X[0, 0, 0], *fit_args)
    with pytest.raises(ValueError, match="(?i)sample|empty"):
        clone(est).fit(X[:0], *(np.asarray(a)[:0] for a in fit_args))
    fitted = clone(est).fit(X, *fit_args)
    bad = X.copy()
    bad.flat[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        getattr(fitted, predict_method)(bad)


STRUCTURED_CHECKS = [
    check_params_and_clone,
    check_not_fitted,
    check_pickle_round_trip,
    check_refit_deterministic,
    check_images_and_rows_agree,
    check_bad_images,
]
