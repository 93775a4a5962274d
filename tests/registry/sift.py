"""Registry entry of the sift area: BagOfVisualWords with tiny, fast settings."""

import numpy as np

from skcv.feature import BagOfVisualWords

ESTIMATORS = [
    BagOfVisualWords(
        n_words=4,
        pyramid_levels=2,
        descriptor_params={"step": 4, "patch_size": 8},
        max_descriptors=2_000,
        random_state=0,
    )
]


def texture_patches(n_per_class=10, size=24, seed=0):
    """Random crops of scikit-image's bundled brick, grass and gravel textures.

    A stand-in for ``skcv.datasets.load_textures`` (uint8 images, labels 0..2).
    """
    from skimage import data

    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, name in enumerate(("brick", "grass", "gravel")):
        texture = getattr(data, name)()
        rows = rng.integers(0, texture.shape[0] - size, n_per_class)
        cols = rng.integers(0, texture.shape[1] - size, n_per_class)
        for r, c in zip(rows, cols, strict=True):
            images.append(texture[r : r + size, c : c + size])
        labels.extend([label] * n_per_class)
    return np.stack(images), np.asarray(labels)


def _data():
    X, y = texture_patches(n_per_class=8, size=16)
    return X / 255.0, y


DATA = {"BagOfVisualWords": _data}
