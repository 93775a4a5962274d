"""The only module that imports private scikit-learn helpers.

Everything skcv needs from ``sklearn.utils._*`` goes through here, so a change in
scikit-learn's private API is fixed in one place.
"""

from sklearn.base import _fit_context
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = [
    "BaseSearchCV",
    "Interval",
    "StrOptions",
    "_fit_context",
    "check_is_fitted",
    "validate_data",
    "validate_params",
]
