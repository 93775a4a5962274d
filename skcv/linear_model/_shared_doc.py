"""Docstring pieces shared by the linear classifiers."""

SHARED_PARAMETERS = """\
penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Regulariser ``R(W)`` on the weights (never the intercept):
        ``0.5 * sum(W**2)``, ``sum(|W|)`` or their mix (``l1_ratio``).
    ALPHA_DOC
    l1_ratio : float, default=0.15
        Share of l1 in the elastic net.
    solver : {"auto", "sgd", "adagrad", "rmsprop", "adam", "lbfgs", "bfgs", \
"newton-cg"}, default="auto"
        First-order minibatch solvers, or second-order ones through
        ``scipy.optimize`` (smooth losses and l2/None penalty only). ``"auto"``
        picks ``"lbfgs"`` when the loss and penalty are smooth, else ``"adam"``:
        preconditioned L-BFGS needs no step size (a minibatch default would
        have to match the features' scale) and converged in 14-16 iterations,
        each one pass over the data, on 49,000 CIFAR-10 images.
    learning_rate : {"constant", "step", "exponential", "invscaling", "plateau", \
"adaptive"}, default="constant"
        Schedule of the first-order solvers: ``"step"`` divides by 10 every
        ``max_iter // 3`` epochs, ``"exponential"`` multiplies by 0.95 each epoch,
        ``"invscaling"`` uses ``lr0 / sqrt(epoch + 1)``, ``"plateau"`` (alias
        ``"adaptive"``) divides by 5 whenever ``n_iter_no_change`` epochs bring no
        improvement and stops below 1e-6.
    learning_rate_init : float, default=1e-3
        Initial step size.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"`` (0 gives plain gradient descent).
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``solver="sgd"``.
    batch_size : int, "auto" or None, default="auto"
        Minibatch size: 1 is stochastic gradient descent, None (or ``n_samples``)
        full-batch gradient descent; ``"auto"`` is ``min(200, n_samples)``.
    max_iter : int, default=1000
        Maximum number of epochs (first-order) or iterations (second-order).
    tol : float, default=1e-4
        Improvement of the training loss (or validation accuracy with early
        stopping) below which an epoch counts as no improvement; gradient
        tolerance of the second-order solvers.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified), stop
        when its accuracy (weighted by ``sample_weight`` and ``class_weight``)
        stops improving, and restore the best parameters.
    validation_fraction : float, default=0.1
        Size of the validation split for early stopping.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    fit_intercept : bool, default=True
        Learn the biases ``b``.
    precondition : "auto" or bool, default="auto"
        ``solver="lbfgs"`` and ``"bfgs"`` only (newton-cg and the first-order
        solvers ignore it): change variables to ``[W, b] = V L^-1``, where
        ``L L^T`` estimates the loss's Hessian from the second moment of
        ``min(n_samples, 2048)`` evenly spaced training rows plus ``alpha``. The
        objective and its minimum are unchanged; on correlated features such as
        raw pixels L-BFGS converges in a few times fewer iterations; ``tol``
        keeps applying to the gradient of ``W`` and ``b``. ``"auto"``
        preconditions large problems (``n_samples * n_features * n_classes`` of
        at least 10**7) where building ``L`` costs at most 64 gradient
        evaluations in flops (``n_features`` up to a few thousand); CIFAR-10 raw
        pixels qualify from about 4,000 images, digits do not.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying each sample's loss by its class; ``"balanced"`` uses
        ``n_samples / (n_classes * bincount(y))``.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution (same classes and features).
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling and of the validation split.
    verbose : bool or int, default=False
        Show a tqdm progress bar over epochs (needs ``tqdm``).
    record_batches : bool, default=False
        Also record the training loss of every minibatch (first-order solvers)
        in ``batch_loss_curve_``; the second-order solvers record every
        iteration in ``history_`` anyway."""


def shared_parameters(alpha_doc: str) -> str:
    """Return :data:`SHARED_PARAMETERS` with the estimator's ``alpha`` entry."""
    return SHARED_PARAMETERS.replace("ALPHA_DOC", alpha_doc)


SHARED_ATTRIBUTES = """\
coef_ : ndarray of shape (n_classes, n_features)
        The weights ``W``: one row (template) per class, in the input's dtype.
    intercept_ : ndarray of shape (n_classes,)
        The biases ``b``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features, when ``X`` has string column names.
    loss_curve_ : list of float
        Training loss (penalty included) after each epoch / iteration.
    history_ : list of dict
        One record per epoch (first-order) or iteration (second-order), with
        the keys of the torch estimators: ``epoch``, ``train_loss`` (penalty
        included), ``train_accuracy`` (on the training batches as they were
        seen during the epoch, no extra pass; dropout on), ``valid_loss`` and
        ``valid_accuracy`` (the early-stopping split, penalty included in the
        loss; NaN without it), ``lr`` (NaN for second-order solvers) and
        ``seconds``. :func:`skcv.plot.plot_history` draws it.
    batch_loss_curve_ : list of float or None
        With ``record_batches=True``: the loss of every minibatch (of every
        iteration for second-order solvers), else None.
    validation_scores_ : list of float or None
        Validation accuracy (weighted like the loss) after each epoch with early
        stopping, else None.
    best_validation_score_ : float or None
        Best validation accuracy with early stopping, else None.
    best_loss_ : float
        Lowest training loss seen.
    n_iter_ : int
        Number of epochs (first-order) or iterations (second-order) run.
    t_ : int
        Number of training samples seen (first-order)."""
