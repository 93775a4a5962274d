"""Registry entry of the homogeneous kernel maps (non-negative features)."""

from skcv.feature import HomogeneousKernelMap

ESTIMATORS = [
    HomogeneousKernelMap(),
    HomogeneousKernelMap(kernel="chi2", order=1),
    HomogeneousKernelMap(kernel="jensen_shannon", order=3),
]
