"""The only module that imports private scikit-learn helpers.

Everything skcv needs from ``sklearn.utils._*`` goes through here, so a change in
scikit-learn's private API is fixed in one place.
"""

import os

from sklearn.base import _fit_context
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted
from sklearn.utils.validation import validate_data as _sklearn_validate_data

_OWN_MESSAGES = tuple(
    os.path.join("sklearn", "utils", name)
    for name in ("validation.py", "_param_validation.py", "multiclass.py")
)

__all__ = [
    "BaseSearchCV",
    "Interval",
    "StrOptions",
    "_fit_context",
    "check_is_fitted",
    "validate_data",
    "validate_params",
]


def validate_data(_estimator, /, X="no_validation", y="no_validation", **params):
    """scikit-learn's ``validate_data``; numpy's conversion errors name X and y.

    A ragged list or a string where numbers are expected fails inside numpy with a
    message that names no parameter; it is re-raised (same type, numpy's text
    kept) naming the parameters.
    """
    try:
        return _sklearn_validate_data(_estimator, X, y, **params)
    except (TypeError, ValueError) as exc:
        tb = exc.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        where = os.path.normpath(tb.tb_frame.f_code.co_filename)
        if where.endswith(_OWN_MESSAGES):
            raise  # scikit-learn's own message (it names X or y)
        names = "X" if isinstance(y, str) and y == "no_validation" else "X and y"
        raise type(exc)(
            f"{names} must be numeric arrays of one shape per sample; numpy could "
            f"not convert them: {exc}"
        ) from exc
