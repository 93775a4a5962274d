"""Learning-rate schedules, applied once per epoch.

``schedule.epoch_end(optimizer, epoch, plateau)`` sets ``optimizer.learning_rate``
for the next epoch; ``plateau`` says whether the monitored quantity has stopped
improving for ``n_iter_no_change`` epochs. It returns False when training should
stop because of the plateau (every schedule but ``"plateau"`` stops there;
``"plateau"`` first divides the rate by 5 and stops only below 1e-6).
"""

from __future__ import annotations

__all__ = ["SCHEDULES", "Schedule", "make_schedule"]

SCHEDULES = ("adaptive", "constant", "exponential", "invscaling", "plateau", "step")


class Schedule:
    """A learning-rate schedule.

    Parameters
    ----------
    kind : str
        ``"constant"``; ``"step"``: divide by 10 every ``step_size`` epochs;
        ``"exponential"``: multiply by ``decay`` after each epoch (annealing);
        ``"invscaling"``: ``lr0 / (epoch + 1) ** power_t``; ``"plateau"`` (alias
        ``"adaptive"``, scikit-learn's name): divide by 5 on a plateau.
    learning_rate_init : float
        Initial rate ``lr0``.
    """

    def __init__(
        self,
        kind: str,
        learning_rate_init: float,
        *,
        step_size: int = 10,
        decay: float = 0.95,
        power_t: float = 0.5,
        min_learning_rate: float = 1e-6,
    ):
        if kind not in SCHEDULES:
            raise ValueError(
                f"learning_rate must be one of {list(SCHEDULES)}; got {kind!r}."
            )
        self.kind = "plateau" if kind == "adaptive" else kind
        self.lr0 = float(learning_rate_init)
        self.step_size = max(1, int(step_size))
        self.decay = decay
        self.power_t = power_t
        self.min_learning_rate = min_learning_rate

    def epoch_end(self, optimizer, epoch: int, plateau: bool) -> bool:
        """Set the rate for epoch ``epoch + 1``; return False to stop training."""
        if self.kind == "step":
            optimizer.learning_rate = self.lr0 * 0.1 ** (epoch // self.step_size)
        elif self.kind == "exponential":
            optimizer.learning_rate = self.lr0 * self.decay**epoch
        elif self.kind == "invscaling":
            optimizer.learning_rate = self.lr0 / (epoch + 1) ** self.power_t
        if not plateau:
            return True
        if (
            self.kind == "plateau"
            and optimizer.learning_rate / 5 >= self.min_learning_rate
        ):
            optimizer.learning_rate /= 5
            return True
        return False


def make_schedule(kind: str, learning_rate_init: float, **params) -> Schedule:
    """Create the schedule ``kind`` (see :class:`Schedule`)."""
    return Schedule(kind, learning_rate_init, **params)
