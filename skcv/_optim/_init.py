"""Weight initialisers: zeros, normal(std), Xavier (Glorot) and He."""

from __future__ import annotations

import numpy as np

__all__ = ["INITIALISERS", "initialise"]

INITIALISERS = ("he", "normal", "xavier", "zeros")


def initialise(
    shape: tuple[int, int],
    method: str | float = "xavier",
    *,
    random_state: np.random.Generator | None = None,
    dtype=np.float64,
) -> np.ndarray:
    """Return a weight matrix of ``shape = (fan_in, fan_out)``.

    ``"xavier"``: ``N(0, 1 / fan_in)`` (Glorot & Bengio, keeps the variance of tanh
    activations across layers); ``"he"``: ``N(0, 2 / fan_in)`` (He et al., for the
    ReLU family); a float: ``N(0, method**2)``; ``"normal"``: ``N(0, 0.01**2)``,
    the course's first attempt; ``"zeros"``.
    """
    rng = random_state if random_state is not None else np.random.default_rng()
    fan_in = shape[0]
    if isinstance(method, (int, float)) and not isinstance(method, bool):
        std = float(method)
    elif method == "zeros":
        return np.zeros(shape, dtype=dtype)
    elif method == "normal":
        std = 0.01
    elif method == "xavier":
        std = np.sqrt(1.0 / fan_in)
    elif method == "he":
        std = np.sqrt(2.0 / fan_in)
    else:
        raise ValueError(
            f"weight_init must be one of {list(INITIALISERS)} or a float std; "
            f"got {method!r}."
        )
    return (rng.standard_normal(shape) * std).astype(dtype, copy=False)
