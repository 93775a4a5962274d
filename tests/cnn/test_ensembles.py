"""Model ensembles: scikit-learn's voting and stacking over skcv, snapshot ensembles."""

import copy
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.ensemble import StackingClassifier, VotingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from skcv.cnn import CNNClassifier  # noqa: E402
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier  # noqa: E402
from skcv.neural_network import MLPClassifier  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    return X[:600], y[:600], X[600:1000], y[600:1000]


def _cnn(**kw):
    params = dict(
        module="simple",
        module_params={"widths": (8, 16)},
        epochs=4,
        batch_size=32,
        solver="adam",
        learning_rate_init=0.01,
        weight_decay=0.0,
        image_shape=(8, 8),
        random_state=0,
        device="cpu",
    )
    params.update(kw)
    return CNNClassifier(**params)


def _members():
    return [
        ("svm", LinearSVMClassifier(random_state=0)),
        ("softmax", SoftmaxClassifier(random_state=0)),
        (
            "mlp",
            MLPClassifier((32,), max_iter=300, early_stopping=True, random_state=0),
        ),
        ("cnn", _cnn()),
    ]


def test_voting_over_skcv_estimators(digits):
    Xtr, ytr, Xte, yte = digits
    hard = VotingClassifier(_members(), voting="hard").fit(Xtr, ytr)
    assert hard.score(Xte, yte) > 0.85
    probabilistic = [(n, e) for n, e in _members() if n != "svm"]  # hinge: no proba
    soft = VotingClassifier(probabilistic, voting="soft").fit(Xtr, ytr)
    proba = soft.predict_proba(Xte)
    members = [e.predict_proba(Xte) for e in soft.estimators_]
    np.testing.assert_allclose(proba, np.mean(members, axis=0))
    assert soft.score(Xte, yte) > 0.85


def test_stacking_over_skcv_estimators(digits):
    Xtr, ytr, Xte, yte = digits
    stack = StackingClassifier(
        _members(), final_estimator=LogisticRegression(max_iter=1000), cv=3
    ).fit(Xtr, ytr)
    # The SVM gives decision_function scores, the others probabilities.
    assert stack.transform(Xte[:2]).shape == (2, 4 * 10)
    assert stack.score(Xte, yte) > 0.85


def test_snapshot_ensemble_restarts_and_averages(digits):
    Xtr, ytr, Xte, _ = digits
    clf = _cnn(
        epochs=6, snapshot_ensemble=3, solver="sgd", learning_rate_init=0.05
    ).fit(Xtr, ytr)
    assert len(clf.snapshots_) == 3 and clf.n_iter_ == 6 and len(clf.history_) == 6
    lr = [h["lr"] for h in clf.history_]
    # Cosine with warm restarts: each 2-epoch cycle starts again at the peak.
    assert lr[0] == lr[2] == lr[4] == 0.05 and lr[1] < 0.05
    # module_ holds the last snapshot; the members differ.
    last = clf.module_.state_dict()
    for k, v in clf.snapshots_[-1].items():
        torch.testing.assert_close(v, last[k].cpu())
    w = [s["body.features.0.weight"] for s in clf.snapshots_]
    assert not torch.equal(w[0], w[1]) and not torch.equal(w[1], w[2])
    # The prediction is the mean of the members' softmax outputs.
    members = [clf.get_snapshot(i).predict_proba(Xte) for i in range(3)]
    proba = clf.predict_proba(Xte)
    np.testing.assert_allclose(proba, np.mean(members, axis=0), rtol=1e-6)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(Xte)), proba)
    np.testing.assert_array_equal(clf.predict(Xte), clf.classes_[proba.argmax(1)])
    assert not np.allclose(proba, members[-1])


def test_get_snapshot(digits):
    Xtr, ytr, Xte, _ = digits
    clf = _cnn(epochs=4, snapshot_ensemble=2).fit(Xtr, ytr)
    first = clf.get_snapshot(0)
    assert first.snapshot_ensemble is None and not hasattr(first, "snapshots_")
    assert len(clf.snapshots_) == 2  # the ensemble keeps its members
    state = first.module_.state_dict()
    for k, v in clf.snapshots_[0].items():
        torch.testing.assert_close(state[k].cpu(), v)
    last = clf.get_snapshot()
    single = copy.deepcopy(clf)
    del single.snapshots_
    np.testing.assert_allclose(last.predict_proba(Xte), single.predict_proba(Xte))
    with pytest.raises(IndexError, match="index=2 is out of range for 2"):
        clf.get_snapshot(2)
    with pytest.raises(ValueError, match="has no snapshots"):
        _cnn(epochs=1).fit(Xtr, ytr).get_snapshot()


def test_snapshot_ensemble_one_cycle_is_one_model(digits):
    Xtr, ytr, Xte, _ = digits
    one = _cnn(snapshot_ensemble=1).fit(Xtr, ytr)
    plain = _cnn().fit(Xtr, ytr)
    np.testing.assert_allclose(one.predict_proba(Xte), plain.predict_proba(Xte))
    assert not hasattr(plain, "snapshots_")
    # Refitting without snapshots drops them.
    one.set_params(snapshot_ensemble=None).fit(Xtr, ytr)
    assert not hasattr(one, "snapshots_")


def test_snapshot_ensemble_keeps_the_last_cycles(digits):
    Xtr, ytr, Xte, _ = digits
    params = dict(epochs=6, solver="sgd", learning_rate_init=0.05)
    all_kept = _cnn(snapshot_ensemble=3, **params).fit(Xtr, ytr)
    last_two = _cnn(snapshot_ensemble=2, snapshot_cycles=3, **params).fit(Xtr, ytr)
    # The same three cycles; only the last two snapshots are kept and averaged.
    assert [h["lr"] for h in last_two.history_] == [h["lr"] for h in all_kept.history_]
    assert len(last_two.snapshots_) == 2
    for kept, full in zip(last_two.snapshots_, all_kept.snapshots_[1:], strict=True):
        for key in full:
            torch.testing.assert_close(kept[key], full[key])
    members = [all_kept.get_snapshot(i).predict_proba(Xte) for i in (1, 2)]
    np.testing.assert_allclose(
        last_two.predict_proba(Xte), np.mean(members, axis=0), rtol=1e-6
    )
    member = last_two.get_snapshot(0)
    assert member.snapshot_ensemble is None and member.snapshot_cycles is None


def test_snapshot_ensemble_uneven_cycles(digits):
    Xtr, ytr, _, _ = digits
    clf = _cnn(epochs=5, snapshot_ensemble=2, solver="sgd").fit(Xtr, ytr)
    lr = [h["lr"] for h in clf.history_]
    assert lr[0] == lr[3] and len(clf.snapshots_) == 2  # cycles of 3 and 2 epochs


def test_snapshot_ensemble_survives_pickle_and_checkpoint(digits, tmp_path):
    Xtr, ytr, Xte, _ = digits
    clf = _cnn(epochs=4, snapshot_ensemble=2).fit(Xtr, ytr)
    expected = clf.predict_proba(Xte)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.predict_proba(Xte), expected)
    path = tmp_path / "snap.pt"
    clf.save_checkpoint(path)
    loaded = _cnn(epochs=4, snapshot_ensemble=2).load_checkpoint(path)
    assert len(loaded.snapshots_) == 2
    np.testing.assert_allclose(loaded.predict_proba(Xte), expected, rtol=1e-6)
    plain = _cnn(epochs=1).fit(Xtr, ytr)
    plain.save_checkpoint(path)
    assert not hasattr(_cnn().load_checkpoint(path), "snapshots_")


@pytest.mark.parametrize(
    ("corrupt", "match"),
    [
        (lambda snaps: {"a": 1}, "'snapshots' must be a list"),
        (lambda snaps: [snaps[0], {"x": torch.zeros(1)}], r"'snapshots'\[1\] must be"),
        (
            lambda snaps: [{k: v.float() * np.nan for k, v in snaps[0].items()}],
            r"'snapshots'\[0\] holds NaN",
        ),
    ],
)
def test_snapshot_checkpoint_is_checked(digits, tmp_path, corrupt, match):
    Xtr, ytr, _, _ = digits
    clf = _cnn(epochs=2, snapshot_ensemble=2).fit(Xtr, ytr)
    path = tmp_path / "snap.pt"
    clf.save_checkpoint(path)
    ckpt = torch.load(path, weights_only=True)
    ckpt["snapshots"] = corrupt(ckpt["snapshots"])
    torch.save(ckpt, path)
    fresh = _cnn(epochs=2, snapshot_ensemble=2)
    with pytest.raises(ValueError, match=match):
        fresh.load_checkpoint(path)
    assert not hasattr(fresh, "module_")  # left unchanged


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"snapshot_ensemble": 5, "epochs": 4}, "need at least one epoch each"),
        ({"snapshot_ensemble": 2, "snapshot_cycles": 5, "epochs": 4}, "5 snapshot"),
        ({"snapshot_ensemble": 3, "snapshot_cycles": 2}, "fewer snapshots than"),
        ({"snapshot_cycles": 2}, "snapshot_cycles needs snapshot_ensemble"),
        ({"snapshot_ensemble": 2, "early_stopping": True}, "early_stopping"),
        ({"snapshot_ensemble": 0}, "snapshot_ensemble"),
    ],
)
def test_snapshot_ensemble_errors(digits, params, match):
    Xtr, ytr, _, _ = digits
    with pytest.raises(ValueError, match=match):
        _cnn(**params).fit(Xtr, ytr)


def test_snapshot_ensemble_has_no_partial_fit(digits):
    Xtr, ytr, _, _ = digits
    clf = _cnn(snapshot_ensemble=2)
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError, match="no attribute 'partial_fit'") as info:
        clf.partial_fit(Xtr, ytr, classes=np.arange(10))
    assert "takes no snapshots" in str(info.value.__cause__)
    assert hasattr(_cnn(), "partial_fit")


def test_snapshot_ensemble_with_auto_parameters(digits):
    # batch_size, solver, ... left at "auto": resolved at fit and at predict.
    Xtr, ytr, Xte, _ = digits
    clf = CNNClassifier(
        module="simple", epochs=2, snapshot_ensemble=2, image_shape=(8, 8),
        random_state=0, device="cpu",
    ).fit(Xtr, ytr)  # fmt: skip
    proba = clf.predict_proba(Xte)
    assert proba.shape == (len(Xte), 10) and len(clf.snapshots_) == 2
    assert clf.get_params()["batch_size"] == "auto"
