import numpy as np
import pytest

from skcv._optim import (
    LOSSES,
    get_loss,
    log_softmax,
    multiclass_hinge,
    softmax,
    softmax_cross_entropy,
)
from skcv.utils import gradient_check

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_weston_watkins_hinge_at_zero_is_c_minus_1(n_classes):
    y = RNG.integers(0, n_classes, 7)
    value, _ = multiclass_hinge(np.zeros((7, n_classes)), y, delta=1.0)
    assert value == pytest.approx(n_classes - 1)


def test_crammer_singer_at_zero_is_delta():
    value, _ = multiclass_hinge(
        np.zeros((5, 4)), np.arange(5) % 4, delta=2.0, multi_class="crammer_singer"
    )
    assert value == pytest.approx(2.0)


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_softmax_at_zero_is_log_c(n_classes):
    value, _ = softmax_cross_entropy(np.zeros((6, n_classes)), np.arange(6) % n_classes)
    assert value == pytest.approx(np.log(n_classes))


def test_hinge_known_value():
    # The course's worked example (CS231n): scores of three images, three classes.
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    y = np.array([0, 1, 2])
    value, _ = multiclass_hinge(scores, y)
    assert value == pytest.approx((2.9 + 0 + 12.9) / 3)


def test_softmax_is_stable_for_huge_scores():
    scores = np.array([[1000.0, 0.0, -1000.0]])
    value, d = softmax_cross_entropy(scores, np.array([0]))
    assert np.isfinite(value) and np.all(np.isfinite(d))
    assert np.allclose(softmax(scores).sum(), 1)
    assert np.isfinite(log_softmax(scores)).all()


def test_sample_weight_equals_repetition():
    scores = RNG.normal(size=(5, 3))
    y = np.array([0, 1, 2, 1, 0])
    w = np.array([1, 2, 0, 3, 1])
    for name in LOSSES:
        f = get_loss(name)
        v1, d1 = f(scores, y, w)
        v2, d2 = f(np.repeat(scores, w, axis=0), np.repeat(y, w))
        assert v1 == pytest.approx(v2)
        summed = np.zeros_like(d1)
        np.add.at(summed, np.repeat(np.arange(5), w), d2)
        np.testing.assert_allclose(d1, summed, atol=1e-12)


@pytest.mark.parametrize(
    "name,params",
    [
        ("hinge", {"multi_class": "weston_watkins"}),
        ("hinge", {"multi_class": "crammer_singer"}),
        ("squared_hinge", {"multi_class": "weston_watkins"}),
        ("squared_hinge", {"multi_class": "crammer_singer"}),
        ("hinge", {"delta": 3.0}),
        ("cross_entropy", {}),
    ],
)
def test_loss_gradients_wrt_scores(name, params):
    scores = RNG.normal(size=(8, 4))
    y = RNG.integers(0, 4, 8)
    w = RNG.uniform(0.5, 2, 8)
    f = get_loss(name, **params)

    def fun():
        value, dscores = f(scores, y, w)
        return value, [dscores]

    assert gradient_check(fun, [scores]) < 1e-7


def test_unknown_loss_and_multiclass():
    with pytest.raises(ValueError, match="loss must be one of"):
        get_loss("nope")
    with pytest.raises(ValueError, match="multi_class must be"):
        multiclass_hinge(np.zeros((2, 3)), np.array([0, 1]), multi_class="ovr")


def test_float32_stays_float32():
    scores = RNG.normal(size=(4, 3)).astype(np.float32)
    for name in LOSSES:
        _, d = get_loss(name)(scores, np.array([0, 1, 2, 0]))
        assert d.dtype == np.float32
