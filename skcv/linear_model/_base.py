"""Shared machinery of the linear classifiers: one linear layer plus a loss."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from skcv._optim import SECOND_ORDER_SOLVERS, SOLVERS, penalty
from skcv._optim._estimator import SHARED_CONSTRAINTS, BaseTrainedClassifier
from skcv.utils._sklearn import Interval, StrOptions

__all__ = ["BaseLinearClassifier", "LinearNet"]

#: Rows per block of a full-batch loss evaluation (about 1.5 MiB of float32
#: CIFAR-10 rows: the block stays in cache between its two products).
_BLOCK_ROWS = 512


class LinearNet:
    """A linear score function ``S = X W^T + b`` with a loss: the model of the loops.

    The course's linear classifier is a neural network without hidden layers; this
    object exposes exactly what :func:`skcv._optim.train_minibatch` and
    :func:`skcv._optim.train_second_order` need (``params``, ``loss_grad``,
    ``predict_indices``).
    """

    def __init__(self, W, b, loss, penalty, alpha, l1_ratio, fit_intercept):
        self.W, self.b = W, b
        self.params = [W, b]
        self.loss = loss
        self.penalty, self.alpha, self.l1_ratio = penalty, alpha, l1_ratio
        self.fit_intercept = fit_intercept

    def scores(self, X):
        S = X @ self.W.T
        if self.fit_intercept:
            S += self.b
        return S

    def loss_grad(self, X, y, sample_weight=None):
        n = X.shape[0]
        total = n if sample_weight is None else float(np.sum(sample_weight))
        if n <= 2 * _BLOCK_ROWS or total <= 0:
            value, dS = self.loss(self.scores(X), y, sample_weight)
            gW = dS.T @ X
            gb = dS.sum(axis=0) if self.fit_intercept else None
        else:
            value, gW, gb = self._blocked_loss_grad(X, y, sample_weight, total)
        p_value, p_grad = penalty(self.W, self.penalty, self.alpha, self.l1_ratio)
        if p_grad is not None:
            gW += p_grad
        return value + p_value, [gW, gb]

    def _blocked_loss_grad(self, X, y, sample_weight, total):
        """Loss and gradient over row blocks of ``X`` (full-batch solvers).

        Each block's scores, loss gradient and weight gradient are computed while
        the block is still in cache, so ``X`` is read once per evaluation instead
        of twice. A block's weighted-mean loss counts with its share of the total
        weight, which gives exactly the full-batch value and gradient.
        """
        gW = np.zeros_like(self.W)
        gb = np.zeros_like(self.b) if self.fit_intercept else None
        value = 0.0
        for start in range(0, X.shape[0], _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            sw = None if sample_weight is None else sample_weight[rows]
            if sw is None:
                share = min(_BLOCK_ROWS, X.shape[0] - start) / total
            else:
                share = float(np.sum(sw)) / total
            if share == 0:
                continue
            Xb = X[rows]
            v, dS = self.loss(self.scores(Xb), y[rows], sw)
            dS *= share
            value += share * v
            gW += dS.T @ Xb
            if gb is not None:
                gb += dS.sum(axis=0)
        return value, gW, gb

    def predict_indices(self, X):
        return self.scores(X).argmax(axis=1)


class BaseLinearClassifier(BaseTrainedClassifier):
    """Base class of :class:`LinearSVMClassifier` and :class:`SoftmaxClassifier`."""

    _parameter_constraints: dict = {
        **SHARED_CONSTRAINTS,
        "solver": [StrOptions({"auto", *SOLVERS, *SECOND_ORDER_SOLVERS})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "fit_intercept": ["boolean"],
    }

    def __init__(
        self,
        *,
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        solver="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        momentum=0.9,
        nesterovs_momentum=True,
        batch_size="auto",
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        fit_intercept=True,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.solver = solver
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # Subclasses define _smooth(), _loss() and _loss_description().

    def _smooth(self) -> bool:
        raise NotImplementedError

    def _loss(self):
        raise NotImplementedError

    def _resolved_solver(self) -> str:
        if self.solver != "auto":
            return self.solver
        if self._smooth() and self.penalty in ("l2", None):
            return "lbfgs"
        return "adam"

    def _check_solver(self):
        solver = self._resolved_solver()
        if solver in SECOND_ORDER_SOLVERS:
            if not self._smooth():
                raise ValueError(
                    f"solver={solver!r} needs a smooth loss; "
                    f"{self._loss_description()} is not differentiable. Use a "
                    f"first-order solver ({', '.join(SOLVERS)}) or loss='squared_hinge'"
                    " with multi_class='weston_watkins'."
                )
            if self.penalty not in ("l2", None):
                raise ValueError(
                    f"solver={solver!r} needs penalty='l2' or None; got "
                    f"penalty={self.penalty!r}. Use a first-order solver for l1 and "
                    "elasticnet."
                )
        return solver

    def _loss_description(self) -> str:
        return "this loss"

    # ----------------------------------------------------- model (the hooks)
    def _has_model(self):
        return hasattr(self, "coef_")

    def _warm_compatible(self, X):
        return self.coef_.shape[1] == X.shape[1]

    def _prepare_warm(self, dtype):
        self.coef_ = np.ascontiguousarray(self.coef_, dtype=dtype)
        self.intercept_ = np.ascontiguousarray(self.intercept_, dtype=dtype)

    def _init_model(self, n_features, dtype, seed):
        self.coef_ = np.zeros((len(self.classes_), n_features), dtype=dtype)
        self.intercept_ = np.zeros(len(self.classes_), dtype=dtype)

    def _param_dtype(self):
        return self.coef_.dtype

    def _net(self):
        return LinearNet(
            self.coef_,
            self.intercept_,
            self._loss(),
            self.penalty,
            self.alpha,
            self.l1_ratio,
            self.fit_intercept,
        )

    # -------------------------------------------------------------- predict
    def _scores(self, X):
        X = self._validate_predict_data(X)
        S = X @ self.coef_.T.astype(X.dtype, copy=False)
        if self.fit_intercept:
            S += self.intercept_.astype(X.dtype, copy=False)
        return S

    def decision_function(self, X):
        """Class scores ``X W^T + b``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            One score per class; for two classes, the score of ``classes_[1]``
            minus that of ``classes_[0]`` (positive means ``classes_[1]``).
        """
        S = self._scores(X)
        if S.shape[1] == 2:
            return S[:, 1] - S[:, 0]
        return S
