"""Registry entry of the sift area: BagOfVisualWords with tiny, fast settings."""

from skcv.datasets import load_textures
from skcv.feature import BagOfVisualWords

_FAST = dict(
    n_words=4,
    pyramid_levels=2,
    descriptor_params={"step": 4, "patch_size": 8},
    max_descriptors=2_000,
    random_state=0,
)

ESTIMATORS = [
    BagOfVisualWords(**_FAST),
    BagOfVisualWords(encoding="kernel_codebook", n_neighbors=3, **_FAST),
    BagOfVisualWords(encoding="llc", n_neighbors=3, **_FAST),
    BagOfVisualWords(encoding="fisher", pca_components=8, **_FAST),
]


def texture_patches(n_per_class=10, size=24, seed=0):
    """Non-overlapping patches of the bundled textures (uint8, labels 0..2)."""
    return load_textures(
        patch_size=size, n_patches=n_per_class, random_state=seed, return_X_y=True
    )


def _data():
    X, y = texture_patches(n_per_class=8, size=16)
    return X / 255.0, y


DATA = {"BagOfVisualWords": _data}
