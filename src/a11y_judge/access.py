"""Access controls for demo deployments: an optional password gate, failed-login back-off, a
per-session quota of judgments, a cap on each run's cost, and a read-only mode.

Configured by environment variables (or Streamlit secrets: the same name, or it in lower case
without `A11Y_JUDGE_`, e.g. `password_hash`):

- `A11Y_JUDGE_PASSWORD`: the password, in the environment only (never written to a file);
- `A11Y_JUDGE_PASSWORD_HASH` / secrets `password_hash`: a PBKDF2-SHA256 hash made by
  `a11y-judge password-hash` — the only form a file such as `.streamlit/secrets.toml` may hold
  (a plain `password` there is refused with the command to run instead, and the app stays locked);
- `A11Y_JUDGE_SESSION_QUOTA`: judgments a browser session may request per hour (token bucket,
  bursts up to the same number; default 500; 0 turns it off);
- `A11Y_JUDGE_MAX_RUN_USD`: the most one run may spend on LLM calls, whatever a visitor sets;
- `A11Y_JUDGE_READ_ONLY=1`: browse history only — no new runs, batches, experiments,
  resolutions, deletions or settings changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from a11y_judge.errors import A11yJudgeError

PBKDF2_ITERATIONS = 600_000  # OWASP's 2023 figure for PBKDF2-HMAC-SHA256
DEFAULT_SESSION_QUOTA = 500
#: failed attempts allowed before the back-off starts, and its ceiling in seconds
FREE_ATTEMPTS = 3
MAX_BACKOFF_S = 300.0


def hash_password(password: str, *, iterations: int = PBKDF2_ITERATIONS) -> str:
    """`pbkdf2_sha256$<iterations>$<salt>$<hash>` (base64), for a secrets file."""
    if not password:
        raise A11yJudgeError("an empty password cannot be hashed", hint="Choose a password")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    b64 = base64.b64encode
    return f"pbkdf2_sha256${iterations}${b64(salt).decode()}${b64(digest).decode()}"


def _parse_hash(stored: str) -> tuple[int, bytes, bytes] | None:
    """(iterations, salt, digest) of a `hash_password` string; None for anything else."""
    try:
        scheme, iterations, salt, digest = stored.strip().split("$")
        parsed = (
            int(iterations),
            base64.b64decode(salt, validate=True),
            base64.b64decode(digest, validate=True),
        )
    except (ValueError, TypeError):  # binascii.Error is a ValueError
        return None
    if scheme != "pbkdf2_sha256" or parsed[0] < 1 or not parsed[1] or not parsed[2]:
        return None
    return parsed


def _verify_hash(password: str, stored: str) -> bool:
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    iterations, salt, want = parsed
    got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return hmac.compare_digest(got, want)


#: what to run to put a password in a file (the message of a refused plain password)
HASH_COMMAND = "a11y-judge password-hash"
_SECRETS = ".streamlit/secrets.toml"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, value: str | None, default: float | None) -> float | None:
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise A11yJudgeError(
            f"{name}={value!r} is not a number", hint=f"Set {name} to a number, or unset it"
        ) from exc
    if number < 0:
        raise A11yJudgeError(f"{name} must not be negative", hint=f"Set {name} to 0 or more")
    return number


@dataclass(frozen=True)
class AccessConfig:
    """The deployment's access settings (see the module docstring)."""

    password: str | None = field(default=None, repr=False)
    password_hash: str | None = field(default=None, repr=False)
    session_quota: int = DEFAULT_SESSION_QUOTA
    max_run_usd: float | None = None
    read_only: bool = False

    @property
    def gated(self) -> bool:
        return bool(self.password or self.password_hash)

    def check(self, attempt: str) -> bool:
        """Whether `attempt` is the password (constant-time comparisons)."""
        if self.password_hash:
            return _verify_hash(attempt, self.password_hash)
        if self.password:
            return hmac.compare_digest(attempt.encode(), self.password.encode())
        return True

    def run_budget(self, asked: float | None) -> float | None:
        """A run's cost budget: the visitor's, capped by the deployment's maximum."""
        if self.max_run_usd is None:
            return asked
        return self.max_run_usd if asked is None else min(asked, self.max_run_usd)


def load_access(
    env: Mapping[str, str] | None = None, secrets_: Mapping[str, Any] | None = None
) -> AccessConfig:
    """The access settings from the environment, then Streamlit secrets (the short lower-case
    name, e.g. `password_hash`, or the variable's own name).

    A password may come from a file only as a hash: a plain `password` in the secrets is
    refused (one error with the command that makes the hash), and so is a `password_hash`
    that is not one — the app shows the error and stays locked.
    """
    env = os.environ if env is None else env
    sec = secrets_ or {}

    def secret_name(name: str) -> str | None:
        """The name under which `name` is in the secrets, if it is."""
        short = name.lower().removeprefix("a11y_judge_")
        return next((n for n in (short, name) if n in sec), None)

    def get(name: str) -> str | None:
        value = env.get(name)
        if value is None and (found := secret_name(name)) is not None:
            value = str(sec[found])
        return value

    if (plain := secret_name("A11Y_JUDGE_PASSWORD")) is not None:
        raise A11yJudgeError(
            f"{_SECRETS} holds a plain password ({plain}): a password in a file must be a hash",
            hint=f"Run `{HASH_COMMAND}`, put what it prints in {_SECRETS} as "
            f'`password_hash = "…"` and delete the `{plain}` line '
            "(or set A11Y_JUDGE_PASSWORD in the environment instead)",
        )
    stored = get("A11Y_JUDGE_PASSWORD_HASH") or None
    if stored is not None and _parse_hash(stored) is None:
        where = (
            "A11Y_JUDGE_PASSWORD_HASH"
            if "A11Y_JUDGE_PASSWORD_HASH" in env
            else f"{secret_name('A11Y_JUDGE_PASSWORD_HASH')} in {_SECRETS}"
        )
        raise A11yJudgeError(
            f"{where} is not a password hash made by `{HASH_COMMAND}`",
            hint=f"Run `{HASH_COMMAND}` and use what it prints "
            "(it starts with `pbkdf2_sha256` and has four parts)",
        )
    quota = _number("A11Y_JUDGE_SESSION_QUOTA", get("A11Y_JUDGE_SESSION_QUOTA"), None)
    return AccessConfig(
        password=env.get("A11Y_JUDGE_PASSWORD") or None,
        password_hash=stored,
        session_quota=DEFAULT_SESSION_QUOTA if quota is None else int(quota),
        max_run_usd=_number("A11Y_JUDGE_MAX_RUN_USD", get("A11Y_JUDGE_MAX_RUN_USD"), None),
        read_only=_truthy(get("A11Y_JUDGE_READ_ONLY")),
    )


@dataclass
class LoginThrottle:
    """Failed attempts of one session: after FREE_ATTEMPTS, each failure doubles the wait
    before the next attempt is even checked (2, 4, 8 … s, at most MAX_BACKOFF_S)."""

    failures: int = 0
    blocked_until: float = 0.0

    def wait(self, now: float | None = None) -> float:
        """Seconds until the next attempt may be checked (0 = now)."""
        return max(0.0, self.blocked_until - (time.monotonic() if now is None else now))

    def failed(self, now: float | None = None) -> None:
        self.failures += 1
        if self.failures >= FREE_ATTEMPTS:
            delay = min(MAX_BACKOFF_S, 2.0 ** (self.failures - FREE_ATTEMPTS + 1))
            self.blocked_until = (time.monotonic() if now is None else now) + delay

    def succeeded(self) -> None:
        self.failures, self.blocked_until = 0, 0.0


@dataclass
class TokenBucket:
    """A session's quota: `capacity` tokens, refilled at `capacity` per hour."""

    capacity: int
    tokens: float = -1.0
    updated: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = float(self.capacity)
            self.updated = time.monotonic()

    def _refill(self, now: float) -> None:
        self.tokens = min(
            float(self.capacity), self.tokens + (now - self.updated) * self.capacity / 3600.0
        )
        self.updated = now

    def take(self, n: int, now: float | None = None) -> float:
        """Spend `n` tokens and return 0, or spend nothing and return the seconds until `n`
        are available (a request larger than the capacity can never pass: inf)."""
        if self.capacity <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        self._refill(now)
        if n > self.capacity:
            return float("inf")
        if self.tokens >= n:
            self.tokens -= n
            return 0.0
        return (n - self.tokens) * 3600.0 / self.capacity
