"""Image metrics (PSNR) and histogram kernels (:mod:`skcv.metrics.pairwise`)."""

from skcv._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "psnr": "skcv.metrics._image",
        "histogram_intersection_kernel": "skcv.metrics.pairwise",
        "pyramid_match_kernel": "skcv.metrics.pairwise",
    },
)
