"""How many requests go to one endpoint at once (adaptive) and how often (requests/minute)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from a11y_judge.resilience.control import POLL_S, RunControl


class AdaptiveConcurrency:
    """AIMD concurrency between 1 and `limit` for one endpoint.

    Multiplicative decrease: when at least half of the last `window` answers (default twice
    the limit, at least 8) were rate limits — a burst, not stray 429s — the limit is halved
    and the window starts afresh, so one burst cuts it once. Additive increase: after as
    many successes as the current limit (one round of requests), it grows by one, never
    above `limit`. Requests in flight are never cut short; new ones wait for a free slot, first
    come first served, re-sent requests before first ones.
    """

    def __init__(self, limit: int, *, window: int | None = None, decrease: float = 0.5) -> None:
        self.limit = max(1, limit)
        self.current = self.limit
        self.lowest = self.limit
        self.decreases = 0
        self.in_flight = 0
        self.window = window or max(8, 2 * self.limit)
        self._decrease = decrease
        self._recent: deque[bool] = deque(maxlen=self.window)
        self._successes = 0
        self._retries: deque[object] = deque()
        self._fresh: deque[object] = deque()
        self._cond = threading.Condition()
        self.slot_wait_s = 0.0  # seconds requests waited for a free slot, summed

    @contextmanager
    def slot(
        self, control: RunControl | None = None, name: str = "the endpoint", retry: bool = False
    ) -> Iterator[None]:
        """Hold one of the endpoint's slots for one request (`retry`: one sent again).

        Slots go first come, first served (re-sent requests first), so the judgments of the
        plan set that asked first finish first and the next set can start while the endpoint
        stays busy.
        """
        ticket = object()
        queue = self._retries if retry else self._fresh
        asked = time.monotonic()
        with self._cond:
            queue.append(ticket)
            try:
                while self.in_flight >= self.current or self._head() is not ticket:
                    if control is not None:
                        control.check(f"waiting for a free slot at {name}")
                    self._cond.wait(POLL_S)
            except BaseException:
                queue.remove(ticket)
                self._cond.notify_all()
                raise
            queue.popleft()
            self.in_flight += 1
            self.slot_wait_s += time.monotonic() - asked
            self._cond.notify_all()  # the next in line may take a free slot too
        try:
            yield
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()

    def _head(self) -> object | None:
        if self._retries:
            return self._retries[0]
        return self._fresh[0] if self._fresh else None

    def rate_limited(self) -> None:
        """A 429 came back."""
        with self._cond:
            self._recent.append(True)
            limited = sum(self._recent)
            if len(self._recent) == self.window and 2 * limited >= self.window:
                self.current = max(1, int(self.current * self._decrease))
                self.lowest = min(self.lowest, self.current)
                self.decreases += 1
                self._recent.clear()
                self._successes = 0

    def answered(self) -> None:
        """An answer that was not a rate limit (a malformed reply, an error page)."""
        with self._cond:
            self._recent.append(False)

    def succeeded(self) -> None:
        """A valid reply: one step towards the next additive increase."""
        with self._cond:
            self._recent.append(False)
            self._successes += 1
            if self._successes >= self.current and self.current < self.limit:
                self.current += 1
                self._successes = 0
                self._cond.notify_all()


class RateLimiter:
    """Spaces calls evenly so no more than `rpm` start in any minute (None: no limit)."""

    def __init__(self, rpm: int | None) -> None:
        self.interval = 60.0 / rpm if rpm else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until this caller's slot."""
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)
