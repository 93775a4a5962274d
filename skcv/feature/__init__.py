"""Image features as transformers, each with a functional twin on one image.

Edges (Canny), GIST, dense SIFT / bag of visual words, filter-bank textures, and
explicit maps of the histogram kernels (intersection, chi2) for linear models.
"""

from skcv._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "CannyEdgeDetector": "skcv.feature._canny",
        "gist": "skcv.feature._gist",
        "GISTExtractor": "skcv.feature._gist",
        "dense_sift": "skcv.feature._sift",
        "sift": "skcv.feature._sift",
        "BagOfVisualWords": "skcv.feature._bovw",
        "HomogeneousKernelMap": "skcv.feature._kernel_map",
        "leung_malik_bank": "skcv.feature._filter_banks",
        "schmid_bank": "skcv.feature._filter_banks",
        "rfs_bank": "skcv.feature._filter_banks",
        "gabor_bank": "skcv.feature._filter_banks",
        "max_response_8": "skcv.feature._filter_banks",
        "filter_responses": "skcv.feature._filter_banks",
        "FilterBankExtractor": "skcv.feature._texture",
        "TextonEncoder": "skcv.feature._texture",
    },
)
