"""FCNSegmenter with tiny, fast settings (skipped when torch is not installed).

Its target is a mask per image, so it sits in ``STRUCTURED``: scikit-learn's checks
assume a 1-D ``y``; ``tests/segmentation/test_segmenter.py`` runs
``tests/structured_checks.py`` on it.
"""

import importlib.util

SKIP_REASON = (
    None if importlib.util.find_spec("torch") is not None else "torch is not installed"
)
ESTIMATORS = []
STRUCTURED = []

if SKIP_REASON is None:
    from skcv.segmentation import FCNSegmenter

    STRUCTURED = [
        FCNSegmenter(
            depth=2,
            width=4,
            epochs=2,
            batch_size=8,
            learning_rate_init=0.01,
            random_state=0,
            device="cpu",
        )
    ]
