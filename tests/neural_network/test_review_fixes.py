"""Regression tests for review findings on the MLP."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skcv.neural_network import MLPClassifier


def _data(n):
    return make_classification(n_samples=n, n_features=6, random_state=0)


def test_one_sample_tail_batch_keeps_running_variance():
    X, y = _data(201)
    X = X.astype(np.float64) * 3.0
    clf = MLPClassifier(
        hidden_layer_sizes=(5,),
        batch_norm=True,
        batch_size=200,
        shuffle=False,
        max_iter=40,
        learning_rate_init=1e-6,  # weights barely move: running stats ~ batch stats
        tol=0.0,
        n_iter_no_change=1000,
        random_state=0,
    )
    with pytest.warns(Warning):  # ConvergenceWarning: max_iter reached
        clf.fit(X, y)
    bn = next(layer for layer in clf.layers_ if hasattr(layer, "running_var"))
    first = clf.layers_[0]
    h = X @ first.W + (0.0 if first.b is None else first.b)
    ratio = bn.running_var / h.var(axis=0)
    assert np.all(ratio > 0.8), ratio


def test_batch_norm_rejects_unequal_sample_weights():
    X, y = _data(40)
    sw = np.ones(40)
    sw[:5] = 0
    with pytest.raises(ValueError, match="sample_weight with unequal weights"):
        MLPClassifier(batch_norm=True, max_iter=2).fit(X, y, sample_weight=sw)


def test_warm_start_with_new_architecture_rebuilds_network():
    X, y = _data(60)
    clf = MLPClassifier(hidden_layer_sizes=(5,), warm_start=True, max_iter=5)
    with pytest.warns(Warning):  # ConvergenceWarning: 5 epochs only
        clf.fit(X, y)
    with pytest.warns(Warning):
        clf.set_params(hidden_layer_sizes=(7, 3)).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(6, 7), (7, 3), (3, 2)]
