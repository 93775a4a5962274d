"""Synthetic detection scenes and face / non-face patches from scikit-image data.

Everything is built from images bundled with scikit-image (no download):

* faces: the first 100 images of :func:`skimage.data.lfw_subset` (25 x 25 grey
  crops of the Labeled Faces in the Wild set); its last 100 images are non-faces;
* backgrounds: the texture photographs ``brick``, ``grass`` and ``gravel``, and
  the photographs ``coffee``, ``rocket``, ``chelsea``, ``coins``, ``moon`` and
  ``page`` (none shows a human face).

``subset="train"`` and ``subset="test"`` use disjoint faces (70 / 30), disjoint
non-face images (70 / 30) and disjoint halves of every background photograph (top /
bottom), so a detector trained on ``"train"`` patches can be evaluated on held-out
``"test"`` scenes.
"""

from __future__ import annotations

from functools import cache
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from skcv.utils._sklearn import Interval, StrOptions, validate_params

__all__ = ["load_face_patches", "make_detection_scenes"]

TEXTURE_SOURCES = ("brick", "grass", "gravel")
PHOTO_SOURCES = ("coffee", "rocket", "chelsea", "coins", "moon", "page")
# Object class ids of the scenes; 0 is kept for "background" (a window classifier's
# negative class), so face scenes and face patches share the label 1.
SHAPE_NAMES = ("rectangle", "disk", "triangle")
_N_FACES = 100
_N_TRAIN = 70  # of the 100 faces and of the 100 non-faces


def _split(subset: str, n: int, n_train: int) -> slice:
    return {
        "all": slice(0, n),
        "train": slice(0, n_train),
        "test": slice(n_train, n),
    }[subset]


@cache
def _lfw() -> np.ndarray:
    from skimage import data

    return np.asarray(data.lfw_subset(), dtype=np.float32)


@cache
def _grey_source(name: str) -> np.ndarray:
    from skimage import data
    from skimage.color import rgb2gray

    image = getattr(data, name)()
    if image.ndim == 3:
        image = rgb2gray(image[..., :3])
    elif image.dtype == np.uint8:
        image = image / 255.0
    image = np.asarray(image, dtype=np.float32)
    image.setflags(write=False)
    return image


def _source_rows(image: np.ndarray, subset: str) -> np.ndarray:
    half = image.shape[0] // 2
    if subset == "train":
        return image[:half]
    if subset == "test":
        return image[half:]
    return image


def _resize(image: np.ndarray, shape) -> np.ndarray:
    from skimage.transform import resize

    if image.shape == tuple(shape):
        return image.astype(np.float32, copy=True)
    return resize(
        image, shape, order=1, anti_aliasing=True, preserve_range=True
    ).astype(np.float32)


def _random_crop(names, shape, subset, rng, min_scale=0.5, max_scale=1.0):
    """Crop a random source photograph at random and resize it to ``shape``."""
    source = _source_rows(_grey_source(names[rng.integers(len(names))]), subset)
    scale = rng.uniform(min_scale, max_scale)
    h = max(1, int(round(shape[0] / scale)))
    w = max(1, int(round(shape[1] / scale)))
    # Shrink the region (zoom out) when the source half is too small for it.
    fit = min(1.0, source.shape[0] / h, source.shape[1] / w)
    h, w = max(1, int(h * fit)), max(1, int(w * fit))
    r = rng.integers(source.shape[0] - h + 1)
    c = rng.integers(source.shape[1] - w + 1)
    return _resize(source[r : r + h, c : c + w], shape)


def _background(kind, shape, subset, rng):
    if kind == "textures":
        return _random_crop(TEXTURE_SOURCES, shape, subset, rng)
    if kind == "photos":
        return _random_crop(PHOTO_SOURCES, shape, subset, rng)
    if kind == "noise":
        from scipy.ndimage import gaussian_filter

        noise = gaussian_filter(rng.standard_normal(shape), sigma=rng.uniform(1, 4))
        noise *= 0.15 / max(noise.std(), 1e-12)
        return np.clip(noise + 0.5, 0, 1).astype(np.float32)
    return np.full(shape, rng.uniform(0.2, 0.8), dtype=np.float32)  # "plain"


def _shape_patch(kind: int, h: int, w: int) -> np.ndarray:
    """Boolean mask of shape (h, w) of a shape that touches all four box sides.

    Rasterising can leave an edge row or column of the box empty (a triangle's
    apex at a half-integer column for an even width, a thin ellipse), so the
    pixels where the shape meets each side are set explicitly: the mask's
    bounding box is always the full ``(h, w)`` box stored as ground truth.
    """
    from skimage.draw import ellipse, polygon

    mask = np.zeros((h, w), dtype=bool)
    # the middle row(s) and column(s): one for an odd size, two for an even one
    mid_r = slice((h - 1) // 2, h // 2 + 1)
    mid_c = slice((w - 1) // 2, w // 2 + 1)
    if kind == 1:  # rectangle
        mask[:] = True
    elif kind == 2:  # disk (an ellipse filling its box)
        rr, cc = ellipse((h - 1) / 2, (w - 1) / 2, h / 2, w / 2, shape=(h, w))
        mask[rr, cc] = True
        mask[[0, -1], mid_c] = True
        mask[mid_r, [0, -1]] = True
    else:  # triangle: apex on the top edge, base on the bottom edge
        rr, cc = polygon([0, h - 1, h - 1], [(w - 1) / 2, 0, w - 1], shape=(h, w))
        mask[rr, cc] = True
        mask[0, mid_c] = True
        mask[-1, :] = True
    return mask


def _as_range(value, name):
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value), int(value)
    lo, hi = (int(v) for v in value)
    if lo > hi:
        raise ValueError(f"{name} must be (min, max) with min <= max; got {value!r}.")
    return lo, hi


def _check_pair(value, name, minimum):
    ok = (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(
            isinstance(v, Integral) and not isinstance(v, bool) and v >= minimum
            for v in value
        )
    )
    if not ok:
        raise ValueError(f"{name} must be a pair of ints >= {minimum}; got {value!r}.")
    return int(value[0]), int(value[1])


@validate_params(
    {
        "n_images": [Interval(Integral, 1, None, closed="left")],
        "image_size": [tuple, list],
        "objects": [StrOptions({"faces", "shapes"})],
        "n_objects": [Interval(Integral, 0, None, closed="left"), tuple, list],
        "object_size": [tuple, list],
        "background": [StrOptions({"textures", "photos", "noise", "plain"})],
        "subset": [StrOptions({"all", "train", "test"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_detection_scenes(
    n_images=10,
    *,
    image_size=(96, 96),
    objects="faces",
    n_objects=1,
    object_size=(24, 40),
    background="textures",
    subset="all",
    random_state=None,
):
    """Make grey scenes with objects pasted at known boxes, for detection.

    Each scene is a background (a crop of a bundled texture or photograph, smooth
    noise or a plain grey) into which ``n_objects`` non-overlapping objects are
    pasted: faces from :func:`skimage.data.lfw_subset` resized to a random square
    size, or filled shapes (rectangle, disk, triangle) of a random grey level that
    contrasts with the background.

    Parameters
    ----------
    n_images : int, default=10
        Number of scenes.
    image_size : tuple of int (H, W), default=(96, 96)
        Size of every scene.
    objects : {"faces", "shapes"}, default="faces"
        What to paste. Faces have label 1; shapes have labels 1 (rectangle), 2
        (disk) and 3 (triangle), as named by ``SHAPE_NAMES``. Label 0 is never
        used: it is the background class of a window classifier.
    n_objects : int or tuple of int (min, max), default=1
        Objects per scene, fixed or drawn uniformly from ``[min, max]``. If a
        scene is too crowded to place an object without overlap after 100 tries,
        that scene gets fewer objects.
    object_size : tuple of int (min, max), default=(24, 40)
        Range of the object side in pixels (faces are square; a shape's height and
        width are drawn independently). ``max`` must fit in the image.
    background : {"textures", "photos", "noise", "plain"}, default="textures"
        ``"textures"``: crops of brick, grass and gravel; ``"photos"``: crops of
        coffee, rocket, chelsea, coins, moon and page; ``"noise"``: Gaussian-smoothed
        noise; ``"plain"``: a uniform grey.
    subset : {"all", "train", "test"}, default="all"
        Which faces and which halves of the background photographs to use (see
        the module notes); ``"train"`` and ``"test"`` are disjoint.
    random_state : int, RandomState instance or None, default=None
        Makes the scenes reproducible.

    Returns
    -------
    images : ndarray of shape (n_images, H, W), dtype float32
        Grey scenes in ``[0, 1]``.
    boxes : list of ndarray of shape (k_i, 4), dtype float64
        Ground-truth boxes ``(x_min, y_min, x_max, y_max)`` per scene, maxima
        exclusive (x is the column).
    labels : list of ndarray of shape (k_i,), dtype int64
        Class of each box.

    Raises
    ------
    ValueError
        If a size is malformed or the largest object does not fit in the image.

    See Also
    --------
    load_face_patches : Face and non-face patches to train a window classifier.

    Notes
    -----
    The boxes are exact: a face is pasted as a square of pixels replacing the
    background, and a shape touches all four sides of its box. Objects never
    overlap, so every box is a separate ground truth for average precision.

    References
    ----------
    .. [1] G. B. Huang, M. Ramesh, T. Berg and E. Learned-Miller, "Labeled Faces
       in the Wild: A Database for Studying Face Recognition in Unconstrained
       Environments", University of Massachusetts, Amherst, Tech. Rep. 07-49, 2007.

    Examples
    --------
    >>> from skcv.datasets import make_detection_scenes
    >>> images, boxes, labels = make_detection_scenes(
    ...     3, image_size=(64, 64), n_objects=(1, 2), random_state=0)
    >>> images.shape, images.dtype
    ((3, 64, 64), dtype('float32'))
    >>> boxes[0].shape[1], labels[0].dtype
    (4, dtype('int64'))
    """
    height, width = _check_pair(image_size, "image_size", 1)
    lo_size, hi_size = _check_pair(object_size, "object_size", 2)
    if lo_size > hi_size:
        raise ValueError(
            f"object_size must be (min, max) with min <= max; got {object_size!r}."
        )
    if hi_size > min(height, width):
        raise ValueError(
            f"object_size max must fit in image_size {(height, width)}; got "
            f"object_size={object_size!r}."
        )
    for name, value in (("n_images", n_images), ("n_objects", n_objects)):
        if isinstance(value, bool):  # sklearn's Interval(Integral) lets bools in
            raise TypeError(f"{name} must be an int; got {value!r}.")
    if isinstance(n_objects, (tuple, list)):
        _check_pair(n_objects, "n_objects", 0)
    lo_n, hi_n = _as_range(n_objects, "n_objects")
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31))
    faces = _lfw()[_split(subset, _N_FACES, _N_TRAIN)]
    images = np.empty((n_images, height, width), dtype=np.float32)
    all_boxes, all_labels = [], []
    for i in range(n_images):
        scene = _background(background, (height, width), subset, rng)
        count = int(rng.integers(lo_n, hi_n + 1))
        boxes, labels = [], []
        for _ in range(count):
            for _try in range(100):
                h = int(rng.integers(lo_size, hi_size + 1))
                w = h if objects == "faces" else int(rng.integers(lo_size, hi_size + 1))
                r = int(rng.integers(height - h + 1))
                c = int(rng.integers(width - w + 1))
                box = (c, r, c + w, r + h)
                if all(
                    box[0] >= b[2] or b[0] >= box[2] or box[1] >= b[3] or b[1] >= box[3]
                    for b in boxes
                ):
                    break
            else:
                break  # crowded scene: stop adding objects
            if objects == "faces":
                face = faces[rng.integers(len(faces))]
                if rng.random() < 0.5:
                    face = face[:, ::-1]
                scene[r : r + h, c : c + w] = _resize(face, (h, w))
                labels.append(1)
            else:
                kind = int(rng.integers(1, len(SHAPE_NAMES) + 1))
                mask = _shape_patch(kind, h, w)
                region = scene[r : r + h, c : c + w]
                mean = float(region.mean())
                delta = rng.uniform(0.3, 0.5)
                level = mean + delta if mean < 0.5 else mean - delta
                region[mask] = np.clip(level, 0, 1)
                labels.append(kind)
            boxes.append(box)
        images[i] = scene
        all_boxes.append(np.asarray(boxes, dtype=np.float64).reshape(-1, 4))
        all_labels.append(np.asarray(labels, dtype=np.int64))
    return images, all_boxes, all_labels


@validate_params(
    {
        "patch_size": [Interval(Integral, 4, 256, closed="both")],
        "n_negatives": [Interval(Integral, 0, None, closed="left")],
        "subset": [StrOptions({"all", "train", "test"})],
        "mirror": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def load_face_patches(
    patch_size=24, n_negatives=500, *, subset="all", mirror=True, random_state=None
):
    """Face (1) and non-face (0) grey patches for training a window classifier.

    Positives are the faces of :func:`skimage.data.lfw_subset` resized to
    ``patch_size`` (and their mirror images); negatives are random square crops
    of the bundled texture and photograph backgrounds and of the non-face images of
    ``lfw_subset``, at random scales, resized to ``patch_size``.

    Parameters
    ----------
    patch_size : int, default=24
        Side of the square patches, from 4 to 256.
    n_negatives : int, default=500
        Number of non-face patches, each drawn at random from texture crops
        (probability 0.4), photograph crops (0.4) and crops of lfw non-faces
        (0.2).
    subset : {"all", "train", "test"}, default="all"
        Disjoint faces, non-faces and background halves for ``"train"`` and
        ``"test"``, matching :func:`make_detection_scenes`.
    mirror : bool, default=True
        Also include every face flipped left-right.
    random_state : int, RandomState instance or None, default=None
        Chooses the negative crops.

    Returns
    -------
    X : ndarray of shape (n_patches, patch_size, patch_size), dtype float32
        Faces first, then negatives; values in ``[0, 1]``.
    y : ndarray of shape (n_patches,), dtype int64
        1 for a face, 0 for a non-face.

    See Also
    --------
    make_detection_scenes : Scenes with faces pasted at known boxes.

    Notes
    -----
    Training a sliding-window detector is training a binary classifier on
    windows: positives are object-centred windows, negatives are windows of
    anything else (here backgrounds at several scales, so that the classifier
    rejects texture as well as other objects).

    References
    ----------
    .. [1] P. Viola and M. Jones, "Robust Real-Time Face Detection", IJCV 57(2),
       2004. :doi:`10.1023/B:VISI.0000013087.49260.fb`

    Examples
    --------
    >>> from skcv.datasets import load_face_patches
    >>> X, y = load_face_patches(patch_size=16, n_negatives=50, random_state=0)
    >>> X.shape, int(y.sum()), int((y == 0).sum())
    ((250, 16, 16), 200, 50)
    """
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31))
    lfw = _lfw()
    faces = lfw[:_N_FACES][_split(subset, _N_FACES, _N_TRAIN)]
    non_faces = lfw[_N_FACES:][_split(subset, _N_FACES, _N_TRAIN)]
    shape = (patch_size, patch_size)
    positives = [_resize(f, shape) for f in faces]
    if mirror:
        positives += [p[:, ::-1].copy() for p in positives]
    negatives = []
    kinds = rng.choice(3, size=n_negatives, p=[0.4, 0.4, 0.2])
    for kind in kinds:
        if kind == 0:
            patch = _random_crop(TEXTURE_SOURCES, shape, subset, rng, 0.15, 1.0)
        elif kind == 1:
            patch = _random_crop(PHOTO_SOURCES, shape, subset, rng, 0.1, 1.0)
        else:
            image = non_faces[rng.integers(len(non_faces))]
            side = int(rng.integers(12, 26))
            r, c = rng.integers(26 - side, size=2)
            patch = _resize(image[r : r + side, c : c + side], shape)
        negatives.append(patch)
    X = np.stack(positives + negatives).reshape(-1, patch_size, patch_size)
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))].astype(np.int64)
    return X.astype(np.float32, copy=False), y
