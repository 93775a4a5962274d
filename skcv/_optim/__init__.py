"""Private numerical core of :mod:`skcv.linear_model` and :mod:`skcv.neural_network`.

Losses returning ``(value, dscores)``, activations, initialisers, penalties,
first-order optimisers, learning-rate schedules, one minibatch training loop, a
``scipy.optimize`` second-order path and gradient checking (DESIGN section 3).
"""

from skcv._optim._activations import ACTIVATIONS, Activation, get_activation
from skcv._optim._gradcheck import gradient_check
from skcv._optim._init import INITIALISERS, initialise
from skcv._optim._loop import (
    Model,
    TrainState,
    divergence_error,
    train_minibatch,
    validation_split,
)
from skcv._optim._losses import (
    LOSSES,
    SMOOTH_LOSSES,
    get_loss,
    log_softmax,
    multiclass_hinge,
    softmax,
    softmax_cross_entropy,
)
from skcv._optim._optimizers import (
    SGD,
    SOLVERS,
    Adagrad,
    Adam,
    Optimizer,
    RMSProp,
    make_optimizer,
)
from skcv._optim._penalties import PENALTIES, penalty
from skcv._optim._schedules import SCHEDULES, Schedule, make_schedule
from skcv._optim._second_order import SECOND_ORDER_SOLVERS, train_second_order

__all__ = [
    "ACTIVATIONS",
    "INITIALISERS",
    "LOSSES",
    "PENALTIES",
    "SCHEDULES",
    "SECOND_ORDER_SOLVERS",
    "SGD",
    "SMOOTH_LOSSES",
    "SOLVERS",
    "Activation",
    "Adagrad",
    "Adam",
    "Model",
    "Optimizer",
    "RMSProp",
    "Schedule",
    "TrainState",
    "divergence_error",
    "get_activation",
    "get_loss",
    "gradient_check",
    "initialise",
    "log_softmax",
    "make_optimizer",
    "make_schedule",
    "multiclass_hinge",
    "penalty",
    "softmax",
    "softmax_cross_entropy",
    "train_minibatch",
    "train_second_order",
    "validation_split",
]
