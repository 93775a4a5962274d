"""Estimators of the filters area: Denoiser and CannyEdgeDetector."""

from skcv.feature import CannyEdgeDetector
from skcv.filters import Denoiser

ESTIMATORS = [
    Denoiser(),
    Denoiser(method="median"),
    CannyEdgeDetector(),
    CannyEdgeDetector(output="histogram", grid=(2, 2), n_orientations=4),
]
