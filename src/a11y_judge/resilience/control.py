"""What bounds a run's waiting: its time budget, the user's cancel, and its cost budget."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from a11y_judge.resilience.errors import BudgetExceededError, RunStoppedError

#: How often a wait looks at the cancel switch when nothing else wakes it.
POLL_S = 0.2


class RunControl:
    """The run's clock and cancel switch, shared by every wait of its judges.

    The clock starts with the first judgment (`start`); with a `time_budget` (seconds) every
    wait — for a retry, a free slot, an open circuit — ends when the budget does, and a
    judgment that has not started by then fails with that reason. `cancel` ends them at once.
    """

    def __init__(
        self, time_budget: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.time_budget = time_budget
        self._clock = clock
        self._started: float | None = None
        self._stop = threading.Event()
        self._reason = ""
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the clock (only the first call counts)."""
        with self._lock:
            if self._started is None:
                self._started = self._clock()

    def cancel(self, reason: str = "cancelled by the user") -> None:
        """Stop every wait now; the judgments still waiting fail with `reason`."""
        with self._lock:
            if not self._stop.is_set():
                self._reason = reason
                self._stop.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called."""
        return self._stop.is_set()

    def remaining(self) -> float | None:
        """Seconds left in the time budget (None: no budget)."""
        if self.time_budget is None:
            return None
        with self._lock:
            started = self._started if self._started is not None else self._clock()
        return self.time_budget - (self._clock() - started)

    def check(self, doing: str) -> None:
        """Raise RunStoppedError if the run was cancelled or its time budget is spent."""
        if self._stop.is_set():
            raise RunStoppedError(f"{self._reason} while {doing}")
        left = self.remaining()
        if left is not None and left <= 0:
            raise RunStoppedError(
                f"the run's time budget of {self.time_budget:.0f} s ran out while {doing}",
                hint="Raise the time budget (--time-budget or Settings) or judge fewer plans",
            )

    def sleep(self, seconds: float, doing: str) -> None:
        """Wait `seconds`, unless cancel or the end of the time budget comes first (raises)."""
        self.check(doing)
        left = self.remaining()
        if left is not None and seconds > left:
            raise RunStoppedError(
                f"the run's time budget of {self.time_budget:.0f} s ends in {left:.0f} s, "
                f"before {doing} ({seconds:.1f} s)",
                hint="Raise the time budget (--time-budget or Settings) or judge fewer plans",
            )
        if self._stop.wait(max(0.0, seconds)):
            self.check(doing)


class Budget:
    """A per-run cost cap in USD: calls reserve their worst-case cost and settle the actual."""

    def __init__(self, limit_usd: float | None) -> None:
        self.limit = limit_usd
        self.spent = 0.0
        self._reserved = 0.0
        self._lock = threading.Lock()

    def reserve(self, estimate: float) -> None:
        """Claim `estimate` USD, or raise BudgetExceededError if the cap would be passed."""
        with self._lock:
            if self.limit is not None and self.spent + self._reserved + estimate > self.limit:
                raise BudgetExceededError(
                    f"the run's cost budget of ${self.limit:.2f} is spent (${self.spent:.4f} "
                    f"used, next call up to ${estimate:.4f})",
                    hint="Raise the budget (--budget or Settings) or judge fewer plans",
                )
            self._reserved += estimate

    def settle(self, estimate: float, actual: float) -> None:
        """Replace a reservation by what the call really cost (0 if it failed)."""
        with self._lock:
            self._reserved = max(0.0, self._reserved - estimate)
            self.spent += actual
