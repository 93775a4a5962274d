import numpy as np
import pytest

from skcv._optim import (
    ACTIVATIONS,
    get_activation,
    initialise,
    make_optimizer,
    make_schedule,
    penalty,
)
from skcv.utils import gradient_check

G1 = np.array([0.5, -1.0])
G2 = np.array([0.25, 2.0])
P0 = np.array([1.0, 2.0])


def _two_steps(name, **kw):
    p = P0.copy()
    opt = make_optimizer(name, [p], 0.1, **kw)
    opt.step([p], [G1])
    opt.step([p], [G2])
    return p


def test_plain_sgd():
    np.testing.assert_allclose(
        _two_steps("sgd", momentum=0.0), P0 - 0.1 * G1 - 0.1 * G2
    )


def test_momentum():
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    np.testing.assert_allclose(
        _two_steps("sgd", momentum=0.9, nesterovs_momentum=False), P0 + v1 + v2
    )


def test_nesterov():
    p = P0.copy()
    v = np.zeros(2)
    for g in (G1, G2):
        v_prev = v
        v = 0.9 * v - 0.1 * g
        p = p - 0.9 * v_prev + 1.9 * v
    np.testing.assert_allclose(_two_steps("sgd", momentum=0.9), p)


def test_adagrad():
    c1 = G1**2
    p = P0 - 0.1 * G1 / (np.sqrt(c1) + 1e-8)
    c2 = c1 + G2**2
    p = p - 0.1 * G2 / (np.sqrt(c2) + 1e-8)
    np.testing.assert_allclose(_two_steps("adagrad"), p)


def test_rmsprop():
    c = 0.01 * G1**2
    p = P0 - 0.1 * G1 / (np.sqrt(c) + 1e-8)
    c = 0.99 * c + 0.01 * G2**2
    p = p - 0.1 * G2 / (np.sqrt(c) + 1e-8)
    np.testing.assert_allclose(_two_steps("rmsprop"), p)


def test_adam():
    m = v = np.zeros(2)
    p = P0.copy()
    for t, g in enumerate((G1, G2), start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        p = p - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(_two_steps("adam"), p, rtol=1e-7, atol=1e-9)


def test_first_adam_step_is_lr_times_sign():
    p = P0.copy()
    make_optimizer("adam", [p], 0.1).step([p], [G1])
    np.testing.assert_allclose(p, P0 - 0.1 * np.sign(G1), rtol=1e-6)


def test_none_gradient_leaves_parameter():
    a, b = P0.copy(), P0.copy()
    make_optimizer("sgd", [a, b], 0.1).step([a, b], [G1, None])
    np.testing.assert_array_equal(b, P0)


def test_unknown_solver():
    with pytest.raises(ValueError, match="solver must be one of"):
        make_optimizer("lion", [P0.copy()], 0.1)


class _Opt:
    learning_rate = 1.0


@pytest.mark.parametrize(
    "kind,epochs,expected",
    [
        ("constant", 5, 1.0),
        ("step", 10, 0.1),
        ("step", 20, 0.01),
        ("exponential", 3, 0.95**3),
        ("invscaling", 3, 0.5),
    ],
)
def test_schedules(kind, epochs, expected):
    opt = _Opt()
    sched = make_schedule(kind, 1.0, step_size=10)
    for epoch in range(1, epochs + 1):
        assert sched.epoch_end(opt, epoch, plateau=False)
    assert opt.learning_rate == pytest.approx(expected)


def test_plateau_divides_by_5_then_stops():
    opt = _Opt()
    sched = make_schedule("plateau", 1.0, min_learning_rate=0.03)
    assert sched.epoch_end(opt, 1, plateau=True)
    assert opt.learning_rate == pytest.approx(0.2)
    assert sched.epoch_end(opt, 2, plateau=True)
    assert opt.learning_rate == pytest.approx(0.04)
    assert not sched.epoch_end(opt, 3, plateau=True)
    assert not make_schedule("constant", 1.0).epoch_end(opt, 1, plateau=True)


def test_unknown_schedule():
    with pytest.raises(ValueError, match="learning_rate must be one of"):
        make_schedule("cosine", 1.0)


@pytest.mark.parametrize("kind", ["l2", "l1", "elasticnet"])
def test_penalty_gradients(kind):
    W = np.random.default_rng(1).normal(size=(3, 4))
    assert (
        gradient_check(
            lambda: penalty(W, kind, 0.3, 0.4)[:1] + ([penalty(W, kind, 0.3, 0.4)[1]],),
            [W],
        )
        < 1e-7
    )


def test_penalty_values():
    W = np.array([[1.0, -2.0]])
    assert penalty(W, "l2", 2.0)[0] == pytest.approx(5.0)
    assert penalty(W, "l1", 2.0)[0] == pytest.approx(6.0)
    assert penalty(W, "elasticnet", 2.0, 0.5)[0] == pytest.approx(0.5 * 6 + 0.5 * 5)
    assert penalty(W, None, 2.0) == (0.0, None)
    with pytest.raises(ValueError, match="penalty must be one of"):
        penalty(W, "l0", 1.0)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradients(name):
    z = np.random.default_rng(2).normal(size=(5, 3))
    act = get_activation(name, slope=0.1)
    up = np.random.default_rng(3).normal(size=(5, 3))

    def f():
        a = act.forward(z)
        return float(np.sum(a * up)), [act.backward(z, a, up)]

    assert gradient_check(f, [z]) < 1e-7


def test_unknown_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        get_activation("gelu")


@pytest.mark.parametrize(
    "method,std", [("xavier", np.sqrt(1 / 400)), ("he", np.sqrt(2 / 400)), (0.5, 0.5)]
)
def test_initialisers(method, std):
    W = initialise((400, 300), method, random_state=np.random.default_rng(0))
    assert W.std() == pytest.approx(std, rel=0.02)
    assert abs(W.mean()) < 0.01 * std + 1e-3


def test_initialiser_zeros_dtype_and_error():
    assert not initialise((3, 2), "zeros", dtype=np.float32).any()
    assert initialise((3, 2), "he", dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="weight_init must be one of"):
        initialise((3, 2), "orthogonal")
