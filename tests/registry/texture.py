"""Fast settings of the texture transformers (small banks, tiny images)."""

from skcv.feature import FilterBankExtractor, TextonEncoder

ESTIMATORS = [
    FilterBankExtractor(bank="lm", size=7),
    FilterBankExtractor(bank="mr8", size=7, statistics=("mean",), grid=(2, 2)),
    FilterBankExtractor(
        bank="gabor", size=7, statistics=("mean", "energy"), rotation_invariant=True
    ),
    TextonEncoder(size=7, n_textons=3, max_pixels=50, random_state=0),
]
