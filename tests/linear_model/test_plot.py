import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skcv.linear_model import SoftmaxClassifier  # noqa: E402
from skcv.plot import plot_history, plot_templates  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    X, y = load_digits(return_X_y=True)
    return SoftmaxClassifier(
        solver="sgd", early_stopping=True, n_iter_no_change=2, random_state=0
    ).fit(X[:300] / 16, y[:300])


def test_plot_templates(fitted):
    fig = plot_templates(fitted, (8, 8))
    assert len(fig.axes) == 10
    assert [ax.get_title() for ax in fig.axes] == [str(c) for c in range(10)]
    img = fig.axes[0].images[0].get_array()
    assert img.shape == (8, 8) and img.min() == 0 and img.max() == 1
    plt.close(fig)


def test_plot_templates_pipeline_and_colour():
    X = np.random.default_rng(0).normal(size=(40, 48))
    y = np.arange(40) % 2
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier()).fit(X, y)
    fig = plot_templates(pipe, (4, 4, 3), class_names=["a", "b"])
    assert fig.axes[1].get_title() == "b"
    assert fig.axes[0].images[0].get_array().shape == (4, 4, 3)
    plt.close(fig)


def test_plot_templates_errors(fitted):
    with pytest.raises(ValueError, match="image_shape"):
        plot_templates(fitted, (7, 7))
    with pytest.raises(ValueError, match="coef_ must be 2-D"):
        plot_templates(np.zeros(5), (5,))


def test_plot_history(fitted):
    disp = plot_history(fitted, label="sgd")
    loss_ax, acc_ax = disp.ax_
    assert len(loss_ax.lines[0].get_xdata()) == fitted.n_iter_
    assert loss_ax.get_ylabel() == "loss"
    assert acc_ax.get_ylabel() == "accuracy"
    # training and validation curves on both panels
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), fitted.loss_curve_)
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), fitted.validation_scores_)
    plt.close(disp.figure_)


def test_plot_history_unfitted():
    with pytest.raises(ValueError, match="loss_curve_"):
        plot_history(SoftmaxClassifier())
