"""Numpy image augmentations for classical pipelines and figures.

Every function takes a batch ``(n, H, W)`` or ``(n, H, W, C)`` and a
``random_state``; each returns a new array of the same shape, with the images in
the same order, so labels stay aligned. They are functions, never transformers:
augmentation that runs at training time only does not belong in a Pipeline
(DESIGN section 2). :class:`skcv.cnn.CNNClassifier` runs the same ops on the
training device in batches.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from skcv.utils._sklearn import Interval, StrOptions, validate_params
from skcv.utils._validation import check_images

__all__ = [
    "augment_images",
    "color_jitter",
    "random_crop",
    "random_flip",
    "random_resized_crop",
]


@validate_params(
    {
        "images": ["array-like"],
        "p": [Interval(Real, 0, 1, closed="both")],
        "direction": [StrOptions({"horizontal", "vertical"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def random_flip(images, p=0.5, direction="horizontal", random_state=None):
    """Mirror each image with probability ``p``.

    Parameters
    ----------
    images : array-like of shape (n, H, W[, C])
        Batch of images (a batch of 3-D arrays is read as grey images).
    p : float, default=0.5
        Probability of flipping each image.
    direction : {"horizontal", "vertical"}, default="horizontal"
        Left-right or up-down mirror.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    flipped : ndarray of the same shape
        New array; image ``i`` stays at index ``i``.

    Notes
    -----
    A left-right mirror keeps the class of natural images (a mirrored cat is a
    cat), doubling the effective training set for free; up-down flips do not
    suit most photographs but do suit textures or aerial images.

    References
    ----------
    .. [1] Krizhevsky, A., Sutskever, I., Hinton, G. (2012). ImageNet
       classification with deep convolutional neural networks. NeurIPS.
       :doi:`10.1145/3065386`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.augmentation import random_flip
    >>> x = np.arange(8.0).reshape(2, 2, 2)
    >>> random_flip(x, p=1.0)[0]
    array([[1., 0.],
           [3., 2.]])
    """
    batch = check_images(images, name="images", allow_list=False)
    rng = check_random_state(random_state)
    mask = rng.random_sample(len(batch)) < p
    axis = 2 if direction == "horizontal" else 1
    out = batch.copy()
    out[mask] = np.flip(batch[mask], axis=axis)
    return out


@validate_params(
    {
        "images": ["array-like"],
        "padding": [Interval(Integral, 0, None, closed="left")],
        "mode": [StrOptions({"reflect", "constant", "edge"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def random_crop(images, padding=4, mode="reflect", random_state=None):
    """Pad each image by ``padding`` pixels and crop it back at a random offset.

    This is a random translation by up to ``padding`` pixels in each direction.

    Parameters
    ----------
    images : array-like of shape (n, H, W[, C])
        Batch of images.
    padding : int, default=4
        Pixels added on every side before cropping.
    mode : {"reflect", "constant", "edge"}, default="reflect"
        How the border is filled (``numpy.pad`` modes; constant is zero).
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    cropped : ndarray of the same shape

    Notes
    -----
    1. pad the image by ``padding`` on all four sides;
    2. draw an offset ``(dy, dx)`` uniformly in ``[0, 2 * padding]``;
    3. cut the original-sized window at that offset.

    References
    ----------
    .. [1] He, K., Zhang, X., Ren, S., Sun, J. (2016). Deep residual learning for
       image recognition. CVPR. :doi:`10.1109/CVPR.2016.90`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.augmentation import random_crop
    >>> random_crop(np.zeros((5, 32, 32, 3)), padding=4, random_state=0).shape
    (5, 32, 32, 3)
    """
    batch = check_images(images, name="images", allow_list=False)
    rng = check_random_state(random_state)
    n, h, w = batch.shape[:3]
    if padding == 0:
        return batch.copy()
    pad = [(0, 0), (padding, padding), (padding, padding)] + [(0, 0)] * (batch.ndim - 3)
    if mode == "reflect" and padding >= min(h, w):
        mode = "symmetric"
    padded = np.pad(batch, pad, mode=mode)
    dy = rng.randint(0, 2 * padding + 1, n)
    dx = rng.randint(0, 2 * padding + 1, n)
    out = np.empty_like(batch)
    for i in range(n):
        out[i] = padded[i, dy[i] : dy[i] + h, dx[i] : dx[i] + w]
    return out


@validate_params(
    {
        "images": ["array-like"],
        "scale": [tuple, list],
        "ratio": [tuple, list],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def random_resized_crop(
    images, scale=(0.35, 1.0), ratio=(3 / 4, 4 / 3), random_state=None
):
    """Crop a random area and aspect ratio, then resize back to the image size.

    Parameters
    ----------
    images : array-like of shape (n, H, W[, C])
        Batch of images.
    scale : (float, float), default=(0.35, 1.0)
        Range of the crop's area as a fraction of the image area.
    ratio : (float, float), default=(3/4, 4/3)
        Range of the crop's aspect ratio (width / height), drawn log-uniformly.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    out : ndarray of the same shape

    Notes
    -----
    The "Inception" crop: 1. draw an area fraction and a log-uniform aspect
    ratio; 2. derive the crop's height and width (clipped to the image); 3. draw
    its top-left corner uniformly; 4. resize the crop bilinearly
    (:func:`skimage.transform.resize`) to the original size. It teaches scale
    invariance.

    References
    ----------
    .. [1] Szegedy, C. et al. (2015). Going deeper with convolutions. CVPR.
       :doi:`10.1109/CVPR.2015.7298594`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.augmentation import random_resized_crop
    >>> random_resized_crop(np.zeros((2, 16, 16)), random_state=0).shape
    (2, 16, 16)
    """
    from skimage.transform import resize

    lo, hi = _check_range(scale, "scale", 0.0, 1.0)
    rlo, rhi = _check_range(ratio, "ratio", 0.0, np.inf)
    batch = check_images(images, name="images", allow_list=False)
    rng = check_random_state(random_state)
    n, h, w = batch.shape[:3]
    out = np.empty_like(batch)
    for i in range(n):
        area = rng.uniform(lo, hi) * h * w
        r = np.exp(rng.uniform(np.log(rlo), np.log(rhi)))
        cw = int(np.clip(round(np.sqrt(area * r)), 1, w))
        ch = int(np.clip(round(np.sqrt(area / r)), 1, h))
        y0 = rng.randint(0, h - ch + 1)
        x0 = rng.randint(0, w - cw + 1)
        crop = batch[i, y0 : y0 + ch, x0 : x0 + cw]
        out[i] = resize(crop, batch.shape[1:], order=1, anti_aliasing=False)
    return out


def _check_range(value, name, low, high):
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a pair (min, max); got {value!r}.") from exc
    if not (low < a <= b <= high) and not (low <= a <= b <= high and a > 0):
        raise ValueError(
            f"{name} must satisfy {low} < min <= max <= {high}; got {value!r}."
        )
    return a, b


@validate_params(
    {
        "images": ["array-like"],
        "brightness": [Interval(Real, 0, 1, closed="both")],
        "contrast": [Interval(Real, 0, 1, closed="both")],
        "saturation": [Interval(Real, 0, 1, closed="both")],
        "clip": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def color_jitter(
    images,
    brightness=0.4,
    contrast=0.4,
    saturation=0.4,
    clip=True,
    random_state=None,
):
    """Random brightness, contrast and saturation changes per image.

    Parameters
    ----------
    images : array-like of shape (n, H, W[, C])
        Batch of images in [0, 1] (uint8 is scaled).
    brightness, contrast, saturation : float, default=0.4
        Each factor is drawn uniformly in ``[1 - value, 1 + value]``; saturation
        applies to RGB images only.
    clip : bool, default=True
        Clip the result to [0, 1].
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    out : ndarray of the same shape

    Notes
    -----
    1. brightness: multiply the image by ``b``;
    2. contrast: move every value away from (``c > 1``) or towards the image's
       mean grey level, ``(x - mean) * c + mean``;
    3. saturation: move every pixel away from or towards its own grey value
       (ITU-R 601 luma), ``(x - grey) * s + grey``.

    References
    ----------
    .. [1] Howard, A. G. (2013). Some improvements on deep convolutional neural
       network based image classification. arXiv:1312.5402.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.augmentation import color_jitter
    >>> x = np.full((1, 2, 2, 3), 0.5)
    >>> color_jitter(x, brightness=0.0, contrast=0.5, random_state=0)[0, 0, 0]
    array([0.5, 0.5, 0.5])
    """
    batch = check_images(images, name="images", allow_list=False)
    rng = check_random_state(random_state)
    n = len(batch)
    out = batch.copy()
    expand = (slice(None),) + (None,) * (batch.ndim - 1)
    b = rng.uniform(1 - brightness, 1 + brightness, n).astype(batch.dtype)
    c = rng.uniform(1 - contrast, 1 + contrast, n).astype(batch.dtype)
    s = rng.uniform(1 - saturation, 1 + saturation, n).astype(batch.dtype)
    out *= b[expand]
    mean = out.reshape(n, -1).mean(axis=1)[expand]
    out = (out - mean) * c[expand] + mean
    if batch.ndim == 4 and batch.shape[-1] == 3:
        weights = np.array([0.299, 0.587, 0.114], dtype=batch.dtype)
        grey = (out @ weights)[..., None]
        out = (out - grey) * s[expand] + grey
    if clip:
        np.clip(out, 0.0, 1.0, out=out)
    return out.astype(batch.dtype, copy=False)


_OPS = {
    "flip": random_flip,
    "crop": random_crop,
    "resized_crop": random_resized_crop,
    "color_jitter": color_jitter,
}


@validate_params(
    {
        "images": ["array-like"],
        "y": ["array-like"],
        "ops": [list, tuple],
        "n_copies": [Interval(Integral, 1, None, closed="left")],
        "include_original": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def augment_images(
    images,
    y,
    ops=("flip", "crop"),
    n_copies=1,
    include_original=True,
    random_state=None,
):
    """Enlarge a labelled image set with augmented copies (labels kept aligned).

    Parameters
    ----------
    images : array-like of shape (n, H, W[, C])
        Batch of images.
    y : array-like of shape (n,)
        Labels.
    ops : sequence, default=("flip", "crop")
        Op names from ``"flip"``, ``"crop"``, ``"resized_crop"``,
        ``"color_jitter"``, or ``(name, params)`` pairs, applied in order.
    n_copies : int, default=1
        Augmented copies of every image.
    include_original : bool, default=True
        Put the original images first.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    images_aug : ndarray of shape (n * (n_copies + include_original), H, W[, C])
    y_aug : ndarray
        ``y`` repeated in the same block order.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.augmentation import augment_images
    >>> X, y = augment_images(np.zeros((3, 8, 8)), [0, 1, 2], n_copies=2,
    ...                       random_state=0)
    >>> X.shape, y.tolist()
    ((9, 8, 8), [0, 1, 2, 0, 1, 2, 0, 1, 2])
    """
    batch = check_images(images, name="images", allow_list=False)
    y = np.asarray(y)
    if len(y) != len(batch):
        raise ValueError(
            f"images and y have inconsistent numbers of samples: {len(batch)} and "
            f"{len(y)}."
        )
    steps = []
    for op in ops:
        name, params = (op, {}) if isinstance(op, str) else op
        if name not in _OPS:
            raise ValueError(
                f"ops must hold names from {sorted(_OPS)} or (name, params) pairs; "
                f"got {op!r}."
            )
        steps.append((_OPS[name], dict(params)))
    rng = check_random_state(random_state)
    blocks = [batch] if include_original else []
    for _ in range(n_copies):
        aug = batch
        for fn, params in steps:
            aug = fn(aug, random_state=rng, **params)
        blocks.append(aug)
    return np.concatenate(blocks), np.tile(y, len(blocks))
