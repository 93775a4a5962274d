"""Labelled texture patches cut from images bundled with scikit-image."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import Bunch, check_random_state

from skcv.utils._sklearn import Interval, validate_params

__all__ = ["TEXTURE_NAMES", "load_textures"]

# skimage.data functions whose images are textures and ship inside the wheel
# (no pooch download): 512 x 512 grey photographs of a surface.
TEXTURE_NAMES = ("brick", "grass", "gravel")

DESCR = """Textures from scikit-image
--------------------------
Square patches cut on a non-overlapping grid from scikit-image's bundled
512 x 512 grey texture photographs: brick (a brick wall), grass and gravel.
Patches of one image never overlap, so cross-validation folds share no pixels.
"""


def _texture_image(name: str) -> np.ndarray:
    from skimage import data

    image = getattr(data, name)()
    if image.ndim == 3:  # defensive: all three are grey in scikit-image >= 0.19
        from skimage.color import rgb2gray
        from skimage.util import img_as_ubyte

        image = img_as_ubyte(rgb2gray(image))
    return image


@validate_params(
    {
        "patch_size": [Interval(Integral, 4, 512, closed="both")],
        "n_patches": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_textures(patch_size=64, n_patches=None, random_state=None, return_X_y=False):
    """Load labelled texture patches for offline texture classification.

    Every texture image bundled with scikit-image (``brick``, ``grass``,
    ``gravel``; 512 x 512 grey) is cut on a grid of non-overlapping
    ``patch_size x patch_size`` squares. No download is needed.

    Parameters
    ----------
    patch_size : int, default=64
        Side of the square patches, from 4 to 512.
    n_patches : int, default=None
        Patches per texture, drawn without replacement from the grid cells
        (``(512 // patch_size) ** 2`` of them; 64 for the default size). None
        takes every cell in row-major order.
    random_state : int, RandomState instance or None, default=None
        Chooses the cells when ``n_patches`` is set.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields ``data`` (uint8 ndarray of shape
        (n_textures * n_patches, patch_size, patch_size)), ``target`` (int64
        labels), ``target_names`` (the texture names), ``positions`` (row and
        column of each patch's top-left corner in its image) and ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    ValueError
        If ``n_patches`` exceeds the number of grid cells.

    Examples
    --------
    >>> from skcv.datasets import load_textures
    >>> X, y = load_textures(patch_size=32, n_patches=5, random_state=0,
    ...                      return_X_y=True)
    >>> X.shape, X.dtype, y.tolist()
    ((15, 32, 32), dtype('uint8'), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    """
    rng = check_random_state(random_state)
    if isinstance(n_patches, bool):  # sklearn's Interval(Integral) lets bools in
        raise TypeError(f"n_patches must be an int or None; got {n_patches!r}.")
    patches, targets, positions = [], [], []
    for label, name in enumerate(TEXTURE_NAMES):
        image = _texture_image(name)
        rows = np.arange(0, image.shape[0] - patch_size + 1, patch_size)
        cols = np.arange(0, image.shape[1] - patch_size + 1, patch_size)
        corners = np.stack(np.meshgrid(rows, cols, indexing="ij"), -1).reshape(-1, 2)
        if n_patches is not None:
            if n_patches > len(corners):
                raise ValueError(
                    f"n_patches must be <= {len(corners)} (the non-overlapping "
                    f"{patch_size}x{patch_size} cells of a {image.shape[0]}x"
                    f"{image.shape[1]} texture); got n_patches={n_patches}."
                )
            chosen = np.sort(rng.choice(len(corners), n_patches, replace=False))
            corners = corners[chosen]
        for r, c in corners:
            patches.append(image[r : r + patch_size, c : c + patch_size])
        targets.append(np.full(len(corners), label, dtype=np.int64))
        positions.append(corners)
    data = np.stack(patches)
    target = np.concatenate(targets)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=list(TEXTURE_NAMES),
        positions=np.concatenate(positions),
        DESCR=DESCR,
    )
