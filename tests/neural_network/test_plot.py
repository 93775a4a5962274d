import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skcv.neural_network import activation_statistics  # noqa: E402
from skcv.plot import plot_activation_statistics  # noqa: E402


@pytest.fixture(scope="module")
def stats():
    X = np.random.default_rng(0).standard_normal((100, 40))
    return activation_statistics(X, (40,) * 5, "tanh", 1.0, bins=9, random_state=0)


@pytest.mark.parametrize("kind", ["activation", "gradient"])
def test_plot_activation_statistics(stats, kind):
    axes = plot_activation_statistics(stats, kind=kind)
    assert len([a for a in axes if a.get_visible()]) == 6
    mean_line, std_line = axes[0].lines
    np.testing.assert_allclose(std_line.get_ydata(), stats[f"{kind}_std"])
    heights = [p.get_height() for p in axes[1].patches]
    np.testing.assert_array_equal(heights, stats[f"{kind}_hist"][0][0])
    assert "tanh" in axes[0].figure._suptitle.get_text()
    plt.close(axes[0].figure)


def test_plot_errors(stats):
    with pytest.raises(ValueError, match="kind must be"):
        plot_activation_statistics(stats, kind="weights")
    fig, ax = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="at least 6 axes"):
        plot_activation_statistics(stats, axes=ax)
    plt.close(fig)
