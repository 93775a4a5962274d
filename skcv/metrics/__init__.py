"""Image metrics: PSNR, segmentation (IoU, pixel accuracy), detection (AP, mAP).

Histogram kernels live in :mod:`skcv.metrics.pairwise`.
"""

from skcv._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "psnr": "skcv.metrics._image",
        "histogram_intersection_kernel": "skcv.metrics.pairwise",
        "pyramid_match_kernel": "skcv.metrics.pairwise",
        "mean_iou": "skcv.metrics._segmentation",
        "pixel_accuracy": "skcv.metrics._segmentation",
        "confusion_matrix": "skcv.metrics._segmentation",
        "average_precision": "skcv.metrics._detection",
        "mean_average_precision": "skcv.metrics._detection",
    },
)
