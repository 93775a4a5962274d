"""The second-order solvers' Cholesky preconditioner (``precondition``)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from skcv._optim import train_second_order
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier
from skcv.linear_model._base import CholeskyPreconditioner, LinearNet


def _correlated(n=1500, d=120, k=4, seed=0):
    """Gaussian features with strongly correlated coordinates (like pixels).

    Each feature is a smoothed (moving-average) copy of white noise plus a common
    offset, so the covariance has a few huge and many tiny eigenvalues; the labels
    come from a random linear model with label noise.
    """
    rng = np.random.default_rng(seed)
    white = rng.standard_normal((n, d + 15))
    kernel = np.ones(16) / 4.0
    X = np.stack([np.convolve(row, kernel, mode="valid") for row in white])
    X += 3.0 * rng.standard_normal((n, 1))
    W = rng.standard_normal((k, d)) / np.sqrt(d)
    scores = X @ W.T + 0.5 * rng.standard_normal((n, k))
    return X, scores.argmax(axis=1)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_preconditioner_maps_are_consistent(fit_intercept):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6))
    sw = rng.uniform(0.5, 2.0, 50)
    P = CholeskyPreconditioner.from_data(
        X, sw, n_classes=3, curvature=0.2, ridge=0.1, fit_intercept=fit_intercept
    )
    size = 3 * 6 + 3
    theta = rng.standard_normal(size)
    # to_variables inverts to_params.
    np.testing.assert_allclose(P.to_params(P.to_variables(theta)), theta, atol=1e-12)
    # gradient is the transpose of to_params: <P u, v> == <u, P^T v>.
    u, v = rng.standard_normal(size), rng.standard_normal(size)
    np.testing.assert_allclose(P.to_params(u) @ v, u @ P.gradient(v), rtol=1e-10)
    if not fit_intercept:
        # Without an intercept, b passes through untouched.
        np.testing.assert_array_equal(P.to_params(u)[-3:], u[-3:])


def test_preconditioner_whitens_the_estimated_hessian():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((400, 5)) @ rng.standard_normal((5, 5))
    c, ridge = 0.25, 0.01
    P = CholeskyPreconditioner.from_data(
        X, None, n_classes=2, curvature=c, ridge=ridge, fit_intercept=False
    )
    # For one class column, P maps z to w = L^-T z, so P^T M P should be I.
    # The estimate carries a relative jitter of 1e-4 of its mean diagonal.
    data = c * X.T @ X / len(X)
    M = data + (ridge + 1e-4 * np.trace(data) / 5 + 1e-12) * np.eye(5)
    Linv_T = np.linalg.inv(P.L).T
    whitened = Linv_T.T @ M @ Linv_T
    np.testing.assert_allclose(whitened, np.eye(5), atol=1e-10)


def test_preconditioned_lbfgs_reaches_the_same_minimum_in_fewer_iterations():
    X, y = _correlated()
    alpha = 1e-3
    common = dict(solver="lbfgs", alpha=alpha, tol=1e-7, max_iter=2000)
    plain = SoftmaxClassifier(precondition=False, **common).fit(X, y)
    pre = SoftmaxClassifier(precondition=True, **common).fit(X, y)
    assert pre.n_iter_ * 3 < plain.n_iter_, (pre.n_iter_, plain.n_iter_)
    ref = LogisticRegression(C=1 / (alpha * len(X)), tol=1e-10, max_iter=5000)
    ref.fit(X, y)
    np.testing.assert_allclose(pre.predict_proba(X), ref.predict_proba(X), atol=1e-4)
    np.testing.assert_allclose(pre.predict_proba(X), plain.predict_proba(X), atol=1e-4)
    assert pre.loss_curve_[-1] <= plain.loss_curve_[-1] + 1e-8


class _Scale:
    """``theta = s z``: a preconditioner that shrinks the z-gradient by ``s``."""

    def __init__(self, s):
        self.s = s

    def to_params(self, z):
        return self.s * z

    def to_variables(self, theta):
        return theta / self.s

    def gradient(self, g):
        return self.s * g


def _parameter_gradient(net, X, y):
    _, (gW, gb) = net.loss_grad(X, y)
    return max(np.abs(gW).max(), np.abs(gb).max())


def _fresh_net(X):
    return LinearNet(
        np.zeros((4, X.shape[1])),
        np.zeros(4),
        SoftmaxClassifier()._loss(),
        "l2",
        1e-2,
        0.15,
        True,
    )


@pytest.mark.parametrize("solver", ["lbfgs", "bfgs"])
@pytest.mark.parametrize("kind", ["cholesky", "scale"])
def test_tol_applies_to_the_parameter_gradient(solver, kind):
    X, y = _correlated(n=600, d=40, seed=2)
    if kind == "scale":
        # A z-gradient 1000x smaller than the parameters' one: a gtol test in z
        # would stop long before the parameters' gradient meets tol.
        P = _Scale(1e-3)
    else:
        P = CholeskyPreconditioner.from_data(
            X, None, n_classes=4, curvature=3 / 16, ridge=1e-2, fit_intercept=True
        )
    tol = 1e-5
    net = _fresh_net(X)
    _, n_iter = train_second_order(
        net, X, y, solver=solver, tol=tol, max_iter=2000, preconditioner=P
    )
    assert _parameter_gradient(net, X, y) <= tol
    # ... and it stops at the first iterate that meets tol, not later.
    net = _fresh_net(X)
    with pytest.warns(ConvergenceWarning):
        train_second_order(
            net, X, y, solver=solver, tol=tol, max_iter=n_iter - 1, preconditioner=P
        )
    assert _parameter_gradient(net, X, y) > tol
    # Meeting tol at exactly max_iter is convergence: no ConvergenceWarning.
    net = _fresh_net(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        train_second_order(
            net, X, y, solver=solver, tol=tol, max_iter=n_iter, preconditioner=P
        )


@pytest.mark.parametrize("solver", ["lbfgs", "bfgs"])
def test_plain_solver_meeting_tol_at_max_iter_does_not_warn(solver):
    X, y = _correlated(n=300, d=20, k=4, seed=7)
    _, n_iter = train_second_order(_fresh_net(X), X, y, solver=solver, tol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        train_second_order(
            _fresh_net(X), X, y, solver=solver, tol=1e-5, max_iter=n_iter
        )
    with pytest.warns(ConvergenceWarning, match="failed to converge"):
        train_second_order(
            _fresh_net(X), X, y, solver=solver, tol=1e-5, max_iter=n_iter - 1
        )


def test_newton_cg_refuses_a_preconditioner_and_the_estimator_skips_it():
    X, y = _correlated(n=300, d=20, k=3, seed=3)
    with pytest.raises(ValueError, match="lbfgs and bfgs only"):
        train_second_order(
            _fresh_net(X), X, y, solver="newton-cg", preconditioner=_Scale(1.0)
        )
    clf = SoftmaxClassifier(solver="newton-cg", precondition=True).fit(X, y)
    assert clf._preconditioner(None, X, None) is None
    plain = SoftmaxClassifier(solver="newton-cg", precondition=False).fit(X, y)
    np.testing.assert_array_equal(clf.coef_, plain.coef_)


@pytest.mark.parametrize("solver", ["lbfgs", "bfgs"])
def test_both_quasi_newton_solvers_reach_the_plain_minimum(solver):
    X, y = _correlated(n=600, d=40, k=3, seed=3)
    common = dict(solver=solver, alpha=1e-2, tol=1e-6, max_iter=500)
    plain = SoftmaxClassifier(precondition=False, **common).fit(X, y)
    pre = SoftmaxClassifier(precondition=True, **common).fit(X, y)
    np.testing.assert_allclose(pre.coef_, plain.coef_, atol=2e-3)
    np.testing.assert_allclose(pre.intercept_, plain.intercept_, atol=2e-3)


def test_squared_hinge_weights_and_no_intercept():
    X, y = _correlated(n=800, d=60, k=3, seed=4)
    sw = np.random.default_rng(0).integers(0, 3, len(y)).astype(float)
    common = dict(
        loss="squared_hinge",
        solver="lbfgs",
        alpha=1e-2,
        tol=1e-7,
        max_iter=3000,
        fit_intercept=False,
    )
    plain = LinearSVMClassifier(precondition=False, **common)
    pre = LinearSVMClassifier(precondition=True, **common)
    plain.fit(X, y, sample_weight=sw)
    pre.fit(X, y, sample_weight=sw)
    assert pre.n_iter_ < plain.n_iter_
    np.testing.assert_array_equal(pre.intercept_, 0.0)
    np.testing.assert_allclose(
        pre.decision_function(X), plain.decision_function(X), atol=1e-3
    )
    # Zero weights equal removing the samples, preconditioned too.
    keep = sw > 0
    dropped = LinearSVMClassifier(precondition=True, **common)
    dropped.fit(X[keep], y[keep], sample_weight=sw[keep])
    np.testing.assert_allclose(
        pre.decision_function(X), dropped.decision_function(X), atol=1e-3
    )


def test_warm_start_from_the_optimum_stops_at_once():
    X, y = _correlated(n=800, d=60, k=3, seed=5)
    clf = SoftmaxClassifier(precondition=True, alpha=1e-2, tol=1e-5, warm_start=True)
    clf.fit(X, y)
    first = clf.n_iter_
    coef = clf.coef_.copy()
    clf.fit(X, y)
    assert first > 1
    assert clf.n_iter_ == 0  # the start meets tol: no step is taken
    np.testing.assert_array_equal(clf.coef_, coef)


def test_auto_preconditions_only_large_problems():
    X, y = load_digits(return_X_y=True)
    clf = SoftmaxClassifier().fit(X, y)
    assert clf._preconditioner(None, X, None) is None
    big = np.zeros((20_000, 100))
    assert isinstance(clf._preconditioner(None, big, None), CholeskyPreconditioner)
    # Too many features: the factor would cost more than 64 gradient evaluations.
    wide = np.zeros((500, 3000))
    assert clf._preconditioner(None, wide, None) is None
    forced = clf.set_params(precondition=True)
    assert isinstance(forced._preconditioner(None, X, None), CholeskyPreconditioner)
    off = clf.set_params(precondition=False)
    assert off._preconditioner(None, big, None) is None


def test_float32_input_stays_float32():
    X, y = _correlated(n=600, d=40, k=3, seed=6)
    clf = SoftmaxClassifier(precondition=True, alpha=1e-2).fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32
    ref = SoftmaxClassifier(precondition=True, alpha=1e-2).fit(X, y)
    np.testing.assert_allclose(clf.coef_, ref.coef_, atol=1e-3)


def test_bad_precondition_value_is_a_clear_error():
    X, y = _correlated(n=100, d=10, k=3)
    with pytest.raises(ValueError, match="precondition"):
        SoftmaxClassifier(precondition="yes").fit(X, y)


def test_forced_preconditioner_that_cannot_be_built_warns():
    X, y = _correlated(n=5000, d=10, k=3)
    # Zero weight on exactly the 2,048 evenly spaced rows the estimate uses.
    sampled = np.unique(np.linspace(0, len(X) - 1, 2048).round().astype(int))
    sw = np.ones(len(X))
    sw[sampled] = 0.0
    clf = SoftmaxClassifier(precondition=True, max_iter=5)
    with pytest.warns(UserWarning, match="without a preconditioner"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y, sample_weight=sw)
    assert clf.n_iter_ >= 1
    # "auto" falls back silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert clf.set_params(precondition="auto")._preconditioner(None, X, sw) is None
