"""OpenAI chat completions judges: `openai:MODEL` and `openai-compatible:MODEL@BASE_URL`.

An OpenAI-compatible server (Ollama, vLLM, LM Studio…) is configuration, not a new class: the
same client with another base URL. Requests carry `response_format` with a strict JSON schema.
The SDK's own retries are off (max_retries=0); a11y_judge.resilience retries instead.
"""

from __future__ import annotations

import importlib
import json
import ssl
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from a11y_judge.credentials import (
    DEFAULT_BASE_URLS,
    KEY_VARS,
    base_url,
    redact,
    require_key,
    safe_url,
)
from a11y_judge.errors import JudgeConfigError
from a11y_judge.judges.base import register
from a11y_judge.judges.http_errors import is_transient_status, retry_after, status_advice
from a11y_judge.judges.llm import Completion, LLMJudge, Message, lazy
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.resilience import MalformedReplyError, Transient
from a11y_judge.safety.redact import is_loopback_url

#: Sent as the bearer token to local servers that need no key (the client requires one).
KEYLESS = "no-key-needed"


class OpenAIChatTransport:
    """One chat completion with a JSON schema through the official openai client."""

    def __init__(
        self, *, provider: str, model: str, api_key: str, url: str | None, timeout: float
    ) -> None:
        import openai

        self._openai = openai
        self._key = api_key
        self.provider = provider
        self.model = model
        self.url = url or DEFAULT_BASE_URLS["openai"]
        self._client = lazy(
            lambda: openai.OpenAI(
                api_key=api_key,
                base_url=url,
                max_retries=0,
                timeout=timeout,
                http_client=openai.DefaultHttpxClient(verify=_tls_for(self.url)),
            )
        )

    def connect(self) -> None:
        """Build the SDK client now (it is built on first use; building costs tens of ms)."""
        self._client()

    def complete(
        self,
        system: str,
        messages: list[Message],
        schema: dict[str, Any],
        *,
        temperature: float | None,
        max_output_tokens: int,
    ) -> Completion:
        """POST /chat/completions with response_format json_schema (strict)."""
        request: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": system}, *messages],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "plan_judgment", "strict": True, "schema": schema},
            },
        }
        if temperature is not None:
            request["temperature"] = temperature
        if self.provider == "openai":
            request["max_completion_tokens"] = max_output_tokens
        else:  # many compatible servers know only the older name
            request["max_tokens"] = max_output_tokens
        # the client's own POST (its auth, errors and typed reply) with the body as built here:
        # `chat.completions.create` would first walk every message and the schema against its
        # type hints, a third of the SDK's CPU per call, which a batch pays for each reply of a
        # round one after the other
        resp = self._client().post(
            "/chat/completions", body=request, cast_to=self._openai.types.chat.ChatCompletion
        )
        if isinstance(resp, str):  # the SDK hands back bodies that are not JSON as text
            raise MalformedReplyError(
                f"the endpoint answered with a page that is not JSON: {resp[:80]!r}", raw=resp
            )
        usage = resp.usage
        if not resp.choices:
            return Completion("", finish="no choices in the reply")
        choice = resp.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        return Completion(
            text=choice.message.content or "",
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            finish=f"refused: {refusal}" if refusal else str(choice.finish_reason or ""),
        )

    def classify(self, exc: Exception) -> Transient | None:
        """Timeouts, connection errors, 408/409/5xx, 429 (unless the quota is used up) and
        response bodies that are not JSON are transient."""
        o = self._openai
        if isinstance(exc, json.JSONDecodeError | o.APIResponseValidationError):
            return Transient("malformed")
        if isinstance(exc, o.APIConnectionError):  # timeouts included
            return Transient()
        if isinstance(exc, o.APIStatusError) and is_transient_status(exc.status_code):
            if exc.status_code != 429:
                return Transient("error", retry_after(exc.response.headers, exc.body))
            if getattr(exc, "code", None) == "insufficient_quota":
                return None  # waiting will not bring credit back
            return Transient("rate_limit", retry_after(exc.response.headers, exc.body))
        return None

    def describe(self, exc: Exception) -> str:
        """A sentence naming the provider, the failure and what to do."""
        o = self._openai
        who = f"{self.provider} ({self.model})"
        if isinstance(exc, json.JSONDecodeError):
            return f"{who} sent a response body that is not JSON ({exc.msg})"
        if isinstance(exc, o.APITimeoutError):
            return f"{who} did not answer within the timeout"
        if isinstance(exc, o.APIConnectionError):
            return f"{who} could not be reached at {safe_url(self.url)}"
        if isinstance(exc, o.APIStatusError):
            detail = exc.message if isinstance(exc.message, str) else ""
            detail = redact(detail, [self._key])  # before cutting, so no key fragment survives
            vars_ = " or ".join(KEY_VARS[self.provider])
            return (
                f"{who} answered HTTP {exc.status_code}: {detail[:200]} — "
                f"{status_advice(exc.status_code, vars_)}"
            )
        return f"{who} failed: {type(exc).__name__}: {exc}"


def _tls_for(url: str) -> ssl.SSLContext:
    """The TLS context for a base URL: the shared one with the CA store for https; for plain
    http (a local Ollama or vLLM) one that trusts no certificate, so loading the CA store is
    not paid for and a redirect to https fails closed instead of going unverified."""
    return _shared_tls() if urlsplit(url).scheme == "https" else _trusting_nothing()


@cache
def _trusting_nothing() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies hostnames, knows no CA


@cache
def _shared_tls() -> ssl.SSLContext:
    """One TLS context, as the SDK's HTTP library makes it, for every client of the process:
    each client would otherwise load the CA store again (~25 ms)."""
    import openai

    library = openai.DefaultHttpxClient.__mro__[1].__module__.split(".")[0]  # httpx or httpx2
    context: ssl.SSLContext = importlib.import_module(library).create_ssl_context()
    return context


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else url


@register("openai")
def make_openai(rest: str, settings: JudgeSettings) -> LLMJudge:
    """`openai:MODEL` using OPENAI_API_KEY (base URL: A11Y_JUDGE_OPENAI_BASE_URL)."""
    model = rest.strip()
    if not model:
        raise JudgeConfigError("the openai judge needs a model", hint="Write e.g. openai:gpt-4.1")
    key = require_key("openai", settings.session_keys, settings.secrets) or ""
    url = base_url("openai", settings.base_urls)
    transport = OpenAIChatTransport(
        provider="openai", model=model, api_key=key, url=url, timeout=settings.timeout
    )
    return LLMJudge(
        judge_id=f"openai:{model}",
        provider="openai",
        model=model,
        transport=transport,
        settings=settings,
        endpoint=f"openai@{_host(url or DEFAULT_BASE_URLS['openai'])}",
        secrets=(key,),
        local=is_loopback_url(url),
    )


@register("openai-compatible")
def make_compatible(rest: str, settings: JudgeSettings) -> LLMJudge:
    """`openai-compatible:MODEL@BASE_URL`, e.g. `openai-compatible:llama3.1@http://localhost:11434/v1`."""
    model, sep, url = rest.strip().partition("@")
    model, url = model.strip(), url.strip()
    if not model or not sep or not urlsplit(url).scheme.startswith("http"):
        raise JudgeConfigError(
            f"'openai-compatible:{rest}' needs a model and a base URL",
            hint="Write e.g. openai-compatible:llama3.1@http://localhost:11434/v1",
        )
    key = require_key("openai-compatible", settings.session_keys, settings.secrets)
    transport = OpenAIChatTransport(
        provider="openai-compatible",
        model=model,
        api_key=key or KEYLESS,
        url=url,
        timeout=settings.timeout,
    )
    return LLMJudge(
        judge_id=f"openai-compatible:{model}@{_host(url)}",
        provider="openai-compatible",
        model=model,
        transport=transport,
        settings=settings,
        endpoint=f"openai-compatible@{_host(url)}",
        secrets=(key,),
        local=is_loopback_url(url),
    )
