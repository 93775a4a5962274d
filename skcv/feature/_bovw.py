"""Bag of visual words with a spatial pyramid (Lazebnik, Schmid & Ponce 2006)."""

from __future__ import annotations

import inspect
import numbers

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy import sparse
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.cluster import MiniBatchKMeans
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from skcv.base import ImageTransformerMixin
from skcv.feature._sift import dense_sift, sift
from skcv.utils._parallel import gen_batches
from skcv.utils._sklearn import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
)

__all__ = ["BagOfVisualWords"]

_DETECTORS = {"dense": dense_sift, "dog": sift}
_SOFT_NEIGHBOURS = 5


def pyramid_level_weights(pyramid_levels: int) -> np.ndarray:
    """Lazebnik's weights of levels ``0 .. L`` with ``L = pyramid_levels - 1``.

    Level 0 gets ``1 / 2**L`` and level ``l >= 1`` gets ``1 / 2**(L - l + 1)``,
    so finer levels (where matches are more specific) weigh more; e.g.
    ``[1/4, 1/4, 1/2]`` for three levels.
    """
    top = pyramid_levels - 1
    levels = np.arange(pyramid_levels)
    weights = 1.0 / 2.0 ** (top - levels + 1)
    weights[0] = 1.0 / 2.0**top
    return weights


def _extract(image, detector: str, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Keypoints ``(n, 2)`` (row, col) and float32 descriptors of one image."""
    keypoints, descriptors = _DETECTORS[detector](image, **params)
    return keypoints[:, :2], descriptors


def _cells(keypoints: np.ndarray, shape: tuple[int, int], level: int) -> np.ndarray:
    """Index ``row * 2**level + col`` of the pyramid cell holding each keypoint."""
    n = 2**level
    rows = np.clip((keypoints[:, 0] + 0.5) * (n / shape[0]), 0, n - 1).astype(np.intp)
    cols = np.clip((keypoints[:, 1] + 0.5) * (n / shape[1]), 0, n - 1).astype(np.intp)
    return rows * n + cols


class BagOfVisualWords(ImageTransformerMixin, BaseEstimator):
    """Bag of visual words over SIFT descriptors, with a spatial pyramid.

    Descriptors (dense SIFT on a grid, or SIFT at DoG keypoints) are quantised
    into a codebook of ``n_words`` visual words learnt with mini-batch k-means;
    each image becomes the concatenation of word histograms over the cells of a
    spatial pyramid (1, 4, 16, ... cells), weighted as in Lazebnik et al. so
    that the histogram intersection of two outputs is the spatial pyramid match
    kernel.

    Parameters
    ----------
    detector : {"dense", "dog"}, default="dense"
        ``"dense"``: :func:`~skcv.feature.dense_sift` on a regular grid (PHOW);
        ``"dog"``: :func:`~skcv.feature.sift` at difference-of-Gaussian keypoints.
    descriptor_params : dict or None, default=None
        Keyword arguments of the descriptor function, e.g. ``{"step": 4,
        "patch_size": (8, 16)}``.
    n_words : int, default=200
        Size of the codebook (number of k-means centres).
    max_descriptors : int, default=100_000
        At most this many descriptors, sampled at random (evenly over the
        images), are used to learn the codebook.
    encoding : {"hard", "soft", "vlad"}, default="hard"
        ``"hard"``: count each descriptor for its nearest word. ``"soft"``:
        kernel codebook, spread each descriptor over its 5 nearest words with
        Gaussian weights ``exp(-d**2 / (2 sigma**2))`` (``sigma`` = median
        distance of the training descriptors to their nearest word), normalised
        per descriptor. ``"vlad"``: per word, the sum of residuals ``x - c`` of
        the descriptors assigned to it (``n_words * 128`` values per cell; use
        ``pyramid_levels=1`` to keep it small).
    pyramid_levels : int, default=3
        Number of pyramid levels ``L + 1``; level ``l`` splits the image into
        ``2**l x 2**l`` cells. 1 gives a plain bag of words.
    normalize : {"l1", "l2", "hellinger"}, default="l1"
        Normalisation of each level's histogram (all its cells together) before
        the level weight: ``"l1"`` makes it sum to 1 (Lazebnik's normalisation by
        the number of features), ``"l2"`` gives unit Euclidean norm,
        ``"hellinger"`` takes the square root of the L1-normalised histogram
        (signed square root for VLAD, i.e. power normalisation).
    batch_size : int or None, default=64
        Images per batch when extracting and encoding (the unit of parallel
        work); None processes all images in one batch.
    n_jobs : int or None, default=None
        Parallel jobs over batches of images (joblib; -1 uses all cores).
    random_state : int, RandomState instance or None, default=None
        Seeds the descriptor sampling and k-means.
    image_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(H, W, C)`` of flattened rows in ``X``.

    Attributes
    ----------
    codebook_ : ndarray of shape (n_words, n_descriptor_features)
        The visual words (k-means centres). When the training images yield fewer
        descriptors than ``n_words``, the learnt centres are repeated to fill it
        (the repeated words stay empty under hard assignment).
    kmeans_ : MiniBatchKMeans
        The fitted clustering.
    soft_sigma_ : float
        Bandwidth of the soft assignment.
    level_weights_ : ndarray of shape (pyramid_levels,)
        Weight of each pyramid level (see Notes).
    n_descriptors_fit_ : int
        Number of descriptors used to learn the codebook.
    image_shape_ : tuple of int or None
        Shape of the training images (None for a list of different sizes).
    n_features_in_ : int
        Values per training image (array input only).
    n_features_out_ : int
        Length of the encoding: ``n_words * sum(4**l)`` (times the descriptor
        length for VLAD).

    See Also
    --------
    skcv.feature.dense_sift : The default descriptors.
    skcv.metrics.histogram_intersection_kernel : The kernel for these histograms.

    Notes
    -----
    Fit:

    1. Extract descriptors from every training image; sample at most
       ``max_descriptors`` of them.
    2. Learn ``n_words`` visual words with (mini-batch) k-means.

    Transform, for each image:

    1. Extract descriptors and assign each to its nearest word (or encode it
       softly / as a VLAD residual).
    2. For each level ``l = 0 .. L`` split the image into ``2**l x 2**l`` cells
       and histogram the words of the keypoints in each cell; concatenate.
    3. Normalise each level (``normalize``) and multiply it by Lazebnik's
       weight: ``1 / 2**L`` for level 0 and ``1 / 2**(L - l + 1)`` for level
       ``l >= 1`` (e.g. ``1/4, 1/4, 1/2`` for ``L = 2``). Then the histogram
       intersection of two encodings equals the spatial pyramid match kernel
       ``I_L + sum_{l<L} (I_l - I_{l+1}) / 2**(L - l)`` of the paper (eq. 3),
       because matches found at a finer level also count at coarser ones.

    Feature names are ``bovw_l{level}_c{cell}_w{word}`` (cells in row-major
    order), with a suffix ``_d{dim}`` for VLAD.

    References
    ----------
    .. [1] S. Lazebnik, C. Schmid and J. Ponce, "Beyond bags of features:
       spatial pyramid matching for recognizing natural scene categories", CVPR
       2006. :doi:`10.1109/CVPR.2006.68`
    .. [2] G. Csurka, C. Dance, L. Fan, J. Willamowski and C. Bray, "Visual
       categorization with bags of keypoints", ECCV Workshop on Statistical
       Learning in Computer Vision, 2004.
    .. [3] J. C. van Gemert, C. J. Veenman, A. W. M. Smeulders and J.-M.
       Geusebroek, "Visual word ambiguity", IEEE TPAMI 32(7), 2010.
       :doi:`10.1109/TPAMI.2009.132`
    .. [4] H. Jegou, M. Douze, C. Schmid and P. Perez, "Aggregating local
       descriptors into a compact image representation", CVPR 2010.
       :doi:`10.1109/CVPR.2010.5540039`

    Examples
    --------
    >>> import numpy as np
    >>> from skcv.feature import BagOfVisualWords
    >>> images = np.random.default_rng(0).random((6, 32, 32))
    >>> bovw = BagOfVisualWords(n_words=8, pyramid_levels=2, random_state=0)
    >>> features = bovw.fit_transform(images)
    >>> features.shape
    (6, 40)
    >>> bovw.get_feature_names_out()[[0, 8, 39]].tolist()
    ['bovw_l0_c0_w0', 'bovw_l1_c0_w0', 'bovw_l1_c3_w7']
    >>> features[:, :8].sum(axis=1)  # level 0 sums to its weight 1/2
    array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    """

    _allows_variable_size = True
    _lazy_path_fit = True  # fit samples descriptors batch by batch (_map)

    _parameter_constraints: dict = {
        "detector": [StrOptions(set(_DETECTORS))],
        "descriptor_params": [dict, None],
        "n_words": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_descriptors": [Interval(numbers.Integral, 1, None, closed="left")],
        "encoding": [StrOptions({"hard", "soft", "vlad"})],
        "pyramid_levels": [Interval(numbers.Integral, 1, 8, closed="both")],
        "normalize": [StrOptions({"l1", "l2", "hellinger"})],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self,
        detector: str = "dense",
        descriptor_params: dict | None = None,
        n_words: int = 200,
        max_descriptors: int = 100_000,
        encoding: str = "hard",
        pyramid_levels: int = 3,
        normalize: str = "l1",
        batch_size: int | None = 64,
        n_jobs: int | None = None,
        random_state=None,
        image_shape=None,
    ):
        self.detector = detector
        self.descriptor_params = descriptor_params
        self.n_words = n_words
        self.max_descriptors = max_descriptors
        self.encoding = encoding
        self.pyramid_levels = pyramid_levels
        self.normalize = normalize
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.image_shape = image_shape

    # ----------------------------------------------------------------- helpers
    def _descriptor_params(self) -> dict:
        params = dict(self.descriptor_params or {})
        func = _DETECTORS[self.detector]
        allowed = [
            name
            for name, p in inspect.signature(func).parameters.items()
            if p.kind == p.KEYWORD_ONLY
        ]
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ValueError(
                f"descriptor_params has unknown keys {unknown} for "
                f"detector={self.detector!r}; allowed keys are {allowed}."
            )
        # Validate the values once (nested validation is off inside fit).
        with config_context(skip_parameter_validation=False):
            func(np.zeros((16, 16), dtype=np.float32), **params)
        return params

    def _sample_batch(self, images, seeds, per_image: int, params: dict):
        out = []
        with threadpool_limits(limits=1):
            for image, seed in zip(images, seeds, strict=True):
                _, descriptors = _extract(image, self.detector, params)
                if len(descriptors) > per_image:
                    rng = np.random.default_rng(seed)
                    keep = rng.choice(len(descriptors), per_image, replace=False)
                    descriptors = descriptors[np.sort(keep)]
                out.append(descriptors)
        return out

    # --------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the visual-word codebook from the descriptors of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]), list of images, or (n_samples, H*W*C)
            Training images (see :mod:`skcv.base` for the four forms).
        y : None
            Ignored.

        Returns
        -------
        self : BagOfVisualWords
            The fitted transformer.
        """  # noqa: E501
        images = self._validate_images(X, reset=True)
        params = self._descriptor_params()
        rng = check_random_state(self.random_state)
        n_images = len(images)
        per_image = max(1, -(-self.max_descriptors // n_images))
        seeds = rng.randint(np.iinfo(np.int32).max, size=n_images)
        chunks = self._map(self._sample_batch, images, seeds, per_image, params)
        descriptors = [d for chunk in chunks for d in chunk if len(d)]
        if not descriptors:
            raise ValueError(
                f"No descriptors were found in X with detector={self.detector!r}; "
                "the images are too flat. Try detector='dense'."
            )
        sample = np.concatenate(descriptors)
        if len(sample) > self.max_descriptors:
            keep = rng.choice(len(sample), self.max_descriptors, replace=False)
            sample = sample[np.sort(keep)]
        n_clusters = min(self.n_words, len(sample))
        kmeans = MiniBatchKMeans(
            n_clusters=n_clusters,
            n_init=3,
            batch_size=1024,
            random_state=rng.randint(np.iinfo(np.int32).max),
        )
        # On small samples OpenMP start-up and spinning cost far more than the
        # arithmetic (50x on a busy machine), so k-means runs on one thread there.
        threads = 1 if len(sample) < 50_000 else None
        with threadpool_limits(limits=threads):
            self.kmeans_ = kmeans.fit(sample)
            centres = self.kmeans_.cluster_centers_.astype(np.float32)
            self.codebook_ = centres[np.arange(self.n_words) % n_clusters]
            spread = sample[:: max(1, len(sample) // 10_000)]  # from every image
            nearest = np.sqrt(self._sq_distances(spread).min(axis=1))
        sigma = float(np.median(nearest))
        self.soft_sigma_ = sigma if sigma > 0 else 1.0
        self.level_weights_ = pyramid_level_weights(self.pyramid_levels)
        self.n_descriptors_fit_ = len(sample)
        n_cells = sum(4**level for level in range(self.pyramid_levels))
        width = self.n_words * (sample.shape[1] if self.encoding == "vlad" else 1)
        self.n_features_out_ = n_cells * width
        return self

    def _map(self, func, images, per_image_values, *args) -> list:
        """Run ``func(images[b], per_image_values[b], *args)`` over batches ``b``.

        Batches run through joblib, so ``joblib.parallel_backend`` (Dask, Ray, ...)
        takes effect; each worker receives only its own batch of images.
        """
        slices = list(gen_batches(len(images), self.batch_size))
        # A generator: lazily decoded path input holds one batch at a time.
        calls = ((images[s], per_image_values[s], *args) for s in slices)
        if effective_n_jobs(self.n_jobs) == 1 or len(slices) == 1:
            return [func(*call) for call in calls]
        return Parallel(n_jobs=self.n_jobs)(delayed(func)(*call) for call in calls)

    def _sq_distances(self, descriptors: np.ndarray) -> np.ndarray:
        codebook = self.codebook_
        d2 = (descriptors**2).sum(axis=1)[:, None] - 2 * descriptors @ codebook.T
        d2 += (codebook**2).sum(axis=1)[None, :]
        return np.maximum(d2, 0)

    # --------------------------------------------------------------- transform
    def _encode_batch(self, images, _unused, params: dict) -> np.ndarray:
        # One thread per batch: the per-image arithmetic is small, so BLAS/OpenMP
        # threads only add overhead; parallelism comes from n_jobs over batches.
        with threadpool_limits(limits=1):
            extracted = [_extract(image, self.detector, params) for image in images]
            # The distances of the whole batch in one matrix product.
            counts = [len(desc) for _, desc in extracted]
            d2 = np.split(
                self._sq_distances(np.concatenate([d for _, d in extracted])),
                np.cumsum(counts)[:-1],
            )
            return np.stack(
                [
                    self._encode(image, keypoints, desc, dist)
                    for image, (keypoints, desc), dist in zip(
                        images, extracted, d2, strict=True
                    )
                ]
            )

    def _encode(self, image, keypoints, descriptors, d2) -> np.ndarray:
        n_words = self.n_words
        vlad = self.encoding == "vlad"
        parts = []
        if len(descriptors) == 0:
            return np.zeros(self.n_features_out_)
        n = len(descriptors)
        if self.encoding == "soft":
            k = min(_SOFT_NEIGHBOURS, n_words)
            words = np.argpartition(d2, k - 1, axis=1)[:, :k]
            near = np.take_along_axis(d2, words, axis=1)
            near -= near.min(axis=1, keepdims=True)  # stable; cancels below
            weights = np.exp(-near / (2 * self.soft_sigma_**2))
            weights /= weights.sum(axis=1, keepdims=True)
        else:
            words = d2.argmin(axis=1)[:, None]
            weights = np.ones((n, 1))
        if vlad:
            residuals = descriptors - self.codebook_[words[:, 0]]
        for level, level_weight in enumerate(self.level_weights_):
            cells = _cells(keypoints, image.shape[:2], level)
            size = 4**level * n_words
            index = cells[:, None] * n_words + words
            if vlad:
                assign = sparse.csr_matrix(
                    (np.ones(n), (index[:, 0], np.arange(n))), shape=(size, n)
                )
                hist = np.asarray(assign @ residuals, dtype=np.float64).ravel()
            else:
                hist = np.bincount(index.ravel(), weights.ravel(), minlength=size)
            parts.append(level_weight * self._normalize_level(hist))
        return np.concatenate(parts)

    def _normalize_level(self, hist: np.ndarray) -> np.ndarray:
        if self.normalize == "l2":
            norm = np.linalg.norm(hist)
            return hist / norm if norm > 0 else hist
        l1 = np.abs(hist).sum()
        hist = hist / l1 if l1 > 0 else hist
        if self.normalize == "hellinger":
            hist = np.sign(hist) * np.sqrt(np.abs(hist))
        return hist

    def transform(self, X):
        """Encode each image as its (spatial-pyramid) visual-word histogram.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]), list of images, or (n_samples, H*W*C)
            Images of any size (see :mod:`skcv.base`).

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out_)
            One encoding per image (float64).
        """  # noqa: E501
        check_is_fitted(self, "codebook_")
        images = self._validate_images(X, reset=False)
        params = self._descriptor_params()
        dummy = np.zeros(len(images))
        rows = self._map(self._encode_batch, images, dummy, params)
        return np.concatenate(rows, axis=0)

    def get_feature_names_out(self, input_features=None):
        """Names ``bovw_l{level}_c{cell}_w{word}`` (``_d{dim}`` for VLAD).

        Parameters
        ----------
        input_features : None
            Ignored (the output does not map to input pixels).

        Returns
        -------
        names : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self, "codebook_")
        names = []
        dims = range(self.codebook_.shape[1]) if self.encoding == "vlad" else [None]
        for level in range(self.pyramid_levels):
            for cell in range(4**level):
                for word in range(self.n_words):
                    stem = f"bovw_l{level}_c{cell}_w{word}"
                    names.extend(stem if d is None else f"{stem}_d{d}" for d in dims)
        return np.asarray(names, dtype=object)
