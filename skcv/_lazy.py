"""Lazy attribute loading for subpackages whose modules are written by area.

``attach(__name__, {"Name": "skcv.area._module"})`` returns ``__getattr__``,
``__dir__`` and ``__all__`` for a package ``__init__``. A name is public only when its
module exists, so a subpackage can list names before every module is written.
"""

from __future__ import annotations

import importlib
import importlib.util


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def attach(package: str, names: dict[str, str], eager: tuple[str, ...] = ()):
    """Return ``(__getattr__, __dir__, __all__)`` for ``package``."""
    available = {name: mod for name, mod in names.items() if _exists(mod)}
    public = sorted({*available, *eager})

    def __getattr__(name):
        if name in available:
            return getattr(importlib.import_module(available[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return public

    return __getattr__, __dir__, public
