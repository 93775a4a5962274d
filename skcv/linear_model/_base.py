"""Shared machinery of the linear classifiers: one linear layer plus a loss."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from scipy.linalg import LinAlgError, cholesky, solve_triangular

from skcv._optim import SECOND_ORDER_SOLVERS, SOLVERS, penalty
from skcv._optim._estimator import SHARED_CONSTRAINTS, BaseTrainedClassifier
from skcv._optim._loop import n_correct
from skcv._optim._penalties import add_penalty
from skcv._optim._second_order import PRECONDITIONED_SOLVERS
from skcv.utils._sklearn import Interval, StrOptions
from skcv.utils._warnings import warn_external

__all__ = ["BaseLinearClassifier", "CholeskyPreconditioner", "LinearNet"]

#: Rows per block of a full-batch loss evaluation (about 1.5 MiB of float32
#: CIFAR-10 rows: the block stays in cache between its two products).
_BLOCK_ROWS = 512

#: Rows of the training set (evenly spaced) behind the preconditioner's estimate
#: of the data's second moment: its cost is ``rows * d**2``, a few gradient
#: evaluations on CIFAR-10, and a rough estimate preconditions about as well as
#: the exact one.
_PRECONDITIONER_ROWS = 2048
#: ``precondition="auto"`` builds the preconditioner when its arithmetic (second
#: moment plus Cholesky factor) costs at most this many gradient evaluations in
#: flops (about half as many in time: the square products run faster than the
#: thin ones). Plain L-BFGS needs 135-155 iterations on CIFAR-10 pixels (1,000 to
#: 20,000 rows, tol=1e-4) against 10-13 preconditioned, so 64 wins there from a
#: few thousand rows; on already well-conditioned features it costs at most
#: about 30 evaluations ...
_PRECONDITIONER_BUDGET = 64
#: ... and one gradient evaluation costs at least this many multiply-adds
#: (``n_samples * n_features * n_classes``): on small problems the solver is fast
#: anyway, and its path stays the plain, reproducible L-BFGS one.
_PRECONDITIONER_MIN_WORK = 10**7


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
            S = self.scores(X)
            self.batch_correct = n_correct(S, y, sample_weight)
            value, dS = self.loss(S, y, sample_weight)
            gW = dS.T @ X
            gb = dS.sum(axis=0) if self.fit_intercept else None
        else:
            value, gW, gb = self._blocked_loss_grad(X, y, sample_weight, total)
        value += add_penalty(self.W, gW, self.penalty, self.alpha, self.l1_ratio)
        return value, [gW, gb]

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
        self.batch_correct = 0.0
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
            S = self.scores(Xb)
            self.batch_correct += n_correct(S, y[rows], sw)
            v, dS = self.loss(S, y[rows], sw)
            dS *= share
            value += share * v
            gW += dS.T @ Xb
            if gb is not None:
                gb += dS.sum(axis=0)
        return value, gW, gb

    def predict_indices(self, X):
        return self.scores(X).argmax(axis=1)

    def evaluate(self, X, y, sample_weight=None):
        """Penalised loss and boolean correct predictions (validation split)."""
        S = self.scores(X)
        value = self.loss(S, y, sample_weight)[0]
        value += penalty(self.W, self.penalty, self.alpha, self.l1_ratio)[0]
        return value, S.argmax(axis=1) == y


class CholeskyPreconditioner:
    """Change of variables ``[W, b] = V L^-1`` with ``L L^T`` a Hessian estimate.

    A linear classifier's Hessian (Gauss-Newton form, one class block) is about
    ``c E[x x^T] + alpha I`` over the inputs extended by a constant 1 for the
    intercept, where ``c`` is the loss's curvature with respect to a score. With
    ``M = L L^T`` that estimate, the solver's variables ``V = [W, b] L`` see a
    Hessian close to the identity, so L-BFGS needs far fewer iterations when the
    features are correlated (neighbouring pixels), while the objective and its
    minimum do not change.

    Parameters
    ----------
    L : ndarray of shape (n_aug, n_aug)
        Lower Cholesky factor; ``n_aug`` is ``n_features`` plus 1 with an
        intercept.
    n_classes, n_features : int
        Shape of ``W``; the packed parameters are ``W.ravel()`` then ``b``.
    fit_intercept : bool
        Whether ``b`` is a variable (the last row of the factor); without one,
        ``b`` passes through unchanged.
    """

    def __init__(self, L, n_classes, n_features, fit_intercept):
        self.L = L
        self.n_classes, self.n_features = n_classes, n_features
        self.fit_intercept = fit_intercept

    def _matrix(self, v):
        """Packed vector -> ``(n_aug, n_classes)`` matrix (one column per class)."""
        k, d = self.n_classes, self.n_features
        A = v[: k * d].reshape(k, d)
        if self.fit_intercept:
            A = np.hstack([A, v[k * d :, None]])
        return A.T

    def _vector(self, M, v):
        out = v.copy()
        k, d = self.n_classes, self.n_features
        out[: k * d] = M[:d].T.ravel()
        if self.fit_intercept:
            out[k * d :] = M[d]
        return out

    def to_params(self, z):
        return self._vector(
            solve_triangular(self.L, self._matrix(z), lower=True, trans="T"), z
        )

    def to_variables(self, theta):
        return self._vector(self.L.T @ self._matrix(theta), theta)

    def gradient(self, g):
        return self._vector(solve_triangular(self.L, self._matrix(g), lower=True), g)

    @classmethod
    def from_data(
        cls,
        X,
        sample_weight,
        *,
        n_classes,
        curvature,
        ridge,
        fit_intercept,
        max_rows=_PRECONDITIONER_ROWS,
    ):
        """Estimate ``M = curvature E_w[x x^T] + ridge I`` on evenly spaced rows.

        Returns None when the estimate is not positive definite in floating point
        (the solver then runs unpreconditioned).
        """
        n, d = X.shape
        rows = np.unique(np.linspace(0, n - 1, min(n, max_rows)).round().astype(int))
        Xs = X[rows]
        if sample_weight is None:
            w = np.full(len(rows), 1.0 / len(rows))
        else:
            w = np.asarray(sample_weight[rows], dtype=np.float64)
            if w.sum() <= 0:
                return None
            w = w / w.sum()
        if fit_intercept:
            Xs = np.hstack([Xs, np.ones((len(rows), 1), dtype=Xs.dtype)])
        Xs *= np.sqrt(w).astype(Xs.dtype)[:, None]
        gram = Xs.T @ Xs  # one syrk in the input's dtype
        del Xs
        M = gram.astype(np.float64, copy=False)
        del gram
        M *= curvature
        diag = np.einsum("ii->i", M)
        # A relative jitter keeps a rank-deficient estimate (fewer rows than
        # features, constant features, no penalty) positive definite.
        diag += 1e-4 * diag.mean() + 1e-12
        diag[:d] += ridge
        try:
            L = cholesky(M, lower=True, overwrite_a=True, check_finite=False)
        except LinAlgError:
            return None
        return cls(L, n_classes, d, fit_intercept)


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
        "precondition": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(
        self,
        *,
        penalty="l2",
        alpha=1e-3,
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
        precondition="auto",
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=False,
        record_batches=False,
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
        self.precondition = precondition
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.record_batches = record_batches

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

    def _curvature(self, n_classes) -> float:
        """Mean second derivative of the loss w.r.t. one score, at scores 0."""
        raise NotImplementedError

    def _preconditioner(self, net, X, sample_weight):
        """Return the second-order solvers' change of variables (None: plain)."""
        if self.precondition != "auto" and not self.precondition:
            return None
        if self._resolved_solver() not in PRECONDITIONED_SOLVERS:
            return None
        n, d = X.shape
        k = len(self.classes_)
        d_aug = d + int(self.fit_intercept)
        setup = min(n, _PRECONDITIONER_ROWS) * d_aug**2 + d_aug**3 / 3
        budget = _PRECONDITIONER_BUDGET * 4 * n * d * k  # flops of 64 gradients
        if self.precondition == "auto" and (
            setup > budget or n * d * k < _PRECONDITIONER_MIN_WORK
        ):
            return None
        preconditioner = CholeskyPreconditioner.from_data(
            X,
            sample_weight,
            n_classes=k,
            curvature=self._curvature(k),
            ridge=self.alpha if self.penalty == "l2" else 0.0,
            fit_intercept=self.fit_intercept,
        )
        if preconditioner is None and self.precondition is not True:
            return None
        if preconditioner is None:
            warn_external(
                "precondition=True: the Hessian estimate was not positive definite "
                "(or its rows had zero total weight); the solver runs without a "
                "preconditioner.",
                UserWarning,
            )
        return preconditioner

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
