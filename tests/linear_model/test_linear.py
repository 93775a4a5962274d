import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.preprocessing import StandardScaler

from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier

CLASSES = [LinearSVMClassifier, SoftmaxClassifier]


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


def _sgd(cls, **kw):
    params = dict(
        solver="sgd",
        learning_rate_init=0.01,
        random_state=0,
        max_iter=200,
        tol=1e-3,
        n_iter_no_change=3,
    )
    if cls is LinearSVMClassifier:
        params["loss"] = "hinge"
    params.update(kw)
    return cls(**params)


@pytest.mark.parametrize("cls", CLASSES)
def test_fitted_attributes(cls, iris):
    X, y = iris
    clf = cls().fit(X, y)
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_iter_ == len(clf.loss_curve_) or clf.n_iter_ >= 1
    assert clf.validation_scores_ is None
    assert clf.score(X, y) > 0.9
    assert clf.decision_function(X).shape == (150, 3)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("solver", ["sgd", "adagrad", "rmsprop", "adam"])
def test_first_order_solvers(cls, solver, iris):
    X, y = iris
    lr = 0.1 if solver == "adagrad" else 0.01
    clf = _sgd(cls, solver=solver, learning_rate_init=lr).fit(X, y)
    assert clf.score(X, y) > 0.85
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


@pytest.mark.slow
@pytest.mark.parametrize("solver", ["lbfgs", "bfgs", "newton-cg"])
def test_second_order_solvers_match_logistic_regression(solver, iris):
    X, y = iris
    alpha = 0.01
    clf = SoftmaxClassifier(solver=solver, alpha=alpha, tol=1e-8, max_iter=1000)
    clf.fit(X, y)
    ref = LogisticRegression(C=1 / (alpha * len(X)), tol=1e-10, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-4)


def test_hinge_with_second_order_solver_is_an_error(iris):
    X, y = iris
    with pytest.raises(ValueError, match="needs a smooth loss"):
        LinearSVMClassifier(loss="hinge", solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="needs a smooth loss"):
        LinearSVMClassifier(multi_class="crammer_singer", solver="bfgs").fit(X, y)
    with pytest.raises(ValueError, match="penalty='l2' or None"):
        SoftmaxClassifier(penalty="l1", solver="newton-cg").fit(X, y)


def test_auto_solver():
    assert LinearSVMClassifier()._resolved_solver() == "lbfgs"
    assert LinearSVMClassifier(loss="hinge")._resolved_solver() == "adam"
    assert SoftmaxClassifier(penalty="l1")._resolved_solver() == "adam"


@pytest.mark.parametrize("cls", CLASSES)
def test_huge_alpha_drives_coef_to_zero(cls, iris):
    X, y = iris
    clf = cls(alpha=1e6).fit(X, y)
    assert np.abs(clf.coef_).max() < 1e-5


def test_doubling_w_of_zero_loss_classifier_keeps_zero_loss():
    X, y = make_blobs(60, centers=[[-5, 0], [5, 0], [0, 8]], random_state=0)
    clf = _sgd(LinearSVMClassifier, penalty=None, max_iter=200, tol=0).fit(X, y)
    net = clf._net()
    assert net.loss_grad(X, y, None)[0] == 0.0
    net.W *= 2
    net.b *= 2
    assert net.loss_grad(X, y, None)[0] == 0.0
    # With a penalty the doubled weights cost more: why the course regularises.
    net.penalty, net.alpha = "l2", 0.1
    value_2w = net.loss_grad(X, y, None)[0]
    net.W /= 2
    assert value_2w > net.loss_grad(X, y, None)[0] > 0


@pytest.mark.parametrize("cls", CLASSES)
def test_loss_at_zero_weights(cls, digits):
    X, y = digits
    clf = _sgd(cls, max_iter=1, learning_rate_init=1e-12, shuffle=False)
    clf.set_params(batch_size=None)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    expected = 9.0 if cls is LinearSVMClassifier else np.log(10)
    assert clf.loss_curve_[0] == pytest.approx(expected)


@pytest.mark.parametrize("cls", CLASSES)
def test_huge_learning_rate_diverges_clearly(cls, digits):
    X, y = digits
    clf = _sgd(cls, learning_rate_init=1e12, momentum=0.0)
    with pytest.raises(ValueError, match="learning_rate_init"):
        clf.fit(X * 1e3, y)
    assert np.isfinite(clf.coef_).all() and np.isfinite(clf.intercept_).all()


@pytest.mark.parametrize("cls", CLASSES)
def test_early_stopping(cls, digits):
    X, y = digits
    clf = _sgd(cls, early_stopping=True, max_iter=500, n_iter_no_change=3, tol=0.0)
    clf.fit(X, y)
    assert clf.n_iter_ < 500
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)


@pytest.mark.parametrize("cls", CLASSES)
def test_float32_is_computed_in_float32(cls, iris):
    X, y = iris
    for solver in ("auto", "sgd"):
        clf = _sgd(cls, solver=solver).fit(X.astype(np.float32), y)
        assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
        assert clf.decision_function(X.astype(np.float32)).dtype == np.float32
        assert clf.score(X, y) > 0.85


@pytest.mark.slow
@pytest.mark.parametrize("cls", CLASSES)
def test_sample_weight_equals_repetition(cls, iris):
    X, y = iris
    w = np.random.default_rng(0).integers(0, 3, len(y))
    a = cls(tol=1e-8).fit(X, y, sample_weight=w)
    b = cls(tol=1e-8).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("cls", CLASSES)
def test_class_weight(cls, iris):
    X, y = iris
    keep = np.r_[0:50, 50:60, 100:150]
    Xi, yi = X[keep], y[keep]
    plain = cls().fit(Xi, yi)
    balanced = cls(class_weight="balanced").fit(Xi, yi)
    weighted = cls(class_weight={0: 1, 1: 5, 2: 1}).fit(Xi, yi)
    recall = [(c.predict(X[50:100]) == 1).mean() for c in (plain, balanced, weighted)]
    assert recall[1] >= recall[0] and recall[2] >= recall[0]


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit(cls, iris):
    X, y = iris
    clf = _sgd(cls)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(5):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 5 and clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, y + 1)
    assert not hasattr(cls(solver="lbfgs"), "partial_fit")


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_balanced_is_an_error(cls, iris):
    X, y = iris
    with pytest.raises(ValueError, match="balanced"):
        _sgd(cls, class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("cls", CLASSES)
def test_warm_start(cls, iris):
    X, y = iris
    cold = _sgd(cls, max_iter=5)
    with pytest.warns(ConvergenceWarning):
        cold.fit(X, y)
    warm = clone(cold).set_params(warm_start=True)
    with pytest.warns(ConvergenceWarning):
        warm.fit(X, y)
        warm.fit(X, y)
    assert warm.n_iter_ == 10 and len(warm.loss_curve_) == 10
    assert warm.loss_curve_[5] < cold.loss_curve_[0]


def test_predict_proba_and_log_proba(iris):
    X, y = iris
    clf = SoftmaxClassifier().fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X), atol=1e-10)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))
    assert not hasattr(LinearSVMClassifier(), "predict_proba")


def test_binary_decision_function(iris):
    X, y = iris
    mask = y < 2
    for cls in CLASSES:
        clf = cls().fit(X[mask], np.where(y[mask] == 1, "b", "a"))
        d = clf.decision_function(X[mask])
        assert d.shape == (100,) and clf.coef_.shape == (2, 4)
        np.testing.assert_array_equal(np.where(d > 0, "b", "a"), clf.predict(X[mask]))


@pytest.mark.parametrize("cls", CLASSES)
def test_l1_gives_sparser_weights(cls, digits):
    X, y = digits
    l1 = _sgd(cls, penalty="l1", alpha=0.01, max_iter=30)
    l2 = _sgd(cls, penalty="l2", alpha=0.01, max_iter=30)
    with pytest.warns(ConvergenceWarning):
        l1.fit(X, y)
        l2.fit(X, y)
    small = [np.mean(np.abs(c.coef_) < 1e-3) for c in (l1, l2)]
    assert small[0] > small[1]


@pytest.mark.parametrize(
    "params,match",
    [
        ({"alpha": -1.0}, "alpha"),
        ({"solver": "newton"}, "solver"),
        ({"learning_rate": "cosine"}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"penalty": "l3"}, "penalty"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
    ],
)
@pytest.mark.parametrize("cls", CLASSES)
def test_bad_parameters(cls, params, match, iris):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        cls(**params).fit(X, y)


def test_bad_svm_parameters(iris):
    X, y = iris
    for params, match in [
        ({"loss": "log"}, "loss"),
        ({"multi_class": "ovr"}, "multi_class"),
        ({"delta": 0.0}, "delta"),
    ]:
        with pytest.raises(ValueError, match=match):
            LinearSVMClassifier(**params).fit(X, y)


def test_bad_sample_weight_and_one_class(iris):
    X, y = iris
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        SoftmaxClassifier().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        SoftmaxClassifier().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="at least 2 classes"):
        SoftmaxClassifier().fit(X, np.zeros(len(y)))


@pytest.mark.slow
@pytest.mark.parametrize("cls", CLASSES)
def test_grid_search_and_cross_val_score(cls, digits):
    X, y = digits
    est = _sgd(cls, max_iter=100, tol=1e-2, n_iter_no_change=2)
    grid = GridSearchCV(
        est,
        {"alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 1e-2]},
        cv=KFold(5, shuffle=True, random_state=0),
    )
    grid.fit(X, y)
    assert grid.best_score_ > 0.85
    scores = cross_val_score(cls(), X, y, cv=KFold(5, shuffle=True, random_state=0))
    assert scores.shape == (5,) and scores.mean() > 0.85


@pytest.mark.parametrize("cls", CLASSES)
def test_verbose_shows_progress(cls, iris, capsys):
    X, y = iris
    _sgd(cls, verbose=True, max_iter=200, n_iter_no_change=2, tol=1e-2).fit(X, y)
    assert "epochs" in capsys.readouterr().err


@pytest.mark.parametrize("solver", ["lbfgs", "bfgs", "newton-cg"])
def test_second_order_solvers_on_float32(solver, iris):
    # Newton-CG's Hessian-vector products are finite differences of the gradient:
    # with scipy's float64 step they were noise for a float32 gradient and the
    # solver stopped at W = 0 (chance accuracy, silently).
    X, y = iris
    ref = SoftmaxClassifier(solver="lbfgs", alpha=1e-2, tol=1e-8, max_iter=5000)
    ref.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = SoftmaxClassifier(solver=solver, alpha=1e-2).fit(X.astype("f4"), y)
    assert clf.coef_.dtype == np.float32 and clf.n_iter_ > 0
    np.testing.assert_allclose(clf.coef_, ref.coef_, atol=5e-3)  # tol=1e-4 stop


def test_second_order_solver_that_stops_short_of_tol_warns(iris):
    # A tolerance below float32 resolution cannot be met; the solver stops early
    # for precision loss and says so (before, only max_iter warned).
    X, y = iris
    clf = SoftmaxClassifier(solver="bfgs", alpha=1e-2, tol=1e-12, max_iter=1000)
    with pytest.warns(ConvergenceWarning, match="without meeting tol=1e-12"):
        clf.fit(X.astype("f4"), y)
    assert clf.n_iter_ < 1000
