"""The shared torch training engine, driven by a tiny non-classifier estimator."""

import math

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator
from torch import nn

from skcv.cnn._engine import TorchTrainerMixin, channel_statistics, schedule_factor


class _MeanRegressor(TorchTrainerMixin, BaseEstimator):
    """Predicts each image's mean brightness: a non-classification target."""

    _metric_name = "neg_mse"

    def __init__(self, epochs=30, early_stopping=False, learning_rate_init=0.05):
        self.epochs = epochs
        self.batch_size = 16
        self.solver = "adam"
        self.learning_rate_init = learning_rate_init
        self.momentum = 0.9
        self.weight_decay = 0.0
        self.lr_schedule = "constant"
        self.augment = None
        self.early_stopping = early_stopping
        self.validation_fraction = 0.25
        self.n_iter_no_change = 3
        self.tol = 0.0
        self.device = "cpu"
        self.precision = "float32"
        self.channels_last = False
        self.compile = False
        self.num_workers = 0
        self.random_state = 0
        self.verbose = 0

    def _batch_loss(self, out, targets):
        return torch.mean((out[:, 0] - targets[0]) ** 2)

    def _batch_metric(self, out, targets):
        err = ((out[:, 0].detach() - targets[0]) ** 2).sum()
        return -err, len(targets[0])

    def _validation_metrics(self, net, X, targets):
        out = self._forward_batches(net, X)
        mse = float(torch.mean((out[:, 0] - targets[0]) ** 2))
        return mse, -mse

    def _network(self, n_in):
        return nn.Sequential(nn.Flatten(), nn.Linear(n_in, 1))

    def fit(self, X, y):
        seed, rng = self._start_fit(True)
        with self._torch_seed(seed):
            self.module_ = self._network(X[0].size)
            self._reset_training_state()
            return self._train_network(
                self._to_tensor(X),
                (torch.as_tensor(y, dtype=torch.float32),),
                epochs=self.epochs,
                partial=False,
                seed=seed,
                rng=rng,
            )

    def predict(self, X):
        return self._forward_batches(self.module_, self._to_tensor(X))[:, 0].numpy()


def _data(n=64):
    rng = np.random.default_rng(0)
    X = rng.random((n, 4, 4)).astype(np.float32)
    return X, X.mean(axis=(1, 2))


def test_engine_trains_a_regression_target_and_records_history():
    X, y = _data()
    est = _MeanRegressor().fit(X, y)
    keys = {"epoch", "train_loss", "train_neg_mse", "valid_loss", "valid_neg_mse"}
    assert keys <= set(est.history_[0])
    assert est.loss_curve_[-1] < 0.1 * est.loss_curve_[0]
    assert np.mean((est.predict(X) - y) ** 2) < 1e-3
    assert est.validation_scores_ == []
    assert est.n_iter_ == 30


def test_engine_early_stopping_keeps_best_validation_score():
    X, y = _data()
    est = _MeanRegressor(epochs=40, early_stopping=True, learning_rate_init=0.5)
    est.fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_
    best = int(np.argmax(est.validation_scores_))
    assert est.best_epoch_ == best + 1
    Xv = est._to_tensor(X[est._validation_idx])
    _, score = est._validation_metrics(
        est.module_, Xv, (torch.as_tensor(y[est._validation_idx]),)
    )
    assert score == pytest.approx(est.validation_scores_[best], rel=1e-5)


def test_engine_divergence_names_learning_rate():
    X, y = _data()
    y = y * 1e30
    with pytest.raises(ValueError, match="learning_rate_init"):
        _MeanRegressor(epochs=5, learning_rate_init=1e30).fit(X, y)


def test_schedule_factor_values():
    assert schedule_factor("constant", 0.7) == 1.0
    assert schedule_factor("step", 0.6) == pytest.approx(0.1)
    assert schedule_factor("step", 0.8) == pytest.approx(0.01)
    assert schedule_factor("cosine", 0.5) == pytest.approx(0.5)
    assert schedule_factor("onecycle", 0.0) == pytest.approx(0.2)
    assert schedule_factor("onecycle", 0.2) == pytest.approx(1.0)
    assert math.isclose(schedule_factor("onecycle", 1.0), 0.0)


def test_channel_statistics():
    x = np.stack([np.zeros((2, 3, 3)), np.ones((2, 3, 3)) * 4], axis=-1)
    x[0, ..., 1] = 2
    mean, std = channel_statistics(x)
    np.testing.assert_allclose(mean, [0, 3])
    np.testing.assert_allclose(std, [1, 1])  # constant channel -> 1
    mean, std = channel_statistics(x, normalize=False)
    np.testing.assert_allclose(mean, 0)
    np.testing.assert_allclose(std, 1)


class _LossOnly(_MeanRegressor):
    """The default validation hook: the score is minus the validation loss."""

    _validation_metrics = TorchTrainerMixin._validation_metrics


def test_default_validation_score_is_minus_the_loss_so_early_stopping_works():
    X, y = _data()
    est = _LossOnly(epochs=12, early_stopping=True).fit(X, y)
    scores = est.validation_scores_
    assert np.all(np.isfinite(scores))
    np.testing.assert_allclose(scores, [-h["valid_loss"] for h in est.history_])
    assert est.best_epoch_ == int(np.argmax(scores)) + 1 > 3


def test_forward_batches_reduce_sees_each_batch_and_returns_none():
    X, y = _data(20)
    est = _MeanRegressor(epochs=1).fit(X, y)
    full = est._forward_batches(est.module_, est._to_tensor(X), batch_size=8)
    seen = []
    out = est._forward_batches(
        est.module_,
        est._to_tensor(X),
        batch_size=8,
        reduce=lambda start, o: seen.append((start, o)),
    )
    assert out is None
    assert [(s, len(o)) for s, o in seen] == [(0, 8), (8, 8), (16, 4)]
    torch.testing.assert_close(torch.cat([o for _, o in seen]), full)


def test_batch_metric_counts_may_be_device_tensors():
    class _TensorCounts(_MeanRegressor):
        def _batch_metric(self, out, targets):
            score, count = super()._batch_metric(out, targets)
            return score, torch.tensor(float(count))

    X, y = _data()
    a = _MeanRegressor(epochs=2).fit(X, y)
    b = _TensorCounts(epochs=2).fit(X, y)
    assert [h["train_neg_mse"] for h in a.history_] == pytest.approx(
        [h["train_neg_mse"] for h in b.history_]
    )


# ------------------------------------------- divergence (issue 18, item 2)
class _Poisoned(_MeanRegressor):
    """A batch-norm network whose training goes wrong at optimisation step ``at``.

    ``poison``: ``"offset"`` adds ``offset`` to the loss from that step on (the
    gradient is unchanged: a finite loss that explodes); ``"weights"`` sets a
    weight to NaN after the step (as an overflowing update would: every loss of
    the epoch stays finite); ``"buffer"`` sets a batch-norm running mean to NaN
    (training-mode losses stay finite, predictions would be NaN).
    """

    def __init__(self, epochs=3, poison="weights", at=6, offset=0.0, solver="sgd"):
        super().__init__(epochs=epochs, learning_rate_init=0.05)
        self.poison, self.at, self.offset, self.solver = poison, at, offset, solver

    def _network(self, n_in):
        self._steps = 0
        return nn.Sequential(
            nn.Flatten(), nn.Linear(n_in, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)
        )

    def _batch_loss(self, out, targets):
        self._steps += torch.is_grad_enabled()  # optimisation steps only
        loss = super()._batch_loss(out, targets)
        if self._steps >= self.at and self.poison == "offset":
            return loss + self.offset
        return loss

    def _batch_metric(self, out, targets):  # runs after the optimiser's step
        if self._steps == self.at and self.poison != "offset":
            with torch.no_grad():
                if self.poison == "weights":
                    self.module_[1].weight[0, 0] = float("nan")
                else:
                    self.module_[2].running_mean[0] = float("nan")
        return super()._batch_metric(out, targets)


def _state_dict(est):
    return {k: v.clone() for k, v in est.module_.state_dict().items()}


@pytest.mark.parametrize("poison", ["weights", "buffer"])
def test_divergence_restores_last_finite_parameters_and_buffers(poison):
    X, y = _data()  # 4 steps per epoch: step 8 is the last of epoch 2
    est = _Poisoned(poison=poison, at=8)
    with pytest.raises(
        ValueError,
        match=r"Training diverged at epoch 2 \(loss=inf\); the last finite weights "
        r"\(parameters and buffers\) were kept\. Lower learning_rate_init \(got 0.05\)",
    ):
        est.fit(X, y)
    ref = _Poisoned(epochs=1, poison=poison, at=10**9).fit(X, y)  # epoch 1 only
    got, want = _state_dict(est), _state_dict(ref)
    assert got.keys() == want.keys()  # running_mean, running_var, num_batches...
    for key in want:
        torch.testing.assert_close(got[key], want[key], rtol=0, atol=0, msg=key)
    pred = est.predict(X)
    assert np.isfinite(pred).all()
    np.testing.assert_array_equal(pred, ref.predict(X))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_explosive_loss_is_divergence_by_the_shared_rule(solver):
    from skcv._optim._loop import DIVERGENCE_FACTOR

    X, y = _data()
    # The gradient is unchanged (a constant added to the loss): only the rule of
    # skcv._optim can stop this finite, exploding loss.
    est = _Poisoned(poison="offset", at=6, offset=1e10, solver=solver)
    with pytest.raises(
        ValueError,
        match=r"Training diverged at epoch 2 \(loss=1000000000\d\.\d+\); the last "
        r"finite weights .* Lower learning_rate_init",
    ):
        est.fit(X, y)
    assert est._first_loss * DIVERGENCE_FACTOR < 1e10  # the rule's threshold
    ref = _Poisoned(epochs=1, poison="offset", at=10**9, solver=solver).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))
    # Below DIVERGENCE_FACTOR * (1 + first loss) the same growth trains on.
    ok = _Poisoned(poison="offset", at=6, offset=0.5 * DIVERGENCE_FACTOR, solver=solver)
    ok.fit(X, y)
    assert ok.n_iter_ == 3 and ok.loss_curve_[-1] >= 0.5 * DIVERGENCE_FACTOR
