"""Sliding-window detection: any classifier on window pixels, an image pyramid, NMS."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from skcv.base import ImageInputMixin
from skcv.detection._detector_base import _n_channels, _PatchDetectorMixin
from skcv.utils._sklearn import (
    Interval,
    _fit_context,
    check_is_fitted,
)

__all__ = ["SlidingWindowDetector"]


def _rescale(image: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return image
    from skimage.transform import rescale

    channel_axis = -1 if image.ndim == 3 else None
    return rescale(
        image,
        scale,
        order=1,
        anti_aliasing=scale < 1,
        channel_axis=channel_axis,
        preserve_range=True,
    ).astype(image.dtype, copy=False)


def window_grid(image: np.ndarray, window: tuple[int, int], step: int):
    """All ``window``-sized views of ``image`` on a grid of ``step`` pixels.

    Returns a read-only view of shape ``(n_rows, n_cols, h, w[, C])`` (no copy) and
    the top-left row and column of every grid position.
    """
    h, w = window
    views = np.lib.stride_tricks.sliding_window_view(image, (h, w), axis=(0, 1))
    views = views[::step, ::step]
    if image.ndim == 3:  # (nr, nc, C, h, w) -> (nr, nc, h, w, C)
        views = np.moveaxis(views, 2, -1)
    rows = np.arange(views.shape[0]) * step
    cols = np.arange(views.shape[1]) * step
    return views, rows, cols


class SlidingWindowDetector(
    _PatchDetectorMixin, ImageInputMixin, ClassifierMixin, BaseEstimator
):
    """Detect objects by classifying every window of an image pyramid.

    The detector is a classifier on fixed-size patches (``fit``, ``predict``,
    ``decision_function`` act on patches and delegate to a clone of
    ``estimator``) plus :meth:`detect`, which slides the window over an image at
    several scales, scores every window in batches and keeps the best boxes with
    non-maximum suppression.

    Parameters
    ----------
    estimator : estimator object, default=None
        Any scikit-learn classifier or Pipeline. It receives windows as
        flattened rows ``(n_windows, h * w [* C])`` of float pixels (an skcv image
        transformer first in a Pipeline reads them back as images through its own
        ``image_shape``). None uses ``make_pipeline(StandardScaler(),
        LinearSVC(dual=False))`` (the deterministic primal solver, which
        scikit-learn's ``dual="auto"`` picks anyway when there are more patches
        than pixels).
    window_size : tuple of int (h, w), default=None
        Size of the window; None takes the size of the training patches. Patches
        of another size raise.
    step : int, default=4
        Stride of the window in pixels at every pyramid level.
    scales : sequence of float, default=(1.0,)
        Image pyramid: the image is resized by each factor before sliding the
        window, so a factor ``s`` finds objects of about ``window_size / s``
        pixels. Factors above 1 find objects smaller than the window.
    score_threshold : float, default=0.0
        Windows scoring below this are dropped before NMS. The score of a window
        is the estimator's ``decision_function`` for ``positive_class`` when it
        has one (for a binary classifier the raw value, negated when
        ``positive_class`` is ``classes_[0]``), else its ``predict_proba``
        column of ``positive_class``. With a decision function the default 0.0
        is the classifier's own boundary (windows it would label as the object);
        with probabilities, which are never negative, 0.0 keeps **every**
        window, so set e.g. 0.5 for an estimator that only has
        ``predict_proba``.
    nms_iou : float, default=0.3
        IoU threshold of :func:`~skcv.detection.non_max_suppression`; None skips
        NMS and returns every window above the threshold.
    positive_class : int, str or None, default=None
        Class that is the object; None takes the last of ``classes_`` (1 for
        labels ``{0, 1}``). With more than two classes the score is that class's
        column.
    batch_size : int, default=4096
        Windows scored at once (bounds the memory of the copied pixels).
    n_jobs : int, default=None
        Jobs (joblib) over the images of :meth:`detect_batch`.
    image_shape : tuple of int, default=None
        Shape ``(h, w[, C])`` of a training patch when ``X`` is given as flattened
        rows (see :mod:`skcv.base`).

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    window_size_ : tuple of int
        ``(h, w)`` of the window.
    image_shape_ : tuple of int
        Shape of one training patch.
    n_channels_ : int
        Channels of the training patches, 0 for grey ``(h, w)`` patches.
    n_features_in_ : int
        Pixels (times channels) per patch.

    See Also
    --------
    non_max_suppression : The final step of :meth:`detect`.
    skcv.metrics.average_precision : Scores detections against ground truth.

    Notes
    -----
    The course's sliding-window detector (Dalal and Triggs; Viola and Jones):

    1. train a binary classifier on object-sized patches: positives are
       centred objects, negatives are background;
    2. build an image pyramid (the image at several scales), so that one window
       size covers objects of several sizes;
    3. at every level slide the window with a fixed stride and score every
       window with the classifier (here the windows are strided views made by
       :func:`numpy.lib.stride_tricks.sliding_window_view`, copied and scored in
       batches, never visited pixel by pixel in Python);
    4. map every window back to image coordinates (divide by the scale) and keep
       those scoring above a threshold;
    5. non-maximum suppression removes the many overlapping windows that fire on
       one object.

    References
    ----------
    .. [1] N. Dalal and B. Triggs, "Histograms of Oriented Gradients for Human
       Detection", CVPR 2005. :doi:`10.1109/CVPR.2005.177`
    .. [2] P. Viola and M. Jones, "Robust Real-Time Face Detection", IJCV 57(2),
       2004. :doi:`10.1023/B:VISI.0000013087.49260.fb`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skcv.detection import SlidingWindowDetector
    >>> rng = np.random.default_rng(0)
    >>> squares = np.zeros((20, 8, 8)); squares[:, 2:6, 2:6] = 1
    >>> patches = np.concatenate([squares, rng.random((20, 8, 8)) * 0.5])
    >>> labels = np.r_[np.ones(20), np.zeros(20)]
    >>> det = SlidingWindowDetector(LogisticRegression(), step=2).fit(patches, labels)
    >>> image = np.zeros((32, 32)); image[12:16, 20:24] = 1
    >>> boxes, scores = det.detect(image)
    >>> boxes[0]
    array([18., 10., 26., 18.])
    """

    _parameter_constraints: dict = {
        "estimator": "no_validation",
        "window_size": [None, tuple, list],
        "step": [Interval(Integral, 1, None, closed="left")],
        "scales": ["array-like"],
        "score_threshold": [Real],
        "nms_iou": [Interval(Real, 0, 1, closed="both"), None],
        "positive_class": [None, Integral, str],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "image_shape": [None, tuple, list],
    }

    def __init__(
        self,
        estimator=None,
        *,
        window_size=None,
        step=4,
        scales=(1.0,),
        score_threshold=0.0,
        nms_iou=0.3,
        positive_class=None,
        batch_size=4096,
        n_jobs=None,
        image_shape=None,
    ):
        self.estimator = estimator
        self.window_size = window_size
        self.step = step
        self.scales = scales
        self.score_threshold = score_threshold
        self.nms_iou = nms_iou
        self.positive_class = positive_class
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.image_shape = image_shape

    # -- classifier on patches ------------------------------------------------

    def _check_scales(self):
        scales = np.asarray(self.scales, dtype=np.float64).reshape(-1)
        if scales.size == 0 or not np.all(np.isfinite(scales)) or (scales <= 0).any():
            raise ValueError(
                "scales must be a non-empty sequence of positive floats; got "
                f"{self.scales!r}."
            )
        return scales

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit a clone of ``estimator`` on window-sized patches.

        Parameters
        ----------
        X : array-like of shape (n, h, w[, C]) or (n, h * w [* C])
            Training patches (images or flattened rows with ``image_shape``).
        y : array-like of shape (n,)
            Patch labels, e.g. 1 for the object and 0 for background.

        Returns
        -------
        self : SlidingWindowDetector
            The fitted detector.
        """
        self._check_scales()
        estimator = self._check_fit_inputs(y)
        images = self._validate_images(X, reset=True)
        y = self._check_y(y, len(images))
        patch = tuple(int(s) for s in images.shape[1:3])
        if self.window_size is not None:
            window = tuple(self.window_size)
            if (
                len(window) != 2
                or not all(isinstance(s, Integral) and s > 0 for s in window)
                or window != patch
            ):
                raise ValueError(
                    "window_size must be None or the (h, w) of the training "
                    f"patches {patch}; got window_size={self.window_size!r}."
                )
        self.window_size_ = patch
        self.n_channels_ = _n_channels(images)
        return self._fit_estimator(estimator, images.reshape(len(images), -1), y)

    def _patch_features(self, X):
        check_is_fitted(self)
        images = self._validate_images(X, reset=False)
        return images.reshape(len(images), -1)

    # -- detection -------------------------------------------------------------

    def detect(self, image):
        """Find the objects in one image.

        Parameters
        ----------
        image : array-like of shape (H, W) or (H, W, C)
            The image; colour is converted to grey when the detector was trained on
            grey patches.

        Returns
        -------
        boxes : ndarray of shape (k, 4)
            Detected boxes ``(x_min, y_min, x_max, y_max)`` in pixels of ``image``
            (maxima exclusive), by decreasing score.
        scores : ndarray of shape (k,)
            Score of each box.
        """
        check_is_fitted(self)
        image = self._prepare_image(image)
        scales = self._check_scales()
        h, w = self.window_size_
        all_boxes, all_scores = [], []
        for scale in scales:
            level = _rescale(image, float(scale))
            if level.shape[0] < h or level.shape[1] < w:
                continue
            sy = level.shape[0] / image.shape[0]
            sx = level.shape[1] / image.shape[1]
            views, rows, cols = window_grid(level, (h, w), self.step)
            n_cols = len(cols)
            chunk = max(1, self.batch_size // n_cols)  # grid rows per batch
            for start in range(0, len(rows), chunk):
                batch = views[start : start + chunk]
                flat = batch.reshape(batch.shape[0] * n_cols, -1)  # one copy
                scores = self._positive_scores(flat)
                hit = np.flatnonzero(scores >= self.score_threshold)
                if not len(hit):
                    continue
                r = rows[start + hit // n_cols].astype(np.float64)
                c = cols[hit % n_cols].astype(np.float64)
                all_boxes.append(np.c_[c / sx, r / sy, (c + w) / sx, (r + h) / sy])
                all_scores.append(scores[hit].astype(np.float64))
        if not all_boxes:
            return np.empty((0, 4)), np.empty(0)
        return self._threshold_and_suppress(
            np.concatenate(all_boxes), np.concatenate(all_scores)
        )
