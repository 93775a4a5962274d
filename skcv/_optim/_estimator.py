"""The estimator flow shared by the linear classifiers and the MLP.

Parameter and solver checks, class handling, sample and class weights, and the
``fit`` / ``partial_fit`` / warm-start plumbing into :func:`train_minibatch` and
:func:`train_second_order`. A subclass declares only its model (``_init_model``,
``_net``) and loss; see :class:`skcv.linear_model._base.BaseLinearClassifier`
and :class:`skcv.neural_network.MLPClassifier`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_random_state

from skcv._optim._loop import (
    TrainState,
    train_minibatch,
    validation_split,
    warn_interrupted,
)
from skcv._optim._optimizers import SOLVERS, make_optimizer
from skcv._optim._schedules import SCHEDULES, make_schedule
from skcv._optim._second_order import SECOND_ORDER_SOLVERS, train_second_order
from skcv.utils._sklearn import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)

__all__ = ["SHARED_CONSTRAINTS", "BaseTrainedClassifier"]

#: Constraints of the hyperparameters every trained classifier shares (DESIGN 3).
SHARED_CONSTRAINTS: dict = {
    "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "l1_ratio": [Interval(Real, 0, 1, closed="both")],
    "learning_rate": [StrOptions(set(SCHEDULES))],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "shuffle": ["boolean"],
    "class_weight": [dict, StrOptions({"balanced"}), None],
    "warm_start": ["boolean"],
    "record_batches": ["boolean"],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


def _first_order(est) -> bool:
    return est._resolved_solver() in SOLVERS


def _new_rng(random_state):
    return np.random.RandomState(check_random_state(random_state).randint(2**31 - 1))


class BaseTrainedClassifier(ClassifierMixin, BaseEstimator):
    """A classifier trained by ``skcv._optim``'s loops; subclasses declare the model.

    Hooks a subclass defines: ``_resolved_solver()``, ``_check_solver()``
    (returns the solver), ``_init_model(n_features, dtype, seed)``,
    ``_net()`` (the model the loops train), ``_has_model()``,
    ``_warm_compatible(X)``, ``_param_dtype()`` and ``_scores(X)``; optional ones
    have defaults below.
    """

    # ------------------------------------------------------------- hooks
    def _prepare_warm(self, dtype):
        """Bring warm-started parameters to ``dtype`` (default: nothing)."""

    def _publish_params(self):
        """Expose the model's parameters as fitted attributes (default: none)."""

    def _second_order_view(self, net):
        return net

    def _preconditioner(self, net, X, sample_weight):
        """Change of variables for the second-order solvers (default: none)."""
        return None

    def _after_second_order(self, net, X):
        """Finish a full-batch second-order fit (default: nothing)."""

    def _optimizer_kwargs(self) -> dict:
        return {}

    def _schedule_kwargs(self) -> dict:
        return {}

    def _fit_random(self):
        """Return the init seed, the loop RandomState and the split random_state."""
        rng = _new_rng(self.random_state)
        return None, rng, rng

    def _partial_init_seed(self):
        return None

    def _new_partial_rng(self):
        return _new_rng(self.random_state)

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

    def _encode(self, y):
        return np.searchsorted(self.classes_, y)

    # ------------------------------------------------------------- training
    def _new_state(self, net, solver):
        opt = make_optimizer(
            solver,
            net.params,
            self.learning_rate_init,
            momentum=self.momentum,
            nesterovs_momentum=self.nesterovs_momentum,
            **self._optimizer_kwargs(),
        )
        sched = make_schedule(
            self.learning_rate,
            self.learning_rate_init,
            step_size=max(1, self.max_iter // 3),
            **self._schedule_kwargs(),
        )
        return TrainState(
            optimizer=opt,
            schedule=sched,
            record_batches=self.record_batches,
            lr_probe=getattr(self, "_lr_probe", None),
        )

    def _publish(self, state):
        self._publish_params()
        if state is None:
            return
        self.history_ = [dict(h) for h in state.history]
        self.batch_loss_curve_ = (
            list(state.batch_losses) if state.record_batches else None
        )
        self.loss_curve_ = list(state.loss_curve)
        self.validation_scores_ = (
            list(state.validation_scores) if state.validation_scores else None
        )
        self.best_validation_score_ = (
            state.best_validation_score if state.validation_scores else None
        )
        self.best_loss_ = state.best_loss
        self.n_iter_ = state.n_iter
        self.t_ = state.t

    def _run_epochs(self, net, X, y, sw, state, rng, max_iter, **kwargs):
        try:
            train_minibatch(
                net,
                X,
                y,
                sw,
                state=state,
                batch_size=self._batch_size(X.shape[0]),
                max_iter=max_iter,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                shuffle=self.shuffle,
                random_state=rng,
                **kwargs,
            )
        finally:
            self._publish(state)

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
        warm = self.warm_start and self._has_model()
        X, y, sample_weight = self._validate_fit_data(X, y, sample_weight, reset=True)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                "The classifier needs samples of at least 2 classes in the data; "
                f"got 1 class: {classes[0]!r}."
            )
        same = (
            warm and np.array_equal(classes, self.classes_) and self._warm_compatible(X)
        )
        self.classes_ = classes
        y_idx = self._encode(y)
        sw = self._apply_class_weight(y_idx, sample_weight, y, X.dtype)
        seed_init, rng, split_random_state = self._fit_random()
        if same:
            self._prepare_warm(X.dtype)
            history = getattr(self, "_train_state", None)
        else:
            self._init_model(X.shape[1], X.dtype, seed_init)
            history = None
        net = self._net()
        self._publish(None)
        if solver in SECOND_ORDER_SOLVERS:
            records: list[dict] = []
            try:
                preconditioner = self._preconditioner(net, X, sw)
            except KeyboardInterrupt:  # Ctrl-C before the solver's first step
                warn_interrupted(
                    0, "iterations", "the model keeps its initial parameters"
                )
                curve, n_iter = [], 0
            else:
                curve, n_iter = train_second_order(
                    self._second_order_view(net),
                    X,
                    y_idx,
                    sw,
                    solver=solver,
                    max_iter=self.max_iter,
                    tol=self.tol,
                    preconditioner=preconditioner,
                    history=records,
                )
            self._after_second_order(net, X)
            self._train_state = None
            self.history_ = records
            # Second-order solvers record every iteration in ``history_``
            # already; there are no batches.
            self.batch_loss_curve_ = list(curve) if self.record_batches else None
            self.loss_curve_ = curve
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(curve, default=np.nan)  # empty after Ctrl-C
            self.n_iter_ = n_iter
            self.t_ = n_iter * X.shape[0]
            return self
        X_val = y_val = sw_val = None
        X_tr, y_tr, sw_tr = X, y_idx, sw
        if self.early_stopping:
            X_tr, y_tr, sw_tr, X_val, y_val, sw_val = validation_split(
                X, y_idx, sw, self.validation_fraction, split_random_state
            )
        state = self._new_state(net, solver)
        if history is not None:
            state.history = [dict(h) for h in history.history]
            state.batch_losses = list(history.batch_losses)
            state.loss_curve = list(history.loss_curve)
            state.validation_scores = list(history.validation_scores)
            state.n_iter, state.t = history.n_iter, history.t
        self._train_state = state
        self._run_epochs(
            net,
            X_tr,
            y_tr,
            sw_tr,
            state,
            rng,
            self.max_iter,
            X_val=X_val,
            y_val=y_val,
            sample_weight_val=sw_val,
            verbose=self.verbose,
        )
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
            self._init_model(X.shape[1], X.dtype, self._partial_init_seed())
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
        X = X.astype(self._param_dtype(), copy=False)
        net = self._net()
        if first:
            self._train_state = self._new_state(net, solver)
        if first or not hasattr(self, "_partial_rng"):
            self._partial_rng = self._new_partial_rng()
        self._run_epochs(
            net,
            X,
            y_idx,
            sw,
            self._train_state,
            self._partial_rng,
            1,
            verbose=False,
            warn_not_converged=False,
        )
        return self

    # -------------------------------------------------------------- predict
    def _validate_predict_data(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

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
        scores = self._scores(X)
        return self.classes_[scores.argmax(axis=1)]
