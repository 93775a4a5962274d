"""Object detection: boxes and NMS, sliding windows, region proposals, a localiser.

The classical parts (:func:`box_iou`, :func:`non_max_suppression`,
:class:`SlidingWindowDetector`, :func:`selective_search`,
:class:`RegionProposalDetector`) need only numpy, scipy, scikit-learn and
scikit-image; :class:`ObjectLocalizer` needs torch (``pip install 'skcv[torch]'``)
and imports it only when it is first used.
"""

import importlib.util

from skcv._lazy import attach

_NAMES = {
    "box_iou": "skcv.detection._boxes",
    "non_max_suppression": "skcv.detection._boxes",
    "SlidingWindowDetector": "skcv.detection._sliding",
    "selective_search": "skcv.detection._proposals",
    "RegionProposalDetector": "skcv.detection._proposals",
}
if importlib.util.find_spec("torch") is not None:
    _NAMES["ObjectLocalizer"] = "skcv.detection._localizer"

__getattr__, __dir__, __all__ = attach(__name__, _NAMES)
