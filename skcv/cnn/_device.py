"""Where a fitted torch estimator predicts: ``set_params(device=...)`` moves it."""

from __future__ import annotations

import torch

__all__ = ["follow_device"]


def _canonical(device: torch.device) -> torch.device:
    if device.type == "cuda" and device.index is None:
        return torch.device("cuda", torch.cuda.current_device())
    return device


def follow_device(estimator, net) -> torch.device:
    """Return the device ``net`` runs on, first moving a fitted network if asked.

    When ``net`` is the estimator's fitted ``module_`` and its ``device``
    parameter names a device explicitly (not ``"auto"``) other than the one the
    network is on, e.g. after ``set_params(device="cpu")`` on a model trained on
    a GPU, the network moves there and ``device_`` follows; the optimiser state
    (on the old device) is dropped. ``"auto"`` leaves the network where it is.
    """
    current = next(iter(net.parameters())).device
    if net is not getattr(estimator, "module_", None) or estimator.device == "auto":
        return current
    wanted = _canonical(torch.device(estimator._resolve_device()))
    if wanted == _canonical(current):
        return current
    estimator.module_ = net.to(wanted)
    estimator.device_ = str(wanted)
    estimator.optimizer_ = None
    return wanted
