"""ObjectLocalizer with tiny, fast settings (skipped when torch is not installed).

Its target is labels plus boxes, so it is a ``STRUCTURED`` estimator:
tests/detection/test_localizer.py runs tests/structured_checks.py on it.
"""

import importlib.util

SKIP_REASON = (
    None if importlib.util.find_spec("torch") is not None else "torch is not installed"
)
ESTIMATORS = []
STRUCTURED = []

if SKIP_REASON is None:
    from skcv.detection import ObjectLocalizer

    STRUCTURED = [
        ObjectLocalizer(
            module="simple",
            module_params={"widths": (4, 8)},
            hidden_size=16,
            pool_size=2,
            epochs=2,
            batch_size=16,
            learning_rate_init=0.01,
            lr_schedule="constant",
            random_state=0,
            device="cpu",
        )
    ]
