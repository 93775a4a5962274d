"""Helpers shared by the preprocessing transformers (private)."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_array


def pixel_feature_names(estimator, input_features=None) -> np.ndarray:
    """Names of a one-to-one image transformer's outputs.

    The names are the input feature names when the estimator was fitted on a
    DataFrame (``feature_names_in_``), otherwise one name per value of the
    flattened image: ``pixel_<row>_<col>`` for grey images and
    ``pixel_<row>_<col>_<channel>`` for colour images, in the row-major order of
    ``image.ravel()``.
    """
    names_in = getattr(estimator, "feature_names_in_", None)
    if input_features is not None:
        input_features = np.asarray(input_features, dtype=object)
        if names_in is not None and not np.array_equal(input_features, names_in):
            raise ValueError("input_features is not equal to feature_names_in_")
        if len(input_features) != estimator.n_features_in_:
            raise ValueError(
                f"input_features should have length equal to number of features "
                f"({estimator.n_features_in_}), got {len(input_features)}"
            )
        return input_features
    if names_in is not None:
        return np.asarray(names_in, dtype=object)
    shape = estimator.image_shape_
    idx = np.indices(shape).reshape(len(shape), -1).T
    return np.asarray(
        ["pixel_" + "_".join(str(int(i)) for i in row) for row in idx], dtype=object
    )


def check_inverse_input(X, n_features: int, name: str) -> np.ndarray:
    """Validate the input of ``inverse_transform``: rows of ``n_features`` values.

    Image-shaped input ``(n, H, W[, C])`` is flattened to rows first.
    """
    X = np.asarray(X) if not hasattr(X, "iloc") else X
    if getattr(X, "ndim", 2) > 2:
        X = np.reshape(X, (X.shape[0], -1))
    X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but {name}.inverse_transform expects "
            f"{n_features} features (the output of transform)."
        )
    return X


def coerce_input(X):
    """Prepare ``X`` for ``ImageInputMixin._validate_images``.

    Works around two gaps of :mod:`skcv.base` (reported to the lead): array-likes
    that only define ``__array__``/``__array_function__`` (``np.ndim`` on them
    fails) are converted with ``np.asarray``, and 1-D input raises scikit-learn's
    usual "Reshape your data" error instead of an ndim error.
    """
    if not isinstance(X, (list, tuple, np.ndarray)) and not hasattr(X, "iloc"):
        if hasattr(X, "__array__"):
            X = np.asarray(X)
    if not isinstance(X, (list, tuple)) or not X or np.ndim(X[0]) < 2:
        if np.ndim(X) == 1:
            raise ValueError(
                "Expected a 2D array (rows) or a batch of images, got a 1D array "
                "instead. Reshape your data either using array.reshape(-1, 1) if "
                "your data has a single feature or array.reshape(1, -1) if it "
                "contains a single sample."
            )
    return X


class PreservesFloatDtypeMixin:
    """Tag: float32 input gives float32 output (and float64 gives float64)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
