"""skcv.optimize: the course's optimisers on any function, and their paths."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skcv.optimize import (  # noqa: E402
    OptimizerPathDisplay,
    minimize,
    quadratic,
    rosenbrock,
)

X0 = [-4.0, 1.5]
COURSE = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
RATES = {
    "sgd": 0.02,
    "momentum": 0.02,
    "nesterov": 0.02,
    "adagrad": 0.5,
    "rmsprop": 0.5,
    "adam": 0.5,
}


@pytest.mark.parametrize("solver", [*COURSE, "lbfgs", "bfgs"])
def test_every_solver_reaches_the_quadratic_minimum(solver):
    res = minimize(
        quadratic,
        X0,
        solver=solver,
        learning_rate=RATES.get(solver, 1.0),
        max_iter=3000,
        return_path=True,
    )
    assert res.success, res.message
    np.testing.assert_allclose(res.x, [0, 0], atol=1e-5)
    assert res.fun < 1e-9
    assert res.path.shape == (res.nit + 1, 2)
    np.testing.assert_array_equal(res.path[0], X0)
    np.testing.assert_array_equal(res.path[-1], res.x)


@pytest.mark.parametrize("lr", [0.005, 0.01, 0.02])
def test_momentum_needs_fewer_iterations_than_sgd(lr):
    sgd = minimize(quadratic, X0, solver="sgd", learning_rate=lr, max_iter=20000)
    mom = minimize(quadratic, X0, solver="momentum", learning_rate=lr, max_iter=20000)
    nag = minimize(quadratic, X0, solver="nesterov", learning_rate=lr, max_iter=20000)
    assert sgd.success and mom.success and nag.success
    assert mom.nit < sgd.nit / 2
    assert nag.nit < sgd.nit / 2


def test_plain_sgd_is_gradient_descent():
    res = minimize(
        quadratic, X0, solver="sgd", learning_rate=0.01, max_iter=3, return_path=True
    )
    c = np.array([1.0, 20.0])
    expected = np.array(X0) * (1 - 0.01 * c) ** 3
    np.testing.assert_allclose(res.x, expected)
    assert not res.success and "Maximum number of iterations" in res.message


def test_rosenbrock_and_jac_callable():
    res = minimize(
        lambda x: rosenbrock(x)[0],
        [-1.2, 1.0],
        jac=lambda x: rosenbrock(x)[1],
        solver="adam",
        learning_rate=0.05,
        max_iter=5000,
        tol=1e-4,
    )
    assert res.success
    np.testing.assert_allclose(res.x, [1, 1], atol=1e-3)


def test_divergence_is_reported_not_raised():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = minimize(
            quadratic,
            X0,
            solver="sgd",
            learning_rate=0.2,
            max_iter=5000,
            return_path=True,
        )
    assert not res.success and "lower learning_rate" in res.message
    assert np.all(np.isfinite(res.x)) and np.all(np.isfinite(res.path))


def test_errors():
    with pytest.raises(ValueError, match="solver must be one of"):
        minimize(quadratic, X0, solver="newton")
    with pytest.raises(ValueError, match="learning_rate must be a positive"):
        minimize(quadratic, X0, learning_rate=0)
    with pytest.raises(ValueError, match="max_iter must be a positive"):
        minimize(quadratic, X0, max_iter=0)
    with pytest.raises(ValueError, match="momentum must be in"):
        minimize(quadratic, X0, momentum=1.0)
    with pytest.raises(ValueError, match="x0 must be"):
        minimize(quadratic, [np.nan, 1.0])
    with pytest.raises(TypeError, match="jac must be True"):
        minimize(quadratic, X0, jac=False)
    with pytest.raises(ValueError, match="curvatures must have the shape"):
        quadratic([1.0, 2.0, 3.0])


def test_display_paths_and_axes():
    _, ax = plt.subplots()
    disp = OptimizerPathDisplay.from_function(
        quadratic, X0, learning_rate=RATES, max_iter=400, minimum=[0, 0], ax=ax
    )
    assert disp.ax_ is ax and disp.figure_ is ax.figure
    assert list(disp.lines_) == list(COURSE)
    for name, line in disp.lines_.items():
        np.testing.assert_allclose(line.get_xydata(), disp.results[name].path)
    assert disp.results["momentum"].nit < disp.results["sgd"].nit
    # plot() again on new axes, from the stored results
    disp2 = disp.plot()
    assert disp2.ax_ is not ax
    plt.close("all")


def test_display_errors():
    with pytest.raises(ValueError, match="x0 must have shape"):
        OptimizerPathDisplay.from_function(quadratic, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="no entry for solvers"):
        OptimizerPathDisplay.from_function(quadratic, X0, learning_rate={"sgd": 0.1})
