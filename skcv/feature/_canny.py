"""Canny edges as a transformer: the edge map or pooled edge-orientation histograms."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator

from skcv.base import ImageTransformerMixin
from skcv.filters._edges import canny
from skcv.utils._parallel import map_batches
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted

__all__ = ["CannyEdgeDetector"]


def _check_grid(grid) -> tuple[int, int]:
    try:
        gh, gw = grid
    except (TypeError, ValueError):
        gh = gw = None
    ok = all(
        isinstance(g, numbers.Integral) and not isinstance(g, bool) and g >= 1
        for g in (gh, gw)
    )
    if not ok:
        raise ValueError(
            f"grid must be a pair (rows, cols) of positive ints; got {grid!r}."
        )
    return int(gh), int(gw)


def edge_orientation_histogram(
    edges: np.ndarray,
    gy: np.ndarray,
    gx: np.ndarray,
    grid: tuple[int, int] = (4, 4),
    n_orientations: int = 8,
) -> np.ndarray:
    """Edge density per (grid cell, orientation bin), flattened.

    The edge orientation is the gradient angle modulo pi (a dark-to-bright and a
    bright-to-dark edge along the same line fall in the same bin), quantised into
    ``n_orientations`` bins of width ``pi / n_orientations``. Each pixel belongs
    to cell ``(i * rows // H, j * cols // W)``; the value of a bin is the number
    of its edge pixels divided by the cell's area.

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature._canny import edge_orientation_histogram
    >>> edges = np.zeros((4, 4), bool)
    >>> edges[:, 1] = True  # a vertical edge: horizontal gradient
    >>> h = edge_orientation_histogram(edges, np.zeros((4, 4)), np.ones((4, 4)),
    ...                                grid=(1, 1), n_orientations=4)
    >>> h
    array([0.25, 0.  , 0.  , 0.  ])
    """
    gh, gw = grid
    h, w = edges.shape
    rows, cols = np.nonzero(edges)
    theta = np.mod(np.arctan2(gy[rows, cols], gx[rows, cols]), np.pi)
    bins = np.minimum(
        (theta * (n_orientations / np.pi)).astype(np.intp), n_orientations - 1
    )
    cell = (rows * gh // h) * gw + (cols * gw // w)
    counts = np.bincount(
        cell * n_orientations + bins, minlength=gh * gw * n_orientations
    ).astype(np.float64)
    area = np.outer(
        np.bincount(np.arange(h) * gh // h, minlength=gh),
        np.bincount(np.arange(w) * gw // w, minlength=gw),
    ).ravel()
    counts /= np.maximum(area, 1).repeat(n_orientations)
    return counts


class CannyEdgeDetector(ImageTransformerMixin, BaseEstimator):
    """Canny edge maps, or edge-orientation histograms pooled on a grid.

    The transformer twin of :func:`skcv.filters.canny`.

    Parameters
    ----------
    sigma : float, default=1.0
        Standard deviation of the Gaussian smoothing, in pixels.
    low_threshold, high_threshold : float, callable, "otsu" or None, default=None
        Hysteresis thresholds, as in :func:`skcv.filters.canny` (None: 0.1 and
        0.2 in scikit-image's units for images in [0, 1]).
    use_quantiles : bool, default=False
        Read float thresholds as quantiles of the gradient magnitude (robust to
        the image's contrast).
    output : {"edges", "histogram"}, default="edges"
        ``"edges"``: the flattened binary edge map (``H * W`` values; all images
        must have the size seen in ``fit``). ``"histogram"``: for each cell of
        ``grid`` and each of ``n_orientations`` edge orientations, the fraction
        of the cell's pixels that are edges of that orientation (a fixed-length
        vector for images of any size, HOG-like, for classifiers).
    grid : tuple of (int, int), default=(4, 4)
        Rows and columns of pooling cells (``output="histogram"``).
    n_orientations : int, default=8
        Orientation bins over [0, pi) (``output="histogram"``).
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened input rows (see
        :mod:`skcv.base`).
    n_jobs : int, default=None
        Parallel jobs over batches of images (joblib).

    Attributes
    ----------
    image_shape_ : tuple of int or None
        Shape of one image seen in ``fit`` (None for a list of sizes).
    n_features_in_ : int
        Values per image seen in ``fit`` (array input only).
    n_features_out_ : int
        Length of the output vector.

    See Also
    --------
    skcv.filters.canny : the function on one image.

    Notes
    -----
    Colour images are converted to grey first. ``fit`` learns nothing but the
    input shape; ``transform`` runs :func:`skcv.filters.canny` on each image
    (steps: derivative-of-Gaussian gradients, magnitude and direction,
    interpolated non-maximum suppression, hysteresis with 8-connectivity), then
    for ``output="histogram"`` pools the edges' gradient orientations (modulo
    pi) over the grid.

    References
    ----------
    .. [1] Canny, J., "A Computational Approach to Edge Detection", IEEE TPAMI
       8(6), 1986. :doi:`10.1109/TPAMI.1986.4767851`
    .. [2] Dalal, N. and Triggs, B., "Histograms of oriented gradients for human
       detection", CVPR 2005. :doi:`10.1109/CVPR.2005.177`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import CannyEdgeDetector
    >>> X = np.zeros((2, 16, 16))
    >>> X[:, 4:12, 4:12] = 1.0
    >>> CannyEdgeDetector().fit_transform(X).shape
    (2, 256)
    >>> hist = CannyEdgeDetector(output="histogram", grid=(2, 2), n_orientations=4)
    >>> hist.fit_transform(X).shape
    (2, 16)
    """

    _parameter_constraints = {
        "sigma": [Interval(numbers.Real, 0, None, closed="neither")],
        "low_threshold": [numbers.Real, callable, StrOptions({"otsu"}), None],
        "high_threshold": [numbers.Real, callable, StrOptions({"otsu"}), None],
        "use_quantiles": ["boolean"],
        "output": [StrOptions({"edges", "histogram"})],
        "grid": [tuple, list],
        "n_orientations": [Interval(numbers.Integral, 1, None, closed="left")],
        "image_shape": [tuple, list, None],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        sigma=1.0,
        low_threshold=None,
        high_threshold=None,
        use_quantiles=False,
        output="edges",
        grid=(4, 4),
        n_orientations=8,
        image_shape=None,
        n_jobs=None,
    ):
        self.sigma = sigma
        self.low_threshold = low_threshold
        self.high_threshold = high_threshold
        self.use_quantiles = use_quantiles
        self.output = output
        self.grid = grid
        self.n_orientations = n_orientations
        self.image_shape = image_shape
        self.n_jobs = n_jobs

    @property
    def _lazy_path_fit(self):  # the histogram's fit reads no image
        return self.output == "histogram"

    @property
    def _allows_variable_size(self):
        # Histograms have a fixed length for any image size; edge maps do not.
        return getattr(self, "output", "edges") == "histogram"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the images and record their shape.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images (a list of sizes only with ``output="histogram"``), or
            flattened rows with ``image_shape``.
        y : None
            Ignored.

        Returns
        -------
        self : CannyEdgeDetector
            The fitted transformer.
        """
        _check_grid(self.grid)
        images = self._validate_images(X, reset=True)
        if self.output == "edges":
            self.n_features_out_ = int(np.prod(images.shape[1:3]))
        else:
            gh, gw = _check_grid(self.grid)
            self.n_features_out_ = gh * gw * self.n_orientations
        return self

    def _one(self, image):
        edges, steps = canny(
            image,
            sigma=self.sigma,
            low_threshold=self.low_threshold,
            high_threshold=self.high_threshold,
            use_quantiles=self.use_quantiles,
            return_steps=True,
        )
        if self.output == "edges":
            return edges.ravel()
        return edge_orientation_histogram(
            edges,
            steps["gy"],
            steps["gx"],
            _check_grid(self.grid),
            self.n_orientations,
        )

    def transform(self, X):
        """Detect edges in each image.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]), list of images, or (n, H*W*C)
            Images of the size seen in ``fit`` (any size for
            ``output="histogram"``).

        Returns
        -------
        X_out : ndarray of shape (n, n_features_out_)
            Edge maps as 0/1 (``"edges"``) or edge densities (``"histogram"``),
            float32 for float32/integer input, float64 otherwise.
        """
        check_is_fitted(self)
        images = self._validate_images(X, reset=False)
        dtype = images[0].dtype

        def run(batch):
            return np.stack([self._one(im) for im in batch]).astype(dtype)

        return map_batches(run, images, batch_size=64, n_jobs=self.n_jobs)

    def get_feature_names_out(self, input_features=None):
        """Output feature names.

        ``canny_edge{i}`` for the edge map, ``canny_r{r}_c{c}_o{o}`` for the
        histogram (cell row, cell column, orientation bin).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        if self.output == "edges":
            names = [f"canny_edge{i}" for i in range(self.n_features_out_)]
        else:
            gh, gw = _check_grid(self.grid)
            names = [
                f"canny_r{r}_c{c}_o{o}"
                for r in range(gh)
                for c in range(gw)
                for o in range(self.n_orientations)
            ]
        return np.asarray(names, dtype=object)
