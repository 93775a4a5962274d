"""The course's optimisers on any function, and pictures of their paths.

:func:`minimize` runs the first-order optimisers that train skcv's linear
classifiers and MLP (plain gradient descent, momentum, Nesterov, AdaGrad,
RMSProp, Adam; ``skcv._optim``) or scipy's quasi-Newton methods on a function
given with its gradient, and returns scipy's ``OptimizeResult`` with the path.
:class:`OptimizerPathDisplay` draws the paths of several solvers over the
contours of a 2-D function; :func:`quadratic` (an ill-conditioned valley) and
:func:`rosenbrock` are the course's test functions.
"""

from skcv._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "minimize": "skcv.optimize._minimize",
        "quadratic": "skcv.optimize._minimize",
        "rosenbrock": "skcv.optimize._minimize",
        "SOLVERS": "skcv.optimize._minimize",
        "OptimizerPathDisplay": "skcv.optimize._display",
    },
)
