"""Code shared by the patch-classifier detectors (private).

:class:`~skcv.detection.SlidingWindowDetector` and
:class:`~skcv.detection.RegionProposalDetector` are both a classifier on object
and background patches plus a ``detect`` that scores candidate boxes of an image.
What they have in common lives here, once: the default estimator, the checks of
``fit`` (estimator, ``y``, ``positive_class``), the delegating ``predict`` /
``predict_proba`` / ``decision_function``, the positive-class score, the
colour/grey preparation of the image given to ``detect``, the score threshold
followed by non-maximum suppression, and ``detect_batch``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import assert_all_finite, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import has_fit_parameter

from skcv.detection._boxes import non_max_suppression
from skcv.utils._sklearn import check_is_fitted
from skcv.utils._validation import check_image, convert_channels


def _default_estimator():
    """Standardise the pixels, then a linear SVM (primal solver: deterministic).

    ``dual=False`` is what ``dual="auto"`` picks when there are more patches than
    pixels; with fewer, the dual solver's random coordinate descent made a weighted
    fit differ from the fit on repeated patches.
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    return make_pipeline(StandardScaler(), LinearSVC(dual=False))


def _estimator_has(name):
    """Whether the fitted (else the given, else the default) estimator has ``name``.

    For :func:`sklearn.utils.metaestimators.available_if`.
    """

    def check(self):
        est = getattr(self, "estimator_", None)
        if est is None:
            est = self.estimator if self.estimator is not None else _default_estimator()
        return hasattr(est, name)

    return check


def _n_channels(images) -> int:
    """Channels of the first patch of a batch or list; 0 for grey ``(h, w)``."""
    first = images[0]
    return int(first.shape[2]) if first.ndim == 3 else 0


class _PatchDetectorMixin:
    """Shared behaviour of the patch-classifier detectors.

    A subclass defines ``_patch_features(X)`` (check fitted, validate the
    patches, return the rows given to ``estimator_``) and ``detect(image)``; its
    ``fit`` calls :meth:`_check_fit_inputs` before validating the patches and
    :meth:`_fit_estimator` on the features.
    """

    # -- fit ---------------------------------------------------------------------

    def _check_fit_inputs(self, y):
        """Validate ``y`` is given and ``estimator``; return the estimator to clone."""
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        estimator = self.estimator
        if estimator is None:
            estimator = _default_estimator()
        if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
            raise TypeError(
                "estimator must be a scikit-learn classifier with fit and predict; "
                f"got {estimator!r}."
            )
        return estimator

    @staticmethod
    def _check_y(y, n_samples: int) -> np.ndarray:
        """Class labels of shape ``(n_samples,)``, finite and categorical."""
        y = column_or_1d(y, warn=True)
        assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        if len(y) != n_samples:
            raise ValueError(
                f"X and y must have the same number of samples; got {n_samples} "
                f"and {len(y)}."
            )
        return y

    def _fit_estimator(self, estimator, features, y, sample_weight=None):
        """Fit a clone of ``estimator``; set ``classes_``; check ``positive_class``.

        ``sample_weight`` goes to the estimator's ``fit``; for a Pipeline (the
        default estimator is one) to every step whose ``fit`` takes it, as
        ``<step>__sample_weight``, so that scaling and classifier both see it.
        """
        self.estimator_ = clone(estimator)
        if sample_weight is None:
            self.estimator_.fit(features, y)
            return self._fitted()
        routed = {"sample_weight": sample_weight}
        if isinstance(self.estimator_, Pipeline):
            steps = [
                (name, step)
                for name, step in self.estimator_.steps
                if step not in (None, "passthrough")
            ]
            if not has_fit_parameter(steps[-1][1], "sample_weight"):
                raise ValueError(
                    "sample_weight was given, but the last step of estimator "
                    f"({steps[-1][1]!r}) does not accept sample_weight in fit."
                )
            routed = {
                f"{name}__sample_weight": sample_weight
                for name, step in steps
                if has_fit_parameter(step, "sample_weight")
            }
        self.estimator_.fit(features, y, **routed)
        return self._fitted()

    def _fitted(self):
        self.classes_ = self.estimator_.classes_
        self._positive_index()  # an invalid positive_class fails in fit
        return self

    # -- classifier on patches ---------------------------------------------------

    def predict(self, X):
        """Predict the class of each patch with ``estimator_``.

        Parameters
        ----------
        X : array-like of shape (n, h, w[, C]), list of images or (n, h*w*C) rows
            Patches like those given to ``fit`` (rows need ``image_shape``).

        Returns
        -------
        y : ndarray of shape (n,)
            Predicted labels.
        """
        features = self._patch_features(X)  # NotFittedError first
        return self.estimator_.predict(features)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of each patch (delegates to ``estimator_``).

        Parameters
        ----------
        X : array-like of shape (n, h, w[, C]), list of images or (n, h*w*C) rows
            Patches like those given to ``fit`` (rows need ``image_shape``).

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        features = self._patch_features(X)
        return self.estimator_.predict_proba(features)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of each patch (delegates to ``estimator_``).

        Parameters
        ----------
        X : array-like of shape (n, h, w[, C]), list of images or (n, h*w*C) rows
            Patches like those given to ``fit`` (rows need ``image_shape``).

        Returns
        -------
        scores : ndarray of shape (n,) or (n, n_classes)
            The estimator's decision values.
        """
        features = self._patch_features(X)
        return self.estimator_.decision_function(features)

    # -- detection ---------------------------------------------------------------

    def _positive_index(self) -> int:
        """Column of ``positive_class`` in ``classes_`` (the last one for None)."""
        classes = list(self.classes_)
        if self.positive_class is None:
            return len(classes) - 1
        if self.positive_class not in classes:
            raise ValueError(
                f"positive_class must be one of classes_ "
                f"{np.asarray(self.classes_).tolist()}; got {self.positive_class!r}."
            )
        return classes.index(self.positive_class)

    def _positive_scores(self, features: np.ndarray) -> np.ndarray:
        """Score of ``positive_class`` for each row: decision_function, else proba."""
        pos = self._positive_index()
        est = self.estimator_
        if hasattr(est, "decision_function"):
            scores = np.asarray(est.decision_function(features))
            if scores.ndim == 1:  # binary: the score of classes_[1]
                return scores if pos == 1 else -scores
            return scores[:, pos]
        if hasattr(est, "predict_proba"):
            return np.asarray(est.predict_proba(features))[:, pos]
        raise TypeError(
            "estimator must have decision_function or predict_proba to score "
            f"boxes in detect; got {type(est).__name__}."
        )

    def _prepare_image(self, image, name: str = "image") -> np.ndarray:
        """Validate one image and match the channels of the training patches.

        The channel rule of :func:`skcv.utils.convert_channels`: a colour image
        becomes grey (BT.709 luma) for a grey model, a grey one is repeated over
        the channels of a colour model, alpha is dropped. Any other channel
        mismatch raises.
        """
        image = check_image(image, name=name)
        fitted = self.n_channels_
        if fitted == 0:
            return convert_channels(image, "grey")
        if fitted <= 4:
            image = convert_channels(image, fitted)
        if image.shape[2] != fitted:
            raise ValueError(
                f"{name} has {image.shape[2]} channels, but the detector was "
                f"fitted on patches with {fitted}."
            )
        return image

    def _threshold_and_suppress(self, boxes, scores):
        """Keep scores >= ``score_threshold``, then NMS (or sort when nms_iou=None).

        Returns the boxes and scores by decreasing score.
        """
        keep = scores >= self.score_threshold
        boxes = np.asarray(boxes, dtype=np.float64)[keep].reshape(-1, 4)
        scores = np.asarray(scores, dtype=np.float64)[keep]
        if self.nms_iou is None:
            order = np.argsort(-scores, kind="stable")
        else:
            order = non_max_suppression(boxes, scores, self.nms_iou)
        return boxes[order], scores[order]

    def detect_batch(self, images):
        """Run :meth:`detect` on several images, in parallel with ``n_jobs``.

        Parameters
        ----------
        images : array-like of shape (n, H, W[, C]) or list of images
            The images (they may differ in size).

        Returns
        -------
        boxes : list of ndarray of shape (k_i, 4)
            Detections of each image.
        scores : list of ndarray of shape (k_i,)
            Their scores.
        """
        from joblib import Parallel, delayed

        check_is_fitted(self)
        if isinstance(images, np.ndarray) and images.ndim < 3:
            raise ValueError(
                "images must be a batch (n, H, W[, C]) or a list of images; got an "
                f"array of shape {images.shape}."
            )
        results = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(self.detect)(image) for image in images
        )
        return [b for b, _ in results], [s for _, s in results]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
