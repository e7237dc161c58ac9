"""Re-sending transient failures: what counts as transient, how long to wait, how often.

- Rate limits (429): waited out as long as the provider says, and re-sent; they have their own
  bound (`max_rate_limited`) and never count towards the circuit breaker.
- Server errors, timeouts, dropped connections, and replies that are not parseable JSON: re-sent
  as fresh requests, up to `max_retries` times for each of the two kinds (an overloaded server
  and a model that cut its output short are different troubles); a call that runs out of
  retries counts towards the breaker.
- How long: the provider's own word when it gives one (Retry-After in seconds or as a date,
  retry-after-ms, x-ratelimit-reset-*, Gemini's RetryInfo), plus a small jitter; otherwise
  exponential backoff with jitter, growing with the failures of the same kind (the third
  server error of a call waits about 4 s, whatever rate limits came between). A malformed
  reply is re-sent at once: the endpoint answered, it is not overloaded. A provider asking
  for more than `max_retry_after` seconds is out of quota, not busy: the call fails at once
  with that reason.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar, cast

from a11y_judge.resilience.control import RunControl
from a11y_judge.resilience.errors import Attempts, MalformedReplyError, ProviderError
from a11y_judge.resilience.gate import ProviderGate

T = TypeVar("T")
Kind = Literal["rate_limit", "error", "malformed"]


@dataclass(frozen=True)
class Transient:
    """A failure worth re-sending: which kind, and how long the provider asked us to wait."""

    kind: Kind = "error"
    retry_after: float | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry (see the module docstring)."""

    max_retries: int = 6
    max_rate_limited: int = 10
    base_delay: float = 0.5
    max_delay: float = 60.0
    max_retry_after: float = 300.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds before re-sending (retry is 0-based): the provider's figure plus up to 10%
        (at least 50 ms, at most 1 s) of jitter; else base * 2**retry, capped, times 0.5-1.0."""
        if retry_after is not None:
            return float(retry_after + random.uniform(0.0, min(1.0, 0.05 + 0.1 * retry_after)))
        return float(min(self.max_delay, self.base_delay * 2**retry) * random.uniform(0.5, 1.0))


Classifier = Callable[[Exception], Transient | None]


def call_with_retries(
    fn: Callable[[], T],
    *,
    gate: ProviderGate,
    classify: Classifier,
    describe: Callable[[Exception], str],
    policy: RetryPolicy,
    control: RunControl | None = None,
    accept: Callable[[T], None] | None = None,
) -> tuple[T, Attempts]:
    """Run `fn` through the gate, re-sending transient failures; returns (result, attempts).

    `accept` checks a result and raises MalformedReplyError for one that is not usable JSON;
    `classify` says whether an exception is transient (and any Retry-After); `describe` turns
    any exception into a key-free sentence. A final failure raises ProviderError (or one of
    its kinds) carrying the attempts made.
    """
    tries = Attempts()
    control = control or RunControl()

    def once() -> T:
        result = fn()
        if accept is not None:
            accept(result)
        return result

    try:
        while True:
            probe = gate.breaker.admit(control)
            try:
                control.check(f"calling {gate.name}")
                outcome = _attempt(once, gate, control, tries, probe)
            except BaseException:
                if probe:
                    gate.breaker.probe_abandoned()
                raise
            if outcome is None:
                continue  # the circuit opened while this call waited for a slot: wait for it
            result, failure = outcome
            if failure is None:
                gate.breaker.succeeded()
                gate.limit.succeeded()
                return cast(T, result), tries
            _after_failure(failure, probe, gate, classify, describe, policy, control, tries)
    except ProviderError as exc:
        exc.attempts = tries
        raise


def _attempt(
    fn: Callable[[], T],
    gate: ProviderGate,
    control: RunControl,
    tries: Attempts,
    probe: bool,
) -> tuple[T | None, Exception | None] | None:
    """Send once through the gate's slot: (result, None) or (None, the failure); None when
    the circuit opened while this caller waited for the slot (nothing was sent)."""
    with gate.slot(control, retry=tries.sent > 0):
        if not probe and gate.breaker.is_open:
            return None
        tries.sent += 1
        try:
            result = fn()
        except Exception as exc:
            return None, exc
        return result, None


def _after_failure(
    failure: Exception,
    probe: bool,
    gate: ProviderGate,
    classify: Classifier,
    describe: Callable[[Exception], str],
    policy: RetryPolicy,
    control: RunControl,
    tries: Attempts,
) -> None:
    """Count a failed attempt and wait before the next one, or raise if there is none."""
    malformed = isinstance(failure, MalformedReplyError)
    transient = Transient("malformed") if malformed else classify(failure)
    reason = describe(failure)
    raw = failure.raw if isinstance(failure, MalformedReplyError) else ""
    if transient is None:
        gate.breaker.answered()  # the provider answered; the request itself was refused
        raise ProviderError(reason) from failure
    gate.count(transient.kind)
    if transient.kind == "rate_limit":
        tries.rate_limited += 1
        gate.limit.rate_limited()
        gate.breaker.answered()
        if tries.rate_limited > policy.max_rate_limited:
            raise ProviderError(
                f"{reason} (still rate-limited after {tries.rate_limited} tries)",
                hint="Lower the concurrency or requests per minute, or check the quota",
            ) from failure
    elif transient.kind == "malformed":
        tries.malformed += 1
        gate.limit.answered()
        gate.breaker.answered()
    elif probe:  # the endpoint is still down; waiting for it is not this call's fault
        gate.breaker.probe_failed(reason)
        return  # the breaker's own cooldown paces the next probe
    else:
        tries.errors += 1
    if max(tries.errors, tries.malformed) > policy.max_retries:
        gate.breaker.call_failed(reason)
        raise ProviderError(
            f"{reason} (gave up after {tries.sent} attempts: {tries.summary()})",
            hint="The provider may be down or overloaded; try again later",
            raw=raw,
        ) from failure
    after = transient.retry_after
    if after is not None and after > policy.max_retry_after:
        raise ProviderError(
            f"{reason}; it asked to wait {after:.0f} s before retrying (more than "
            f"{policy.max_retry_after:.0f} s)",
            hint="The provider's quota may be exhausted: check the plan and billing",
            raw=raw,
        ) from failure
    if transient.kind == "malformed" and after is None:
        return
    same_kind = tries.rate_limited if transient.kind == "rate_limit" else tries.errors
    delay = policy.delay(max(0, same_kind - 1), after)
    control.sleep(delay, f"waiting {delay:.1f} s to retry {gate.name}")
