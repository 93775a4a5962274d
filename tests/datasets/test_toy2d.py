"""2-D teaching data and decision boundaries of skcv classifiers."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.inspection import DecisionBoundaryDisplay  # noqa: E402

from skcv.datasets import make_spiral, make_xor  # noqa: E402
from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier  # noqa: E402
from skcv.neural_network import MLPClassifier  # noqa: E402


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_make_spiral_shapes_and_balance():
    X, y = make_spiral(301, 4, random_state=0)
    assert X.shape == (301, 2) and y.shape == (301,)
    assert np.bincount(y).tolist() == [76, 75, 75, 75]
    assert np.all(np.hypot(*X.T) <= 1 + 1e-12)
    X2, y2 = make_spiral(301, 4, random_state=0)
    np.testing.assert_array_equal(X, X2)
    # without noise, each arm is a curve: points of an arm follow their angle
    Xn, yn = make_spiral(30, 3, noise=0.0)
    r = np.hypot(*Xn[yn == 0].T)
    np.testing.assert_allclose(r, np.linspace(0, 1, 10))


def test_make_xor_labels():
    X, y = make_xor(500, random_state=0)
    assert X.shape == (500, 2) and set(y.tolist()) == {0, 1}
    np.testing.assert_array_equal(y, (X[:, 0] > 0) != (X[:, 1] > 0))
    Xn, yn = make_xor(500, noise=0.1, random_state=0)
    np.testing.assert_array_equal(yn, y)  # noise moves points, not labels
    assert not np.array_equal(Xn, X)


@pytest.mark.parametrize(
    "make, chance", [(make_spiral, 1 / 3), (make_xor, 1 / 2)], ids=["spiral", "xor"]
)
def test_linear_fails_and_mlp_succeeds(make, chance):
    X, y = make(300, random_state=0)
    linear = _fit(SoftmaxClassifier(), X, y).score(X, y)
    mlp = _fit(
        MLPClassifier((64,), learning_rate_init=0.01, max_iter=500, random_state=0),
        X,
        y,
    ).score(X, y)
    assert linear < chance + 0.25
    assert mlp > 0.95


@pytest.mark.parametrize(
    "est, response_method",
    [
        (SoftmaxClassifier(), "predict_proba"),
        (MLPClassifier((16,), max_iter=50, random_state=0), "predict_proba"),
        (LinearSVMClassifier(), "decision_function"),
        (LinearSVMClassifier(), "predict"),
    ],
    ids=["softmax-proba", "mlp-proba", "svm-decision", "svm-predict"],
)
def test_decision_boundary_display(est, response_method):
    X, y = make_spiral(150, 3, random_state=0)
    _fit(est, X, y)
    _, ax = plt.subplots()
    disp = DecisionBoundaryDisplay.from_estimator(
        est, X, response_method=response_method, grid_resolution=20, ax=ax
    )
    assert disp.ax_ is ax
    grid = np.column_stack([disp.xx0.ravel(), disp.xx1.ravel()])
    expected = getattr(est, response_method)(grid)
    if response_method == "predict":
        expected = np.searchsorted(est.classes_, expected)
    np.testing.assert_allclose(
        disp.response.reshape(len(grid), -1).squeeze(),
        expected.reshape(len(grid), -1).squeeze(),
    )
    plt.close(ax.figure)


def test_decision_boundary_binary_proba():
    X, y = make_xor(200, random_state=0)
    mlp = _fit(
        MLPClassifier((8,), learning_rate_init=0.02, max_iter=300, random_state=0), X, y
    )
    disp = DecisionBoundaryDisplay.from_estimator(
        mlp, X, response_method="predict_proba", grid_resolution=25
    )
    grid = np.column_stack([disp.xx0.ravel(), disp.xx1.ravel()])
    np.testing.assert_allclose(disp.response.ravel(), mlp.predict_proba(grid)[:, 1])
    plt.close(disp.figure_)


def test_errors():
    with pytest.raises(ValueError, match="n_classes"):
        make_spiral(10, 1)
    with pytest.raises(ValueError, match="noise"):
        make_xor(10, noise=-1.0)
