import pickle

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
from skcv._optim._optimizers import axpy
from skcv._optim._penalties import add_penalty
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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy_in_place(dtype):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 5)).astype(dtype)
    y = rng.normal(size=(6, 5)).astype(dtype)
    expected = y + dtype(0.3) * x
    target = y
    axpy(0.3, x, y)
    assert y is target and y.dtype == dtype
    np.testing.assert_allclose(y, expected, rtol=1e-6)


def test_axpy_falls_back_for_views_and_mixed_dtypes():
    rng = np.random.default_rng(5)
    base = rng.normal(size=(5, 6))
    y = base.T  # not C-contiguous: numpy path, still in place
    x = rng.normal(size=(6, 5))
    expected = y + 2.0 * x
    axpy(2.0, x, y)
    np.testing.assert_allclose(base.T, expected)
    y32 = np.ones(4, dtype=np.float32)
    axpy(0.5, np.arange(4.0), y32)  # float64 x into float32 y
    np.testing.assert_allclose(y32, 1 + 0.5 * np.arange(4.0))
    assert y32.dtype == np.float32


@pytest.mark.parametrize("kind", ["l2", "l1", "elasticnet", None])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_penalty_matches_penalty(kind, dtype):
    rng = np.random.default_rng(6)
    W = rng.normal(size=(7, 3)).astype(dtype)
    G = rng.normal(size=(7, 3)).astype(dtype)
    value, grad = penalty(W, kind, 0.3, 0.4)
    expected = G + grad if grad is not None else G.copy()
    assert add_penalty(W, G, kind, 0.3, 0.4) == pytest.approx(value)
    np.testing.assert_allclose(G, expected, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_matches_textbook_formula_over_many_steps(dtype):
    """The in-place form equals the textbook update up to rounding."""
    rng = np.random.default_rng(7)
    p = rng.normal(size=(40, 30)).astype(dtype)
    ref = p.astype(np.float64)
    m = np.zeros_like(ref)
    v = np.zeros_like(ref)
    opt = make_optimizer("adam", [p], 0.01)
    for t in range(1, 101):
        g = rng.normal(size=p.shape) * 10.0 ** rng.integers(-6, 1)
        opt.step([p], [g.astype(dtype)])
        g = g.astype(dtype).astype(np.float64)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        ref -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(p, ref, rtol=0, atol=tol)
    assert p.dtype == dtype


@pytest.mark.parametrize(
    "name,kw",
    [
        ("sgd", {"momentum": 0.0}),
        ("sgd", {"momentum": 0.9, "nesterovs_momentum": False}),
        ("sgd", {}),
        ("adagrad", {}),
        ("rmsprop", {}),
        ("adam", {}),
    ],
)
def test_float32_steps_follow_float64(name, kw):
    """The in-place float32 path (BLAS axpy, scratch buffer) tracks float64."""
    rng = np.random.default_rng(9)
    p64 = rng.normal(size=(30, 20))
    p32 = p64.astype(np.float32)
    o64 = make_optimizer(name, [p64], 0.01, **kw)
    o32 = make_optimizer(name, [p32], 0.01, **kw)
    start = p64.copy()
    for _ in range(50):
        g = rng.normal(size=p64.shape).astype(np.float32)
        o64.step([p64], [g.astype(np.float64)])
        o32.step([p32], [g])
    assert p32.dtype == np.float32
    assert np.abs(p64 - start).max() > 0.05  # the parameters moved
    np.testing.assert_allclose(p32, p64, rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adam"])
def test_optimizer_pickles_without_its_scratch_buffer(name):
    rng = np.random.default_rng(8)
    a = rng.normal(size=(50, 40))
    opt = make_optimizer(name, [a], 0.01)
    opt.step([a], [rng.normal(size=a.shape)])
    clone = pickle.loads(pickle.dumps(opt))
    assert clone._scratch == {}  # workspace, not state: not saved
    b = a.copy()
    g = rng.normal(size=a.shape)
    opt.step([a], [g])
    clone.step([b], [g])
    np.testing.assert_array_equal(a, b)
