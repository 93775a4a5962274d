"""Output size of a convolution or pooling layer (pure Python, no torch)."""

from __future__ import annotations

from numbers import Integral

__all__ = ["conv_output_size"]


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def conv_output_size(W: int, F: int, P: int = 0, S: int = 1) -> int:
    """Spatial output size of a convolution: ``(W - F + 2P) / S + 1``.

    Parameters
    ----------
    W : int
        Input width (or height), in pixels.
    F : int
        Filter (receptive field) size.
    P : int, default=0
        Zero padding on each side.
    S : int, default=1
        Stride.

    Returns
    -------
    size : int
        Output width (or height).

    Raises
    ------
    ValueError
        When ``(W - F + 2P)`` is not a multiple of ``S`` (the filters would not
        tile the padded input: the course calls such hyperparameters invalid),
        or when the output would be empty (the filter is larger than the padded
        input).

    Notes
    -----
    A filter of size ``F`` slid with stride ``S`` over an input of size ``W``
    padded with ``P`` zeros on each side fits at ``(W - F + 2P) / S + 1``
    positions. With ``S = 1`` and ``P = (F - 1) / 2`` the size is preserved,
    which is why stacks of 3x3 convolutions pad by 1. The same formula gives
    the output of a pooling layer (``F = S = 2``, ``P = 0`` halves the size).
    ``torch`` rounds down instead of raising (or up with ``ceil_mode``).

    Examples
    --------
    >>> from skcv.utils import conv_output_size
    >>> conv_output_size(227, 11, 0, 4)  # AlexNet's first layer: 55x55x96
    55
    >>> conv_output_size(32, 5, 2, 1)  # "same" padding keeps 32
    32
    """
    W = _check_int(W, "W", 1)
    F = _check_int(F, "F", 1)
    P = _check_int(P, "P", 0)
    S = _check_int(S, "S", 1)
    span = W - F + 2 * P
    if span < 0:
        raise ValueError(
            f"The filter (F={F}) is larger than the padded input (W + 2P = "
            f"{W + 2 * P}): the output would be empty."
        )
    if span % S:
        raise ValueError(
            f"(W - F + 2P) / S + 1 = ({W} - {F} + 2*{P}) / {S} + 1 = "
            f"{span / S + 1:g} is not an integer: stride S={S} does not tile the "
            "padded input; change P or S."
        )
    return span // S + 1
