"""Neural networks with fast settings for the common checks.

A larger step and a coarser ``tol`` let the tiny check data sets converge within
``max_iter`` (the strict test run turns ConvergenceWarning into an error).
"""

from skcv.neural_network import MLPClassifier

ESTIMATORS = [
    MLPClassifier(learning_rate_init=0.01, tol=1e-3, n_iter_no_change=5, max_iter=500)
]
