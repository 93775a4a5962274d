"""Preprocessing estimators with fast settings for the common checks."""

from skcv.preprocessing import ImageStandardizer, Whitener

ESTIMATORS = [
    ImageStandardizer(),
    ImageStandardizer(mode="channel", with_std=False),
    ImageStandardizer(mode="image"),
    Whitener(),
    Whitener(method="pca", n_components=0.9),
]
