"""Registry of every public estimator with fast settings for the common checks.

Each module ``tests/registry/<area>.py`` defines

* ``ESTIMATORS``: a list of estimator instances with fast settings;
* ``EXPECTED_FAILED_CHECKS`` (optional): ``{class: {check: one-line reason}}``;
* ``DATA`` (optional): ``{class name: callable() -> (X_images, y)}`` used by skcv's own
  common checks (default: 8x8 digit images);
* ``STRUCTURED`` (optional): estimators whose target is not a 1-D ``y`` (segmentation
  masks, boxes), so scikit-learn's checks do not apply; each area's tests run skcv's
  structured-target checks on them (``tests/structured_checks.py``). They count as
  registered.

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


def load_structured():
    """Return the ``STRUCTURED`` estimators of all area modules."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if getattr(module, "SKIP_REASON", None):
            continue
        found.extend(getattr(module, "STRUCTURED", []))
    return found
