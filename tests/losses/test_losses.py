"""Public losses: the course's worked example, agreement with _optim, gradients."""

import numpy as np
import pytest
from scipy.optimize import check_grad

from skcv._optim._losses import multiclass_hinge
from skcv._optim._losses import softmax_cross_entropy as core_cross_entropy
from skcv.losses import hinge_loss, softmax, softmax_cross_entropy, squared_hinge


def test_course_example_zero_hinge_yet_uncertain_softmax():
    scores, y = [10.0, 9.0, 9.0], [0]
    assert hinge_loss(y, scores) == 0.0
    assert hinge_loss(y, scores, multi_class="crammer_singer") == 0.0
    assert squared_hinge(y, scores) == 0.0
    p = softmax(scores)
    assert p[0] == pytest.approx(1 / (1 + 2 / np.e))
    assert p[0] < 0.6  # far from one
    assert softmax_cross_entropy(y, scores) == pytest.approx(np.log(1 + 2 / np.e))
    # the hinge gradient is zero: the SVM stops, cross-entropy keeps pushing
    _, g_hinge = hinge_loss(y, scores, return_gradient=True)
    _, g_ce = softmax_cross_entropy(y, scores, return_gradient=True)
    assert np.all(g_hinge == 0)
    assert g_ce[0] < -0.4 and g_ce.shape == (3,)


def test_hinge_of_c_minus_one_at_zero_scores():
    S = np.zeros((5, 4))
    assert hinge_loss(np.arange(5) % 4, S) == pytest.approx(3.0)
    assert hinge_loss(np.arange(5) % 4, S, multi_class="crammer_singer") == 1.0


@pytest.mark.parametrize(
    "public, core",
    [
        (hinge_loss, lambda S, y, w: multiclass_hinge(S, y, w)),
        (
            lambda y, S, **kw: hinge_loss(y, S, multi_class="crammer_singer", **kw),
            lambda S, y, w: multiclass_hinge(S, y, w, multi_class="crammer_singer"),
        ),
        (squared_hinge, lambda S, y, w: multiclass_hinge(S, y, w, squared=True)),
        (softmax_cross_entropy, core_cross_entropy),
    ],
)
def test_wrappers_equal_the_training_losses(public, core):
    rng = np.random.default_rng(0)
    S, y, w = rng.normal(size=(20, 5)), rng.integers(0, 5, 20), rng.random(20)
    value, grad = public(y, S, sample_weight=w, return_gradient=True)
    ref_value, ref_grad = core(S.copy(), y, w)
    assert value == pytest.approx(ref_value)
    np.testing.assert_allclose(grad, ref_grad)


@pytest.mark.parametrize(
    "loss", [softmax_cross_entropy, squared_hinge], ids=["cross_entropy", "sq_hinge"]
)
def test_gradients_match_finite_differences(loss):
    rng = np.random.default_rng(1)
    S, y = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)

    def value(s):
        return loss(y, s.reshape(S.shape))

    def grad(s):
        return loss(y, s.reshape(S.shape), return_gradient=True)[1].ravel()

    error = check_grad(value, grad, S.ravel())
    assert error < 1e-6 * np.linalg.norm(grad(S.ravel()))


def test_weights_equal_repetition():
    S = np.array([[1.0, 2.0, 0.5], [0.2, 0.1, 3.0]])
    y = np.array([0, 2])
    rep = hinge_loss(np.array([0, 0, 2]), S[[0, 0, 1]])
    assert hinge_loss(y, S, sample_weight=[2, 1]) == pytest.approx(rep)


def test_errors():
    with pytest.raises(ValueError, match="y_true must be class indices"):
        hinge_loss([3], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="y_true must hold integer"):
        hinge_loss(["cat"], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"y_true must have shape \(2,\)"):
        softmax_cross_entropy([0], [[1.0, 2.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="scores must have shape"):
        softmax_cross_entropy([0], [1.0])
    with pytest.raises(ValueError, match="finite"):
        softmax_cross_entropy([0], [np.nan, 1.0])
    with pytest.raises(ValueError, match="multi_class must be"):
        hinge_loss([0], [1.0, 2.0], multi_class="ovr")
    with pytest.raises(ValueError, match="delta must be a positive"):
        squared_hinge([0], [1.0, 2.0], delta=0)
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        hinge_loss([0], [1.0, 2.0], sample_weight=[-1.0])
