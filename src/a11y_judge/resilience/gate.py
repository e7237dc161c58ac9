"""What every call to one provider endpoint passes through during a run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from a11y_judge.models import EndpointStats
from a11y_judge.resilience.breaker import CircuitBreaker
from a11y_judge.resilience.concurrency import AdaptiveConcurrency, RateLimiter
from a11y_judge.resilience.control import RunControl


@dataclass
class ProviderGate:
    """One endpoint's breaker, adaptive concurrency and rate limiter, with its counters."""

    name: str
    concurrency: int = 8
    rpm: int | None = None
    breaker_threshold: int = 5
    breaker_cooldown: float = 10.0
    patience: float = 120.0
    limit: AdaptiveConcurrency = field(init=False)
    limiter: RateLimiter = field(init=False)
    breaker: CircuitBreaker = field(init=False)
    requests: int = field(init=False, default=0)
    rate_limited: int = field(init=False, default=0)
    errors: int = field(init=False, default=0)
    malformed: int = field(init=False, default=0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.limit = AdaptiveConcurrency(self.concurrency)
        self.limiter = RateLimiter(self.rpm)
        self.breaker = CircuitBreaker(
            self.name, self.breaker_threshold, self.breaker_cooldown, patience=self.patience
        )

    @contextmanager
    def slot(self, control: RunControl | None = None, retry: bool = False) -> Iterator[None]:
        """Hold one of the endpoint's slots, after the rate limiter lets us in; re-sent
        requests (`retry`) are let in before first ones."""
        with self.limit.slot(control, self.name, retry):
            self.limiter.wait()
            with self._lock:
                self.requests += 1
            yield

    def count(self, kind: str) -> None:
        """Count one transient failure: 'rate_limit', 'error' or 'malformed'."""
        with self._lock:
            if kind == "rate_limit":
                self.rate_limited += 1
            elif kind == "malformed":
                self.malformed += 1
            else:
                self.errors += 1

    def stats(self) -> EndpointStats:
        """How this endpoint behaved so far."""
        with self._lock:
            return EndpointStats(
                name=self.name,
                concurrency=self.limit.limit,
                lowest_concurrency=self.limit.lowest,
                final_concurrency=self.limit.current,
                requests=self.requests,
                rate_limited=self.rate_limited,
                errors=self.errors,
                malformed=self.malformed,
                breaker_opened=self.breaker.times_opened,
                waited_s=round(self.breaker.waited_s, 3),
                slot_wait_s=round(self.limit.slot_wait_s, 3),
            )
