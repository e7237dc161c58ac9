"""The fake LLM server, driven by the real openai and google-genai SDKs over loopback HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from fakes.llm_server import (
    DEFAULT_MODEL,
    Drop,
    FakeLLMServer,
    Hang,
    RecordedRequest,
    Reply,
    Status,
    gemini_schema,
    openai_schema,
    schema_instance,
)

pytestmark = pytest.mark.timeout(20)

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "reason": {"type": "string"},
    },
    "required": ["score", "reason"],
    "additionalProperties": False,
}
MESSAGES: list[Any] = [{"role": "user", "content": "Judge this plan."}]


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:
        yield fake


def make_openai(server: FakeLLMServer, timeout: float = 5.0) -> openai.OpenAI:
    return openai.OpenAI(
        api_key="sk-test", base_url=server.openai_base_url, max_retries=0, timeout=timeout
    )


def make_genai(server: FakeLLMServer, timeout_ms: int = 5_000) -> genai.Client:
    # google-genai 3.4 does not retry unless HttpOptions.retry_options is set
    # (retry_options=None -> _api_client.retry_args stops after 1 attempt), so leaving it
    # unset gives exactly one HTTP request per call; the tests assert that count.
    return genai.Client(
        api_key="g-test",
        http_options=types.HttpOptions(base_url=server.gemini_base_url, timeout=timeout_ms),
    )


def call_openai(client: openai.OpenAI) -> Any:
    return client.chat.completions.create(model="gpt-fake", messages=MESSAGES)


def call_genai(client: genai.Client) -> Any:
    return client.models.generate_content(model="gemini-fake", contents="Judge this plan.")


# 1-2. happy paths ---------------------------------------------------------------------------


def test_openai_json_schema_round_trip(server: FakeLLMServer) -> None:
    server.enqueue(Reply('{"score": 4, "reason": "ok"}', input_tokens=321, output_tokens=12))
    completion = make_openai(server).chat.completions.create(
        model="gpt-fake",
        messages=MESSAGES,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "verdict", "schema": VERDICT_SCHEMA, "strict": True},
        },
    )

    assert json.loads(completion.choices[0].message.content or "") == {"score": 4, "reason": "ok"}
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-fake"
    assert completion.id.startswith("chatcmpl-fake-")
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (321, 12)
    assert completion.usage.total_tokens == 333

    [request] = server.requests
    assert (request.method, request.path, request.api) == ("POST", "/v1/chat/completions", "openai")
    assert request.model == "gpt-fake"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert openai_schema(request.body) == VERDICT_SCHEMA
    assert gemini_schema(request.body) is None


def test_genai_json_schema_round_trip(server: FakeLLMServer) -> None:
    server.enqueue(Reply('{"score": 2, "reason": "thin"}', input_tokens=77, output_tokens=9))
    client = make_genai(server)  # keep a reference: a collected genai.Client closes its pool
    response = client.models.generate_content(
        model="gemini-fake",
        contents="Judge this plan.",
        config=types.GenerateContentConfig(
            response_mime_type="application/json",
            response_json_schema=VERDICT_SCHEMA,
            system_instruction="You are a strict judge.",
        ),
    )

    assert json.loads(response.text or "") == {"score": 2, "reason": "thin"}
    usage = response.usage_metadata
    assert usage is not None
    assert (usage.prompt_token_count, usage.candidates_token_count) == (77, 9)
    assert usage.total_token_count == 86

    [request] = server.requests
    assert request.api == "gemini"
    assert request.model == "gemini-fake"
    assert request.path.endswith("/models/gemini-fake:generateContent")
    assert request.headers["x-goog-api-key"] == "g-test"
    assert gemini_schema(request.body) == VERDICT_SCHEMA  # sent as responseJsonSchema, verbatim
    assert request.body["systemInstruction"]["parts"][0]["text"] == "You are a strict judge."
    assert openai_schema(request.body) is None


def test_genai_response_schema_is_found_and_instantiable(server: FakeLLMServer) -> None:
    client = make_genai(server)
    client.models.generate_content(
        model="gemini-fake",
        contents="x",
        config=types.GenerateContentConfig(
            response_mime_type="application/json", response_schema=VERDICT_SCHEMA
        ),
    )
    schema = gemini_schema(server.requests[0].body)
    assert schema is not None
    assert schema["type"] == "OBJECT"  # response_schema= is sent as responseSchema, upper-cased
    assert schema_instance(schema) == {"score": 5, "reason": "fake"}


# 3. rate limits -----------------------------------------------------------------------------


def test_openai_rate_limit_exposes_retry_after(server: FakeLLMServer) -> None:
    server.enqueue(Status(429, retry_after=2, message="slow down"))
    with pytest.raises(openai.RateLimitError) as caught:
        call_openai(make_openai(server))
    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "2"
    assert "retry-after-ms" not in caught.value.response.headers
    assert caught.value.message.endswith("slow down")
    assert server.count("openai") == 1


def test_genai_rate_limit_exposes_retry_after(server: FakeLLMServer) -> None:
    server.enqueue(Status(429, retry_after=2))
    with pytest.raises(genai_errors.ClientError) as caught:
        call_genai(make_genai(server))
    assert isinstance(caught.value, genai_errors.APIError)
    assert (caught.value.code, caught.value.status) == (429, "RESOURCE_EXHAUSTED")
    assert caught.value.response.headers["retry-after"] == "2"
    assert server.count("gemini") == 1  # no retry by default


def test_fractional_retry_after_is_sent_as_given(server: FakeLLMServer) -> None:
    server.enqueue(Status(503, retry_after=1.5))
    with pytest.raises(openai.InternalServerError) as caught:
        call_openai(make_openai(server))
    assert caught.value.response.headers["retry-after"] == "1.5"


# 4. server errors ---------------------------------------------------------------------------


def test_openai_server_error(server: FakeLLMServer) -> None:
    server.enqueue(Status(500))
    with pytest.raises(openai.InternalServerError) as caught:
        call_openai(make_openai(server))
    assert caught.value.status_code == 500
    assert "retry-after" not in caught.value.response.headers
    assert server.count() == 1


def test_genai_server_error(server: FakeLLMServer) -> None:
    server.enqueue(Status(500))
    with pytest.raises(genai_errors.ServerError) as caught:
        call_genai(make_genai(server))
    assert (caught.value.code, caught.value.status) == (500, "INTERNAL")
    assert server.count() == 1


# 5. timeouts --------------------------------------------------------------------------------


def test_openai_timeout(server: FakeLLMServer) -> None:
    server.enqueue(Hang(2))
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError) as caught:
        call_openai(make_openai(server, timeout=0.5))
    assert time.monotonic() - started < 1.5
    assert isinstance(caught.value.__cause__, httpx2.ReadTimeout)
    assert server.count() == 1


def test_genai_timeout_raises_raw_httpx2_read_timeout(server: FakeLLMServer) -> None:
    server.enqueue(Hang(2))
    started = time.monotonic()
    with pytest.raises(httpx2.ReadTimeout):  # google-genai does not wrap transport errors
        call_genai(make_genai(server, timeout_ms=500))
    assert time.monotonic() - started < 1.5
    assert server.count() == 1


def test_hang_then_replies_when_the_client_waits(server: FakeLLMServer) -> None:
    server.enqueue(Hang(0.2, then=Reply("late")))
    started = time.monotonic()
    completion = call_openai(make_openai(server))
    assert completion.choices[0].message.content == "late"
    assert time.monotonic() - started >= 0.2


# 6. dropped connections ---------------------------------------------------------------------


def test_openai_dropped_connection(server: FakeLLMServer) -> None:
    server.enqueue(Drop())
    with pytest.raises(openai.APIConnectionError) as caught:
        call_openai(make_openai(server))
    assert not isinstance(caught.value, openai.APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    assert server.count() == 1


def test_genai_dropped_connection_raises_raw_remote_protocol_error(server: FakeLLMServer) -> None:
    server.enqueue(Drop())
    client = make_genai(server)
    with pytest.raises(httpx2.RemoteProtocolError):
        call_genai(client)
    assert server.count() == 1
    # The same client recovers on the next call (a fresh connection).
    assert call_genai(client).text == "{}"


# 7. concurrency -----------------------------------------------------------------------------


def test_sixteen_concurrent_requests_overlap() -> None:
    with FakeLLMServer(latency=0.5) as server:
        client = make_openai(server)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda _: call_openai(client), range(16)))
        elapsed = time.monotonic() - started
    assert elapsed < 1.5, f"16 requests of 0.5 s took {elapsed:.2f} s: not concurrent"
    assert [r.choices[0].message.content for r in results] == ["{}"] * 16
    assert len({r.id for r in results}) == 16
    assert server.count("openai") == 16


# script, responder, routing -----------------------------------------------------------------


def test_queue_is_fifo_across_apis_then_responder(server: FakeLLMServer) -> None:
    seen: list[str | None] = []
    lock = threading.Lock()

    def responder(request: RecordedRequest) -> Reply:
        with lock:
            seen.append(request.model)
        return Reply(f"from responder for {request.model}")

    server.responder = responder
    server.enqueue(Reply("first"), Reply("second"))
    oa, gg = make_openai(server), make_genai(server)
    assert call_genai(gg).text == "first"
    assert call_openai(oa).choices[0].message.content == "second"
    assert call_openai(oa).choices[0].message.content == "from responder for gpt-fake"
    assert seen == ["gpt-fake"]
    assert (server.count(), server.count("openai"), server.count("gemini")) == (3, 2, 1)

    server.reset()
    server.responder = None
    assert server.requests == []
    assert call_openai(oa).choices[0].message.content == "{}"


def test_responder_exception_becomes_500(server: FakeLLMServer) -> None:
    def responder(request: RecordedRequest) -> Reply:
        raise RuntimeError("boom")

    server.responder = responder
    with pytest.raises(openai.InternalServerError):
        call_openai(make_openai(server))
    assert [str(e) for e in server.responder_errors] == ["boom"]


def test_model_endpoints_and_unknown_paths(server: FakeLLMServer) -> None:
    oa, gg = make_openai(server), make_genai(server)
    assert [m.id for m in oa.models.list().data] == [DEFAULT_MODEL]
    assert oa.models.retrieve("gpt-fake").id == "gpt-fake"
    gemini_model = gg.models.get(model="gemini-fake")
    assert gemini_model.name == "models/gemini-fake"
    assert [(r.api, r.model) for r in server.requests] == [
        ("openai", None),
        ("openai", "gpt-fake"),
        ("gemini", "gemini-fake"),
    ]

    response = httpx2.get(f"{server.url}/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == 404
    assert server.requests[-1].api == "other"


# 8. schema instances ------------------------------------------------------------------------

NESTED_SCHEMA: dict[str, Any] = {
    "$defs": {
        "Finding": {
            "type": "object",
            "properties": {
                "criterion": {"type": "string", "enum": ["1.1.1", "1.4.3"]},
                "severity": {"type": "number", "minimum": 0, "maximum": 1},
                "tags": {"type": "array", "items": {"type": "string"}},
                "evidence": {
                    "type": "array",
                    "minItems": 2,
                    "items": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
                },
                "note": {"anyOf": [{"type": "null"}, {"type": "string", "minLength": 6}]},
                "parent": {"anyOf": [{"$ref": "#/$defs/Finding"}, {"type": "null"}]},
            },
            "required": ["criterion", "severity", "evidence"],
        }
    },
    "type": "object",
    "properties": {
        "score": {"type": "integer", "minimum": 1, "exclusiveMaximum": 5},
        "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "weight": {"type": "number", "minimum": 10, "maximum": 20},
        "ok": {"type": "boolean"},
        "findings": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/Finding"}},
        "primary": {"$ref": "#/$defs/Finding"},
    },
    "required": ["score", "findings"],
    "additionalProperties": False,
}


def test_schema_instance_is_valid_and_minimal() -> None:
    instance = schema_instance(NESTED_SCHEMA)

    try:
        import jsonschema
    except ImportError:  # pragma: no cover - jsonschema is installed in the dev venv
        jsonschema = None
    if jsonschema is not None:
        jsonschema.Draft202012Validator(NESTED_SCHEMA).validate(instance)

    assert set(instance) == {"score", "confidence", "weight", "ok", "findings", "primary"}
    assert instance["score"] == 4  # 7 clamped below the exclusive maximum 5
    assert instance["confidence"] == 1.0
    assert instance["weight"] == 10.0
    assert instance["ok"] is True
    assert len(instance["findings"]) == 2
    finding = instance["findings"][0]
    assert finding["criterion"] == "1.1.1"
    assert finding["tags"] == []
    assert finding["evidence"] == [[7], [7]]
    assert finding["note"] == "fakexx"
    assert finding["parent"] is None  # the recursive branch is skipped for the null one
    assert instance["primary"] == finding


def test_schema_instance_custom_number_and_bounds() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "number", "exclusiveMinimum": 7}}}
    assert schema_instance(schema)["a"] > 7
    assert schema_instance({"type": "integer", "minimum": 0, "maximum": 100}, number=42) == 42
    assert schema_instance({"type": "number", "maximum": 3}, number=42) == 3
    node = {"type": "object", "properties": {"next": {"$ref": "#/$defs/N"}}, "required": ["next"]}
    endless = {"$defs": {"N": node}, "$ref": "#/$defs/N"}
    with pytest.raises(ValueError, match="infinite"):
        schema_instance(endless)
