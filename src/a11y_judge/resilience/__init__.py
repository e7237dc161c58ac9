"""Calling flaky, rate-limited providers without losing judgments to transient trouble.

Every request to one provider endpoint passes through that endpoint's `ProviderGate` for the
run: a circuit breaker (waits out an outage, `breaker`), an adaptive concurrency limit (AIMD
on bursts of 429, `concurrency`) and a requests-per-minute spacer. `call_with_retries`
(`retry`) re-sends transient failures — rate limits, server errors, timeouts, dropped
connections and replies that are not JSON — honouring the provider's Retry-After. The run's
`RunControl` (`control`) bounds every wait by its time budget and the user's cancel. The
SDKs' own retries are off so that retries do not stack.
"""

from a11y_judge.resilience.breaker import CircuitBreaker
from a11y_judge.resilience.concurrency import AdaptiveConcurrency, RateLimiter
from a11y_judge.resilience.control import Budget, RunControl
from a11y_judge.resilience.errors import (
    Attempts,
    BudgetExceededError,
    CircuitOpenError,
    MalformedReplyError,
    ProviderError,
    RunStoppedError,
)
from a11y_judge.resilience.gate import ProviderGate
from a11y_judge.resilience.retry import RetryPolicy, Transient, call_with_retries

__all__ = [
    "AdaptiveConcurrency",
    "Attempts",
    "Budget",
    "BudgetExceededError",
    "CircuitBreaker",
    "CircuitOpenError",
    "MalformedReplyError",
    "ProviderError",
    "ProviderGate",
    "RateLimiter",
    "RetryPolicy",
    "RunControl",
    "RunStoppedError",
    "Transient",
    "call_with_retries",
]
