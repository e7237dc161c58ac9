"""A circuit breaker that opens on an outage, not on a storm, and makes work wait, not fail.

Only calls that failed after all their retries count, and only when they fail one after the
other (any successful call resets the count); rate-limit answers (429) never count. Once open,
callers wait; after `cooldown` seconds one of them is let through as the probe. A probe that
gets an answer closes the circuit and everyone resumes; a probe that fails opens it again
with the cooldown doubled (up to `max_cooldown`). Waiting ends without a call only when the
endpoint has stayed down for `patience` seconds, or the run's time budget or cancel ends it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from a11y_judge.models import utcnow
from a11y_judge.resilience.control import POLL_S, RunControl
from a11y_judge.resilience.errors import CircuitOpenError


class CircuitBreaker:
    """One endpoint's breaker for one run: 'closed', 'open' or 'half-open'."""

    def __init__(
        self,
        name: str,
        threshold: int = 5,
        cooldown: float = 10.0,
        *,
        max_cooldown: float = 60.0,
        patience: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self.max_cooldown = max(cooldown, max_cooldown)
        self.patience = patience
        self._clock = clock
        self.failures = 0  # calls in a row that failed after all their retries
        self.last_error = ""
        self._opening_error = ""
        self.times_opened = 0
        self.waited_s = 0.0  # summed over every caller that waited
        self._open_since: float | None = None
        self._opened_at: datetime | None = None
        self._probe_at = 0.0
        self._delay = cooldown
        self._probing = False
        self._waiting = 0
        self._cond = threading.Condition()

    @property
    def state(self) -> str:
        """'closed'; 'open' while waiting out the cooldown; 'half-open' once a probe may go."""
        with self._cond:
            if self._open_since is None:
                return "closed"
            return "half-open" if self._probing or self._clock() >= self._probe_at else "open"

    @property
    def is_open(self) -> bool:
        """Whether the circuit is open or half-open (callers should wait in admit())."""
        return self._open_since is not None

    def notice(self) -> str | None:
        """'waiting for <endpoint>: open since 10:32:05 UTC …' while open; else None."""
        with self._cond:
            if self._opened_at is None:
                return None
            return (
                f"waiting for {self.name}: open since {self._opened_at:%H:%M:%S} UTC after "
                f"{self.threshold} failed calls in a row (last error: {self._opening_error})"
            )

    def admit(self, control: RunControl | None = None) -> bool:
        """Wait until a request may go: False when the circuit is closed, True when this
        caller is the half-open probe (it must report how the probe went).

        Raises CircuitOpenError once the endpoint has been down for `patience` seconds, and
        RunStoppedError when the run is cancelled or out of time.
        """
        with self._cond:
            if self._open_since is None:
                return False
            started = self._clock()
            self._waiting += 1
            try:
                while True:
                    if self._open_since is None:
                        return False
                    now = self._clock()
                    if not self._probing and now >= self._probe_at:
                        self._probing = True
                        return True
                    down = now - self._open_since
                    if down >= self.patience:
                        raise CircuitOpenError(
                            f"{self.name} has been down since {self._opened_at:%H:%M:%S} UTC: "
                            f"{self.failures} calls failed in a row and no probe got an answer "
                            f"in {down:.0f} s (last error: {self.last_error})",
                            hint="Check the provider's status, key and base URL, then run again",
                        )
                    if control is not None:
                        control.check(
                            f"waiting for {self.name} (open since "
                            f"{self._opened_at:%H:%M:%S} UTC; last error: {self.last_error})"
                        )
                    until = self._open_since + self.patience
                    if not self._probing:
                        until = min(until, self._probe_at)
                    self._cond.wait(max(0.001, min(until - now, POLL_S)))
            finally:
                self._waiting -= 1
                self.waited_s += self._clock() - started

    def succeeded(self) -> None:
        """A call got a valid reply: the failure count starts again and the circuit closes."""
        with self._cond:
            self.failures = 0
            self._close()

    def answered(self) -> None:
        """The endpoint answered (a rate limit, a refusal, a malformed reply): it is up, so an
        open circuit closes; the call itself has not succeeded, so the count stays."""
        with self._cond:
            self._close()

    def call_failed(self, reason: str) -> None:
        """A call failed after all its retries: count it; open at the threshold."""
        with self._cond:
            self.failures += 1
            self.last_error = reason
            if self._open_since is None and self.failures >= self.threshold:
                now = self._clock()
                self._open_since = now
                self._opened_at = utcnow()
                self._opening_error = reason
                self._delay = self.cooldown
                self._probe_at = now + self.cooldown
                self._probing = False
                self.times_opened += 1

    def probe_failed(self, reason: str) -> None:
        """The probe got no answer: stay open, next probe after twice the cooldown."""
        with self._cond:
            self.last_error = reason
            self._probing = False
            self._delay = min(self.max_cooldown, self._delay * 2)
            self._probe_at = self._clock() + self._delay
            self._cond.notify_all()

    def probe_abandoned(self) -> None:
        """The probe's caller stopped before it could tell (cancelled): let another probe."""
        with self._cond:
            self._probing = False
            self._cond.notify_all()

    def _close(self) -> None:
        if self._open_since is not None:
            self._open_since = None
            self._opened_at = None
            self._probing = False
            self._cond.notify_all()
