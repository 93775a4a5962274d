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
