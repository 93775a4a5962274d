"""Checks shared by the two patch-classifier detectors (_detector_base)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB

from skcv.detection import RegionProposalDetector, SlidingWindowDetector

DETECTORS = [SlidingWindowDetector, RegionProposalDetector]


class _PredictOnly(ClassifierMixin, BaseEstimator):
    """A classifier with neither decision_function nor predict_proba."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[-1])


def _patches(colour=False):
    rng = np.random.default_rng(0)
    pos = 0.7 + 0.2 * rng.random((12, 8, 8))
    neg = 0.3 * rng.random((12, 8, 8))
    X = np.concatenate([pos, neg])
    if colour:
        X = np.repeat(X[..., None], 3, axis=-1)
    return X, np.r_[np.ones(12, int), np.zeros(12, int)]


def _image(colour=False):
    image = np.full((24, 24), 0.1)
    image[8:16, 8:16] = 0.8
    return np.dstack([image] * 3) if colour else image


@pytest.mark.parametrize("cls", DETECTORS)
def test_fit_validation_is_the_same(cls):
    X, y = _patches()
    with pytest.raises(ValueError, match=f"{cls.__name__} requires y"):
        cls(LogisticRegression()).fit(X, None)
    with pytest.raises(TypeError, match="estimator must be a scikit-learn classifier"):
        cls("svm").fit(X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        cls(LogisticRegression()).fit(X, y[:-1])
    with pytest.raises(ValueError, match="Unknown label type"):
        cls(LogisticRegression()).fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(
        ValueError, match=r"positive_class must be one of classes_ \[0, 1\]; got 7"
    ):
        cls(LogisticRegression(), positive_class=7).fit(X, y)


@pytest.mark.parametrize("cls", DETECTORS)
def test_detect_needs_a_score(cls):
    X, y = _patches()
    det = cls(_PredictOnly()).fit(X, y)
    assert not hasattr(det, "decision_function")
    assert not hasattr(det, "predict_proba")
    with pytest.raises(TypeError, match="decision_function or predict_proba"):
        det.detect(_image())


@pytest.mark.parametrize("cls", DETECTORS)
def test_channels_are_matched_the_same_way(cls):
    X, y = _patches(colour=True)
    det = cls(LogisticRegression()).fit(X, y)
    assert det.n_channels_ == 3
    # the channel rule: alpha is dropped; more than 4 channels is a batch
    rgb = _image(colour=True)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 0.3)])
    np.testing.assert_array_equal(det.detect(rgba)[0], det.detect(rgb)[0])
    with pytest.raises(ValueError, match="image has shape .* probably a batch"):
        det.detect(np.zeros((24, 24, 6)))
    # a grey image (2-D or one channel) is repeated over the three channels
    a, b = det.detect(_image()), det.detect(_image()[..., None])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[0], det.detect(_image(colour=True))[0])


@pytest.mark.parametrize("cls", DETECTORS)
@pytest.mark.parametrize("positive_class", [None, 0, 1])
@pytest.mark.parametrize("estimator", [LogisticRegression(), GaussianNB()])
def test_positive_class_score(cls, positive_class, estimator):
    # decision_function first (sign flipped for classes_[0]), else the column of
    # predict_proba; the same rule in both detectors
    X, y = _patches()
    det = cls(estimator, positive_class=positive_class).fit(X, y)
    rows = X.reshape(len(X), -1)
    got = det._positive_scores(rows)
    pos = 1 if positive_class is None else positive_class
    if hasattr(det.estimator_, "decision_function"):
        d = det.estimator_.decision_function(rows)
        expected = d if pos == 1 else -d
    else:
        expected = det.estimator_.predict_proba(rows)[:, pos]
    np.testing.assert_array_equal(got, expected)
