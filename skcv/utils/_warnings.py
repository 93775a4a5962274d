"""Warnings that point at the user's code, however deep inside skcv they start."""

from __future__ import annotations

import os
import sys
import warnings

import joblib
import sklearn

__all__ = ["warn_external"]

#: Frames from files under these folders are skipped when placing a warning.
_INTERNAL = (
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,  # skcv/
    os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep,
    os.path.dirname(os.path.abspath(joblib.__file__)) + os.sep,  # GridSearchCV
)


def warn_external(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn with the location of the first caller outside skcv and scikit-learn.

    A fixed ``stacklevel`` breaks whenever the call depth changes (a decorator
    such as scikit-learn's ``_fit_context``, a meta-estimator, a helper); this
    walks the stack instead, so the warning names the user's line that called
    ``fit`` (or ``GridSearchCV.fit``; joblib's frames are skipped too, so with
    ``n_jobs=1`` the cross-validation fits' warnings also name that line).
    """
    frame = sys._getframe(1)
    level = 2  # stacklevel 2 is the caller of this function
    # Stop at the outermost frame if every frame is internal (a script inside
    # skcv run directly), instead of pointing past the stack.
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
