"""Discover skcv's public estimators."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator

# Subpackages that need an optional dependency, with the module they need.
_OPTIONAL = {"cnn": "torch", "segmentation": "torch", "detection": None}


def all_estimators(include_optional: bool = True) -> list[tuple[str, type]]:
    """Return ``(name, class)`` for every public estimator in skcv.

    Public means: exported in the ``__all__`` of a public subpackage and a subclass
    of :class:`sklearn.base.BaseEstimator`. Subpackages whose optional dependency is
    missing (e.g. :mod:`skcv.cnn` without torch) are skipped.

    Parameters
    ----------
    include_optional : bool, default=True
        Whether to look into subpackages that need optional dependencies.

    Returns
    -------
    estimators : list of (str, type)
        Sorted by name.

    Examples
    --------
    >>> from skcv.utils.discovery import all_estimators
    >>> names = [name for name, _ in all_estimators(include_optional=False)]
    >>> "Whitener" in names
    True
    """
    import skcv

    found = {}
    for info in pkgutil.iter_modules(skcv.__path__):
        name = info.name
        if name.startswith("_") or not info.ispkg:
            continue
        if name in _OPTIONAL:
            dep = _OPTIONAL[name]
            if not include_optional or (
                dep is not None and importlib.util.find_spec(dep) is None
            ):
                continue
        module = importlib.import_module(f"skcv.{name}")
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not attr.startswith("_")
            ):
                found[attr] = obj
    return sorted(found.items())
