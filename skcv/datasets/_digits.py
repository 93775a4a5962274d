"""scikit-learn's digits as images."""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from skcv.utils._sklearn import validate_params

__all__ = ["load_digits_images"]


@validate_params({"return_X_y": ["boolean"]}, prefer_skip_nested_validation=True)
def load_digits_images(return_X_y=False):
    """Load scikit-learn's handwritten digits as 8 x 8 images in [0, 1].

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (float64 ndarray of shape (1797, 8, 8), the 0..16 grey
        levels divided by 16), ``target`` (labels 0..9), ``target_names`` and
        ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True

    See Also
    --------
    sklearn.datasets.load_digits : The same data as flattened rows of 0..16.

    Examples
    --------
    >>> from skcv.datasets import load_digits_images
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X.shape, float(X.min()), float(X.max())
    ((1797, 8, 8), 0.0, 1.0)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    data = digits.images / 16.0
    target = np.asarray(digits.target)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.asarray(digits.target_names),
        DESCR=digits.DESCR,
    )
