"""LLM judge settings kept in this browser session: specs, keys, limits → the package's objects.

The Settings page writes one flat dict in st.session_state (`STORE`); the Evaluate page and the
sidebar read it. API keys typed in the app live only there: never on disk, never in a log.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, replace
from typing import Any, cast

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from a11y_judge.batch.processor import SettingsFactory, judge_settings
from a11y_judge.credentials import (
    BASE_URL_VARS,
    DEFAULT_BASE_URLS,
    KEY_OPTIONAL,
    KEY_VARS,
    base_url,
    key_source,
)
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import BatchSettings
from a11y_judge.resilience import RetryPolicy
from app.components.access import config as access_config

#: The session-state key of the settings dict (not a widget key, so it survives page changes).
STORE = "llm_settings"
#: LLM providers in the order the Settings page shows them.
PROVIDERS = ("openai", "gemini", "openai-compatible")
#: Providers whose base URL is an optional override (openai-compatible needs one in its spec).
OVERRIDABLE = ("openai", "gemini")
NAMES = {
    "openai": "OpenAI",
    "gemini": "Google Gemini",
    "openai-compatible": "OpenAI-compatible server",
}
EXAMPLE_MODELS = {
    "openai": "gpt-4.1",
    "gemini": "gemini-2.5-pro",
    "openai-compatible": "llama3.1",
}
EXAMPLE_COMPATIBLE_URL = "http://localhost:11434/v1"

_PACKAGE = JudgeSettings()
DEFAULTS: dict[str, Any] = {
    **{f"{p}.enabled": False for p in PROVIDERS},
    "openai.models": EXAMPLE_MODELS["openai"],
    "gemini.models": EXAMPLE_MODELS["gemini"],
    "openai-compatible.models": "",
    **{f"{p}.base_url": "" for p in PROVIDERS},
    **{f"{p}.key": "" for p in PROVIDERS},
    "concurrency": _PACKAGE.concurrency,
    "rpm": 0,
    "timeout": float(_PACKAGE.timeout),
    "retries": RetryPolicy().max_retries,
    "outage_wait": float(_PACKAGE.outage_wait),
    "time_budget": 0.0,
    "samples": _PACKAGE.samples,
    "budget": 0.0,
    "cache": _PACKAGE.use_cache,
    "redact_pii": _PACKAGE.redact_pii,
}


def store(state: MutableMapping[str, Any] | None = None) -> dict[str, Any]:
    """This session's settings (created with the defaults on first use)."""
    target = cast("MutableMapping[str, Any]", st.session_state) if state is None else state
    current = target.get(STORE)
    if not isinstance(current, dict):
        current = {}
        target[STORE] = current
    for name, value in DEFAULTS.items():
        current.setdefault(name, value)
    return current


def model_names(text: str) -> list[str]:
    """'gpt-4.1, gpt-4.1-mini' → ['gpt-4.1', 'gpt-4.1-mini'] (commas or new lines, no repeats)."""
    names = [n.strip() for n in text.replace("\n", ",").split(",")]
    return list(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class ProviderSpecs:
    """One provider's judge specs from the settings, and why any could not be made."""

    provider: str
    specs: list[str]
    problem: str | None = None


def provider_specs(provider: str, settings: Mapping[str, Any] | None = None) -> ProviderSpecs:
    """The judge specs the settings give for one provider, enabled or not."""
    s = store() if settings is None else settings
    models = model_names(str(s.get(f"{provider}.models", "")))
    if not models:
        return ProviderSpecs(provider, [], "enter a model name")
    if provider != "openai-compatible":
        return ProviderSpecs(provider, [f"{provider}:{m}" for m in models])
    url = str(s.get(f"{provider}.base_url", "")).strip()
    if not url:
        problem = f"enter the server's base URL (e.g. {EXAMPLE_COMPATIBLE_URL})"
        return ProviderSpecs(provider, [], problem)
    if not url.lower().startswith(("http://", "https://")):
        problem = f"the base URL must start with http:// or https:// ({url})"
        return ProviderSpecs(provider, [], problem)
    return ProviderSpecs(provider, [f"{provider}:{m}@{url}" for m in models])


def enabled_specs(settings: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Provider → specs, for every enabled provider that has usable specs."""
    s = store() if settings is None else settings
    found = {p: provider_specs(p, s).specs for p in PROVIDERS if s.get(f"{p}.enabled")}
    return {p: specs for p, specs in found.items() if specs}


def session_judge_specs() -> list[str]:
    """Every LLM judge spec enabled on the Settings page, e.g. 'openai:gpt-4.1'."""
    return [spec for specs in enabled_specs().values() for spec in specs]


def streamlit_secrets() -> dict[str, str]:
    """The key variables (KEY_VARS names) found in Streamlit secrets; {} without a secrets file."""
    names = [name for names in KEY_VARS.values() for name in names]
    try:
        found = {n: st.secrets[n] for n in names if n in st.secrets}
    except StreamlitSecretNotFoundError:  # no secrets.toml (or one that cannot be parsed)
        return {}
    return {n: v for n, v in found.items() if isinstance(v, str)}


def typed_keys(settings: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Provider → the key typed on the Settings page (only providers with one)."""
    s = store() if settings is None else settings
    keys = {p: str(s.get(f"{p}.key", "")).strip() for p in PROVIDERS}
    return {p: k for p, k in keys.items() if k}


def session_judge_settings(state: MutableMapping[str, Any] | None = None) -> JudgeSettings:
    """A fresh JudgeSettings from this session's settings: build one per run, close it after."""
    s = store(state)
    urls = {p: str(s[f"{p}.base_url"]).strip() for p in OVERRIDABLE}
    return JudgeSettings(
        session_keys=typed_keys(s),
        secrets=streamlit_secrets(),
        base_urls={p: u for p, u in urls.items() if u},
        concurrency=int(s["concurrency"]),
        rpm=int(s["rpm"]) or None,
        timeout=float(s["timeout"]),
        retry=RetryPolicy(max_retries=int(s["retries"])),
        outage_wait=float(s["outage_wait"]),
        time_budget=float(s["time_budget"]) or None,
        budget_usd=access_config().run_budget(float(s["budget"]) or None),
        samples=int(s["samples"]),
        use_cache=bool(s["cache"]),
        redact_pii=str(s["redact_pii"]),
    )


def session_batch(
    judges: list[str],
    weights: dict[str, float] | None,
    state: MutableMapping[str, Any] | None = None,
) -> tuple[BatchSettings, SettingsFactory]:
    """A batch job's stored settings from this session's limits, and the factory that gives its
    background worker this session's keys and endpoints (held in memory, never stored)."""
    s = store(state)
    cfg = BatchSettings(
        judges=judges,
        weights=weights,
        concurrency=int(s["concurrency"]),
        rpm=int(s["rpm"]) or None,
        timeout=float(s["timeout"]),
        retries=int(s["retries"]),
        samples=int(s["samples"]),
        use_cache=bool(s["cache"]),
        redact_pii=str(s["redact_pii"]),
    )
    keys, secrets = typed_keys(s), streamlit_secrets()
    urls = {p: str(s[f"{p}.base_url"]).strip() for p in OVERRIDABLE}
    outage = float(s["outage_wait"])
    budget = access_config().run_budget(float(s["budget"]) or None)  # the deployment's cap

    def factory(job: BatchSettings) -> JudgeSettings:
        return replace(
            judge_settings(job),
            session_keys=dict(keys),
            secrets=dict(secrets),
            base_urls={p: u for p, u in urls.items() if u},
            outage_wait=outage,
            budget_usd=budget,
        )

    return cfg, factory


def key_status(provider: str, secrets: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """(found, sentence) about the provider's key, never revealing it.

    The typed key wins, then the environment, Streamlit secrets and .env (credentials' order).
    """
    names = KEY_VARS.get(provider, ())
    secrets = streamlit_secrets() if secrets is None else secrets
    found = key_source(provider, typed_keys(), secrets)
    if found and found[1] == "typed in the app":
        return True, "Using the key typed here (kept for this browser session only)."
    if found:
        return True, f"Key found in {found[1]}."
    listed = " or ".join(names)
    if provider in KEY_OPTIONAL:
        return False, (
            f"No key: most local servers need none. If yours does, set {listed} or type one here."
        )
    return False, f"No key: set {listed} or type one here."


def effective_base_url(provider: str) -> tuple[str, str]:
    """(URL, where it comes from) used when the Settings page's override is empty."""
    url = base_url(provider)
    if url:
        return url, BASE_URL_VARS[provider]
    return DEFAULT_BASE_URLS[provider], "the provider's default"
