import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")

from skcv.feature import leung_malik_bank, schmid_bank  # noqa: E402
from skcv.plot import plot_filter_bank  # noqa: E402


@pytest.mark.slow
def test_plot_filter_bank_layout_and_errors():
    import matplotlib.pyplot as plt

    bank = leung_malik_bank(size=9)
    fig = plot_filter_bank(bank)
    assert len(fig.axes) == 48
    assert fig.axes[0].get_subplotspec().get_gridspec().get_geometry() == (4, 12)
    shown = fig.axes[5].images[0].get_array()
    np.testing.assert_allclose(shown, bank[5])
    fig2 = plot_filter_bank(schmid_bank(9), n_cols=5, titles=list("abcdefghijklm"))
    assert fig2.axes[2].get_title() == "c"
    with pytest.raises(ValueError, match="titles must have one entry"):
        plot_filter_bank(bank, titles=["a"])
    with pytest.raises(ValueError, match="n_cols must be a positive int"):
        plot_filter_bank(bank, n_cols=0)
    with pytest.raises(ValueError, match="bank must have shape"):
        plot_filter_bank(np.zeros((2, 2, 2, 2)))
    plt.close("all")
