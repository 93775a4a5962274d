"""MLPClassifier: training, parameters, early stopping, dtypes, errors."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLP

from skcv.neural_network import BatchNorm, Dropout, MLPClassifier


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return X[:1200], y[:1200], X[1200:], y[1200:]


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


@pytest.mark.parametrize(
    "params",
    [
        dict(activation="relu"),
        dict(activation="leaky_relu", negative_slope=0.1),
        dict(activation="tanh", solver="sgd", learning_rate_init=0.05),
        dict(activation="logistic", learning_rate_init=0.01),
        dict(batch_norm=True, dropout=0.2),
        dict(loss="hinge"),
        pytest.param(dict(solver="lbfgs", max_iter=100), marks=pytest.mark.slow),
        dict(penalty="elasticnet", alpha=1e-3, solver="rmsprop"),
    ],
)
def test_learns_digits(digits, params):
    X, y, Xt, yt = digits
    base = dict(hidden_layer_sizes=(32,), max_iter=25, random_state=0)
    clf = _fit(MLPClassifier(**{**base, **params}), X, y)
    assert clf.score(Xt, yt) > 0.85
    assert len(clf.loss_curve_) == clf.n_iter_ or params.get("solver") == "lbfgs"


def test_comparable_to_sklearn(digits):
    X, y, Xt, yt = digits
    ours = _fit(MLPClassifier((64,), max_iter=30, random_state=0), X, y)
    theirs = _fit(SkMLP((64,), max_iter=30, random_state=0), X, y)
    assert ours.score(Xt, yt) > theirs.score(Xt, yt) - 0.03
    # sklearn-compatible attributes.
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert ours.n_layers_ == theirs.n_layers_ == 3
    assert ours.n_outputs_ == 10
    overlap = set(SkMLP().get_params()) - {"max_fun"}
    assert overlap <= set(ours.get_params())


def test_weight_init(digits):
    X, y, _, _ = digits
    kw = dict(hidden_layer_sizes=(400,), max_iter=1, random_state=0)
    for init, act, std in [
        ("auto", "relu", np.sqrt(2 / 64)),
        ("auto", "tanh", np.sqrt(1 / 64)),
        ("xavier", "relu", np.sqrt(1 / 64)),
        ("he", "tanh", np.sqrt(2 / 64)),
        (0.3, "relu", 0.3),
    ]:
        clf = MLPClassifier(weight_init=init, activation=act, **kw)
        clf.classes_ = np.arange(10)
        clf._build(64, np.float64, 0)
        W = clf.layers_[0].W
        assert abs(W.std() - std) / std < 0.05, (init, act)


def test_batch_norm_and_dropout_layers(digits):
    X, y, _, _ = digits
    clf = _fit(
        MLPClassifier((16, 8), batch_norm=True, dropout=[0.1, 0.3], max_iter=3),
        X,
        y,
    )
    kinds = [type(la).__name__ for la in clf.layers_]
    assert kinds == [
        "Dense",
        "BatchNorm",
        "Activation",
        "Dropout",
        "Dense",
        "BatchNorm",
        "Activation",
        "Dropout",
        "Dense",
    ]
    assert [d.p for d in clf.layers_ if isinstance(d, Dropout)] == [0.1, 0.3]
    bn = [la for la in clf.layers_ if isinstance(la, BatchNorm)][0]
    assert not np.allclose(bn.running_mean, 0)
    # Dropout off and running statistics at predict: deterministic predictions.
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    # The prediction of a single sample does not depend on the rest of the batch.
    np.testing.assert_allclose(clf.predict_proba(X[:1]), clf.predict_proba(X)[:1])


def test_dropout_per_layer_length_error():
    with pytest.raises(ValueError, match="dropout must be .* per hidden layer"):
        MLPClassifier((4, 4), dropout=[0.1]).fit(np.eye(4), [0, 1, 0, 1])


def test_early_stopping_restores_best_weights(digits):
    X, y, _, _ = digits
    clf = _fit(
        MLPClassifier(
            (32,),
            batch_norm=True,
            early_stopping=True,
            n_iter_no_change=3,
            learning_rate_init=0.05,
            max_iter=30,
            random_state=0,
        ),
        X,
        y,
    )
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # Re-score the same validation split: the restored weights (and batch-norm
    # statistics) reproduce the best score, not the last one.
    from skcv._optim import validation_split

    _, _, _, Xv, yv, _ = validation_split(
        X, np.searchsorted(clf.classes_, y), None, 0.1, clf._seeds()[2]
    )
    assert clf.score(Xv, clf.classes_[yv]) == pytest.approx(clf.best_validation_score_)


def test_float32_trained_in_float32(digits):
    X, y, Xt, _ = digits
    clf = _fit(MLPClassifier((16,), batch_norm=True, max_iter=3), X.astype("f4"), y)
    assert all(c.dtype == np.float32 for c in clf.coefs_)
    assert all(p.dtype == np.float32 for la in clf.layers_ for p in la.buffers)
    assert clf.predict_proba(Xt).dtype == np.float32


def test_sample_weight_equals_repetition(digits):
    X, y, Xt, _ = digits
    X, y = X[:150], y[:150]
    sw = np.random.default_rng(0).integers(0, 3, len(y))
    kw = dict(hidden_layer_sizes=(16,), batch_size=1000, max_iter=20, random_state=0)
    a = _fit(MLPClassifier(**kw), X, y, sample_weight=sw)
    b = _fit(MLPClassifier(**kw), np.repeat(X, sw, 0), np.repeat(y, sw))
    np.testing.assert_allclose(a.predict_proba(Xt), b.predict_proba(Xt), atol=1e-6)


def test_class_weight_shifts_predictions(digits):
    X, y, Xt, _ = digits
    kw = dict(hidden_layer_sizes=(16,), max_iter=10, random_state=0)
    plain = _fit(MLPClassifier(**kw), X, y)
    heavy = _fit(MLPClassifier(class_weight={3: 50.0}, **kw), X, y)
    assert (heavy.predict(Xt) == 3).sum() > (plain.predict(Xt) == 3).sum()


def test_partial_fit_and_warm_start(digits):
    X, y, Xt, yt = digits
    clf = MLPClassifier((32,), learning_rate_init=0.01, random_state=0)
    for _ in range(10):
        clf.partial_fit(X, y, classes=np.arange(10))
    assert clf.n_iter_ == 10 and len(clf.loss_curve_) == 10
    assert clf.score(Xt, yt) > 0.85
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, y)
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    warm = MLPClassifier((32,), max_iter=2, warm_start=True, random_state=0)
    _fit(warm, X, y)
    first = warm.coefs_[0].copy()
    _fit(warm, X, y)
    assert warm.n_iter_ == 4 and not np.array_equal(first, warm.coefs_[0])


def test_hinge_has_no_predict_proba(digits):
    X, y, _, _ = digits
    clf = _fit(MLPClassifier((8,), loss="hinge", max_iter=2), X, y)
    assert not hasattr(clf, "predict_proba")


def test_second_order_errors():
    X, y = np.eye(4), [0, 1, 0, 1]
    with pytest.raises(ValueError, match="solver='lbfgs' needs .* dropout=0.5"):
        MLPClassifier(solver="lbfgs", dropout=0.5).fit(X, y)
    with pytest.raises(ValueError, match="loss='hinge'"):
        MLPClassifier(solver="lbfgs", loss="hinge").fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(activation="softplus"), "activation"),
        (dict(weight_init="glorot"), "weight_init"),
        (dict(weight_init=-1.0), "weight_init"),
        (dict(dropout=1.0), "dropout"),
        (dict(loss="mse"), "loss"),
        (dict(solver="newton"), "solver"),
        (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        MLPClassifier(**params).fit(np.eye(4), [0, 1, 0, 1])


def test_divergence_is_detected(digits):
    X, y, _, _ = digits
    clf = MLPClassifier((32,), solver="sgd", learning_rate_init=1e6, momentum=0)
    with pytest.raises(ValueError, match="diverged"):
        _fit(clf, X * 1e3, y)


def test_keyboard_interrupt_keeps_usable_model(digits, monkeypatch):
    X, y, Xt, yt = digits
    from skcv.neural_network import _network

    calls = {"n": 0}
    original = _network.Network.loss_grad

    def interrupting(self, *args):
        calls["n"] += 1
        if calls["n"] == 30:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(_network.Network, "loss_grad", interrupting)
    clf = MLPClassifier((32,), learning_rate_init=0.01, max_iter=50, random_state=0)
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == 4  # 6 batches per epoch: 4 full epochs before batch 30
    assert clf.score(Xt, yt) > 0.8


def test_pickle_round_trip(digits):
    X, y, Xt, _ = digits
    clf = _fit(MLPClassifier((8,), batch_norm=True, dropout=0.1, max_iter=2), X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(Xt), clf.predict_proba(Xt))
    assert clone(clf).get_params() == clf.get_params()


def test_no_hidden_layer_is_a_linear_softmax(digits):
    X, y, Xt, yt = digits
    clf = _fit(MLPClassifier((), learning_rate_init=0.01, max_iter=20), X, y)
    assert [c.shape for c in clf.coefs_] == [(64, 10)]
    assert clf.score(Xt, yt) > 0.85


def test_lbfgs_with_batch_norm_sets_running_statistics(digits):
    X, y, Xt, yt = digits
    clf = _fit(MLPClassifier((16,), solver="lbfgs", batch_norm=True, max_iter=15), X, y)
    bn = [la for la in clf.layers_ if isinstance(la, BatchNorm)][0]
    z = X @ clf.coefs_[0]
    np.testing.assert_allclose(bn.running_mean, z.mean(axis=0), rtol=1e-6, atol=1e-9)
    assert clf.score(Xt, yt) > 0.7
