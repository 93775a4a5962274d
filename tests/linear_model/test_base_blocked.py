"""Full-batch loss evaluation over row blocks equals the one-shot evaluation."""

import numpy as np
import pytest

from skcv._optim import multiclass_hinge, softmax_cross_entropy
from skcv.linear_model import _base
from skcv.linear_model._base import LinearNet


@pytest.mark.parametrize("loss", [softmax_cross_entropy, multiclass_hinge])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_blocked_loss_grad_equals_one_shot(loss, weighted, fit_intercept, monkeypatch):
    rng = np.random.default_rng(0)
    n, d, k = 1037, 7, 4  # not a multiple of the block size
    X = rng.standard_normal((n, d))
    y = rng.integers(0, k, n)
    sw = rng.random(n) * (rng.random(n) > 0.2) if weighted else None
    W, b = rng.standard_normal((k, d)), rng.standard_normal(k)
    net = LinearNet(W, b, loss, "l2", 0.1, 0.15, fit_intercept)
    monkeypatch.setattr(_base, "_BLOCK_ROWS", 10**6)
    v0, (gW0, gb0) = net.loss_grad(X, y, sw)
    monkeypatch.setattr(_base, "_BLOCK_ROWS", 100)
    v1, (gW1, gb1) = net.loss_grad(X, y, sw)
    assert v1 == pytest.approx(v0, rel=1e-12)
    np.testing.assert_allclose(gW1, gW0, rtol=1e-10, atol=1e-14)
    if fit_intercept:
        np.testing.assert_allclose(gb1, gb0, rtol=1e-10, atol=1e-14)
    else:
        assert gb0 is None and gb1 is None
