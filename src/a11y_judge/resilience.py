"""Calling flaky, rate-limited providers: retries, rate limits, circuit breakers, cost budgets.

Each provider endpoint gets one `ProviderGate` per run (concurrency semaphore, requests-per-minute
spacing, circuit breaker); `call_with_retries` retries transient failures with exponential backoff
and jitter, honouring `Retry-After`. The SDKs' own retries are switched off so they do not stack.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from a11y_judge.errors import A11yJudgeError

T = TypeVar("T")


class ProviderError(A11yJudgeError):
    """A provider call failed for good (after retries, or for a reason retrying cannot fix).

    `attempts` counts the requests actually sent before giving up (0 if none was sent).
    """

    def __init__(self, message: str, *, hint: str = "", attempts: int = 0) -> None:
        super().__init__(message, hint=hint)
        self.attempts = attempts


class CircuitOpenError(ProviderError):
    """The provider failed too often in a row; calls fail fast until a probe succeeds."""


class BudgetExceededError(ProviderError):
    """The run's cost budget is spent; no new calls are made."""


@dataclass(frozen=True)
class Transient:
    """A failure worth retrying, and how long the provider asked us to wait (if it said)."""

    retry_after: float | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: base * 2**attempt, capped, times a random 0.5-1.0."""

    max_retries: int = 4
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        backoff = min(self.max_delay, self.base_delay * 2**attempt) * random.uniform(0.5, 1.0)
        if retry_after is not None:  # the provider said how long: wait at least that
            return float(min(self.max_delay, max(retry_after, backoff)))
        return float(backoff)


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


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `cooldown` s lets one probe through."""

    def __init__(self, name: str, threshold: int = 5, cooldown: float = 30.0) -> None:
        self.name = name
        self.threshold = threshold
        self.cooldown = cooldown
        self.failures = 0
        self.last_error = ""
        self._opened_at: float | None = None
        self._probing = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        """'closed', 'open' or 'half-open'."""
        if self._opened_at is None:
            return "closed"
        return "half-open" if time.monotonic() - self._opened_at >= self.cooldown else "open"

    def before_call(self) -> None:
        """Raise CircuitOpenError unless a call may go ahead now."""
        with self._lock:
            if self._opened_at is None:
                return
            waited = time.monotonic() - self._opened_at
            if waited >= self.cooldown and not self._probing:
                self._probing = True  # this caller is the half-open probe
                return
            raise CircuitOpenError(
                f"{self.name} is failing ({self.failures} failures in a row, last: "
                f"{self.last_error}); not calling it for {max(0.0, self.cooldown - waited):.0f} s",
                hint="Check the provider's status, key and base URL, then run again",
            )

    def success(self) -> None:
        """A call worked: close the circuit."""
        with self._lock:
            self.failures = 0
            self._opened_at = None
            self._probing = False

    def failure(self, reason: str) -> None:
        """A call failed: count it, open the circuit at the threshold (or if the probe failed)."""
        with self._lock:
            self.failures += 1
            self.last_error = reason
            if self._probing or self.failures >= self.threshold:
                self._opened_at = time.monotonic()
            self._probing = False


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


@dataclass
class ProviderGate:
    """What every call to one provider endpoint passes through during a run."""

    name: str
    concurrency: int = 8
    rpm: int | None = None
    breaker_threshold: int = 5
    breaker_cooldown: float = 30.0
    semaphore: threading.Semaphore = field(init=False)
    limiter: RateLimiter = field(init=False)
    breaker: CircuitBreaker = field(init=False)

    def __post_init__(self) -> None:
        self.semaphore = threading.Semaphore(max(1, self.concurrency))
        self.limiter = RateLimiter(self.rpm)
        self.breaker = CircuitBreaker(self.name, self.breaker_threshold, self.breaker_cooldown)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the provider's concurrent slots, after the rate limiter lets us in."""
        with self.semaphore:
            self.limiter.wait()
            yield


Classifier = Callable[[Exception], Transient | None]


def call_with_retries(
    fn: Callable[[], T],
    *,
    gate: ProviderGate,
    classify: Classifier,
    describe: Callable[[Exception], str],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """Run `fn` through the gate, retrying transient failures; returns (result, retries).

    `classify` says whether an exception is transient (and any Retry-After); `describe` turns
    any exception into a key-free sentence. A final failure raises ProviderError.
    """
    attempt = 0
    while True:
        try:
            gate.breaker.before_call()
        except CircuitOpenError as exc:
            exc.attempts = attempt
            raise
        try:
            with gate.slot():
                result = fn()
        except Exception as exc:
            transient = classify(exc)
            reason = describe(exc)
            if transient is None:
                gate.breaker.success()  # the provider answered; the request itself was wrong
                raise ProviderError(reason, attempts=attempt + 1) from exc
            gate.breaker.failure(reason)
            if attempt >= policy.max_retries:
                raise ProviderError(
                    f"{reason} (gave up after {attempt + 1} attempts)",
                    hint="The provider may be down or rate-limiting; try again later",
                    attempts=attempt + 1,
                ) from exc
            sleep(policy.delay(attempt, transient.retry_after))
            attempt += 1
            continue
        gate.breaker.success()
        return result, attempt
