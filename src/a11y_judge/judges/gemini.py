"""Google Gemini judges (`gemini:MODEL`) through the google-genai SDK.

Uses `google-genai` (the end-of-life `google-generativeai` is not used). Requests carry
`response_mime_type="application/json"` and `response_json_schema`. The SDK's retries are off
(one attempt); a11y_judge.resilience retries instead.
"""

from __future__ import annotations

import json
from typing import Any

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
from a11y_judge.resilience import Transient
from a11y_judge.safety.redact import is_loopback_url


class GeminiTransport:
    """One generateContent call with a JSON schema through google-genai."""

    def __init__(self, *, model: str, api_key: str, url: str | None, timeout: float) -> None:
        from google import genai
        from google.genai import errors, types

        self._errors = errors
        self._types = types
        self._key = api_key
        self.model = model
        self.url = url or DEFAULT_BASE_URLS["gemini"]
        options = types.HttpOptions(
            base_url=url or None,
            timeout=int(timeout * 1000),
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        self._client = lazy(lambda: genai.Client(api_key=api_key, http_options=options))

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
        """POST models/MODEL:generateContent with a response JSON schema."""
        t = self._types
        contents = [
            t.Content(
                role="user" if m["role"] == "user" else "model", parts=[t.Part(text=m["content"])]
            )
            for m in messages
        ]
        config = t.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_json_schema=schema,
            temperature=temperature,
            max_output_tokens=max_output_tokens,
        )
        resp = self._client().models.generate_content(
            model=self.model,
            contents=contents,
            config=config,
        )
        usage = resp.usage_metadata
        finish = ""
        if resp.candidates and resp.candidates[0].finish_reason:
            finish = str(resp.candidates[0].finish_reason.value)
        elif resp.prompt_feedback and resp.prompt_feedback.block_reason:
            finish = f"blocked: {resp.prompt_feedback.block_reason.value}"
        text = ""
        if resp.candidates and resp.candidates[0].content and resp.candidates[0].content.parts:
            text = "".join(p.text or "" for p in resp.candidates[0].content.parts if not p.thought)
        return Completion(
            text=text,
            input_tokens=(usage.prompt_token_count or 0) if usage else 0,
            output_tokens=(
                (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
                if usage
                else 0
            ),
            finish="" if finish == "STOP" else finish,
        )

    def classify(self, exc: Exception) -> Transient | None:
        """408/409/429/5xx API errors, transport errors (timeouts, connections) and response
        bodies that are not JSON."""
        if isinstance(exc, json.JSONDecodeError):
            return Transient("malformed")
        if isinstance(exc, self._errors.APIError):
            if is_transient_status(exc.code):
                headers = getattr(exc.response, "headers", None)
                after = retry_after(headers, exc.details)
                return Transient("rate_limit" if exc.code == 429 else "error", after)
            return None
        if _transport_error(exc):
            return Transient()
        return None

    def describe(self, exc: Exception) -> str:
        """A sentence naming the provider, the failure and what to do."""
        who = f"gemini ({self.model})"
        if isinstance(exc, json.JSONDecodeError):
            return f"{who} sent a response body that is not JSON ({exc.msg})"
        if isinstance(exc, self._errors.APIError):
            vars_ = " or ".join(KEY_VARS["gemini"])
            return (
                f"{who} answered HTTP {exc.code}: {redact(exc.message or '', [self._key])[:200]} — "
                f"{status_advice(exc.code, vars_)}"
            )
        if _transport_error(exc):
            if "Timeout" in type(exc).__name__:
                return f"{who} did not answer within the timeout"
            return f"{who} could not be reached at {safe_url(self.url)}"
        return f"{who} failed: {type(exc).__name__}: {exc}"


def _transport_error(exc: Exception) -> bool:
    """httpx/httpx2 transport failures (timeouts, refused or dropped connections)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"TransportError", "TimeoutException", "NetworkError"})


@register("gemini")
def make_gemini(rest: str, settings: JudgeSettings) -> LLMJudge:
    """`gemini:MODEL` using GEMINI_API_KEY or GOOGLE_API_KEY (A11Y_JUDGE_GEMINI_BASE_URL)."""
    model = rest.strip().removeprefix("models/")
    if not model:
        raise JudgeConfigError(
            "the gemini judge needs a model", hint="Write e.g. gemini:gemini-2.5-pro"
        )
    key = require_key("gemini", settings.session_keys, settings.secrets) or ""
    url = base_url("gemini", settings.base_urls)
    transport = GeminiTransport(model=model, api_key=key, url=url, timeout=settings.timeout)
    return LLMJudge(
        judge_id=f"gemini:{model}",
        provider="gemini",
        model=model,
        transport=transport,
        settings=settings,
        endpoint="gemini",
        secrets=(key,),
        local=is_loopback_url(url),
    )
