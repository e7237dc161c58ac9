"""A seeded fault storm for FakeLLMServer: rate limits, server errors and truncated JSON.

Each request draws, from one seeded random stream, a rate limit (429, answered at once, with
the headers real providers send: `retry-after-ms`, OpenAI's `x-ratelimit-reset-requests`, or
nothing), a server error (500, answered quickly), a valid reply cut short (after the full
latency, as a model's output would be), or the valid reply. The valid reply scores every
criterion `SCORE`, so a judgment scored from anything else is garbage and can be counted.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from fakes.llm_server import (
    Behaviour,
    RecordedRequest,
    Reply,
    Status,
    gemini_schema,
    openai_schema,
    schema_instance,
)

#: What every valid reply scores, on every criterion.
SCORE = 6.0


@dataclass
class Storm:
    """The responder (thread-safe); `drawn` counts what was served."""

    seed: int
    rate_limited: float = 0.20
    server_error: float = 0.10
    truncated: float = 0.10
    drawn: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def __call__(self, req: RecordedRequest) -> Behaviour:
        with self._lock:
            roll = self._rng.random()
            header = self._rng.randrange(3)
            cut = self._rng.uniform(0.2, 0.9)
            if roll < self.rate_limited:
                kind = "429"
            elif roll < self.rate_limited + self.server_error:
                kind = "500"
            elif roll < self.rate_limited + self.server_error + self.truncated:
                kind = "truncated"
            else:
                kind = "valid"
            self.drawn[kind] += 1
        if kind == "429":
            headers = [
                {"retry-after-ms": "200"},
                {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "300ms"},
                {},
            ][header]
            return Status(429, message="Rate limit reached", headers=headers, latency=0.01)
        if kind == "500":
            return Status(500, message="The server had an error", latency=0.05)
        text = valid_reply(req)
        if kind == "truncated":
            return Reply(text[: int(len(text) * cut)])
        return Reply(text)


def valid_reply(req: RecordedRequest) -> str:
    """A schema-valid judge reply scoring SCORE everywhere (schema read from the request)."""
    schema = openai_schema(req.body) or gemini_schema(req.body) or {"type": "object"}
    doc = schema_instance(schema, number=SCORE)
    return json.dumps(doc)
