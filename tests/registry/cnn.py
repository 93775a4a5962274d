"""CNNClassifier with tiny, fast settings (skipped when torch is not installed)."""

import importlib.util

SKIP_REASON = (
    None if importlib.util.find_spec("torch") is not None else "torch is not installed"
)
ESTIMATORS = []
EXPECTED_FAILED_CHECKS = {}

if SKIP_REASON is None:
    from skcv.cnn import CNNClassifier

    ESTIMATORS = [
        CNNClassifier(
            module="simple",
            module_params={"widths": (8, 16)},
            epochs=8,
            batch_size=32,
            solver="adam",
            learning_rate_init=0.02,
            lr_schedule="constant",
            weight_decay=0.0,
            random_state=0,
            device="cpu",
        ),
        # A snapshot ensemble of two 4-epoch cosine cycles: same API, averaged.
        CNNClassifier(
            module="simple",
            module_params={"widths": (8, 16)},
            epochs=8,
            batch_size=32,
            solver="adam",
            learning_rate_init=0.02,
            weight_decay=0.0,
            random_state=0,
            device="cpu",
            snapshot_ensemble=2,
        ),
    ]
