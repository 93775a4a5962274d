"""Multiclass linear SVM: the course's multiclass hinge loss on a linear score."""

from __future__ import annotations

from numbers import Real

from skcv._optim import get_loss
from skcv.linear_model._base import BaseLinearClassifier
from skcv.linear_model._shared_doc import SHARED_ATTRIBUTES, shared_parameters
from skcv.utils._sklearn import Interval, StrOptions

__all__ = ["LinearSVMClassifier"]


_ALPHA_DOC = """alpha : float, default=3e-3
        Regularisation strength (the course's lambda): the objective is
        ``mean_i L_i + alpha * R(W)``. Chosen from measurements with the
        default squared hinge: on CIFAR-10 pixels (mean-centred, / 255, 20,000
        images) test accuracy rises with alpha (0.328 at 1e-4, 0.339 at 1e-3,
        0.346 at 3e-3, 0.356 at 1e-2, 0.385 at 0.3; ``SGDClassifier()``: about
        0.30) and the fit needs fewer iterations (70 at 1e-4, 30 at 3e-3); on
        digits (/ 16, 5-fold) 0.911 at 1e-3, 0.920 at 3e-3, 0.923 at 1e-2. But
        features of another scale pay for a large alpha: a GIST face detector
        (``tests/detection/test_sliding.py``) found the face up to 3e-3, a
        wrong box at 1e-2 and none at 0.1. Tune it for your features."""


class LinearSVMClassifier(BaseLinearClassifier):
    __doc__ = f"""Multiclass linear SVM trained on the multiclass hinge loss.

    Scores are ``s = W x + b`` (one row of ``W`` per class); the loss of one
    sample is the Weston-Watkins hinge ``sum_(j != y) max(0, s_j - s_y + delta)``
    (or Crammer-Singer's ``max(0, max_(j != y) s_j - s_y + delta)``), squared with
    ``loss="squared_hinge"``, plus ``alpha * R(W)``.

    Parameters
    ----------
    loss : {{"hinge", "squared_hinge"}}, default="squared_hinge"
        Hinge terms as they are or squared. The squared Weston-Watkins hinge is
        smooth, so the default trains with L-BFGS like scikit-learn's LinearSVC
        default; ``loss="hinge"`` (the course's SVM) needs a first-order solver.
    multi_class : {{"weston_watkins", "crammer_singer"}}, default="weston_watkins"
        Sum of the violated margins (Weston-Watkins, as in the course) or the
        largest one (Crammer-Singer).
    delta : float, default=1.0
        The margin. With an l2 penalty its value only sets the scale of ``W``.
    {shared_parameters(_ALPHA_DOC)}

    Attributes
    ----------
    {SHARED_ATTRIBUTES}

    See Also
    --------
    SoftmaxClassifier : The same linear scores with the cross-entropy loss.
    sklearn.svm.LinearSVC : One-vs-rest or Crammer-Singer linear SVM (liblinear).

    Notes
    -----
    The course's steps: (1) score ``S = X W^T + b``; (2) margins
    ``M_ij = S_ij - S_iy + delta`` for ``j != y_i``; (3) loss
    ``mean_i sum_j max(0, M_ij) + alpha R(W)``; (4) the gradient of the data loss
    w.r.t. the scores is 1 for each violated margin and minus their count for the
    true class, fully vectorised; (5) ``dW = dS^T X + alpha dR``, ``db = sum dS``;
    (6) an optimiser step on a minibatch (``skcv._optim``). At ``W = 0, b = 0``
    and ``delta = 1`` the Weston-Watkins loss is ``C - 1``: a useful sanity
    check. The weights are zero-initialised (the problem is convex).

    References
    ----------
    .. [1] J. Weston and C. Watkins, "Support vector machines for multi-class
       pattern recognition", ESANN, 1999.
    .. [2] K. Crammer and Y. Singer, "On the algorithmic implementation of
       multiclass kernel-based vector machines", JMLR 2:265-292, 2001.
    .. [3] CS231n, "Linear classification", https://cs231n.github.io/linear-classify/

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skcv.linear_model import LinearSVMClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = LinearSVMClassifier().fit(X, y)
    >>> clf.coef_.shape
    (3, 4)
    >>> bool(clf.score(X, y) > 0.9)
    True
    >>> sgd = LinearSVMClassifier(loss="hinge", solver="sgd", learning_rate_init=0.01,
    ...                           random_state=0).fit(X, y)
    >>> bool(sgd.score(X, y) > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseLinearClassifier._parameter_constraints,
        "loss": [StrOptions({"hinge", "squared_hinge"})],
        "multi_class": [StrOptions({"weston_watkins", "crammer_singer"})],
        "delta": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        loss="squared_hinge",
        *,
        multi_class="weston_watkins",
        delta=1.0,
        penalty="l2",
        alpha=3e-3,
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
        self.loss = loss
        self.multi_class = multi_class
        self.delta = delta
        super().__init__(
            penalty=penalty,
            alpha=alpha,
            l1_ratio=l1_ratio,
            solver=solver,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            shuffle=shuffle,
            fit_intercept=fit_intercept,
            precondition=precondition,
            class_weight=class_weight,
            warm_start=warm_start,
            random_state=random_state,
            verbose=verbose,
            record_batches=record_batches,
        )

    def _smooth(self) -> bool:
        return self.loss == "squared_hinge" and self.multi_class == "weston_watkins"

    def _loss_description(self) -> str:
        return f"loss={self.loss!r} with multi_class={self.multi_class!r}"

    def _loss(self):
        return get_loss(self.loss, delta=self.delta, multi_class=self.multi_class)

    def _curvature(self, n_classes) -> float:
        # Squared Weston-Watkins hinge at W = 0: every margin is active, each term
        # adds 2 to d^2 L / d s_j^2 and to d^2 L / d s_y^2 (2 (C - 1) in all);
        # the mean over the C scores is 4 (C - 1) / C.
        return 4 * (n_classes - 1) / n_classes
