"""Shared reading of HTTP failures: when the provider says to retry, what a status asks of users."""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from a11y_judge.models import utcnow

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(text: str) -> float | None:
    """Seconds in a Go-style duration: '1s', '6m0s', '20ms', '1h2m3.5s', '27s'; None if not one."""
    text = text.strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNIT[u] for n, u in parts)


def _seconds(text: str) -> float | None:
    try:
        return max(0.0, float(text))
    except ValueError:
        return None


def retry_after(headers: Mapping[str, str] | None, body: Any = None) -> float | None:
    """Seconds the provider asked us to wait, or None if it did not say.

    In order: `retry-after-ms`; `Retry-After` in seconds or as an HTTP date; OpenAI's
    `x-ratelimit-reset-requests` / `-tokens` (of the limit whose `x-ratelimit-remaining-*` is 0,
    else the longer); Gemini's `RetryInfo.retryDelay` in the error body.
    """
    h = {k.lower(): v for k, v in (headers or {}).items()}
    if (ms := _seconds(h.get("retry-after-ms", ""))) is not None:
        return ms / 1000
    value = h.get("retry-after", "").strip()
    if value:
        if (seconds := _seconds(value)) is not None:
            return seconds
        try:
            return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
        except (TypeError, ValueError):
            pass  # an unreadable Retry-After is as good as none: try the other signals
    resets = {
        kind: duration(h[f"x-ratelimit-reset-{kind}"])
        for kind in ("requests", "tokens")
        if f"x-ratelimit-reset-{kind}" in h
    }
    known = {k: v for k, v in resets.items() if v is not None}
    if known:
        spent = [v for k, v in known.items() if h.get(f"x-ratelimit-remaining-{k}") == "0"]
        return max(spent or known.values())
    return _retry_info(body)


def _retry_info(body: Any) -> float | None:
    """`{"error": {"details": [{"@type": "….RetryInfo", "retryDelay": "27s"}]}}` → 27.0."""
    error = body.get("error", body) if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    for item in details if isinstance(details, list) else []:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
            delay = item.get("retryDelay")
            if isinstance(delay, str):
                return duration(delay)
    return None


def status_advice(code: int, key_vars: str) -> str:
    """What to do about a non-transient HTTP status."""
    if code in (401, 403):
        return f"the provider rejected the API key; check {key_vars}"
    if code == 404:
        return "the model or endpoint was not found; check the model name and base URL"
    if code == 400 or code == 422:
        return "the provider refused the request; the model may not support JSON-schema output"
    if code == 429:
        return "rate limit or quota exhausted; wait, lower the concurrency or check billing"
    return "check the provider's status page"


def is_transient_status(code: int) -> bool:
    """408, 409, 429 and 5xx are worth retrying."""
    return code in (408, 409, 429) or code >= 500
