"""Shared reading of HTTP failures: Retry-After headers and what a status code asks of users."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from a11y_judge.models import utcnow


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date); None if absent."""
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass  # fall through to Retry-After
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
        except (TypeError, ValueError):
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
