"""Why a provider call ended without a usable reply, and what it had sent by then."""

from __future__ import annotations

from dataclasses import dataclass

from a11y_judge.errors import A11yJudgeError


@dataclass
class Attempts:
    """What one call sent: requests, and why the re-sent ones had to be re-sent."""

    sent: int = 0
    rate_limited: int = 0
    errors: int = 0
    malformed: int = 0
    waited_s: float = 0.0

    @property
    def retries(self) -> int:
        """Requests sent again after a transient failure."""
        return max(0, self.sent - 1)

    def summary(self) -> str:
        """'2 rate limits, 1 malformed reply' ('' when nothing was re-sent)."""
        parts = [
            (self.rate_limited, "rate limit", "rate limits"),
            (self.errors, "server or network error", "server or network errors"),
            (self.malformed, "malformed reply", "malformed replies"),
        ]
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


class ProviderError(A11yJudgeError):
    """A provider call failed for good (after retries, or for a reason retrying cannot fix).

    `attempts` counts what was sent before giving up; `raw` keeps the last unusable reply.
    """

    def __init__(self, message: str, *, hint: str = "", raw: str = "") -> None:
        super().__init__(message, hint=hint)
        self.attempts = Attempts()
        self.raw = raw


class CircuitOpenError(ProviderError):
    """The endpoint stayed down (breaker open, probes failing) for longer than the patience."""


class BudgetExceededError(ProviderError):
    """The run's cost budget is spent; no new calls are made."""


class RunStoppedError(ProviderError):
    """The run's time budget ran out, or the user cancelled, while this call waited."""


class MalformedReplyError(Exception):
    """The endpoint answered, but not with parseable JSON (truncated, empty, an HTML page).

    Transient: the request is sent again, as a fresh request, within the retry budget.
    """

    def __init__(self, problem: str, raw: str = "") -> None:
        super().__init__(problem)
        self.raw = raw
