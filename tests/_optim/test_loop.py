import numpy as np
import pytest

from skcv._optim import (
    TrainState,
    get_loss,
    make_optimizer,
    make_schedule,
    train_minibatch,
    train_second_order,
)
from skcv.linear_model._base import LinearNet


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 4)) + 2.0 * np.eye(3, 4)[y]
    return X, y


def _net(loss="cross_entropy", alpha=0.1, dtype=np.float64):
    return LinearNet(
        np.zeros((3, 4), dtype),
        np.zeros(3, dtype),
        get_loss(loss),
        "l2",
        alpha,
        0.15,
        True,
    )


def _state(net, solver="sgd", lr=0.1, schedule="constant", **kw):
    opt = make_optimizer(solver, net.params, lr, momentum=kw.pop("momentum", 0.0))
    return TrainState(opt, make_schedule(schedule, lr, **kw))


def _optimum():
    X, y = _data()
    net = _net()
    train_second_order(net, X, y, solver="lbfgs", max_iter=500, tol=1e-10)
    return net


@pytest.mark.slow
@pytest.mark.parametrize(
    "batch_size,lr,epochs,schedule",
    [(1, 0.05, 180, "step"), (8, 0.05, 600, "step"), (60, 0.5, 2000, "constant")],
)
def test_batch_sizes_reach_the_same_optimum(batch_size, lr, epochs, schedule):
    # batch_size=1 is SGD, 8 a minibatch, 60 = n full-batch gradient descent; on a
    # strongly convex problem all reach the optimum found by L-BFGS.
    X, y = _data()
    ref = _optimum()
    f_opt = ref.loss_grad(X, y, None)[0]
    net = _net()
    state = _state(net, lr=lr, schedule=schedule, step_size=epochs // 3)
    train_minibatch(
        net,
        X,
        y,
        state=state,
        batch_size=batch_size,
        max_iter=epochs,
        tol=0,
        n_iter_no_change=10**6,
        random_state=np.random.RandomState(0),
        warn_not_converged=False,
    )
    assert net.loss_grad(X, y, None)[0] - f_opt < 1e-5
    np.testing.assert_allclose(net.W, ref.W, atol=5e-3)
    np.testing.assert_allclose(net.b, ref.b, atol=5e-3)


@pytest.mark.parametrize("solver", ["bfgs", "newton-cg"])
def test_second_order_solvers_agree(solver):
    X, y = _data()
    ref = _optimum()
    net = _net()
    curve, n_iter = train_second_order(net, X, y, solver=solver, max_iter=500, tol=1e-8)
    assert n_iter > 0 and curve[-1] <= curve[0]
    np.testing.assert_allclose(net.W, ref.W, atol=1e-4)


def test_history_and_tol_stop():
    X, y = _data()
    net = _net()
    state = _state(net, lr=0.5)
    train_minibatch(
        net,
        X,
        y,
        state=state,
        batch_size=60,
        max_iter=500,
        tol=1e-3,
        n_iter_no_change=3,
        random_state=np.random.RandomState(0),
    )
    assert state.converged and 3 < state.n_iter < 500
    assert len(state.loss_curve) == state.n_iter
    assert state.loss_curve[-1] < state.loss_curve[0]
    assert state.t == 60 * state.n_iter


def _train_with_validation(Xv, yv, max_iter, **kw):
    """Minibatch training on ``_data(200)`` scored on ``(Xv, yv)``."""
    X, y = _data(200)
    net = _net(alpha=0.0)
    state = _state(net, lr=0.3)
    train_minibatch(
        net,
        X,
        y,
        state=state,
        batch_size=10,
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=5,
        X_val=Xv,
        y_val=yv,
        random_state=np.random.RandomState(0),
        **kw,
    )
    return net, state


def test_early_stopping_stops_and_restores_best():
    Xv, yv = _data(60, seed=1)
    net, state = _train_with_validation(Xv, yv, max_iter=300)
    assert state.n_iter < 300
    assert len(state.validation_scores) == state.n_iter
    assert state.best_validation_score == max(state.validation_scores)
    restored = np.mean(net.predict_indices(Xv) == yv)
    assert restored == pytest.approx(state.best_validation_score)


@pytest.mark.parametrize("all_zero", [False, True])
def test_validation_accuracy_uses_the_validation_weights(all_zero):
    Xv, yv = _data(60, seed=1)
    yv = yv.copy()
    yv[:20] = (yv[:20] + 1) % 3  # some validation samples a good model gets wrong
    wv = np.zeros(60) if all_zero else np.random.default_rng(0).integers(0, 4, 60)
    net, state = _train_with_validation(
        Xv, yv, max_iter=1, sample_weight_val=wv, warn_not_converged=False
    )
    correct = net.predict_indices(Xv) == yv
    # An integer weight counts like a repeated sample; all-zero weights fall back
    # to the plain accuracy.
    expected = correct.mean() if all_zero else np.repeat(correct, wv).mean()
    assert state.validation_scores == [pytest.approx(expected)]
    if not all_zero:
        assert expected != pytest.approx(correct.mean())


def test_divergence_keeps_last_finite_params():
    X, y = _data()
    net = _net(loss="hinge", alpha=1.0)
    state = _state(net, lr=1e12)
    with pytest.raises(ValueError, match="learning_rate_init"):
        train_minibatch(
            net,
            X * 1e3,
            y,
            state=state,
            batch_size=10,
            max_iter=50,
            tol=0,
            n_iter_no_change=100,
            random_state=np.random.RandomState(0),
        )
    assert all(np.isfinite(p).all() for p in net.params)


class _Interrupting:
    """A model whose third gradient evaluation is interrupted by the user."""

    def __init__(self):
        self.net = _net()
        self.params = self.net.params
        self.calls = 0

    def loss_grad(self, X, y, sw):
        self.calls += 1
        if self.calls == 3:
            raise KeyboardInterrupt
        return self.net.loss_grad(X, y, sw)

    def predict_indices(self, X):
        return self.net.predict_indices(X)


def test_keyboard_interrupt_stops_cleanly():
    X, y = _data()
    model = _Interrupting()
    state = _state(model.net, lr=0.1)
    with pytest.warns(UserWarning, match="interrupted"):
        train_minibatch(
            model,
            X,
            y,
            state=state,
            batch_size=30,
            max_iter=10,
            tol=0,
            n_iter_no_change=100,
            random_state=np.random.RandomState(0),
        )
    assert state.interrupted and state.n_iter == 1
    assert np.abs(model.net.W).sum() > 0 and np.isfinite(model.net.W).all()


def test_verbose_progress_bar(capsys):
    X, y = _data()
    net = _net()
    train_minibatch(
        net,
        X,
        y,
        state=_state(net),
        batch_size=20,
        max_iter=3,
        tol=0,
        n_iter_no_change=100,
        random_state=np.random.RandomState(0),
        verbose=True,
        warn_not_converged=False,
    )
    assert "epochs" in capsys.readouterr().err
