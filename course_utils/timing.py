"""Measure wall-clock time of a block of code."""

import time
from types import TracebackType


class Stopwatch:
    """Context manager that measures the seconds its block takes.

    Examples
    --------
    >>> with Stopwatch() as watch:
    ...     total = sum(range(1000))
    >>> watch.seconds >= 0
    True
    """

    def __init__(self) -> None:
        self._start: float | None = None
        self._seconds: float | None = None

    def __enter__(self) -> "Stopwatch":
        self._start = time.perf_counter()
        self._seconds = None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._start is not None
        self._seconds = time.perf_counter() - self._start

    @property
    def seconds(self) -> float:
        """Seconds the block took; only available once the block has ended."""
        if self._seconds is None:
            raise RuntimeError("Stopwatch.seconds is read inside or before its `with` block")
        return self._seconds
