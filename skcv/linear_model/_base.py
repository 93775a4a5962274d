"""Shared machinery of the linear classifiers: one linear layer plus a loss."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_random_state

from skcv._optim import (
    SCHEDULES,
    SECOND_ORDER_SOLVERS,
    SOLVERS,
    TrainState,
    make_optimizer,
    make_schedule,
    penalty,
    train_minibatch,
    train_second_order,
    validation_split,
)
from skcv.utils._sklearn import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)

__all__ = ["BaseLinearClassifier", "LinearNet"]


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
        value, dS = self.loss(self.scores(X), y, sample_weight)
        gW = dS.T @ X
        p_value, p_grad = penalty(self.W, self.penalty, self.alpha, self.l1_ratio)
        if p_grad is not None:
            gW += p_grad
        gb = dS.sum(axis=0) if self.fit_intercept else None
        return value + p_value, [gW, gb]

    def predict_indices(self, X):
        return self.scores(X).argmax(axis=1)


def _first_order(est) -> bool:
    return est._resolved_solver() in SOLVERS


class BaseLinearClassifier(ClassifierMixin, BaseEstimator):
    """Base class of :class:`LinearSVMClassifier` and :class:`SoftmaxClassifier`."""

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "solver": [StrOptions({"auto", *SOLVERS, *SECOND_ORDER_SOLVERS})],
        "learning_rate": [StrOptions(set(SCHEDULES))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

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

    # ------------------------------------------------------------------ data
    def _validate_fit_data(self, X, y, sample_weight, reset):
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            order="C",
            reset=reset,
        )
        check_classification_targets(y)
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=X.dtype)
            if sw.ndim == 0:
                sw = np.full(X.shape[0], sw, dtype=X.dtype)
            if sw.shape != (X.shape[0],):
                raise ValueError(
                    f"sample_weight must have shape ({X.shape[0]},); got {sw.shape}."
                )
            if not np.all(np.isfinite(sw)) or np.any(sw < 0):
                raise ValueError("sample_weight must be finite and non-negative.")
            if not np.any(sw > 0):
                raise ValueError(
                    "Sample weights must contain at least one non-zero number; "
                    "got all-zero sample_weight."
                )
            sample_weight = sw.copy()
        return X, y, sample_weight

    def _apply_class_weight(self, y_idx, sample_weight, y, dtype):
        if self.class_weight is None:
            return sample_weight
        cw = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        factor = cw[y_idx].astype(dtype)
        return factor if sample_weight is None else sample_weight * factor

    def _batch_size(self, n):
        if self.batch_size is None:
            return n
        if self.batch_size == "auto":
            return min(200, n)
        return min(self.batch_size, n)

    # --------------------------------------------------------------- params
    def _init_params(self, n_classes, n_features, dtype):
        self.coef_ = np.zeros((n_classes, n_features), dtype=dtype)
        self.intercept_ = np.zeros(n_classes, dtype=dtype)

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

    def _new_state(self, net, solver):
        opt = make_optimizer(
            solver,
            net.params,
            self.learning_rate_init,
            momentum=self.momentum,
            nesterovs_momentum=self.nesterovs_momentum,
        )
        sched = make_schedule(
            self.learning_rate,
            self.learning_rate_init,
            step_size=max(1, self.max_iter // 3),
        )
        return TrainState(optimizer=opt, schedule=sched)

    def _publish(self, state_or_curve):
        if isinstance(state_or_curve, TrainState):
            st = state_or_curve
            self.loss_curve_ = list(st.loss_curve)
            self.validation_scores_ = (
                list(st.validation_scores) if st.validation_scores else None
            )
            self.best_validation_score_ = (
                st.best_validation_score if st.validation_scores else None
            )
            self.best_loss_ = st.best_loss
            self.n_iter_ = st.n_iter
            self.t_ = st.t

    # ------------------------------------------------------------------ fit
    def _encode(self, y):
        return np.searchsorted(self.classes_, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the classifier on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 data is trained in float32).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight equals repeating the sample.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        solver = self._check_solver()
        warm = self.warm_start and hasattr(self, "coef_")
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, reset=True)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                "The classifier needs samples of at least 2 classes in the data; "
                f"got 1 class: {classes[0]!r}."
            )
        same = (
            warm
            and np.array_equal(classes, self.classes_)
            and self.coef_.shape[1] == X.shape[1]
        )
        self.classes_ = classes
        y_idx = self._encode(y)
        sw = self._apply_class_weight(y_idx, sample_weight, y, X.dtype)
        if same:
            self.coef_ = np.ascontiguousarray(self.coef_, dtype=X.dtype)
            self.intercept_ = np.ascontiguousarray(self.intercept_, dtype=X.dtype)
            history = getattr(self, "_train_state", None)
        else:
            self._init_params(len(classes), X.shape[1], X.dtype)
            history = None
        net = self._net()
        rng = np.random.RandomState(
            check_random_state(self.random_state).randint(2**31 - 1)
        )
        if solver in SECOND_ORDER_SOLVERS:
            curve, n_iter = train_second_order(
                net, X, y_idx, sw, solver=solver, max_iter=self.max_iter, tol=self.tol
            )
            self._train_state = None
            self.loss_curve_ = curve
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(curve)
            self.n_iter_ = n_iter
            self.t_ = n_iter * X.shape[0]
            return self
        X_val = y_val = None
        X_tr, y_tr, sw_tr = X, y_idx, sw
        if self.early_stopping:
            X_tr, y_tr, sw_tr, X_val, y_val = validation_split(
                X, y_idx, sw, self.validation_fraction, rng
            )
        state = self._new_state(net, solver)
        if history is not None:
            state.loss_curve = list(history.loss_curve)
            state.validation_scores = list(history.validation_scores)
            state.n_iter, state.t = history.n_iter, history.t
        self._train_state = state
        try:
            train_minibatch(
                net,
                X_tr,
                y_tr,
                sw_tr,
                state=state,
                batch_size=self._batch_size(X_tr.shape[0]),
                max_iter=self.max_iter,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                X_val=X_val,
                y_val=y_val,
                shuffle=self.shuffle,
                random_state=rng,
                verbose=self.verbose,
            )
        finally:
            self._publish(state)
        return self

    @available_if(_first_order)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the first-order solver on ``X`` and ``y``.

        Only available with a first-order ``solver`` (``sgd``, ``adagrad``,
        ``rmsprop``, ``adam``), as in scikit-learn's MLPClassifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All classes; required in the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : object
            The updated classifier.
        """
        first = getattr(self, "_train_state", None) is None
        solver = self._check_solver()
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit (one batch "
                "does not show the class frequencies); pass a dict."
            )
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, reset=first)
        if first:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            self.classes_ = np.unique(np.asarray(classes))
            if len(self.classes_) < 2:
                raise ValueError(
                    f"classes must contain at least 2 classes; got {self.classes_!r}."
                )
            self._init_params(len(self.classes_), X.shape[1], X.dtype)
        elif classes is not None and not np.array_equal(
            np.unique(np.asarray(classes)), self.classes_
        ):
            raise ValueError(
                f"classes={classes!r} differs from the classes of the first call "
                f"{self.classes_!r}."
            )
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if len(unknown):
            raise ValueError(f"y contains labels not in classes: {unknown!r}.")
        y_idx = self._encode(y)
        sw = self._apply_class_weight(y_idx, sample_weight, y, X.dtype)
        X = X.astype(self.coef_.dtype, copy=False)
        net = self._net()
        if first:
            self._train_state = self._new_state(net, solver)
        if first or not hasattr(self, "_partial_rng"):
            self._partial_rng = np.random.RandomState(
                check_random_state(self.random_state).randint(2**31 - 1)
            )
        state = self._train_state
        try:
            train_minibatch(
                net,
                X,
                y_idx,
                sw,
                state=state,
                batch_size=self._batch_size(X.shape[0]),
                max_iter=1,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                shuffle=self.shuffle,
                random_state=self._partial_rng,
                verbose=False,
                warn_not_converged=False,
            )
        finally:
            self._publish(state)
        return self

    # -------------------------------------------------------------- predict
    def _scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
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

    def predict(self, X):
        """Predict the class with the highest score.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        S = self._scores(X)
        return self.classes_[S.argmax(axis=1)]
