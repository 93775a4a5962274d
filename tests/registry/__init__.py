"""Registry of every public estimator with fast settings for the common checks.

Each module ``tests/registry/<area>.py`` defines

* ``ESTIMATORS``: a list of estimator instances with fast settings;
* ``EXPECTED_FAILED_CHECKS`` (optional): ``{class: {check: one-line reason}}``;
* ``DATA`` (optional): ``{class name: callable() -> (X_images, y)}`` used by skcv's own
  common checks (default: 8x8 digit images).

One file per area keeps parallel work from colliding.
"""

import importlib
import pkgutil


def load_registry():
    """Return (estimators, expected_failures, data) merged over all area modules."""
    estimators, expected, data = [], {}, {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if getattr(module, "SKIP_REASON", None):
            continue
        estimators.extend(module.ESTIMATORS)
        expected.update(getattr(module, "EXPECTED_FAILED_CHECKS", {}))
        data.update(getattr(module, "DATA", {}))
    return estimators, expected, data
