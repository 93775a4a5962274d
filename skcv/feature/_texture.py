"""Texture transformers: filter-bank response statistics and texton histograms."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_consistent_length
from threadpoolctl import threadpool_limits

from skcv.base import ImageTransformerMixin
from skcv.feature._filter_banks import (
    _bank_labels,
    _check_bank,
    _spectra_for,
    gabor_bank,
    leung_malik_bank,
    max_response_8,
    rfs_bank,
    schmid_bank,
)
from skcv.utils._parallel import gen_batches
from skcv.utils._sklearn import Interval, StrOptions, _fit_context, check_is_fitted
from skcv.utils._validation import channels_to_grey

__all__ = ["FilterBankExtractor", "TextonEncoder"]

_BANKS = ("gabor", "lm", "lms", "mr8", "rfs", "schmid")
_STATISTICS = ("mean", "std", "energy", "max")


def _make_bank(bank, size):
    """Return ``(filters, name)`` for a bank name or an array of filters."""
    if isinstance(bank, str):
        size = 49 if size is None else size
        if bank == "lm":
            return leung_malik_bank(size), "lm"
        if bank == "lms":
            return leung_malik_bank(size, variant="small"), "lms"
        if bank == "schmid":
            return schmid_bank(size), "schmid"
        if bank in ("rfs", "mr8"):
            return rfs_bank(size), bank
        if bank == "gabor":
            return gabor_bank(size=size), "gabor"
        raise ValueError(f"bank must be one of {_BANKS} or an array; got {bank!r}.")
    return _check_bank(bank), None


def _check_size_param(size):
    if size is not None and size % 2 == 0:
        raise ValueError(
            f"size must be None or an odd positive int (the filter support); got "
            f"{size!r}."
        )


def _to_grey(batch: np.ndarray) -> np.ndarray:
    """Grey batch ``(b, H, W)`` from ``(b, H, W[, C])``: BT.709 luma for RGB(A)."""
    return batch if batch.ndim == 3 else channels_to_grey(batch)


def _grey_batches(images, batch_size):
    """Yield grey ``(b, H, W)`` batches (lists are grouped one image at a time)."""
    if isinstance(images, np.ndarray):
        for s in gen_batches(len(images), batch_size):
            yield _to_grey(images[s])
    else:
        for im in images:
            yield _to_grey(im[None])


def _size_order(images, filters) -> np.ndarray | None:
    """Order of a list of images that groups equal FFT sizes (None for a batch).

    Processed in this order, images of many sizes compute each cached filter
    spectrum once per size bucket instead of thrashing the small cache.
    """
    if isinstance(images, np.ndarray):
        return None
    if not isinstance(images, list):  # lazily decoded files: keep their order
        return np.arange(len(images))
    spectra = _spectra_for(filters)
    keys = [spectra.fft_shape(im.shape[:2]) for im in images]
    return np.array(sorted(range(len(images)), key=keys.__getitem__), dtype=np.intp)


def _out_dtype(images):
    dtype = images.dtype if isinstance(images, np.ndarray) else images[0].dtype
    return dtype if dtype in (np.float32, np.float64) else np.float64


def _cells(n: int, k: int) -> list[tuple[int, int]]:
    """``k`` nearly equal, non-empty ranges over ``n`` pixels (overlap if n < k)."""
    starts = (np.arange(k) * n) // k
    ends = np.maximum(((np.arange(k) + 1) * n) // k, starts + 1)
    return [(int(a), int(min(b, n))) for a, b in zip(starts, ends, strict=True)]


def _run_batches(func, images, batch_size, n_jobs, filters):
    """``func`` on every grey batch; one row block per image, in input order."""
    from joblib import Parallel, delayed, effective_n_jobs

    order = _size_order(images, filters)
    if order is not None:
        images = [images[i] for i in order]
    batches = list(_grey_batches(images, batch_size))
    if effective_n_jobs(n_jobs) == 1 or len(batches) == 1:
        parts = [func(b) for b in batches]
    else:
        parts = Parallel(n_jobs=n_jobs)(delayed(func)(b) for b in batches)
    if order is not None:
        restored = [None] * len(parts)
        for part, i in zip(parts, order, strict=True):
            restored[i] = part
        parts = restored
    return parts


class _BankMixin:
    """Shared parameter handling of the two texture transformers."""

    def _fit_bank(self):
        _check_size_param(self.size)
        filters, name = _make_bank(self.bank, self.size)
        self.filters_ = filters.astype(np.float32)
        self._bank_name = name

    def _responses(self, batch):
        """Yield per image the ``(n_channels, H, W)`` responses (MR8 collapsed)."""
        spectra = _spectra_for(self.filters_)
        for r in spectra.iter_responses(batch):
            yield max_response_8(r) if self._bank_name == "mr8" else r

    def _n_channels(self):
        return 8 if self._bank_name == "mr8" else self.filters_.shape[0]

    def _channel_labels(self):
        name = self._bank_name
        if name == "gabor":
            return _bank_labels("gabor", self.filters_.shape[0], (4, 6))
        return _bank_labels(name or "", self._n_channels())


_BANK_CONSTRAINT = [StrOptions(set(_BANKS)), np.ndarray]


class FilterBankExtractor(_BankMixin, ImageTransformerMixin, BaseEstimator):
    """Texture vector of filter-bank response statistics (mean, std, ...).

    Parameters
    ----------
    bank : {"lm", "lms", "schmid", "rfs", "mr8", "gabor"} or ndarray, default="lm"
        The filter bank: Leung-Malik (48 filters, :func:`leung_malik_bank`), its
        small variant, Schmid (13), the root filter set (38), MR8 (the 8
        rotation-invariant maximum responses of the root filter set, see
        :func:`max_response_8`), Gabor (48, :func:`gabor_bank`), or an array of
        filters ``(n_filters, kh, kw)``.
    statistics : tuple of {"mean", "std", "energy", "max"}, default=("mean", "std")
        Statistics of each response map: mean, standard deviation, mean square
        ("energy") and maximum.
    absolute : bool, default=True
        Take statistics of the absolute responses ``|I * F_i|`` (the course's
        mean absolute response). With ``False`` the means of zero-mean filters
        are close to zero.
    grid : tuple of int (rows, cols), default=(1, 1)
        Spatial grid: statistics are computed in each of ``rows x cols`` cells.
    size : int, default=None
        Support of the named banks' filters (odd); None is the published 49.
        Ignored when ``bank`` is an array.
    batch_size : int, default=16
        Images per forward FFT call (and per joblib task); memory grows with it.
    n_jobs : int, default=None
        Parallel joblib jobs over batches (None: 1, -1: all cores).
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened input rows (see
        :mod:`skcv.base`).

    Attributes
    ----------
    filters_ : ndarray of shape (n_filters, kh, kw)
        The filters applied (float32).
    n_features_in_ : int
        Values per input image (array input).
    image_shape_ : tuple of int or None
        Shape of the training images (None for a list of differently sized ones).

    See Also
    --------
    TextonEncoder : Histograms of filter-response textons.
    filter_responses : The responses of one or many images.

    Notes
    -----
    The course's texture representation:

    1. Colour images are converted to grey (BT.709 luma).
    2. Each image is correlated with every filter of the bank
       (:func:`filter_responses`, FFT with reflect padding).
    3. Each response map is replaced by statistics of its (absolute) values,
       over the whole image or over each cell of a spatial grid, e.g. a 48-D
       vector of mean absolute responses for the LM bank.

    Output columns are ordered cell-major, then statistic, then filter.

    References
    ----------
    .. [1] T. Leung and J. Malik, "Representing and recognizing the visual
       appearance of materials using three-dimensional textons", IJCV 43(1),
       29-44, 2001. :doi:`10.1023/A:1011126920638`
    .. [2] M. Varma and A. Zisserman, "A statistical approach to texture
       classification from single images", IJCV 62(1-2), 61-81, 2005.
       :doi:`10.1007/s11263-005-4635-4`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import FilterBankExtractor
    >>> X = np.random.default_rng(0).random((3, 32, 32))
    >>> ext = FilterBankExtractor(bank="lm", statistics=("mean",)).fit(X)
    >>> ext.transform(X).shape
    (3, 48)
    >>> ext.get_feature_names_out()[:2].tolist()
    ['lm_edge_s0_o0_mean', 'lm_edge_s0_o1_mean']
    """

    _allows_variable_size = True
    _lazy_path_fit = True  # fit reads its images one batch at a time

    _parameter_constraints: dict = {
        "bank": _BANK_CONSTRAINT,
        "statistics": [tuple, list, str],
        "absolute": ["boolean"],
        "grid": [tuple, list],
        "size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "image_shape": ["array-like", None],
    }

    def __init__(
        self,
        bank="lm",
        *,
        statistics=("mean", "std"),
        absolute=True,
        grid=(1, 1),
        size=None,
        batch_size=16,
        n_jobs=None,
        image_shape=None,
    ):
        self.bank = bank
        self.statistics = statistics
        self.absolute = absolute
        self.grid = grid
        self.size = size
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.image_shape = image_shape

    def _check_options(self):
        stats = (
            (self.statistics,)
            if isinstance(self.statistics, str)
            else (self.statistics)
        )
        stats = tuple(stats)
        if (
            not stats
            or len(set(stats)) != len(stats)
            or not all(s in _STATISTICS for s in stats)
        ):
            raise ValueError(
                f"statistics must be a non-empty tuple of distinct values from "
                f"{_STATISTICS}; got {self.statistics!r}."
            )
        grid = tuple(self.grid)
        if len(grid) != 2 or not all(
            isinstance(g, numbers.Integral) and not isinstance(g, bool) and g >= 1
            for g in grid
        ):
            raise ValueError(
                f"grid must be a pair (rows, cols) of positive ints; got {self.grid!r}."
            )
        return stats, (int(grid[0]), int(grid[1]))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and the images and build the filter bank.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or list of images
            Training images (only their validation matters: the transform has
            no fitted state besides the bank).
        y : None
            Ignored.

        Returns
        -------
        self : FilterBankExtractor
            The fitted transformer.
        """
        self._statistics, self._grid = self._check_options()
        self._validate_images(X, reset=True)
        self._fit_bank()
        return self

    def _image_features(self, r: np.ndarray) -> np.ndarray:
        a = np.abs(r) if self.absolute else r
        rows, cols = self._grid
        feats = []
        for r0, r1 in _cells(a.shape[1], rows):
            for c0, c1 in _cells(a.shape[2], cols):
                cell = a[:, r0:r1, c0:c1]
                for stat in self._statistics:
                    if stat == "mean":
                        feats.append(cell.mean(axis=(1, 2), dtype=np.float64))
                    elif stat == "std":
                        feats.append(cell.std(axis=(1, 2), dtype=np.float64))
                    elif stat == "energy":
                        sq = np.square(cell, dtype=np.float64)
                        feats.append(sq.mean(axis=(1, 2)))
                    else:
                        feats.append(cell.max(axis=(1, 2)).astype(np.float64))
        return np.concatenate(feats)

    def _batch_features(self, batch):
        return np.stack([self._image_features(r) for r in self._responses(batch)])

    def transform(self, X):
        """Compute the texture vector of each image.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or list of images
            Images; their size may differ from the training images.

        Returns
        -------
        features : ndarray of shape (n, n_cells * n_statistics * n_channels)
            Response statistics, in the dtype of the input (float32 or float64).
        """
        check_is_fitted(self, "filters_")
        images = self._validate_images(X, reset=False)
        parts = _run_batches(
            self._batch_features, images, self.batch_size, self.n_jobs, self.filters_
        )
        return np.concatenate(parts, axis=0).astype(_out_dtype(images), copy=False)

    def get_feature_names_out(self, input_features=None):
        """Names ``<bank>_<filter>_<statistic>`` (prefixed ``cell<r>_<c>_`` on a grid).

        Parameters
        ----------
        input_features : None
            Ignored (the features do not map to input columns).

        Returns
        -------
        names : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self, "filters_")
        prefix = self._bank_name or "bank"
        labels = self._channel_labels()
        rows, cols = self._grid
        names = []
        for r in range(rows):
            for c in range(cols):
                cell = "" if (rows, cols) == (1, 1) else f"cell{r}_{c}_"
                for stat in self._statistics:
                    names.extend(f"{prefix}_{cell}{lab}_{stat}" for lab in labels)
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.allow_nan = False
        return tags


def _weber(r: np.ndarray, scale: float = 0.03) -> np.ndarray:
    """Contrast-normalise response vectors: ``F <- F log(1 + L/0.03) / L``."""
    norm = np.sqrt(np.einsum("chw,chw->hw", r, r))
    factor = np.log1p(norm / scale) / np.where(norm > 0, norm, 1.0)
    return r * factor.astype(r.dtype)


def _standardise(batch: np.ndarray) -> np.ndarray:
    """Zero mean and unit standard deviation per image (flat images: zero)."""
    b = np.asarray(batch, dtype=np.float32)
    mean = b.mean(axis=(1, 2), keepdims=True)
    std = b.std(axis=(1, 2), keepdims=True)
    return (b - mean) / np.where(std > 0, std, 1.0)


def _check_class_labels(y: np.ndarray) -> None:
    """Raise unless ``y`` holds class labels (textons are learnt per class)."""
    if y.dtype.kind in "fc" and not np.isfinite(y).all():
        what = "NaN" if np.isnan(y).any() else "infinity"
        raise ValueError(
            f"Input y contains {what}; with per_class=True y must hold the class "
            "of each image."
        )
    kind = type_of_target(y, input_name="y")
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type: {kind}; y must hold class labels with "
            "per_class=True (textons are learnt per class). Pass per_class=False "
            "or y=None to learn one dictionary from all images."
        )


class TextonEncoder(_BankMixin, ImageTransformerMixin, BaseEstimator):
    """Histograms of textons: k-means centres of filter-response vectors.

    Parameters
    ----------
    bank : {"mr8", "lm", "lms", "schmid", "rfs", "gabor"} or ndarray, default="mr8"
        Filter bank whose per-pixel responses are clustered (see
        :class:`FilterBankExtractor`).
    n_textons : int, default=10
        Textons learnt per class (``per_class=True`` and ``y`` given) or in all.
    per_class : bool, default=True
        Learn ``n_textons`` per class and pool them into one dictionary
        (Varma-Zisserman); otherwise (or when ``y`` is None) one k-means over all.
    max_pixels : int, default=1000
        Response vectors sampled at random from each training image.
    normalize : {"l1", "l2"} or None, default="l1"
        Normalisation of each histogram (``"l1"``: it sums to one).
    weber : bool, default=True
        Contrast-normalise each response vector by Weber's law,
        ``F <- F log(1 + ||F|| / 0.03) / ||F||``, as Varma and Zisserman do.
    size : int, default=None
        Support of the named banks' filters (odd); None is the published 49.
    batch_size : int, default=16
        Images per forward FFT call (and per joblib task).
    n_jobs : int, default=None
        Parallel joblib jobs over batches.
    random_state : int, RandomState instance or None, default=None
        Seeds the pixel sampling and the k-means.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened input rows.

    Attributes
    ----------
    textons_ : ndarray of shape (n_textons_total, n_channels)
        The dictionary (``n_classes * n_textons`` rows when learnt per class;
        fewer only if a class has fewer distinct response vectors).
    texton_labels_ : ndarray of shape (n_textons_total,)
        Class whose images each texton was learnt from (all 0 without classes).
    filters_ : ndarray of shape (n_filters, kh, kw)
        The filters applied (float32).

    See Also
    --------
    FilterBankExtractor : Mean-response texture vectors.

    Notes
    -----
    The Varma-Zisserman texton classifier (the course's "textons"):

    1. Each image is contrast-normalised to zero mean and unit variance.
    2. Filter responses (MR8 by default) are computed at every pixel and each
       response vector is normalised by Weber's law.
    3. Fit: ``max_pixels`` response vectors are sampled per image; k-means
       (:class:`~sklearn.cluster.MiniBatchKMeans`) finds ``n_textons`` centres
       per class, and the centres of all classes are pooled into the dictionary.
    4. Transform: every pixel is labelled with its nearest texton and the image
       becomes the (normalised) histogram of texton labels.

    Histograms compare well with the chi-squared distance: use
    :func:`sklearn.metrics.pairwise.chi2_kernel` with
    ``SVC(kernel="precomputed")``, or
    :class:`~sklearn.kernel_approximation.AdditiveChi2Sampler` before a linear
    classifier.

    References
    ----------
    .. [1] M. Varma and A. Zisserman, "A statistical approach to texture
       classification from single images", IJCV 62(1-2), 61-81, 2005.
       :doi:`10.1007/s11263-005-4635-4`
    .. [2] T. Leung and J. Malik, "Representing and recognizing the visual
       appearance of materials using three-dimensional textons", IJCV 43(1),
       29-44, 2001. :doi:`10.1023/A:1011126920638`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import TextonEncoder
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((4, 24, 24)), np.array([0, 0, 1, 1])
    >>> enc = TextonEncoder(n_textons=3, size=15, random_state=0).fit(X, y)
    >>> enc.textons_.shape
    (6, 8)
    >>> H = enc.transform(X)
    >>> H.shape, bool(np.allclose(H.sum(axis=1), 1))
    ((4, 6), True)
    """

    _allows_variable_size = True
    _lazy_path_fit = True  # fit reads its images one batch at a time

    _parameter_constraints: dict = {
        "bank": _BANK_CONSTRAINT,
        "n_textons": [Interval(numbers.Integral, 1, None, closed="left")],
        "per_class": ["boolean"],
        "max_pixels": [Interval(numbers.Integral, 1, None, closed="left")],
        "normalize": [StrOptions({"l1", "l2"}), None],
        "weber": ["boolean"],
        "size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
        "image_shape": ["array-like", None],
    }

    def __init__(
        self,
        bank="mr8",
        *,
        n_textons=10,
        per_class=True,
        max_pixels=1000,
        normalize="l1",
        weber=True,
        size=None,
        batch_size=16,
        n_jobs=None,
        random_state=None,
        image_shape=None,
    ):
        self.bank = bank
        self.n_textons = n_textons
        self.per_class = per_class
        self.max_pixels = max_pixels
        self.normalize = normalize
        self.weber = weber
        self.size = size
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.image_shape = image_shape

    def _vectors(self, batch):
        """Yield per image the ``(H*W, n_channels)`` float32 response vectors."""
        for r in self._responses(_standardise(batch)):
            if self.weber:
                r = _weber(r)
            yield r.reshape(r.shape[0], -1).T

    def _sample_batch(self, batch, seeds):
        out = []
        for vec, seed in zip(self._vectors(batch), seeds, strict=True):
            if vec.shape[0] > self.max_pixels:
                rng = np.random.default_rng(seed)
                idx = rng.choice(vec.shape[0], self.max_pixels, replace=False)
                vec = vec[np.sort(idx)]
            out.append(np.ascontiguousarray(vec))
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the texton dictionary from sampled response vectors.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or list of images
            Training images.
        y : array-like of shape (n,), default=None
            Class of each image; with ``per_class=True`` textons are learnt per
            class, and ``y`` holding NaN or continuous values raises a
            ``ValueError`` (it is ignored with ``per_class=False``).

        Returns
        -------
        self : TextonEncoder
            The fitted transformer.
        """
        from sklearn.cluster import MiniBatchKMeans

        images = self._validate_images(X, reset=True)
        self._fit_bank()
        rng = check_random_state(self.random_state)
        n = len(images)
        seeds = rng.randint(0, 2**31 - 1, size=n)
        if y is not None and self.per_class:
            y = column_or_1d(y, warn=True)
            check_consistent_length(np.arange(n), y)
            _check_class_labels(y)
            _, groups = np.unique(y, return_inverse=True)
        else:
            groups = np.zeros(n, dtype=np.intp)
        if isinstance(images, np.ndarray):
            slices = list(gen_batches(n, self.batch_size))
        else:  # grouped by FFT size (see _size_order); samples keep input order
            order = _size_order(images, self.filters_)
            slices = [slice(i, i + 1) for i in order]

        def job(s):
            if isinstance(images, np.ndarray):
                batch = _to_grey(images[s])
            else:
                batch = _to_grey(images[s.start][None])
            return self._sample_batch(batch, seeds[s])

        from joblib import Parallel, delayed, effective_n_jobs

        if effective_n_jobs(self.n_jobs) == 1 or len(slices) == 1:
            parts = [job(s) for s in slices]
        else:
            parts = Parallel(n_jobs=self.n_jobs)(delayed(job)(s) for s in slices)
        parts = [
            p
            for _, p in sorted(
                zip(slices, parts, strict=True), key=lambda t: t[0].start
            )
        ]
        samples = [v for part in parts for v in part]
        textons, labels = [], []
        for g in range(int(groups.max()) + 1):
            data = np.concatenate(
                [samples[i] for i in np.flatnonzero(groups == g)], axis=0
            ).astype(np.float64)
            n_distinct = np.unique(data, axis=0).shape[0]
            k = min(self.n_textons, n_distinct)
            if k == n_distinct:
                centres = np.unique(data, axis=0)
            else:
                km = MiniBatchKMeans(
                    n_clusters=k,
                    n_init=3,
                    batch_size=min(1024, data.shape[0]),
                    random_state=rng.randint(0, 2**31 - 1),
                )
                # A few thousand low-dimensional vectors: one thread is fastest
                # (OpenMP start-up and spinning dominate on busy machines).
                with threadpool_limits(limits=1, user_api="openmp"):
                    centres = km.fit(data).cluster_centers_
            textons.append(centres)
            labels.append(np.full(len(centres), g))
        self.textons_ = np.concatenate(textons, axis=0)
        self.texton_labels_ = np.concatenate(labels)
        return self

    def _histograms(self, batch):
        c = self.textons_.astype(np.float32)
        c2 = np.einsum("kd,kd->k", c, c)
        k = len(c)
        rows = []
        for vec in self._vectors(batch):
            d = c2[None, :] - 2.0 * (vec @ c.T)
            hist = np.bincount(d.argmin(axis=1), minlength=k).astype(np.float64)
            if self.normalize == "l1":
                hist /= hist.sum()
            elif self.normalize == "l2":
                hist /= np.linalg.norm(hist)
            rows.append(hist)
        return np.stack(rows)

    def transform(self, X):
        """Histogram of the nearest textons of each image's pixels.

        Parameters
        ----------
        X : array-like of shape (n, H, W[, C]) or (n, H*W*C), or list of images
            Images; their size may differ from the training images.

        Returns
        -------
        histograms : ndarray of shape (n, n_textons_total)
            Texton histograms (rows sum to one with ``normalize="l1"``).
        """
        check_is_fitted(self, "textons_")
        images = self._validate_images(X, reset=False)
        parts = _run_batches(
            self._histograms, images, self.batch_size, self.n_jobs, self.filters_
        )
        return np.concatenate(parts, axis=0).astype(_out_dtype(images), copy=False)

    def get_feature_names_out(self, input_features=None):
        """Names ``texton<k>`` of the histogram bins.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        names : ndarray of str objects
            One name per texton.
        """
        check_is_fitted(self, "textons_")
        return np.asarray([f"texton{k}" for k in range(len(self.textons_))], object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.target_tags.required = False
        return tags
