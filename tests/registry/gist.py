"""GISTExtractor with fast settings (32x32 images, two scales of four orientations)."""

from skcv.feature import GISTExtractor

ESTIMATORS = [
    GISTExtractor(orientations_per_scale=(4, 4), image_size=32, boundary_extension=4),
]
