"""Seeded fault injection for FakeLLMServer: 30% rate limits, server errors and timeouts, 10%
malformed replies, the same numbers whatever order concurrent requests arrive in.

Each conversation the server sees (a judging request, or a repair re-ask) gets the next
*script* of its API's stream — first requests and repair re-asks apart — and every retry of it
(the same body again) reads the next draw of that script. So a seed fixes which faults the
judgments meet, as a multiset, whatever the thread scheduling; which plan meets which script
depends on arrival order. Per draw:

* `429` — a rate limit, answered at once with `retry-after-ms: 50`;
* `500` — a server error, answered quickly;
* `timeout` — the server holds the request `hang` seconds (set longer than the client's
  timeout), then sends a schema-valid reply scoring `GARBAGE`, which must never be read;
* `truncated` — a reply scoring `GARBAGE`, cut short (not parseable JSON);
* `body` — HTTP 200 whose response body itself is cut short (the SDK cannot parse it);
* `schema` — parseable JSON scoring `GARBAGE` that breaks the schema (a score of 42 or a
  missing criterion): the judge asks for one repair;
* `valid` — the schema-valid reply, scoring `SCORE` on every criterion.

Any stored score other than `SCORE` therefore came from a reply that should have been refused.
`drawn` counts what was served, by (api, kind).
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fakes.llm_server import (
    Behaviour,
    Hang,
    Raw,
    RecordedRequest,
    Reply,
    Status,
    gemini_schema,
    openai_schema,
    schema_instance,
)

#: What every valid reply scores, on every criterion.
SCORE = 6.0
#: What every reply that must be refused (malformed, schema-breaking, too late) scores.
GARBAGE = 1.0
#: The kinds that count as malformed JSON (the judge re-sends or repairs them).
MALFORMED = ("truncated", "body", "schema")

_CUT_BODY = {
    "openai": '{"id": "chatcmpl-cut", "object": "chat.completion", "choices": [{"index": 0, '
    '"message": {"role": "assistant", "content": "{\\"criteria\\": {\\"',
    "gemini": '{"candidates": [{"content": {"role": "model", "parts": [{"text": "{\\"crit',
}


@dataclass
class _Script:
    rng: random.Random
    attempts: int = 0


@dataclass
class Faults:
    """The responder (thread-safe); see the module docstring."""

    seed: int
    rate_limited: float = 0.10
    server_error: float = 0.10
    timeout: float = 0.10
    malformed: float = 0.10
    hang: float = 1.6
    drawn: Counter[tuple[str, str]] = field(default_factory=Counter)
    _scripts: dict[str, _Script] = field(default_factory=dict, init=False)
    _streams: Counter[tuple[str, str]] = field(default_factory=Counter, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __call__(self, req: RecordedRequest) -> Behaviour:
        schema = openai_schema(req.body) or gemini_schema(req.body)
        if schema is None:  # not a judging request (a connection test): answer it plainly
            return Reply(json.dumps({"ok": True}))
        kind, sub, cut = self._draw(req)
        if kind == "429":
            return Status(429, message="Rate limit reached", headers={"retry-after-ms": "50"})
        if kind == "500":
            return Status(500, message="The server had an error", latency=0.01)
        if kind == "timeout":
            return Hang(self.hang, Reply(json.dumps(schema_instance(schema, number=GARBAGE))))
        if kind == "body":
            return Raw(_CUT_BODY[req.api], content_type="application/json")
        if kind == "truncated":
            text = json.dumps(schema_instance(schema, number=GARBAGE))
            return Reply(text[: int(len(text) * cut)])
        if kind == "schema":
            return Reply(json.dumps(_breaking(schema, sub)))
        return Reply(json.dumps(schema_instance(schema, number=SCORE)))

    def count(self, api: str, *kinds: str) -> int:
        """How many replies of these kinds were served to one API."""
        with self._lock:
            return sum(self.drawn[(api, k)] for k in kinds)

    def _draw(self, req: RecordedRequest) -> tuple[str, float, float]:
        body = json.dumps(req.body, sort_keys=True)
        key = hashlib.sha256(f"{req.api}|{req.path}|{body}".encode()).hexdigest()
        with self._lock:
            script = self._scripts.get(key)
            if script is None:
                stream = "repair" if _turns(req.body) > 1 else "first"
                index = self._streams[(req.api, stream)]
                self._streams[(req.api, stream)] += 1
                script = _Script(random.Random(f"{self.seed}:{req.api}:{stream}:{index}"))
                self._scripts[key] = script
            script.attempts += 1
            roll, sub, cut = script.rng.random(), script.rng.random(), script.rng.uniform(0.2, 0.9)
            bounds = (
                ("429", self.rate_limited),
                ("500", self.server_error),
                ("timeout", self.timeout),
                ("malformed", self.malformed),
            )
            kind, edge = "valid", 0.0
            for name, share in bounds:
                edge += share
                if roll < edge:
                    kind = name
                    break
            if kind == "malformed":
                kind = "truncated" if sub < 0.4 else ("body" if sub < 0.7 else "schema")
            self.drawn[(req.api, kind)] += 1
        return kind, sub, cut


def _turns(body: Any) -> int:
    """Messages in the conversation besides the system prompt (1 for a first request)."""
    if not isinstance(body, dict):
        return 0
    if isinstance(body.get("messages"), list):
        return sum(1 for m in body["messages"] if m.get("role") != "system")
    return len(body.get("contents") or [])


def _breaking(schema: dict[str, Any], sub: float) -> Any:
    """A GARBAGE-scored reply that parses but breaks the schema."""
    doc = schema_instance(schema, number=GARBAGE)
    criteria = doc.get("criteria") if isinstance(doc, dict) else None
    if isinstance(criteria, dict) and criteria:
        first = next(iter(criteria))
        if sub < 0.85:
            criteria[first]["score"] = 42  # out of the 0-10 range
        else:
            del criteria[first]  # a rubric criterion left out
    return doc
