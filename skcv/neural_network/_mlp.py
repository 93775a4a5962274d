"""Multi-layer perceptron classifier in numpy, trained by ``skcv._optim``."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_random_state

from skcv._optim import (
    SECOND_ORDER_SOLVERS,
    SOLVERS,
    get_loss,
    log_softmax,
    softmax,
)
from skcv._optim._estimator import (
    SHARED_CONSTRAINTS,
    BaseTrainedClassifier,
    _first_order,
)
from skcv.neural_network._layers import BatchNorm, Dense
from skcv.neural_network._network import Network, TrainableView, build_layers
from skcv.utils._sklearn import Interval, StrOptions

__all__ = ["MLPClassifier"]

_ACTIVATIONS = {"relu", "leaky_relu", "tanh", "logistic", "sigmoid", "identity"}


def _probabilistic(est) -> bool:
    return est.loss == "cross_entropy"


class MLPClassifier(BaseTrainedClassifier):
    """Fully connected neural network classifier written in numpy.

    A drop-in superset of :class:`sklearn.neural_network.MLPClassifier`'s
    parameters, adding the leaky ReLU, Xavier/He initialisation, batch
    normalisation, dropout, the multiclass hinge loss, l1/elastic-net penalties
    and class weights. The layers, losses, optimisers, schedules and the training
    loop are those of :mod:`skcv.linear_model` (one numeric core,
    ``skcv._optim``).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer; ``()`` gives a linear classifier.
    activation : {"relu", "leaky_relu", "tanh", "logistic", "sigmoid", \
"identity"}, default="relu"
        Hidden-layer non-linearity (``"sigmoid"`` is ``"logistic"``).
    negative_slope : float, default=0.01
        Slope of ``"leaky_relu"`` for negative inputs.
    solver : {"adam", "sgd", "rmsprop", "adagrad", "lbfgs", "bfgs", \
"newton-cg"}, default="adam"
        First-order minibatch optimisers, or second-order full-batch ones through
        ``scipy.optimize`` (cross-entropy, l2/None penalty and no dropout only).
    alpha : float, default=1e-4
        Penalty strength: the objective is ``mean_i L_i + alpha * R(W)`` over the
        weight matrices (never biases or batch-norm parameters). scikit-learn
        divides its ``alpha`` by the batch size instead, so its ``alpha``
        corresponds to ``alpha / batch_size`` here.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        The regulariser ``R``.
    l1_ratio : float, default=0.15
        Share of l1 in the elastic net.
    loss : {"cross_entropy", "hinge"}, default="cross_entropy"
        Softmax cross-entropy or the multiclass (Weston-Watkins) hinge.
    weight_init : {"auto", "xavier", "he", "normal"} or float, default="auto"
        ``"xavier"``: ``N(0, 1/fan_in)``; ``"he"``: ``N(0, 2/fan_in)``;
        ``"normal"``: ``N(0, 0.01^2)``; a float: ``N(0, std^2)`` (``0.0``: all
        zeros, the course's counter-example: every hidden unit then stays
        identical to the others); ``"auto"``: He for the ReLU family, Xavier
        otherwise. Biases start at 0.
    batch_norm : bool, default=False
        Batch normalisation between each hidden dense layer and its activation
        (running statistics at prediction time).
    dropout : float or sequence of float, default=0.0
        Inverted-dropout probability after each hidden activation (one value
        for all hidden layers, or one per layer); off at prediction time.
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive", "step", \
"exponential", "plateau"}, default="constant"
        Learning-rate schedule of the first-order solvers (``skcv._optim``).
    learning_rate_init : float, default=1e-3
        Initial step size.
    power_t : float, default=0.5
        Exponent of ``"invscaling"``.
    max_iter : int, default=200
        Maximum number of epochs (first-order) or iterations (second-order).
    shuffle : bool, default=True
        Shuffle the samples each epoch.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation, shuffling, dropout masks and validation split.
    tol : float, default=1e-4
        Minimum improvement of the loss (or validation accuracy) per epoch.
    verbose : bool or int, default=False
        tqdm progress bar over epochs.
    warm_start : bool, default=False
        Continue from the previous weights in ``fit``.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.
    nesterovs_momentum : bool, default=True
        Nesterov's momentum with ``solver="sgd"``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its accuracy
        (weighted by ``sample_weight`` and ``class_weight``) stops improving, and
        restore the best weights (and batch-norm statistics).
    validation_fraction : float, default=0.1
        Size of the validation split.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's parameters (``epsilon`` also for rmsprop/adagrad).
    n_iter_no_change : int, default=10
        Epochs without improvement of ``tol`` before stopping.
    class_weight : dict, "balanced" or None, default=None
        Per-class factors of the sample losses.
    record_batches : bool, default=False
        Also record the training loss of every minibatch (first-order solvers)
        in ``batch_loss_curve_``; the second-order solvers record every
        iteration in ``history_`` anyway.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape ``(n_units[i], n_units[i + 1])``.
    intercepts_ : list of ndarray
        Biases of each dense layer (zeros for layers followed by batch norm,
        whose shift is the batch norm's ``beta``).
    layers_ : list
        The computation graph: ``Dense``, ``BatchNorm``, ``Activation`` and
        ``Dropout`` nodes.
    n_layers_ : int
        Number of layers counting input and output (scikit-learn's convention).
    n_outputs_ : int
        Number of output units (``n_classes``).
    out_activation_ : str
        ``"softmax"``.
    loss_curve_ : list of float
        Training loss after each epoch.
    history_ : list of dict
        One record per epoch (or second-order iteration) with the keys of every
        iterative skcv estimator (``epoch``, ``train_loss``, ``train_accuracy``,
        ``valid_loss``, ``valid_accuracy``, ``lr``, ``seconds``), as described
        for :class:`~skcv.linear_model.SoftmaxClassifier`.
    batch_loss_curve_ : list of float or None
        Every minibatch's loss with ``record_batches=True``, else None.
    validation_scores_ : list of float or None
        Validation accuracy (weighted like the loss) after each epoch with
        early stopping.
    best_validation_score_ : float or None
        Best validation accuracy with early stopping.
    best_loss_ : float
        Lowest training loss.
    n_iter_ : int
        Epochs (or iterations) run.
    t_ : int
        Training samples seen.
    n_features_in_ : int
        Number of input features.

    See Also
    --------
    skcv.linear_model.SoftmaxClassifier : The network without hidden layers.
    sklearn.neural_network.MLPClassifier : scikit-learn's implementation.

    Notes
    -----
    The course's steps for one minibatch: (1) forward pass layer by layer,
    ``z = a W + b``, optional batch norm of ``z`` with the batch's mean and
    variance, activation ``a = f(z)``, optional inverted dropout; (2) scores
    of the last dense layer and the loss with its gradient ``dL/dS``; (3)
    backward pass in reverse order, each node turning the upstream gradient
    into its parameter gradients and the gradient of its input; (4) penalty
    gradients ``alpha dR/dW``; (5) an optimiser step. Data in float32 is
    trained in float32 (float32 BLAS).

    References
    ----------
    .. [1] D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning
       representations by back-propagating errors", Nature 323, 1986.
       :doi:`10.1038/323533a0`
    .. [2] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep
       feedforward neural networks", AISTATS 2010.
    .. [3] K. He et al., "Delving deep into rectifiers", ICCV 2015.
       :doi:`10.1109/ICCV.2015.123`
    .. [4] S. Ioffe, C. Szegedy, "Batch normalization", ICML 2015.
    .. [5] N. Srivastava et al., "Dropout: a simple way to prevent neural
       networks from overfitting", JMLR 15, 2014.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcv.neural_network import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(32,), batch_norm=True,
    ...                     dropout=0.1, learning_rate_init=0.01,
    ...                     early_stopping=True, n_iter_no_change=3,
    ...                     random_state=0)
    >>> clf = clf.fit(X[:1000] / 16, y[:1000])
    >>> bool(clf.score(X[1000:] / 16, y[1000:]) > 0.9)
    True
    >>> clf.best_validation_score_ == max(clf.validation_scores_)
    True
    """

    _parameter_constraints: dict = {
        **SHARED_CONSTRAINTS,
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(_ACTIVATIONS)],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({*SOLVERS, *SECOND_ORDER_SOLVERS})],
        "loss": [StrOptions({"cross_entropy", "hinge"})],
        "weight_init": [
            StrOptions({"auto", "xavier", "he", "normal"}),
            Interval(Real, 0, None, closed="left"),
        ],
        "batch_norm": ["boolean"],
        "dropout": ["array-like", Interval(Real, 0, 1, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        negative_slope=0.01,
        solver="adam",
        alpha=1e-4,
        penalty="l2",
        l1_ratio=0.15,
        loss="cross_entropy",
        weight_init="auto",
        batch_norm=False,
        dropout=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
        record_batches=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.negative_slope = negative_slope
        self.solver = solver
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.loss = loss
        self.weight_init = weight_init
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.record_batches = record_batches

    # ------------------------------------------------------------ settings
    def _hidden(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if np.ndim(sizes) == 0 else list(sizes)
        for s in sizes:
            if not isinstance(s, Integral) or isinstance(s, bool) or s < 1:
                raise ValueError(
                    "hidden_layer_sizes must contain positive integers; got "
                    f"{self.hidden_layer_sizes!r}."
                )
        return [int(s) for s in sizes]

    def _dropouts(self, n_hidden):
        d = self.dropout
        if np.ndim(d) == 0:
            return [float(d)] * n_hidden
        d = [float(v) for v in d]
        if len(d) != n_hidden or any(not 0 <= v < 1 for v in d):
            raise ValueError(
                f"dropout must be a float in [0, 1) or one such value per hidden "
                f"layer ({n_hidden}); got {self.dropout!r}."
            )
        return d

    def _init_method(self):
        if self.weight_init == "auto":
            return "he" if self.activation in ("relu", "leaky_relu") else "xavier"
        return self.weight_init

    def _resolved_solver(self) -> str:
        return self.solver

    def _check_solver(self):
        n_hidden = len(self._hidden())
        if self.solver not in SECOND_ORDER_SOLVERS:
            return self.solver
        problems = []
        if self.loss != "cross_entropy":
            problems.append(f"loss={self.loss!r} (not differentiable)")
        if self.penalty not in ("l2", None):
            problems.append(f"penalty={self.penalty!r}")
        if any(d > 0 for d in self._dropouts(n_hidden)):
            problems.append(f"dropout={self.dropout!r} (a random objective)")
        if problems:
            raise ValueError(
                f"solver={self.solver!r} needs a smooth, deterministic objective; "
                f"got {', '.join(problems)}. Use a first-order solver "
                f"({', '.join(SOLVERS)})."
            )
        return self.solver

    # ------------------------------------------------------- seeds (hooks)
    def _seeds(self):
        rs = check_random_state(self.random_state)
        return [int(s) for s in rs.randint(2**31 - 1, size=3)]

    def _fit_random(self):
        seed_init, seed_loop, seed_split = self._seeds()
        return seed_init, np.random.RandomState(seed_loop), seed_split

    def _partial_init_seed(self):
        return self._seeds()[0]

    def _new_partial_rng(self):
        return np.random.RandomState(self._seeds()[1])

    # ------------------------------------------------------ network (hooks)
    def _has_model(self):
        return hasattr(self, "layers_")

    def _architecture(self):
        hidden = self._hidden()
        return (
            tuple(hidden),
            self.activation,
            self.negative_slope,
            bool(self.batch_norm),
            tuple(self._dropouts(len(hidden))),
        )

    def _warm_compatible(self, X):
        # A changed architecture (sizes, activation, batch norm, dropout) cannot
        # reuse the old layers: warm_start then starts from a fresh network.
        return (
            self.coefs_[0].shape[0] == X.shape[1]
            and self.coefs_[0].dtype == X.dtype
            and getattr(self, "_architecture_", None) == self._architecture()
        )

    def _param_dtype(self):
        return self.layers_[0].W.dtype

    def _build(self, n_features, dtype, seed):
        hidden = self._hidden()
        units = [n_features, *hidden, len(self.classes_)]
        self.layers_ = build_layers(
            units,
            activation=self.activation,
            negative_slope=self.negative_slope,
            weight_init=self._init_method(),
            batch_norm=self.batch_norm,
            dropout=self._dropouts(len(hidden)),
            rng=np.random.default_rng(seed),
            dtype=dtype,
        )
        self._architecture_ = self._architecture()
        self.n_layers_ = len(units)
        self.n_outputs_ = len(self.classes_)
        self.out_activation_ = "softmax"

    _init_model = _build

    def _net(self):
        return Network(
            self.layers_,
            get_loss(self.loss),
            penalty=self.penalty,
            alpha=self.alpha,
            l1_ratio=self.l1_ratio,
        )

    def _publish_params(self):
        dense = [la for la in self.layers_ if isinstance(la, Dense)]
        self.coefs_ = [d.W for d in dense]
        self.intercepts_ = [
            d.b if d.b is not None else np.zeros(d.W.shape[1], d.W.dtype) for d in dense
        ]

    def _optimizer_kwargs(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

    def _schedule_kwargs(self):
        return {"power_t": self.power_t}

    def _second_order_view(self, net):
        return TrainableView(net)

    def _after_second_order(self, net, X):
        """After full-batch training: running statistics = the full batch's."""
        bns = [la for la in net.layers if isinstance(la, BatchNorm)]
        if not bns:
            return
        saved = [b.momentum for b in bns]
        for b in bns:
            b.momentum = 1.0
        try:
            net.forward(X, train=True)
        finally:
            for b, m in zip(bns, saved, strict=True):
                b.momentum = m

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 is trained in float32).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; an integer weight equals repeating the sample.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        if self.batch_norm and sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=float)
            if sw.size and not np.all(sw == sw.flat[0]):
                raise ValueError(
                    "sample_weight with unequal weights is not supported with "
                    "batch_norm=True: batch statistics are unweighted, so the "
                    "weights would be silently ignored there; use "
                    "batch_norm=False or equal weights."
                )
        return super().fit(X, y, sample_weight=sample_weight)

    @available_if(_first_order)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the first-order solver on ``X`` and ``y``.

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
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    # -------------------------------------------------------------- predict
    def _scores(self, X):
        X = self._validate_predict_data(X)
        X = X.astype(self.coefs_[0].dtype, copy=False)
        return self._net().forward(X, train=False)

    @available_if(_probabilistic)
    def predict_proba(self, X):
        """Class probabilities: softmax of the output scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        return softmax(self._scores(X))

    @available_if(_probabilistic)
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably (log-sum-exp).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities.
        """
        return log_softmax(self._scores(X))
