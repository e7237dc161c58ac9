"""API keys and base URLs: where they come from, and keeping keys out of everything written.

Keys are looked up, in order, in keys typed in the app for this session, the environment,
Streamlit secrets (passed in by the app) and a `.env` file in the working directory or in
$A11Y_JUDGE_HOME. They live only in memory: never in history, cache keys, logs or exports.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from a11y_judge.errors import JudgeConfigError
from a11y_judge.paths import home_dir

#: Environment variables holding each provider's key, in lookup order.
KEY_VARS: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "openai-compatible": ("OPENAI_COMPATIBLE_API_KEY",),
}
#: Environment variables overriding a provider's base URL (proxies, tests).
BASE_URL_VARS: dict[str, str] = {
    "openai": "A11Y_JUDGE_OPENAI_BASE_URL",
    "gemini": "A11Y_JUDGE_GEMINI_BASE_URL",
}
#: The providers' own endpoints, used when no override is set.
DEFAULT_BASE_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "gemini": "https://generativelanguage.googleapis.com",
}
#: Providers that work without a key (local servers such as Ollama or vLLM).
KEY_OPTIONAL = frozenset({"openai-compatible"})

_QUOTED = re.compile(r"""^(['"])(.*?)\1\s*(?:#.*)?$""")
_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (quotes stripped, comments ignored); {} if absent."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}
    for line in lines:
        m = _LINE.match(line)
        if not m or line.lstrip().startswith("#"):
            continue
        value = m.group(2)
        quoted = _QUOTED.match(value)
        value = quoted.group(2) if quoted else value.split(" #", 1)[0].strip()
        values[m.group(1)] = value
    return values


def _dotenv() -> dict[str, str]:
    merged: dict[str, str] = {}
    for folder in (home_dir(), Path.cwd()):  # the working directory wins
        merged.update(read_dotenv(folder / ".env"))
    return merged


def _clean(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def lookup_with_source(
    name: str, secrets: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """(value, where it was found) from the environment, Streamlit secrets or .env, in order."""
    sources = (
        ("the environment", os.environ.get(name)),
        ("Streamlit secrets", (secrets or {}).get(name)),
        ("a .env file", _dotenv().get(name)),
    )
    for where, value in sources:
        clean = _clean(value)
        if clean:
            return clean, where
    return None


def lookup(name: str, secrets: Mapping[str, str] | None = None) -> str | None:
    """A setting from the environment, Streamlit secrets or .env, in that order."""
    found = lookup_with_source(name, secrets)
    return found[0] if found else None


def key_source(
    provider: str,
    session: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> tuple[str, str] | None:
    """(key, where it came from, e.g. 'the environment (OPENAI_API_KEY)'), or None."""
    typed = _clean((session or {}).get(provider))
    if typed:
        return typed, "typed in the app"
    for var in KEY_VARS.get(provider, ()):
        found = lookup_with_source(var, secrets)
        if found:
            return found[0], f"{found[1]} ({var})"
    return None


def find_key(
    provider: str,
    session: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> str | None:
    """The provider's key: typed this session, else environment, secrets, .env."""
    found = key_source(provider, session, secrets)
    return found[0] if found else None


def require_key(
    provider: str,
    session: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> str | None:
    """Like find_key, but a missing key for a provider that needs one is a clear error."""
    key = find_key(provider, session, secrets)
    if key or provider in KEY_OPTIONAL:
        return key
    names = " or ".join(KEY_VARS.get(provider, ()))
    raise JudgeConfigError(
        f"no API key for {provider}",
        hint=f"Set {names} in the environment or a .env file, or enter a key on the app's "
        "Settings page; or use the offline judge, which needs none",
    )


def base_url(provider: str, session: Mapping[str, str] | None = None) -> str | None:
    """A base-URL override for the provider: from the app's Settings, else its variable."""
    typed = (session or {}).get(provider, "").strip()
    if typed:
        return typed
    var = BASE_URL_VARS.get(provider)
    return lookup(var) if var else None


def safe_url(url: str) -> str:
    """The URL without any user:password@ part, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """The text with every secret (and its last-8-characters tail) replaced by '***'."""
    for secret in secrets:
        if not secret or len(secret) < 4:
            continue
        text = text.replace(secret, "***")
        if len(secret) >= 16:
            text = text.replace(secret[-8:], "***")
    return text
