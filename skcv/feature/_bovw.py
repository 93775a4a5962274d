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
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture
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
_ENCODINGS = ("fisher", "hard", "kernel_codebook", "llc", "soft", "vlad")
_LLC_BETA = 1e-4  # Wang et al.'s regularisation of the local covariance
_CHUNK = 2048  # descriptors per distance block: memory ~ _CHUNK * n_words floats


def llc_codes(descriptors, codebook, words, beta=_LLC_BETA) -> np.ndarray:
    """Locality-constrained linear codes over given nearest words (analytic LLC).

    Solves ``min_w ||x - w^T B||^2 + beta tr(C) ||w||^2`` s.t. ``sum(w) = 1`` for
    each descriptor ``x`` and its ``k`` nearest words ``B`` (Wang et al.'s
    approximated LLC): ``C = (B - x)(B - x)^T``, ``(C + beta tr(C) I) w = 1``,
    ``w <- w / sum(w)``.

    Parameters
    ----------
    descriptors : ndarray of shape (n, d)
    codebook : ndarray of shape (n_words, d)
    words : ndarray of shape (n, k)
        Indices of each descriptor's nearest words.
    beta : float
        Regularisation (relative to the trace of ``C``).

    Returns
    -------
    codes : ndarray of shape (n, k)
        The weights of the words in ``words``; each row sums to one.
    """
    z = codebook[words] - descriptors[:, None, :]  # (n, k, d)
    cov = np.einsum("nkd,njd->nkj", z, z, dtype=np.float64)
    trace = np.einsum("nkk->n", cov)
    k = words.shape[1]
    reg = np.where(trace > 0, beta * trace, 1.0)  # all words equal x: any w
    cov += reg[:, None, None] * np.eye(k)
    w = np.linalg.solve(cov, np.ones((len(words), k, 1)))[..., 0]
    return w / w.sum(axis=1, keepdims=True)


def fisher_statistics(x, gmm_means, gmm_variances, gmm_weights):
    """Posteriors ``gamma`` (n, K) of a diagonal GMM, stable (log-sum-exp)."""
    precision = 1.0 / gmm_variances
    log_p = -0.5 * (
        (x * x) @ precision.T
        - 2.0 * x @ (gmm_means * precision).T
        + (gmm_means**2 * precision).sum(axis=1)
    )
    log_p += np.log(gmm_weights) - 0.5 * np.log(gmm_variances).sum(axis=1)
    log_p -= log_p.max(axis=1, keepdims=True)
    gamma = np.exp(log_p)
    gamma /= gamma.sum(axis=1, keepdims=True)
    return gamma


def fisher_vector_from_sums(s0, s1, s2, count, means, variances, weights):
    """Raw Fisher vector ``[u_1..u_K, v_1..v_K]`` from the posterior moments.

    ``s0 = sum_t gamma_tk``, ``s1 = sum_t gamma_tk x_t``, ``s2 = sum_t gamma_tk
    x_t**2`` over the ``count`` descriptors of a region (shapes ``(..., K)``,
    ``(..., K, D)``, ``(..., K, D)``): the gradients with respect to the means
    and standard deviations of a diagonal GMM, normalised by the Fisher
    information (Perronnin et al. 2010).
    """
    sigma = np.sqrt(variances)
    count = np.maximum(np.asarray(count, dtype=np.float64), 1.0)[..., None, None]
    s0 = s0[..., None]
    u = (s1 - means * s0) / sigma / (count * np.sqrt(weights)[:, None])
    v = ((s2 - 2 * means * s1 + means**2 * s0) / variances - s0) / (
        count * np.sqrt(2 * weights)[:, None]
    )
    return np.concatenate([u, v], axis=-2)  # (..., 2K, D)


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
    encoding : {"hard", "kernel_codebook", "soft", "llc", "fisher", "vlad"}, \
            default="hard"
        ``"hard"``: count each descriptor for its nearest word.
        ``"kernel_codebook"`` (alias ``"soft"``): spread each descriptor over its
        ``n_neighbors`` nearest words with Gaussian weights ``exp(-d**2 / (2
        bandwidth**2))``, normalised per descriptor (van Gemert et al.).
        ``"llc"``: locality-constrained linear coding (Wang et al.): the
        analytic LLC code over the ``n_neighbors`` nearest words (sums to one),
        max-pooled in each cell, the whole vector L2-normalised. ``"fisher"``:
        improved Fisher vector (Perronnin et al. 2010): descriptors reduced to
        ``pca_components`` dimensions by PCA, a diagonal Gaussian mixture of
        ``n_words`` components (:class:`~sklearn.mixture.GaussianMixture`),
        gradients with respect to means and standard deviations (``2 * n_words
        * pca_components`` values per cell), power- and L2-normalised per cell.
        ``"vlad"``: per word, the sum of residuals ``x - c`` of the descriptors
        assigned to it (``n_words * 128`` values per cell; use
        ``pyramid_levels=1`` to keep it small).
    n_neighbors : int, default=5
        Nearest words per descriptor for ``"kernel_codebook"`` and ``"llc"``.
    bandwidth : float or None, default=None
        ``sigma`` of the kernel codebook. None: the median distance of the
        training descriptors to their nearest word (``soft_sigma_``). As it goes
        to 0 the kernel codebook becomes hard assignment.
    pca_components : int, default=64
        Dimensions the descriptors are reduced to by PCA before the Gaussian
        mixture (``"fisher"`` only; capped at the descriptor length).
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
        The visual words (k-means centres; for ``"fisher"`` the Gaussians'
        means in PCA space). When the training images yield fewer descriptors
        than ``n_words``, the learnt centres are repeated to fill it (the
        repeated words stay empty under hard assignment).
    kmeans_ : MiniBatchKMeans
        The fitted clustering (not for ``"fisher"``).
    pca_ : PCA
        The descriptor reduction (``"fisher"`` only).
    gmm_ : GaussianMixture
        The diagonal Gaussian mixture (``"fisher"`` only).
    soft_sigma_ : float
        Median distance of training descriptors to their nearest word: the
        kernel codebook's bandwidth when ``bandwidth`` is None (not for
        ``"fisher"``).
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
        length for VLAD, times ``2 * pca_components`` for Fisher vectors).

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

    ``"llc"`` pools by the maximum of the codes in each cell and L2-normalises
    the whole vector; ``"fisher"`` computes one Fisher vector per cell (finer
    cells' posterior moments summed into coarser ones), takes the signed
    square root of each value and L2-normalises each cell; for both,
    ``normalize`` and the level weights do not apply. Encoding holds at most
    ``2048 x n_words`` distances (or posteriors) at a time per image, so memory
    stays bounded for vocabularies of thousands of words.

    Feature names are ``bovw_l{level}_c{cell}_w{word}`` (cells in row-major
    order), with a suffix ``_d{dim}`` for VLAD, and
    ``bovw_l{level}_c{cell}_{mean|sigma}_w{word}_d{dim}`` for Fisher vectors.

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
    .. [5] J. Wang, J. Yang, K. Yu, F. Lv, T. Huang and Y. Gong,
       "Locality-constrained linear coding for image classification", CVPR
       2010. :doi:`10.1109/CVPR.2010.5540018`
    .. [6] F. Perronnin, J. Sanchez and T. Mensink, "Improving the Fisher kernel
       for large-scale image classification", ECCV 2010.
       :doi:`10.1007/978-3-642-15561-1_11`
    .. [7] K. Chatfield, V. Lempitsky, A. Vedaldi and A. Zisserman, "The devil
       is in the details: an evaluation of recent feature encoding methods",
       BMVC 2011. :doi:`10.5244/C.25.76`

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

    Improved Fisher vectors: ``2 * n_words * pca_components`` values per cell.

    >>> fisher = BagOfVisualWords(
    ...     n_words=4, encoding="fisher", pca_components=8, pyramid_levels=1,
    ...     random_state=0,
    ... )
    >>> fisher.fit_transform(images).shape
    (6, 64)
    """

    _allows_variable_size = True
    _lazy_path_fit = True  # fit samples descriptors batch by batch (_map)

    _parameter_constraints: dict = {
        "detector": [StrOptions(set(_DETECTORS))],
        "descriptor_params": [dict, None],
        "n_words": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_descriptors": [Interval(numbers.Integral, 1, None, closed="left")],
        "encoding": [StrOptions(set(_ENCODINGS))],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "bandwidth": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "pca_components": [Interval(numbers.Integral, 1, None, closed="left")],
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
        n_neighbors: int = 5,
        bandwidth: float | None = None,
        pca_components: int = 64,
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
        self.n_neighbors = n_neighbors
        self.bandwidth = bandwidth
        self.pca_components = pca_components
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
        seed = rng.randint(np.iinfo(np.int32).max)
        for stale in ("kmeans_", "soft_sigma_", "pca_", "gmm_"):  # a refit
            self.__dict__.pop(stale, None)
        # On small samples OpenMP start-up and spinning cost far more than the
        # arithmetic (50x on a busy machine), so k-means runs on one thread there.
        threads = 1 if len(sample) < 50_000 else None
        with threadpool_limits(limits=threads):
            if self.encoding == "fisher":
                self._fit_gmm(sample, seed, n_images)
            else:
                self._fit_kmeans(sample, seed)
        self.level_weights_ = pyramid_level_weights(self.pyramid_levels)
        self.n_descriptors_fit_ = len(sample)
        n_cells = sum(4**level for level in range(self.pyramid_levels))
        width = 1
        if self.encoding == "vlad":
            width = sample.shape[1]
        elif self.encoding == "fisher":
            width = 2 * self.pca_.n_components_
        self.n_features_out_ = n_cells * self.n_words * width
        return self

    def _fit_kmeans(self, sample, seed):
        n_clusters = min(self.n_words, len(sample))
        kmeans = MiniBatchKMeans(
            n_clusters=n_clusters, n_init=3, batch_size=1024, random_state=seed
        )
        self.kmeans_ = kmeans.fit(sample)
        centres = self.kmeans_.cluster_centers_.astype(np.float32)
        self.codebook_ = centres[np.arange(self.n_words) % n_clusters]
        spread = sample[:: max(1, len(sample) // 10_000)]  # from every image
        _, nearest = self._nearest_words(spread, 1)
        sigma = float(np.median(np.sqrt(nearest[:, 0])))
        self.soft_sigma_ = sigma if sigma > 0 else 1.0

    def _fit_gmm(self, sample, seed, n_images):
        if len(sample) < max(self.n_words, 2):
            raise ValueError(
                f"encoding='fisher' needs at least n_words={self.n_words} "
                "descriptors to fit the Gaussian mixture; X (n_samples="
                f"{n_images}) gave {len(sample)}. Lower n_words or give more (or "
                "larger) images."
            )
        n_components = min(self.pca_components, sample.shape[1], len(sample))
        # Descriptors without any variance (flat images) leave PCA's explained-
        # variance ratio at 0/0; its components are still an orthonormal basis.
        with np.errstate(invalid="ignore", divide="ignore"):
            self.pca_ = PCA(n_components=n_components, random_state=seed).fit(sample)
        # In float64: a Gaussian that takes the identical (all-zero) descriptors of
        # flat patches has a variance near 0, which GaussianMixture computes as
        # E[x^2] - 2 E[x] mu + mu^2; in float32 that cancellation left it below 0
        # despite reg_covar and the fit raised "ill-defined empirical covariance".
        reduced = self.pca_.transform(sample).astype(np.float64)
        self.gmm_ = GaussianMixture(
            n_components=self.n_words,
            covariance_type="diag",
            init_params="k-means++",
            reg_covar=1e-6,
            random_state=seed,
        ).fit(reduced)
        self.codebook_ = self.gmm_.means_.astype(np.float32)

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

    def _nearest_words(self, descriptors: np.ndarray, k: int):
        """Return indices and squared distances ``(n, k)`` of the nearest words.

        Sorted by distance; computed in blocks of ``_CHUNK`` descriptors, so
        memory stays at ``_CHUNK * n_words`` distances whatever the image size.
        """
        codebook = self.codebook_
        c2 = (codebook**2).sum(axis=1)
        k = min(k, len(codebook))
        words = np.empty((len(descriptors), k), dtype=np.intp)
        dist = np.empty((len(descriptors), k), dtype=np.float64)
        for start in range(0, len(descriptors), _CHUNK):
            x = descriptors[start : start + _CHUNK]
            d2 = (x**2).sum(axis=1)[:, None] - 2 * x @ codebook.T + c2[None, :]
            np.maximum(d2, 0, out=d2)
            if k == 1:
                idx = d2.argmin(axis=1)[:, None]
            else:
                idx = np.argpartition(d2, k - 1, axis=1)[:, :k]
                order = np.argsort(np.take_along_axis(d2, idx, axis=1), axis=1)
                idx = np.take_along_axis(idx, order, axis=1)
            words[start : start + len(x)] = idx
            dist[start : start + len(x)] = np.take_along_axis(d2, idx, axis=1)
        return words, dist

    def _encode_batch(self, images, _unused, params: dict) -> np.ndarray:
        # One thread per batch: the per-image arithmetic is small, so BLAS/OpenMP
        # threads only add overhead; parallelism comes from n_jobs over batches.
        with threadpool_limits(limits=1):
            rows = []
            for image in images:
                keypoints, descriptors = _extract(image, self.detector, params)
                rows.append(self._encode(image.shape[:2], keypoints, descriptors))
            return np.stack(rows)

    def _encode(self, shape, keypoints, descriptors) -> np.ndarray:
        dtype = np.float32 if self.encoding == "fisher" else np.float64
        if len(descriptors) == 0:
            return np.zeros(self.n_features_out_, dtype=dtype)
        if self.encoding == "fisher":
            return self._fisher(shape, keypoints, descriptors)
        n_words = self.n_words
        n = len(descriptors)
        if self.encoding in ("kernel_codebook", "soft", "llc"):
            words, d2 = self._nearest_words(descriptors, self.n_neighbors)
        else:
            words, d2 = self._nearest_words(descriptors, 1)
        if self.encoding in ("kernel_codebook", "soft"):
            sigma = self.soft_sigma_ if self.bandwidth is None else self.bandwidth
            near = d2 - d2[:, :1]  # sorted: the nearest is 0; cancels below
            weights = np.exp(-near / (2 * sigma**2))
            weights /= weights.sum(axis=1, keepdims=True)
        elif self.encoding == "llc":
            weights = llc_codes(descriptors, self.codebook_, words)
        else:
            weights = np.ones((n, 1))
        parts = []
        for level, level_weight in enumerate(self.level_weights_):
            cells = _cells(keypoints, shape, level)
            size = 4**level * n_words
            index = cells[:, None] * n_words + words
            if self.encoding == "vlad":
                residuals = descriptors - self.codebook_[words[:, 0]]
                assign = sparse.csr_matrix(
                    (np.ones(n), (index[:, 0], np.arange(n))), shape=(size, n)
                )
                hist = np.asarray(assign @ residuals, dtype=np.float64).ravel()
            elif self.encoding == "llc":
                hist = np.zeros(size)  # words a cell does not use pool to 0
                np.maximum.at(hist, index.ravel(), weights.ravel())
                parts.append(hist)
                continue
            else:
                hist = np.bincount(index.ravel(), weights.ravel(), minlength=size)
            parts.append(level_weight * self._normalize_level(hist))
        out = np.concatenate(parts)
        if self.encoding == "llc":
            norm = np.linalg.norm(out)
            out = out / norm if norm > 0 else out
        return out

    def _normalize_level(self, hist: np.ndarray) -> np.ndarray:
        if self.normalize == "l2":
            norm = np.linalg.norm(hist)
            return hist / norm if norm > 0 else hist
        l1 = np.abs(hist).sum()
        hist = hist / l1 if l1 > 0 else hist
        if self.normalize == "hellinger":
            hist = np.sign(hist) * np.sqrt(np.abs(hist))
        return hist

    def _fisher(self, shape, keypoints, descriptors) -> np.ndarray:
        """Improved Fisher vectors of every pyramid cell of one image."""
        gmm = self.gmm_
        means, variances, weights = gmm.means_, gmm.covariances_, gmm.weights_
        x = self.pca_.transform(descriptors).astype(np.float64, copy=False)
        top = self.pyramid_levels - 1
        side = 2**top
        fine = _cells(keypoints, shape, top)
        n_fine, n_words, dim = side * side, self.n_words, x.shape[1]
        s0 = np.zeros((n_fine, n_words))
        s1 = np.zeros((n_fine, n_words, dim))
        s2 = np.zeros((n_fine, n_words, dim))
        for start in range(0, len(x), _CHUNK):
            xc, cells = x[start : start + _CHUNK], fine[start : start + _CHUNK]
            gamma = fisher_statistics(xc, means, variances, weights)
            for cell in np.unique(cells):
                mask = cells == cell
                g, xm = gamma[mask], xc[mask]
                s0[cell] += g.sum(axis=0)
                s1[cell] += g.T @ xm
                s2[cell] += g.T @ (xm * xm)
        counts = np.bincount(fine, minlength=n_fine).astype(np.float64)
        parts = []
        for level in range(self.pyramid_levels):
            n, m = 2**level, 2 ** (top - level)  # cells per side, fine per cell

            def pool(a, n=n, m=m):
                a = a.reshape(n, m, n, m, *a.shape[1:]).sum(axis=(1, 3))
                return a.reshape(n * n, *a.shape[2:])

            fv = fisher_vector_from_sums(
                pool(s0), pool(s1), pool(s2), pool(counts), means, variances, weights
            ).reshape(n * n, -1)
            fv = np.sign(fv) * np.sqrt(np.abs(fv))  # power normalisation
            norm = np.linalg.norm(fv, axis=1, keepdims=True)
            parts.append(fv / np.where(norm > 0, norm, 1.0))
        return np.concatenate([p.ravel() for p in parts]).astype(np.float32)

    def transform(self, X):
        """Encode each image as its (spatial-pyramid) visual-word histogram.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]), list of images, or (n_samples, H*W*C)
            Images of any size (see :mod:`skcv.base`).

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out_)
            One encoding per image (float64; float32 for Fisher vectors).
        """  # noqa: E501
        check_is_fitted(self, "codebook_")
        images = self._validate_images(X, reset=False)
        params = self._descriptor_params()
        dummy = np.zeros(len(images))
        rows = self._map(self._encode_batch, images, dummy, params)
        return np.concatenate(rows, axis=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Fisher vectors are long: they are float32 whatever the input dtype.
        if self.encoding == "fisher":
            tags.transformer_tags.preserves_dtype = []
        return tags

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
        for level in range(self.pyramid_levels):
            for cell in range(4**level):
                stem = f"bovw_l{level}_c{cell}"
                if self.encoding == "fisher":
                    names.extend(
                        f"{stem}_{part}_w{word}_d{d}"
                        for part in ("mean", "sigma")
                        for word in range(self.n_words)
                        for d in range(self.pca_.n_components_)
                    )
                elif self.encoding == "vlad":
                    names.extend(
                        f"{stem}_w{word}_d{d}"
                        for word in range(self.n_words)
                        for d in range(self.codebook_.shape[1])
                    )
                else:
                    names.extend(f"{stem}_w{word}" for word in range(self.n_words))
        return np.asarray(names, dtype=object)
