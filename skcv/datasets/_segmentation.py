"""Synthetic semantic-segmentation data: shapes on textured backgrounds."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from skcv.datasets._textures import load_textures
from skcv.utils._sklearn import Interval, validate_params

__all__ = ["SHAPE_NAMES", "make_shapes_segmentation"]

#: Class names of :func:`make_shapes_segmentation`; class ``i`` is ``SHAPE_NAMES[i]``.
SHAPE_NAMES = ("background", "circle", "square", "triangle")
_PLACEMENT_TRIES = 10


def _texture_patches(textures, n, h, w, rng):
    """``n`` random ``(h, w)`` crops in [0, 1] of random textures, gathered at once."""
    k, big_h, big_w = textures.shape
    which = rng.randint(k, size=n)
    r0 = rng.randint(big_h - h + 1, size=n)
    c0 = rng.randint(big_w - w + 1, size=n)
    rows = r0[:, None, None] + np.arange(h)[None, :, None]
    cols = c0[:, None, None] + np.arange(w)[None, None, :]
    patch = textures[which[:, None, None], rows, cols].astype(np.float32) / 255.0
    # Stretch each patch to [0, 1] so that every texture has the same contrast.
    lo = patch.min(axis=(1, 2), keepdims=True)
    hi = patch.max(axis=(1, 2), keepdims=True)
    return (patch - lo) / np.maximum(hi - lo, 1e-6)


def _shape_masks(kinds, cy, cx, size, angle, yy, xx):
    """Boolean masks ``(n, H, W)``, one shape per image (1 circle, 2 square, 3 tri)."""
    f32 = np.float32
    dy = yy[None] - cy.astype(f32)[:, None, None]
    dx = xx[None] - cx.astype(f32)[:, None, None]
    s = size.astype(f32)[:, None, None]
    cos = np.cos(angle).astype(f32)[:, None, None]
    sin = np.sin(angle).astype(f32)[:, None, None]
    u = cos * dx + sin * dy  # coordinates in the shape's rotated frame
    v = -sin * dx + cos * dy
    circle = dx**2 + dy**2 <= s**2
    # A square and a triangle of about the same area as the circle.
    half = 0.886 * s
    square = (np.abs(u) <= half) & (np.abs(v) <= half)
    # Equilateral triangle with circumradius R = 1.555 s (area pi s^2, as the
    # circle and the square): inside all three edges, whose outward normals
    # point at angles 90, 210 and 330 degrees, at distance R/2 from the centre.
    dist = 0.5 * 1.555 * s
    triangle = np.ones_like(circle)
    for theta in (np.pi / 2, np.pi * 7 / 6, np.pi * 11 / 6):
        triangle &= u * f32(np.cos(theta)) + v * f32(np.sin(theta)) <= dist
    k = kinds[:, None, None]
    return np.where(k == 1, circle, np.where(k == 2, square, triangle))


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "image_size": [Interval(Integral, 16, 512, closed="both"), tuple],
        "n_classes": [Interval(Integral, 2, 4, closed="both")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "max_shapes": [Interval(Integral, 1, None, closed="left")],
        "color": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_shapes_segmentation(
    n_samples=100,
    image_size=64,
    n_classes=4,
    noise=0.05,
    *,
    max_shapes=3,
    color=True,
    random_state=None,
):
    """Images of circles, squares and triangles on textures, with pixel masks.

    Each image is a random crop of one of scikit-image's bundled textures
    (brick, grass, gravel; see :func:`~skcv.datasets.load_textures`), tinted
    with a random colour, with 1 to ``max_shapes`` shapes painted over it. Every
    shape is filled with another textured, tinted crop, so colour and texture
    do not tell the classes apart: only the shape's outline does, which a
    segmentation network must learn from context.

    Parameters
    ----------
    n_samples : int, default=100
        Number of images.
    image_size : int or tuple of (int, int), default=64
        Side ``S`` of square images, or ``(H, W)``; from 16 to 512.
    n_classes : int, default=4
        Number of classes including the background (class 0): 2 uses circles,
        3 circles and squares, 4 circles, squares and triangles.
    noise : float, default=0.05
        Standard deviation of the Gaussian noise added to every pixel.
    max_shapes : int, default=3
        Largest number of shapes per image (each image gets 1 to
        ``max_shapes``); shapes do not overlap (a shape that finds no free
        place in 10 tries is left out).
    color : bool, default=True
        Colour ``(n, H, W, 3)`` images; False gives grey ``(n, H, W)`` images.
    random_state : int, RandomState instance or None, default=None
        Seeds the textures, shapes, colours and noise.

    Returns
    -------
    images : ndarray of shape (n_samples, H, W, 3) or (n_samples, H, W)
        float32 images, clipped to [0, 1].
    masks : ndarray of shape (n_samples, H, W), dtype int64
        Class of each pixel: 0 background, 1 circle, 2 square, 3 triangle
        (names in ``SHAPE_NAMES``).

    Notes
    -----
    The generator is vectorised over images: per shape slot it draws a kind,
    a size between 1/9 and 1/5 of the shorter side, a rotation and a centre
    (the shape lies inside the image and overlaps no earlier shape) for every
    image, evaluates the three shapes' inequalities on the pixel grid with
    broadcasting, and paints the chosen one with a tint that differs from the
    background's; textures are gathered with one fancy-indexing call.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.datasets import make_shapes_segmentation
    >>> X, Y = make_shapes_segmentation(4, image_size=32, random_state=0)
    >>> X.shape, X.dtype, Y.shape
    ((4, 32, 32, 3), dtype('float32'), (4, 32, 32))
    >>> set(np.unique(Y)) <= {0, 1, 2, 3}
    True
    """
    if isinstance(image_size, tuple):
        if len(image_size) != 2 or not all(
            isinstance(s, Integral) and 16 <= s <= 512 for s in image_size
        ):
            raise ValueError(
                "image_size must be an int or a pair (H, W) of ints from 16 to 512; "
                f"got {image_size!r}."
            )
        h, w = (int(s) for s in image_size)
    else:
        h = w = int(image_size)
    rng = check_random_state(random_state)
    textures, _ = load_textures(patch_size=512, return_X_y=True)
    n = n_samples
    n_ch = 3 if color else 1

    def tint(low, high):
        return rng.uniform(low, high, size=(n, 1, 1, n_ch)).astype(np.float32)

    # Background: a textured crop, tinted, with a random brightness offset.
    bg_offset, bg_gain = tint(0.05, 0.55), tint(0.15, 0.45)
    bg_mean = bg_offset + 0.5 * bg_gain
    images = bg_offset + bg_gain * _texture_patches(textures, n, h, w, rng)[..., None]
    masks = np.zeros((n, h, w), dtype=np.int64)

    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    side = min(h, w)
    n_shapes = rng.randint(1, max_shapes + 1, size=n)
    placed = np.full((n, max_shapes, 3), -1e9)  # centre row, column, radius
    placed[:, :, 2] = 0
    for slot in range(max_shapes):
        kinds = rng.randint(1, n_classes, size=n)
        size = rng.uniform(side / 9, side / 5, size=n)
        angle = rng.uniform(0, 2 * np.pi, size=n)
        radius = 1.555 * size  # encloses each kind; keeps the shape inside
        cy, cx = np.full(n, np.nan), np.full(n, np.nan)
        todo = n_shapes > slot
        for _ in range(_PLACEMENT_TRIES):  # a place that overlaps no earlier shape
            ty = rng.uniform(radius, h - radius)
            tx = rng.uniform(radius, w - radius)
            gap = np.hypot(ty[:, None] - placed[:, :, 0], tx[:, None] - placed[:, :, 1])
            free = todo & ~(gap < radius[:, None] + placed[:, :, 2]).any(axis=1)
            cy[free], cx[free] = ty[free], tx[free]
            todo &= ~free
            if not todo.any():
                break
        ok = ~np.isnan(cy)
        placed[ok, slot] = np.stack([cy[ok], cx[ok], radius[ok]], axis=1)
        inside = (
            _shape_masks(
                kinds, np.nan_to_num(cy), np.nan_to_num(cx), size, angle, yy, xx
            )
            & ok[:, None, None]
        )
        # A tint that differs from the background by >= 0.25 in some channel.
        offset, gain = tint(0.2, 0.7), tint(0.1, 0.3)
        for _ in range(_PLACEMENT_TRIES):
            close = (np.abs(offset + 0.5 * gain - bg_mean).max(axis=-1) < 0.25).ravel()
            if not close.any():
                break
            offset[close] = rng.uniform(0.2, 0.7, size=offset[close].shape)
        fill = _texture_patches(textures, n, h, w, rng)[..., None]
        images = np.where(inside[..., None], offset + gain * fill, images)
        masks = np.where(inside, kinds[:, None, None], masks)

    if noise > 0:
        images = images + rng.normal(0, noise, size=images.shape).astype(np.float32)
    images = np.clip(images, 0, 1).astype(np.float32)
    if not color:
        images = images[..., 0]
    return images, masks
