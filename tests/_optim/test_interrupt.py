"""Ctrl-C (KeyboardInterrupt) stops every numpy solver cleanly (issue 18, item 3).

The interrupt is raised from inside the objective (``loss_grad``) at a chosen
call, as a user's Ctrl-C would land while the solver evaluates the loss. Every
solver must catch it, warn, set ``n_iter_`` and leave a usable, finite model.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skcv._optim import SECOND_ORDER_SOLVERS, SOLVERS
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier
from skcv.linear_model._base import LinearNet
from skcv.neural_network import MLPClassifier
from skcv.neural_network._network import Network


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _interrupt_at(monkeypatch, cls, call):
    """Make ``cls.loss_grad`` raise KeyboardInterrupt at its ``call``-th call."""
    original = cls.loss_grad
    calls = {"n": 0}

    def interrupting(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "loss_grad", interrupting)
    return calls


def _fit(est, X, y):
    """Fit; a KeyboardInterrupt that escapes fails this test, not the session."""
    try:
        est.fit(X, y)
    except KeyboardInterrupt:
        pytest.fail(f"KeyboardInterrupt escaped {type(est).__name__}.fit")


def _estimators():
    for solver in sorted(SECOND_ORDER_SOLVERS):
        yield SoftmaxClassifier(solver=solver, random_state=0), LinearNet
        yield (
            LinearSVMClassifier(
                loss="squared_hinge", solver=solver, random_state=0, max_iter=200
            ),
            LinearNet,
        )
        yield MLPClassifier((16,), solver=solver, random_state=0), Network
    yield SoftmaxClassifier(solver="lbfgs", precondition=True), LinearNet
    yield SoftmaxClassifier(), LinearNet  # the default solver (lbfgs)
    yield MLPClassifier((16,), solver="lbfgs", batch_norm=True, random_state=0), Network


def _ids(case):
    est = case[0]
    extra = "-precondition" if getattr(est, "precondition", None) is True else ""
    extra += "-bn" if getattr(est, "batch_norm", False) else ""
    return f"{type(est).__name__}-{est.solver}{extra}"


@pytest.mark.parametrize("case", list(_estimators()), ids=_ids)
def test_second_order_interrupt_keeps_last_completed_iterate(case, digits, monkeypatch):
    est, model_cls = case
    X, y = digits
    # Newton-CG evaluates the gradient once per inner CG step as well.
    call = 60 if est.solver == "newton-cg" else 12
    calls = _interrupt_at(monkeypatch, model_cls, call=call)
    with pytest.warns(
        UserWarning, match=r"interrupted by the user after \d+ iterations"
    ):
        _fit(est, X, y)  # does not raise: training stops cleanly
    assert calls["n"] == call  # the interrupt did happen inside the solver
    n = est.n_iter_
    assert n >= 1 and len(est.loss_curve_) == n
    assert np.isfinite(est.best_loss_)
    # A usable model: finite, predicts.
    assert est.predict(X).shape == y.shape
    # The parameters are exactly those of the last completed iteration: the same
    # solver stopped by max_iter=n reaches the same point.
    monkeypatch.undo()
    ref = clone(est).set_params(max_iter=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    np.testing.assert_allclose(est._scores(X), ref._scores(X), rtol=1e-10, atol=1e-12)
    assert est.loss_curve_ == pytest.approx(ref.loss_curve_, rel=1e-10)


def test_interrupt_before_the_first_iteration(digits, monkeypatch):
    X, y = digits
    _interrupt_at(monkeypatch, LinearNet, call=1)
    clf = SoftmaxClassifier()
    with pytest.warns(UserWarning, match="interrupted by the user after 0 iter"):
        _fit(clf, X, y)
    assert clf.n_iter_ == 0 and clf.loss_curve_ == []
    np.testing.assert_array_equal(clf.coef_, 0.0)  # the initial parameters
    assert clf.predict(X).shape == y.shape


def test_interrupt_while_building_the_preconditioner(digits, monkeypatch):
    X, y = digits
    from skcv.linear_model import _base

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_base.CholeskyPreconditioner, "from_data", interrupted)
    clf = SoftmaxClassifier(precondition=True)
    with pytest.warns(UserWarning, match="interrupted by the user after 0 iter"):
        _fit(clf, X, y)
    assert clf.n_iter_ == 0 and np.isnan(clf.best_loss_)
    assert clf.predict(X).shape == y.shape


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("cls", [SoftmaxClassifier, MLPClassifier])
def test_first_order_interrupt(cls, solver, digits, monkeypatch):
    X, y = digits
    model_cls = Network if cls is MLPClassifier else LinearNet
    # batch_size=100: 3 batches per epoch; call 8 is in the third epoch.
    _interrupt_at(monkeypatch, model_cls, call=8)
    est = cls(solver=solver, batch_size=100, learning_rate_init=0.01, random_state=0)
    with pytest.warns(UserWarning, match="interrupted by the user after 2 epochs"):
        _fit(est, X, y)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    assert est.predict(X).shape == y.shape
