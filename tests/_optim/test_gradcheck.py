import itertools

import numpy as np
import pytest

from skcv._optim import get_loss
from skcv.linear_model._base import LinearNet
from skcv.utils import gradient_check

LOSSES = [
    ("hinge", {"multi_class": "weston_watkins"}),
    ("hinge", {"multi_class": "crammer_singer"}),
    ("squared_hinge", {"multi_class": "weston_watkins"}),
    ("squared_hinge", {"multi_class": "crammer_singer"}),
    ("cross_entropy", {}),
]
PENALTIES = [None, "l2", "l1", "elasticnet"]


@pytest.mark.parametrize(
    "loss,penalty", list(itertools.product(LOSSES, PENALTIES)), ids=str
)
def test_linear_model_gradients(loss, penalty):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 5))
    y = rng.integers(0, 4, 12)
    sw = rng.uniform(0.2, 3, 12)
    net = LinearNet(
        rng.normal(size=(4, 5)),
        rng.normal(size=4),
        get_loss(loss[0], **loss[1]),
        penalty,
        0.3,
        0.4,
        True,
    )
    error = gradient_check(lambda: net.loss_grad(X, y, sw), net.params)
    assert error < 1e-7


def test_gradient_check_detects_a_wrong_gradient():
    w = np.array([1.0, 2.0])
    assert gradient_check(lambda: (float(w @ w), [w]), [w]) > 0.1


def test_gradient_check_subset_of_entries():
    w = np.random.default_rng(0).normal(size=100)
    assert (
        gradient_check(lambda: (float(np.sum(w**2)), [2 * w]), [w], n_checks=5) < 1e-7
    )


def _mirrored_hinge_net():
    # Rows in +/- pairs with equal labels: dW cancels to rounding noise (~1e-17)
    # analytically, while the numerical gradient is rounding noise (~1e-10).
    rng = np.random.default_rng(0)
    A = rng.normal(size=(20, 5))
    y = np.tile(rng.integers(0, 3, 20), 2)
    X = np.r_[A, -A]
    net = LinearNet(
        rng.normal(size=(3, 5)) * 1e-3,
        np.zeros(3),
        get_loss("hinge"),
        None,
        0.0,
        0.0,
        False,
    )
    return net, X, y


def test_gradient_check_zero_entries_of_a_correct_hinge_gradient():
    # Regression: the 1e-12 floor reported a relative error of 1.0 here.
    net, X, y = _mirrored_hinge_net()
    _, (dW, _) = net.loss_grad(X, y, None)
    assert np.abs(dW).max() < 1e-15  # the case under test: zero up to rounding
    error = gradient_check(lambda: net.loss_grad(X, y, None), net.params)
    assert error < 1e-7


def test_gradient_check_still_finds_a_small_error_on_a_zero_entry():
    net, X, y = _mirrored_hinge_net()

    def wrong():
        value, (dW, db) = net.loss_grad(X, y, None)
        dW = dW.copy()
        dW[1, 2] += 1e-6
        return value, [dW, db]

    error = gradient_check(wrong, net.params, names=["W", "b"])
    assert error > 1e-5
    worst = error.worst[0]
    assert (worst.name, worst.index) == ("W", (1, 2))
    assert worst.analytic == pytest.approx(1e-6, rel=1e-6)
    assert "W[1, 2]: analytic=1e-06" in repr(error)


def test_gradient_check_reports_worst_entries_by_name_and_index():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([0.5, -1.0])

    def f():  # the gradient of b is wrong (halved) in its second entry
        return float(np.sum(W**2) + b @ b), [2 * W, np.array([2 * b[0], b[1]])]

    error = gradient_check(f, [W, b], names=["W", "b"], n_worst=3)
    assert len(error.worst) == 3 and error.n_checked == 6
    assert (error.worst[0].name, error.worst[0].index) == ("b", (1,))
    assert float(error) == pytest.approx(1 / 3)
    assert error.worst[0].error == float(error)
    assert all(e.error < 1e-7 for e in error.worst[1:])


def test_gradient_check_argument_errors():
    w = np.ones(3)

    def f():
        return float(w @ w), [2 * w]

    with pytest.raises(ValueError, match="names must give one name per parameter"):
        gradient_check(f, [w], names=["a", "b"])
    with pytest.raises(ValueError, match="f must return one gradient per parameter"):
        gradient_check(lambda: (1.0, []), [w])
    with pytest.raises(ValueError, match="eps must be a positive float"):
        gradient_check(f, [w], eps=0.0)
