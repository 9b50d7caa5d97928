"""The time one submission's cells may run, all together.

A per-cell timeout alone lets a notebook of N slow cells cost N times the limit on every run.
:class:`TimeBudget` is the total: each cell may run for the per-cell limit or for what is left
of the budget, whichever is shorter (nbclient's ``timeout_func`` asks it before every cell);
once the budget is used up, the grader runs no further cell.
"""

from __future__ import annotations

import math
import time

__all__ = ["TimeBudget"]


class TimeBudget:
    """``seconds`` of cell execution for one notebook, counted from the first cell.

    Parameters
    ----------
    seconds : float
        The whole budget.
    clock : callable, default=time.monotonic
        Returns the current time in seconds.
    """

    def __init__(self, seconds: float, clock=time.monotonic) -> None:
        if not seconds > 0:
            raise ValueError(f"seconds must be positive, got {seconds!r}")
        self.seconds = float(seconds)
        self._clock = clock
        self._started: float | None = None

    def remaining(self) -> float:
        """Seconds left (the whole budget before the first cell starts)."""
        if self._started is None:
            return self.seconds
        return self.seconds - (self._clock() - self._started)

    def used_up(self) -> bool:
        """True once no time is left."""
        return self.remaining() <= 0

    def cell_timeout(self, cell_limit: int) -> int:
        """Start a cell now: the seconds it may run, ``min(cell_limit, what is left)``, at least 1."""
        if self._started is None:
            self._started = self._clock()
        return max(1, min(int(cell_limit), math.ceil(self.remaining())))
