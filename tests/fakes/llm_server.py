"""A loopback HTTP server speaking the OpenAI and Gemini wire formats, for tests and benchmarks.

It lets the *real* ``openai`` SDK (3.52, on ``httpx2``) and the *real* ``google-genai`` SDK
(3.4, on ``httpx2``) run against 127.0.0.1, with scripted replies, errors, hangs and dropped
connections::

    with FakeLLMServer(latency=0.5) as server:
        server.enqueue(Reply('{"score": 3}'), Status(429, retry_after=2))
        client = openai.OpenAI(api_key="k", base_url=server.openai_base_url, max_retries=0)
        gclient = genai.Client(
            api_key="k",
            http_options=types.HttpOptions(base_url=server.gemini_base_url, timeout=5_000),
        )

Routes (anything else is a 404 JSON error and is recorded with ``api="other"``):

* OpenAI: ``POST …/chat/completions``, ``GET …/models``, ``GET …/models/{id}``.
* Gemini: ``POST /{version}/models/{model}:generateContent`` (google-genai 3.4 uses ``v1``
  when ``base_url`` is set; any version is accepted), ``GET /{version}/models[/{model}]``.
  ``GET /v1/models…`` is ambiguous between the two; requests carrying an ``x-goog-*`` header
  (google-genai always sends ``x-goog-api-key`` and ``x-goog-api-client``) are Gemini.

Every routed request (generation and model metadata alike) takes the next scripted behaviour
from the queue, then the responder, then ``Reply("{}")``. On a model-metadata route a
``Reply`` means "the normal 200 answer"; its text is ignored.

What the SDKs raise (verified by ``tests/integration/test_fake_llm_server.py``):

* 429 — openai: ``openai.RateLimitError``; read ``exc.response.headers["retry-after"]``
  (``exc.response`` is an ``httpx2.Response``; the SDK itself prefers ``retry-after-ms`` and
  then ``retry-after``). google-genai: ``google.genai.errors.ClientError`` (an ``APIError``)
  with ``exc.code == 429`` and ``exc.status == "RESOURCE_EXHAUSTED"``; read
  ``exc.response.headers["retry-after"]`` (``exc.response`` is the ``httpx2.Response``).
* 5xx — openai: ``openai.InternalServerError`` (any status >= 500); google-genai:
  ``google.genai.errors.ServerError`` with ``exc.code`` set (e.g. 500, status ``"INTERNAL"``).
* Client timeout — openai: ``openai.APITimeoutError`` (wrapping ``httpx2.ReadTimeout``).
  google-genai does not wrap transport errors: it raises ``httpx2.ReadTimeout`` itself (a
  subclass of ``httpx2.TimeoutException``). ``HttpOptions.timeout`` is in milliseconds.
* Dropped connection (``Drop``) — openai: ``openai.APIConnectionError`` (wrapping
  ``httpx2.RemoteProtocolError``); google-genai: raw ``httpx2.RemoteProtocolError``
  ("Server disconnected without sending a response").

Retries: give openai ``max_retries=0`` (its default is 2). google-genai 3.4 does *not* retry
by default: ``HttpOptions.retry_options`` defaults to ``None``, which makes
``_api_client.retry_args`` stop after one attempt. Only when ``retry_options`` is set does it
retry (default 5 attempts on 408/429/500/502/503/504 and on httpx timeouts/connect errors).
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

__all__ = [
    "DEFAULT_MODEL",
    "Behaviour",
    "Drop",
    "FakeLLMServer",
    "Hang",
    "Raw",
    "RecordedRequest",
    "Reply",
    "Responder",
    "Status",
    "gemini_schema",
    "openai_schema",
    "schema_instance",
]

DEFAULT_MODEL = "fake-model"
"""The model id listed by the model-listing endpoints."""

Api = Literal["openai", "gemini", "other"]


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    """The raw request target, query string included."""
    headers: dict[str, str]
    """Header names lower-cased; repeated headers joined with ", "."""
    body: Any
    """The parsed JSON body, or None when the body is empty or not JSON."""
    api: Api
    model: str | None
    """The OpenAI body's ``model`` (or the id in ``/models/{id}``), or the Gemini path's model."""


@dataclass
class Reply:
    """Answer 200 with this assistant text and token usage."""

    text: str
    input_tokens: int = 100
    output_tokens: int = 50
    refusal: str | None = None
    """OpenAI only: answer with this refusal (and no content) instead of the text."""


@dataclass
class Status:
    """Answer with an HTTP error status and the provider's error JSON body."""

    code: int
    retry_after: float | None = None
    """If set, sent as a ``Retry-After`` header in seconds: ``2`` → ``"2"``, ``1.5`` → ``"1.5"``."""
    message: str = "fake error"
    headers: dict[str, str] | None = None
    """Further response headers, e.g. ``{"retry-after-ms": "250"}`` or OpenAI's
    ``x-ratelimit-reset-requests``."""
    latency: float | None = None
    """Seconds before answering, instead of the server's ``latency`` (rejections are quick)."""


@dataclass
class Raw:
    """Answer with this exact body and content type (an HTML error page with status 200, a
    JSON body cut short by a proxy…)."""

    body: str
    code: int = 200
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Hang:
    """Sleep ``seconds`` before answering with ``then`` (default ``Reply("{}")``)."""

    seconds: float
    then: Reply | Status | None = None


@dataclass
class Drop:
    """Close the connection without sending any response."""


Behaviour = Reply | Status | Hang | Drop | Raw
Responder = Callable[[RecordedRequest], Behaviour]
"""Called from handler threads, possibly concurrently: it must be thread-safe."""

_OPENAI_ERRORS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    409: ("invalid_request_error", None),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}

_GEMINI_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

_Route = Literal[
    "openai_chat",
    "openai_models",
    "openai_model",
    "gemini_generate",
    "gemini_models",
    "gemini_model",
    "unknown",
]


def _route(method: str, path: str, headers: dict[str, str]) -> tuple[_Route, str | None]:
    """Classify a request: which endpoint it is and the model named in its path, if any."""
    parts = [unquote(p) for p in urlsplit(path).path.split("/") if p]
    is_google = any(name.startswith("x-goog-") for name in headers)
    if method == "POST":
        if parts[-2:] == ["chat", "completions"]:
            return "openai_chat", None
        # /{version}/models/{model}:generateContent (also tunedModels/…).
        if len(parts) == 3 and parts[1] in ("models", "tunedModels"):
            model, _, action = parts[2].partition(":")
            if action == "generateContent" and model:
                return "gemini_generate", model
        return "unknown", None
    if method == "GET" and len(parts) >= 2 and parts[1] == "models":
        if len(parts) == 2:
            return ("gemini_models" if is_google else "openai_models"), None
        if is_google:
            return ("gemini_model", parts[2]) if len(parts) == 3 else ("unknown", None)
        return "openai_model", "/".join(parts[2:])
    return "unknown", None


def _format_seconds(value: float) -> str:
    """``2`` → ``"2"``, ``2.0`` → ``"2"``, ``1.5`` → ``"1.5"``."""
    number = float(value)
    if math.isfinite(number) and number.is_integer():
        return str(int(number))
    return repr(number)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, fake: FakeLLMServer, port: int = 0) -> None:
        self.fake = fake
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that went away (timeouts, drops); report anything else."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as real HTTP servers set it: otherwise the body, written after the headers,
    # waits for the client's delayed ACK (~40 ms a reply on Linux)
    disable_nagle_algorithm = True
    server: _Server
    server_version = "FakeLLM/1.0"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        with self.server.sockets_lock:
            self.server.open_sockets.add(self.connection)

    def finish(self) -> None:
        with self.server.sockets_lock:
            self.server.open_sockets.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        received = time.perf_counter()  # latency counts from here: reading the body included
        fake = self.server.fake
        raw = self._read_body()
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                body = None
        route, model = _route(self.command, self.path, headers)
        if route == "openai_chat" and isinstance(body, dict) and isinstance(body.get("model"), str):
            model = body["model"]
        api: Api = "other"
        if route.startswith("openai"):
            api = "openai"
        elif route.startswith("gemini"):
            api = "gemini"
        recorded = RecordedRequest(self.command, self.path, headers, body, api, model)
        fake._record(recorded)

        if route == "unknown":
            self._send_json(
                404, self._error_body(api, 404, f"no route for {self.command} {self.path}")
            )
            return
        behaviour = fake._next_behaviour(recorded)
        latency = fake.latency
        if isinstance(behaviour, Status) and behaviour.latency is not None:
            latency = behaviour.latency
        if latency > 0:  # the reply leaves `latency` after the request came, however busy
            time.sleep(max(0.0, latency - (time.perf_counter() - received)))
        if isinstance(behaviour, Hang):
            time.sleep(behaviour.seconds)
            behaviour = behaviour.then if behaviour.then is not None else Reply("{}")
        if isinstance(behaviour, Drop):
            self.close_connection = True
            return
        if isinstance(behaviour, Raw):
            self._send(behaviour.code, behaviour.body.encode("utf-8"), behaviour.content_type)
            return
        if isinstance(behaviour, Status):
            extra = dict(behaviour.headers or {})
            if behaviour.retry_after is not None:
                extra["Retry-After"] = _format_seconds(behaviour.retry_after)
            err = self._error_body(api, behaviour.code, behaviour.message)
            self._send_json(behaviour.code, err, extra)
            return
        if not isinstance(behaviour, Reply):
            message = f"responder returned {behaviour!r}, not a Behaviour"
            self._send_json(500, self._error_body(api, 500, message))
            return
        self._send_json(200, self._success_body(route, model, behaviour))

    def _success_body(self, route: _Route, model: str | None, reply: Reply) -> dict[str, Any]:
        fake = self.server.fake
        now = int(time.time())
        usage_in, usage_out = reply.input_tokens, reply.output_tokens
        if route == "openai_chat":
            return {
                "id": f"chatcmpl-fake-{fake._next_id()}",
                "object": "chat.completion",
                "created": now,
                "model": model or DEFAULT_MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": None if reply.refusal else reply.text,
                            "refusal": reply.refusal,
                        },
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": usage_in,
                    "completion_tokens": usage_out,
                    "total_tokens": usage_in + usage_out,
                },
            }
        if route == "openai_models":
            return {"object": "list", "data": [_openai_model(DEFAULT_MODEL, now)]}
        if route == "openai_model":
            return _openai_model(model or DEFAULT_MODEL, now)
        if route == "gemini_generate":
            return {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": reply.text}]},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": usage_in,
                    "candidatesTokenCount": usage_out,
                    "totalTokenCount": usage_in + usage_out,
                },
                "modelVersion": model or DEFAULT_MODEL,
                "responseId": f"fake-{fake._next_id()}",
            }
        if route == "gemini_models":
            return {"models": [_gemini_model(DEFAULT_MODEL)]}
        return _gemini_model(model or DEFAULT_MODEL)  # gemini_model

    @staticmethod
    def _error_body(api: Api, code: int, message: str) -> dict[str, Any]:
        if api == "openai":
            kind, err_code = _OPENAI_ERRORS.get(
                code, ("server_error", None) if code >= 500 else ("invalid_request_error", None)
            )
            return {"error": {"message": message, "type": kind, "param": None, "code": err_code}}
        error: dict[str, Any] = {
            "code": code,
            "message": message,
            "status": _GEMINI_STATUS.get(code, "UNKNOWN"),
        }
        if api == "other":  # readable by either SDK
            error["type"] = "invalid_request_error"
        return {"error": error}

    def _send_json(self, code: int, payload: Any, extra: dict[str, str] | None = None) -> None:
        self._send(
            code, json.dumps(payload).encode("utf-8"), "application/json; charset=utf-8", extra
        )

    def _send(
        self, code: int, data: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client gave up (timeout) or the server is closing
            self.close_connection = True


def _openai_model(model_id: str, created: int) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": created, "owned_by": "fake"}


def _gemini_model(model: str) -> dict[str, Any]:
    return {
        "name": f"models/{model}",
        "baseModelId": model,
        "version": "001",
        "displayName": model,
        "description": "A fake model served by FakeLLMServer.",
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": 65_536,
        "supportedGenerationMethods": ["generateContent", "countTokens"],
    }


class FakeLLMServer:
    """A threaded fake of the OpenAI and Gemini HTTP APIs on 127.0.0.1 (see module docstring).

    Use as a context manager (or call :meth:`start` / :meth:`stop`). Each request is recorded,
    then answered with the next queued behaviour, else ``responder(request)``, else
    ``Reply("{}")``, after sleeping ``latency`` seconds in its own handler thread.
    """

    def __init__(
        self, responder: Responder | None = None, latency: float = 0.0, port: int = 0
    ) -> None:
        self.responder = responder
        self.latency = latency
        self._port = port
        self._lock = threading.Lock()
        self._queue: deque[Behaviour] = deque()
        self._requests: list[RecordedRequest] = []
        self._responder_errors: list[BaseException] = []
        self._ids = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeLLMServer:
        """Bind 127.0.0.1 (on a free port unless one was given) and serve from a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeLLMServer is already running")
        self._server = _Server(self, self._port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-llm-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open client connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with server.sockets_lock:
            sockets = list(server.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._server is None:
            raise RuntimeError("FakeLLMServer is not running; use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The ``base_url`` for ``openai.OpenAI``: ``url + "/v1"``."""
        return f"{self.url}/v1"

    @property
    def gemini_base_url(self) -> str:
        """The ``base_url`` for google-genai's ``HttpOptions``: just ``url``."""
        return self.url

    # script and records ------------------------------------------------------------------

    def enqueue(self, *behaviours: Behaviour) -> None:
        """Append behaviours to the FIFO script consumed by the next routed requests (any API)."""
        with self._lock:
            self._queue.extend(behaviours)

    def reset(self) -> None:
        """Forget the queued script, the recorded requests and any responder errors."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self._responder_errors.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def responder_errors(self) -> list[BaseException]:
        """Exceptions raised by the responder (each was answered with a 500)."""
        with self._lock:
            return list(self._responder_errors)

    def count(self, api: str | None = None) -> int:
        """How many requests were received, optionally only those of one ``api``."""
        with self._lock:
            if api is None:
                return len(self._requests)
            return sum(1 for r in self._requests if r.api == api)

    # used by the handler -----------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def _next_behaviour(self, request: RecordedRequest) -> Behaviour:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.responder is None:
            return Reply("{}")
        try:
            return self.responder(request)
        except Exception as exc:
            with self._lock:
                self._responder_errors.append(exc)
            return Status(500, message=f"responder raised {exc!r}")


# request-body helpers ----------------------------------------------------------------------


def openai_schema(body: Any) -> dict[str, Any] | None:
    """The JSON schema of an OpenAI ``response_format={"type": "json_schema", ...}``, if any."""
    try:
        schema = body["response_format"]["json_schema"]["schema"]
    except (KeyError, TypeError):
        return None
    return schema if isinstance(schema, dict) else None


def gemini_schema(body: Any) -> dict[str, Any] | None:
    """The response schema of a Gemini ``generateContent`` body, if any.

    google-genai sends ``GenerateContentConfig(response_json_schema=...)`` as
    ``generationConfig.responseJsonSchema`` (plain JSON Schema, unchanged) and
    ``response_schema=`` as ``generationConfig.responseSchema`` (OpenAPI subset, with
    upper-case types such as ``"OBJECT"``; :func:`schema_instance` accepts both).
    """
    try:
        config = body["generationConfig"]
    except (KeyError, TypeError):
        return None
    if not isinstance(config, dict):
        return None
    for key in ("responseJsonSchema", "responseSchema"):
        schema = config.get(key)
        if isinstance(schema, dict):
            return schema
    return None


# schema instances --------------------------------------------------------------------------


class _Recursive(Exception):
    """A ``$ref`` cycle that cannot be broken at this point."""


_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "email": "fake@example.com",
    "uri": "https://example.com/fake",
    "url": "https://example.com/fake",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def constant_responder(number: float = 6.0, by_model: dict[str, float] | None = None) -> Responder:
    """A responder that answers every request with a schema-valid reply whose numbers are
    `number` (the schema read from the OpenAI or Gemini request body), or `by_model[model]`
    for the models listed there (two judges that disagree)."""
    numbers = by_model or {}

    def respond(req: RecordedRequest) -> Reply:
        schema = openai_schema(req.body) or gemini_schema(req.body) or {"type": "object"}
        value = numbers.get(req.model or "", number)
        return Reply(json.dumps(schema_instance(schema, number=value)))

    return respond


def schema_instance(schema: dict[str, Any], number: float = 7.0) -> Any:
    """Build a small instance of a JSON schema (also Gemini's upper-case-type dialect).

    Objects get *every* property in ``properties`` (a property that could only be filled by
    recursing into itself forever is left out unless required); numbers and integers get
    ``number`` clamped into ``minimum``/``maximum`` (exclusive bounds and ``multipleOf``
    respected); strings get ``"fake"`` (or an example for a known ``format``, padded or cut to
    ``minLength``/``maxLength``); arrays get ``minItems`` items (default none); booleans
    ``True``. ``enum`` and ``const`` give their (first) value; ``$ref`` (to ``#/$defs/…`` or any
    local JSON pointer), ``allOf`` (merged), ``anyOf``/``oneOf`` (first non-null branch that
    works) and ``type`` lists (first non-null type) are understood. ``pattern`` and
    ``uniqueItems`` are not. Raises ValueError for a schema it cannot instantiate.
    """
    try:
        return _instance(schema, schema, number, ())
    except _Recursive as exc:
        raise ValueError(f"schema needs an infinite instance (via {exc})") from None


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref values are supported, not {ref!r}")
    node: Any = root
    for token in ref[1:].split("/"):
        if token:
            node = node[token.replace("~1", "/").replace("~0", "~")]
    if not isinstance(node, dict):
        raise ValueError(f"$ref {ref!r} does not point at a schema")
    return node


def _is_null(schema: Any) -> bool:
    return isinstance(schema, dict) and str(schema.get("type", "")).lower() == "null"


def _instance(schema: Any, root: dict[str, Any], number: float, refs: tuple[str, ...]) -> Any:
    if schema is True or schema == {}:
        return "fake"
    if not isinstance(schema, dict):
        raise ValueError(f"not a schema: {schema!r}")
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in refs:
            raise _Recursive(ref)
        target = _resolve(ref, root)
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return _instance({**target, **siblings}, root, number, (*refs, ref))
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            while isinstance(part, dict) and "$ref" in part:
                part = {
                    **_resolve(part["$ref"], root),
                    **{k: v for k, v in part.items() if k != "$ref"},
                }
            for key, value in part.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = [*merged.get("required", []), *value]
                else:
                    merged.setdefault(key, value)
        return _instance(merged, root, number, refs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            rest = {k: v for k, v in schema.items() if k != key}
            branches = schema[key]
            for branch in [b for b in branches if not _is_null(b)]:
                try:
                    return _instance({**rest, **branch}, root, number, refs)
                except _Recursive:
                    continue
            if any(_is_null(b) for b in branches):
                return None
            raise _Recursive(key)

    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [str(k).lower() for k in kind]
        non_null = [k for k in kinds if k != "null"]
        kind = non_null[0] if non_null else "null"
    elif isinstance(kind, str):
        kind = kind.lower()
    elif "properties" in schema:
        kind = "object"
    elif "items" in schema or "prefixItems" in schema:
        kind = "array"
    elif any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        kind = "number"
    else:
        kind = "string"

    if kind == "object":
        required = set(schema.get("required", []))
        result: dict[str, Any] = {}
        for name, prop in (schema.get("properties") or {}).items():
            try:
                result[name] = _instance(prop, root, number, refs)
            except _Recursive:
                if name in required:
                    raise
        return result
    if kind == "array":
        count = int(schema.get("minItems", 0))
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", {})
        out = []
        for i in range(count):
            item_schema = prefix[i] if i < len(prefix) else items
            out.append(
                _instance(item_schema if item_schema is not False else {}, root, number, refs)
            )
        return out
    if kind in ("number", "integer"):
        return _number(schema, number, integer=kind == "integer")
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema)


def _number(schema: dict[str, Any], number: float, *, integer: bool) -> float | int:
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    # Draft 4 spells exclusive bounds as booleans next to minimum/maximum.
    if isinstance(xlow, bool):
        xlow, low = (low, None) if xlow else (None, low)
    if isinstance(xhigh, bool):
        xhigh, high = (high, None) if xhigh else (None, high)
    lower = max((b for b in (low, xlow) if b is not None), default=None)
    upper = min((b for b in (high, xhigh) if b is not None), default=None)
    value = float(number)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    if integer:
        value = float(round(value))
        if low is not None and value < low:
            value = float(math.ceil(low))
        if high is not None and value > high:
            value = float(math.floor(high))
        if xlow is not None and value <= xlow:
            value = math.floor(xlow) + 1.0
        if xhigh is not None and value >= xhigh:
            value = math.ceil(xhigh) - 1.0
    else:
        if xlow is not None and value <= xlow:
            value = xlow + 1.0 if upper is None else (xlow + upper) / 2
        if xhigh is not None and value >= xhigh:
            value = xhigh - 1.0 if lower is None else (lower + xhigh) / 2
    step = schema.get("multipleOf")
    if step:
        snapped = round(value / step) * step
        if (lower is not None and snapped < lower) or (xlow is not None and snapped <= xlow):
            snapped += step
        if (upper is not None and snapped > upper) or (xhigh is not None and snapped >= xhigh):
            snapped -= step
        value = snapped
    return int(value) if integer else value


def _string(schema: dict[str, Any]) -> str:
    text = _FORMATS.get(str(schema.get("format", "")), "fake")
    min_len, max_len = schema.get("minLength"), schema.get("maxLength")
    if isinstance(min_len, int) and len(text) < min_len:
        text += "x" * (min_len - len(text))
    if isinstance(max_len, int) and len(text) > max_len:
        text = text[:max_len]
    return text
