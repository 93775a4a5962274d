"""One training history for every iterative estimator, and its plot."""

import importlib.util
import math
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLP  # noqa: E402

from skcv._optim._loop import HISTORY_KEYS, validation_split  # noqa: E402
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier  # noqa: E402
from skcv.neural_network import MLPClassifier  # noqa: E402
from skcv.plot import TrainingHistoryDisplay, plot_history  # noqa: E402

HAS_TORCH = importlib.util.find_spec("torch") is not None


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:400] / 16).astype(np.float32), y[:400]


def _numpy_estimators(**kw):
    common = dict(max_iter=4, early_stopping=True, random_state=0, **kw)
    return [
        LinearSVMClassifier(
            loss="hinge", solver="sgd", learning_rate_init=0.01, **common
        ),
        SoftmaxClassifier(solver="adam", learning_rate_init=0.01, **common),
        MLPClassifier((16,), learning_rate_init=0.01, **common),
    ]


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("est", _numpy_estimators(), ids=lambda e: type(e).__name__)
def test_numpy_history_records(est, digits):
    X, y = digits
    _fit(est, X, y)
    assert len(est.history_) == est.n_iter_ == 4
    assert [h["epoch"] for h in est.history_] == [1, 2, 3, 4]
    for h in est.history_:
        assert tuple(h) == HISTORY_KEYS
        assert all(math.isfinite(v) for v in h.values())
        assert 0 <= h["train_accuracy"] <= 1 and 0 <= h["valid_accuracy"] <= 1
        assert h["lr"] == pytest.approx(est.learning_rate_init)
    # loss_curve_ and validation_scores_ keep working and agree with history_
    assert est.loss_curve_ == [h["train_loss"] for h in est.history_]
    assert est.validation_scores_ == [h["valid_accuracy"] for h in est.history_]
    assert est.batch_loss_curve_ is None
    # the model learns: the training accuracy of the batches goes up
    assert est.history_[-1]["train_accuracy"] > est.history_[0]["train_accuracy"]


def test_train_accuracy_is_that_of_the_batches_seen(digits):
    """Full-batch GD: the epoch's batch is the whole set, seen before the step."""
    X, y = digits
    clf = _fit(
        SoftmaxClassifier(solver="sgd", momentum=0, batch_size=None, max_iter=1),
        X,
        y,
    )
    # At W = 0 every score ties, argmax is class 0: accuracy = share of class 0.
    assert clf.history_[0]["train_accuracy"] == pytest.approx(np.mean(y == 0))


def test_validation_loss_is_the_penalised_loss_in_predict_mode(digits):
    X, y = digits
    clf = _fit(
        MLPClassifier(
            (16,),
            dropout=0.5,
            max_iter=3,
            early_stopping=True,
            alpha=0.1,
            random_state=0,
        ),
        X,
        y,
    )
    # Rebuild the validation split the estimator used and evaluate the best
    # (restored) weights in prediction mode: the best epoch's record matches.
    net = clf._net()
    best = int(np.argmax(clf.validation_scores_))
    seed_split = clf._seeds()[2]
    *_, X_val, y_val, _ = validation_split(
        X, clf._encode(y), None, clf.validation_fraction, seed_split
    )
    loss, correct = net.evaluate(X_val, y_val)
    assert clf.history_[best]["valid_loss"] == pytest.approx(loss, rel=1e-5)
    assert clf.history_[best]["valid_accuracy"] == pytest.approx(correct.mean())


def test_record_batches(digits):
    X, y = digits
    clf = _fit(
        SoftmaxClassifier(
            solver="sgd",
            batch_size=100,
            max_iter=3,
            record_batches=True,
            random_state=0,
        ),
        X,
        y,
    )
    assert len(clf.batch_loss_curve_) == 3 * 4  # 400 samples, batches of 100
    # each epoch's loss is the mean of its batch losses (equal batch sizes)
    per_epoch = np.reshape(clf.batch_loss_curve_, (3, 4)).mean(axis=1)
    np.testing.assert_allclose(per_epoch, clf.loss_curve_, rtol=1e-6)
    # partial_fit keeps appending
    clf.partial_fit(X, y)
    assert len(clf.batch_loss_curve_) == 16 and len(clf.history_) == 4


@pytest.mark.parametrize(
    "est",
    [
        SoftmaxClassifier(solver="lbfgs", max_iter=15),
        LinearSVMClassifier(solver="newton-cg", max_iter=5),
        MLPClassifier((8,), solver="lbfgs", max_iter=10, random_state=0),
    ],
    ids=["softmax-lbfgs", "svm-newton-cg", "mlp-lbfgs"],
)
def test_second_order_records_every_iteration(est, digits):
    X, y = digits
    _fit(est.set_params(record_batches=True), X, y)
    assert len(est.history_) == est.n_iter_ == len(est.loss_curve_)
    assert [h["train_loss"] for h in est.history_] == est.loss_curve_
    assert all(tuple(h) == HISTORY_KEYS for h in est.history_)
    assert all(math.isnan(h["lr"]) for h in est.history_)
    acc = [h["train_accuracy"] for h in est.history_]
    assert sum(math.isfinite(a) for a in acc) >= len(acc) // 2
    assert est.batch_loss_curve_ == est.loss_curve_


def test_warm_start_continues_history(digits):
    X, y = digits
    clf = SoftmaxClassifier(solver="adam", max_iter=2, warm_start=True, random_state=0)
    _fit(clf, X, y)
    _fit(clf, X, y)
    assert [h["epoch"] for h in clf.history_] == [1, 2, 3, 4]


def _tiny_torch_estimators():
    from skcv.cnn import CNNClassifier
    from skcv.segmentation import FCNSegmenter

    common = dict(
        epochs=2, batch_size=16, early_stopping=True, random_state=0, device="cpu"
    )
    return (
        CNNClassifier(module="simple", module_params={"widths": (4, 8)}, **common),
        FCNSegmenter(depth=2, width=4, **common),
    )


@pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
def test_history_keys_equal_numpy_and_torch(digits):
    import torch

    from skcv.datasets import make_shapes_segmentation

    torch.set_num_threads(1)
    X, y = digits
    numpy_keys = set()
    for est in _numpy_estimators():
        _fit(est, X, y)
        numpy_keys.add(tuple(est.history_[0]))
    assert numpy_keys == {HISTORY_KEYS}

    cnn, seg = _tiny_torch_estimators()
    cnn.fit(X[:120].reshape(-1, 8, 8), y[:120])
    assert tuple(cnn.history_[0]) == HISTORY_KEYS  # the very same keys, same order

    images, masks = make_shapes_segmentation(24, 16, n_classes=2, random_state=0)
    seg.fit(images, masks)
    # the segmenter's metric is the mean IoU: same keys, metric name substituted
    generic = tuple(k.replace("mean_iou", "accuracy") for k in seg.history_[0])
    assert generic == HISTORY_KEYS

    for est in (cnn, seg):
        disp = plot_history(est)
        assert disp.metric == est._metric_name
        assert len(disp.ax_[0].lines) == 2  # training and validation loss
        plt.close(disp.figure_)


def test_plot_history_panels_and_gap():
    records = [
        {
            "epoch": e,
            "train_loss": 1 / e,
            "train_accuracy": 0.5 + 0.1 * e,
            "valid_loss": 1 / e + 0.05 * e,
            "valid_accuracy": 0.5 + 0.05 * e,
        }
        for e in range(1, 5)
    ]
    disp = plot_history(records, label="run")
    loss_ax, acc_ax = disp.ax_
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    assert disp.gap_ == pytest.approx(0.2)
    # the gap is shaded on both panels
    assert len(loss_ax.collections) == 1 and len(acc_ax.collections) == 1
    plt.close(disp.figure_)


def test_plot_history_single_axes_overlays_runs(digits):
    X, y = digits
    _, ax = plt.subplots()
    for lr in (1e-3, 1e-2):
        clf = _fit(
            SoftmaxClassifier(solver="sgd", learning_rate_init=lr, max_iter=3), X, y
        )
        disp = TrainingHistoryDisplay.from_estimator(clf, ax=ax, label=str(lr))
    assert disp.ax_[0] is ax and len(ax.lines) == 2
    plt.close(ax.figure)


def test_plot_history_sklearn_mlp(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkMLP((8,), max_iter=3, early_stopping=True, random_state=0).fit(X, y)
    disp = plot_history(sk)
    np.testing.assert_allclose(disp.valid_score, sk.validation_scores_)
    plt.close(disp.figure_)


def test_plot_history_errors():
    with pytest.raises(ValueError, match="history_ or loss_curve_"):
        plot_history(SoftmaxClassifier())
    with pytest.raises(ValueError, match="one Axes or a pair"):
        plot_history({"loss_curve": [1, 0.5]}, ax=np.empty(3, dtype=object))


def test_torch_record_batches(digits):
    pytest.importorskip("torch")
    from skcv.cnn import CNNClassifier

    X, y = digits
    images = X.reshape(len(X), 8, 8)
    clf = CNNClassifier(
        module="simple",
        module_params={"widths": (4, 8)},
        epochs=3,
        batch_size=100,
        solver="adam",
        lr_schedule="constant",
        record_batches=True,
        random_state=0,
        device="cpu",
    ).fit(images, y)
    assert len(clf.batch_loss_curve_) == 3 * 4  # 400 images, batches of 100
    # each epoch's loss is the mean of its batch losses (equal batch sizes)
    per_epoch = np.reshape(clf.batch_loss_curve_, (3, 4)).mean(axis=1)
    np.testing.assert_allclose(per_epoch, clf.loss_curve_, rtol=1e-5)
    clf.partial_fit(images, y)  # keeps appending, like the numpy estimators
    assert len(clf.batch_loss_curve_) == 16 and len(clf.history_) == 4
    assert clf.set_params(record_batches=False).fit(images, y).batch_loss_curve_ is None
