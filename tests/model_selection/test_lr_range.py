"""The learning-rate range test (LR finder) and its display."""

import importlib.util
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from skcv.linear_model import SoftmaxClassifier  # noqa: E402
from skcv.model_selection import LRRangeTestDisplay, lr_range_test  # noqa: E402
from skcv.neural_network import MLPClassifier  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def test_suggestion_trains_within_one_percent_of_the_grid_best(digits):
    """The issue's criterion: same epochs, a 9-point log grid, 3 splits."""
    X, y = digits
    est = MLPClassifier((64,), solver="sgd", batch_size=32, max_iter=15, random_state=0)
    splits = [
        train_test_split(X, y, test_size=0.3, random_state=s, stratify=y)
        for s in range(3)
    ]

    def accuracy(lr, chosen):
        scores = []
        for (X_tr, X_te, y_tr, y_te), rate in zip(splits, chosen, strict=True):
            try:
                est.set_params(learning_rate_init=rate or lr).fit(X_tr, y_tr)
                scores.append(est.score(X_te, y_te))
            except ValueError:  # diverged
                scores.append(0.0)
        return np.mean(scores)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        suggested = [
            lr_range_test(est, X_tr, y_tr, min_lr=1e-5, max_lr=10).suggestion
            for X_tr, _, y_tr, _ in splits
        ]
        grid = [accuracy(lr, [None] * 3) for lr in np.logspace(-4, 0, 9)]
        ours = accuracy(None, suggested)
    assert max(grid) - ours <= 0.01, (ours, grid, suggested)
    assert min(grid) < max(grid) - 0.1  # the grid matters: a bad rate is bad


def test_rates_losses_and_smoothing(digits):
    X, y = digits
    est = SoftmaxClassifier(solver="sgd", batch_size=50, random_state=0)
    res = lr_range_test(est, X, y, min_lr=1e-4, max_lr=1e-1, num=40, beta=0.9)
    assert len(res.rates) == len(res.losses) == len(res.smoothed_losses) == 40
    np.testing.assert_allclose(res.rates, np.geomspace(1e-4, 1e-1, 40))
    # bias-corrected exponential moving average of the raw losses
    avg, smooth = 0.0, []
    for i, loss in enumerate(res.losses):
        avg = 0.9 * avg + 0.1 * loss
        smooth.append(avg / (1 - 0.9 ** (i + 1)))
    np.testing.assert_allclose(res.smoothed_losses, smooth)
    assert not res.diverged
    assert res.smoothed_losses[-1] < res.smoothed_losses[0]  # it learned
    assert res.suggestion == pytest.approx(res.min_loss_rate / 10)
    assert not hasattr(est, "coef_")  # the estimator itself is left alone


def test_stops_when_the_loss_explodes(digits):
    X, y = digits
    res = lr_range_test(
        MLPClassifier((32,), solver="sgd", batch_size=32, random_state=0),
        X,
        y,
        min_lr=1e-3,
        max_lr=1e4,
        num=100,
        suggestion="steepest",
    )
    assert res.diverged and len(res.rates) < 100
    assert res.smoothed_losses[-1] > 4 * np.nanmin(res.smoothed_losses[:-1])
    assert res.rates[10] <= res.suggestion < res.rates[-1]


def test_pipeline_and_display(digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(solver="adam"))
    _, ax = plt.subplots()
    disp = LRRangeTestDisplay.from_estimator(
        pipe, X, y, min_lr=1e-4, max_lr=10, num=50, ax=ax
    )
    assert disp.ax_ is ax and disp.figure_ is ax.figure
    assert ax.get_xscale() == "log"
    np.testing.assert_allclose(disp.line_.get_xdata(), disp.result_.rates)
    marker = [ln for ln in ax.lines if ln.get_label().startswith("suggestion")]
    assert marker and marker[0].get_xdata()[0] == disp.result_.suggestion
    plt.close(ax.figure)


def test_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="first-order solver"):
        lr_range_test(SoftmaxClassifier(), X, y)  # auto -> lbfgs
    with pytest.raises(TypeError, match="learning_rate_init"):
        lr_range_test(DecisionTreeClassifier(), X, y)
    with pytest.raises(ValueError, match="min_lr must be smaller than max_lr"):
        lr_range_test(SoftmaxClassifier(solver="sgd"), X, y, min_lr=1, max_lr=0.1)
    with pytest.raises(ValueError, match="num"):
        lr_range_test(SoftmaxClassifier(solver="sgd"), X, y, num=1)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="no torch")
def test_torch_estimator(digits):
    import torch

    from skcv.cnn import CNNClassifier

    torch.set_num_threads(1)
    X, y = digits
    images = X.reshape(-1, 8, 8).astype(np.float32)
    cnn = CNNClassifier(
        module="simple",
        module_params={"widths": (4, 8)},
        batch_size=32,
        solver="sgd",
        random_state=0,
        device="cpu",
    )
    res = lr_range_test(cnn, images[:600], y[:600], min_lr=1e-4, max_lr=100, num=60)
    assert 0 < len(res.rates) <= 60
    assert res.smoothed_losses.min() < res.smoothed_losses[0]
    assert 1e-4 <= res.suggestion <= 100
