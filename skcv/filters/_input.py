"""Input shim for the filters area's transformers (until skcv.base handles it)."""

import numpy as np


def as_image_input(X):
    """Prepare ``X`` for :meth:`skcv.base.ImageInputMixin._validate_images`.

    Array-likes without ``ndim`` (objects with only ``__array__``) become arrays
    before :mod:`skcv.base` inspects them with :func:`numpy.ndim` (which such
    objects may refuse), and a 1-D sample gets scikit-learn's "Reshape your
    data" message.

    Examples
    --------
    >>> from skcv.filters._input import as_image_input
    >>> as_image_input([[0.0, 1.0]])
    [[0.0, 1.0]]
    >>> as_image_input(range(3))
    Traceback (most recent call last):
    ...
    ValueError: X must be 2-D or more (images or flattened rows); got a 1-D ...
    """
    if not isinstance(X, (list, tuple)) and not hasattr(X, "ndim"):
        X = np.asarray(X)
    if getattr(X, "ndim", None) == 1:
        raise ValueError(
            "X must be 2-D or more (images or flattened rows); got a 1-D array. "
            "Reshape your data either using array.reshape(-1, 1) if your data "
            "has a single feature or array.reshape(1, -1) if it contains a "
            "single sample."
        )
    return X
