"""Optional imports with an install hint."""

from __future__ import annotations

import importlib
from types import ModuleType

# import name -> (extra, pip name)
_EXTRAS = {
    "torch": ("torch", "torch"),
    "matplotlib": ("plot", "matplotlib"),
    "tqdm": ("plot", "tqdm"),
    "cv2": ("test", "opencv-python-headless"),
    "skops": ("cli", "skops"),
}


def import_optional(name: str) -> ModuleType:
    """Import ``name`` or raise an ImportError saying how to install it.

    Parameters
    ----------
    name : str
        Importable module name, e.g. ``"torch"`` or ``"matplotlib.pyplot"``.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        If the module is not installed; the message names the skcv extra.

    Examples
    --------
    >>> from skcv.utils._optional import import_optional
    >>> import_optional("numpy").__name__
    'numpy'
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.split(".")[0]
        extra, pip_name = _EXTRAS.get(top, (None, top))
        hint = f"pip install 'skcv[{extra}]'" if extra else f"pip install {pip_name}"
        raise ImportError(
            f"{name!r} is required for this feature but is not installed; "
            f"install it with: {hint}"
        ) from exc


def has_module(name: str) -> bool:
    """Return True if ``name`` can be imported (without importing it)."""
    return importlib.util.find_spec(name) is not None
