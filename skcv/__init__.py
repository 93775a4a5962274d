"""skcv: computer vision as scikit-learn estimators.

Subpackages are imported lazily on first attribute access, so ``import skcv`` is
cheap and never imports torch (only :mod:`skcv.cnn` does).

Examples
--------
>>> import skcv
>>> skcv.__version__
'0.1.0.dev0'
"""

import importlib
import importlib.util  # noqa: F401 (find_spec for tools that probe subpackages)

__version__ = "0.1.0.dev0"

_SUBPACKAGES = (
    "augmentation",
    "base",
    "cnn",
    "datasets",
    "detection",
    "feature",
    "filters",
    "io",
    "linear_model",
    "losses",
    "metrics",
    "model_selection",
    "neural_network",
    "optimize",
    "plot",
    "preprocessing",
    "segmentation",
    "utils",
)

__all__ = sorted(["__version__", *_SUBPACKAGES])


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"skcv.{name}")
    raise AttributeError(f"module 'skcv' has no attribute {name!r}")


def __dir__():
    return __all__
