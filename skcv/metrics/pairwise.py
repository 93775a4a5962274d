"""Histogram kernels for bags of visual words, next to scikit-learn's ``chi2_kernel``.

Both kernels are callables ``kernel(X, Y=None) -> (n_X, n_Y)`` so they work as
``SVC(kernel=histogram_intersection_kernel)`` or, precomputed, with
``SVC(kernel="precomputed")``.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.metrics.pairwise import check_pairwise_arrays

from skcv.utils._sklearn import Interval, validate_params
from skcv.utils._validation import as_real_array

__all__ = ["histogram_intersection_kernel", "pyramid_match_kernel"]


def _check_non_negative(X, Y, name: str):
    for arr, label in ((X, "X"), (Y, "Y")):
        if arr is not None and not hasattr(arr, "tocsr"):
            as_real_array(arr, label)  # names the parameter; check_pairwise_arrays
            # leaves ragged lists and strings to numpy's messages
    X, Y = check_pairwise_arrays(
        X, Y, dtype=[np.float64, np.float32], accept_sparse=False
    )
    for arr, label in ((X, "X"), (Y, "Y")):
        if (arr < 0).any():
            raise ValueError(
                f"{name} needs non-negative histograms; {label} has negative values "
                "(e.g. VLAD encodings): use a linear or RBF kernel for those."
            )
    return X, Y


def _intersection_dense(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # sum_k min(x_k, y_k) = (sum x + sum y - sum |x - y|) / 2, with the L1
    # distances from scipy's compiled cdist: no (n_X, n_Y, d) temporary.
    K = X.sum(axis=1)[:, None] + Y.sum(axis=1)[None, :]
    K -= cdist(X, Y, "cityblock")
    K *= 0.5
    return np.maximum(K, 0, out=K)


def _intersection(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Intersection kernel; dense columns through cdist, sparse ones pairwise.

    A column ``k`` only contributes ``min(x_ik, y_jk)`` where both are non-zero,
    which costs ``nnz_X(k) * nnz_Y(k)`` instead of ``n_X * n_Y``. Spatial-pyramid
    histograms are mostly zeros at the fine levels, so those columns go through
    per-column outer minima; the dense columns through the L1 identity.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    n, m = len(X), len(Y)
    if X.shape[1] == 0:
        return np.zeros((n, m))
    nnz_x = np.count_nonzero(X, axis=0)
    nnz_y = np.count_nonzero(Y, axis=0)
    pair_cost = nnz_x.astype(np.float64) * nnz_y
    sparse_cols = np.flatnonzero((pair_cost > 0) & (pair_cost * 16 < n * m))
    dense_cols = np.flatnonzero(pair_cost * 16 >= n * m)
    if len(dense_cols) == X.shape[1]:
        return _intersection_dense(X, Y)
    K = (
        _intersection_dense(X[:, dense_cols], Y[:, dense_cols])
        if len(dense_cols)
        else np.zeros((n, m))
    )
    for k in sparse_cols:
        rows_x = np.flatnonzero(X[:, k])
        rows_y = np.flatnonzero(Y[:, k])
        K[np.ix_(rows_x, rows_y)] += np.minimum.outer(X[rows_x, k], Y[rows_y, k])
    return K


@validate_params(
    {"X": ["array-like"], "Y": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def histogram_intersection_kernel(X, Y=None) -> np.ndarray:
    """Histogram intersection kernel ``K(x, y) = sum_k min(x_k, y_k)``.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        Non-negative histograms (e.g. :class:`~skcv.feature.BagOfVisualWords`
        output).
    Y : array-like of shape (n_samples_Y, n_features), default=None
        Second set of histograms; None uses ``X``.

    Returns
    -------
    kernel : ndarray of shape (n_samples_X, n_samples_Y)
        The Gram matrix (float64).

    See Also
    --------
    pyramid_match_kernel : The spatial pyramid match kernel on unweighted levels.
    sklearn.metrics.pairwise.chi2_kernel : Another kernel for histograms.

    Notes
    -----
    The kernel is positive definite on non-negative vectors (Swain & Ballard's
    histogram intersection; Maji et al. 2008). It is computed without an
    ``(n_X, n_Y, n_features)`` temporary: for dense columns through the identity
    ``min(a, b) = (a + b - |a - b|) / 2`` (row sums minus scipy's compiled L1
    distances, halved); for sparse columns (the fine pyramid levels) only the
    pairs of non-zero entries are visited, ``nnz_X * nnz_Y`` per column. On
    :class:`~skcv.feature.BagOfVisualWords` output with ``normalize="l1"`` it is
    the spatial pyramid match kernel of Lazebnik et al., since the level weights
    are built into the features.

    Use as ``SVC(kernel=histogram_intersection_kernel)`` or precomputed:
    ``SVC(kernel="precomputed").fit(histogram_intersection_kernel(X), y)`` then
    ``predict(histogram_intersection_kernel(X_test, X))``.

    References
    ----------
    .. [1] M. J. Swain and D. H. Ballard, "Color indexing", IJCV 7(1), 1991.
       :doi:`10.1007/BF00130487`
    .. [2] S. Maji, A. C. Berg and J. Malik, "Classification using intersection
       kernel support vector machines is efficient", CVPR 2008.
       :doi:`10.1109/CVPR.2008.4587630`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.metrics import histogram_intersection_kernel
    >>> X = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    >>> histogram_intersection_kernel(X)
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    X, Y = _check_non_negative(X, Y, "histogram_intersection_kernel")
    return _intersection(X, Y)


@validate_params(
    {
        "X": ["array-like"],
        "Y": ["array-like", None],
        "pyramid_levels": [Interval(numbers.Integral, 1, 8, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def pyramid_match_kernel(X, Y=None, *, pyramid_levels: int = 3) -> np.ndarray:
    """Spatial pyramid match kernel on unweighted per-level histograms.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_words * sum(4**l))
        Non-negative histograms of levels ``0 .. L`` concatenated (level 0 first,
        ``4**l`` cells of ``n_words`` bins at level ``l``), each level normalised
        but not weighted.
    Y : array-like of shape (n_samples_Y, n_words * sum(4**l)), default=None
        Second set; None uses ``X``.
    pyramid_levels : int, default=3
        Number of levels ``L + 1`` stored in ``X``.

    Returns
    -------
    kernel : ndarray of shape (n_samples_X, n_samples_Y)
        ``I_L + sum_{l<L} (I_l - I_{l+1}) / 2**(L - l)``.

    See Also
    --------
    histogram_intersection_kernel : Equals this kernel on level-weighted features.

    Notes
    -----
    1. Compute the histogram intersection ``I_l`` of every level's block.
    2. Matches found at level ``l + 1`` are also found at level ``l``, so the
       new matches at level ``l`` are ``I_l - I_{l+1}``; weight them by
       ``1 / 2**(L - l)`` (coarser cells, less specific matches) and add the
       finest level's ``I_L`` with weight 1 (eq. 3 of Lazebnik et al.).

    This equals the weighted sum ``I_0 / 2**L + sum_{l>=1} I_l / 2**(L-l+1)``, so
    it is the histogram intersection of the features multiplied by those level
    weights, as :class:`~skcv.feature.BagOfVisualWords` returns them; use this
    function on histograms that do not carry the weights. When the kernel is
    given to an SVC, bind the levels with ``functools.partial``.

    References
    ----------
    .. [1] S. Lazebnik, C. Schmid and J. Ponce, "Beyond bags of features: spatial
       pyramid matching for recognizing natural scene categories", CVPR 2006.
       :doi:`10.1109/CVPR.2006.68`
    .. [2] K. Grauman and T. Darrell, "The pyramid match kernel: discriminative
       classification with sets of image features", ICCV 2005.
       :doi:`10.1109/ICCV.2005.239`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.metrics import pyramid_match_kernel
    >>> x = np.array([[1.0, 0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0]])
    >>> y = np.array([[1.0, 0.0, 0.0, 0.5, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0]])
    >>> pyramid_match_kernel(x, y, pyramid_levels=2)  # I_0 = 1, I_1 = 0.5
    array([[0.75]])
    """
    X, Y = _check_non_negative(X, Y, "pyramid_match_kernel")
    n_cells = sum(4**level for level in range(pyramid_levels))
    if X.shape[1] % n_cells:
        raise ValueError(
            f"X has {X.shape[1]} features, which is not n_words * {n_cells} (the "
            f"cells of pyramid_levels={pyramid_levels}); pass the pyramid_levels "
            "the histograms were built with."
        )
    n_words = X.shape[1] // n_cells
    top = pyramid_levels - 1
    start = 0
    kernel = np.zeros((len(X), len(Y)))
    for level in range(pyramid_levels):
        stop = start + 4**level * n_words
        intersection = _intersection(X[:, start:stop], Y[:, start:stop])
        weight = 1.0 / 2**top if level == 0 else 1.0 / 2 ** (top - level + 1)
        kernel += weight * intersection
        start = stop
    return kernel
