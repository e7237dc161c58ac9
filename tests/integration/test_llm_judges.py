"""LLM judges end to end: the real openai and google-genai clients against FakeLLMServer.

Every test drives our judges (and the engine, reports, history, cache and CLI) through the
official SDKs over loopback HTTP. The fake server's responder builds a *valid* judge reply from
the JSON schema the request carried, with verbatim quotes from the plan being judged, unless a
test scripts something else (HTTP errors, hangs, drops, malformed or schema-violating JSON).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import sqlite3
import stat
import statistics
import subprocess
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import diskcache
import pytest

from a11y_judge.cache import cache_dir
from a11y_judge.cli import main
from a11y_judge.engine import evaluate
from a11y_judge.errors import JudgeConfigError
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plan, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.llm import LLMJudge
from a11y_judge.judges.prompt import prompt_version, templates
from a11y_judge.judges.reply import reply_schema
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import AuditReport, Judgment, Plan, Rubric, Run
from a11y_judge.paths import history_path
from a11y_judge.reports.json_report import run_document
from a11y_judge.resilience import ProviderError, RetryPolicy
from a11y_judge.rubric import load_rubric
from fakes.llm_server import (
    Behaviour,
    Drop,
    FakeLLMServer,
    Hang,
    Raw,
    RecordedRequest,
    Reply,
    Status,
    gemini_schema,
    openai_schema,
    schema_instance,
)

pytestmark = pytest.mark.timeout(30)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
PRICES = json.loads((REPO / "data" / "llm_models.json").read_text(encoding="utf-8"))["models"]

PROVIDERS = ["openai", "gemini"]
KEYS = {"openai": "sk-test-SECRET-4f8a9c2e7b", "gemini": "AIza-test-SECRET-7d1e5b3a9f"}
SPECS = {"openai": "openai:gpt-4.1", "gemini": "gemini:gemini-2.5-pro"}
MODELS = {"openai": "gpt-4.1", "gemini": "gemini-2.5-pro"}
#: What each fake provider scores, per criterion (different, so combining is visible).
SENT = {
    "openai": {
        "strategic_prioritization": 8.0,
        "technical_specificity": 6.5,
        "comprehensiveness": 7.0,
        "long_term_vision": 5.0,
    },
    "gemini": {
        "strategic_prioritization": 6.0,
        "technical_specificity": 7.5,
        "comprehensiveness": 4.0,
        "long_term_vision": 9.0,
    },
}
COVERED = ["NW-01", "NW-02", "NW-07"]
ROADMAP = "northwind-phased-roadmap"
IN_TOKENS, OUT_TOKENS = 1200, 300
FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.2)
MALFORMED = '{"criteria": {"strategic_prioritization": {"score": 8, "rationale": "cut off'
PROSE = "I would give this plan a 7 overall; it is solid."
INVENTED_QUOTE = "We will install an AI overlay that fixes every issue automatically overnight."


def price(provider: str, input_tokens: int, output_tokens: int) -> float:
    """USD per data/llm_models.json, computed independently of a11y_judge.prices."""
    p = PRICES[MODELS[provider]]
    return (input_tokens * p["input"] + output_tokens * p["output"]) / 1_000_000


# --------------------------------------------------------------------------------------------
# Reading recorded requests
# --------------------------------------------------------------------------------------------


def turns(req: RecordedRequest) -> list[tuple[str, str]]:
    """(role, text) of every turn after the system prompt."""
    if req.api == "openai":
        return [(m["role"], m["content"]) for m in req.body["messages"] if m["role"] != "system"]
    return [
        (c.get("role", "user"), "".join(p.get("text", "") for p in c["parts"]))
        for c in req.body["contents"]
    ]


def system_text(req: RecordedRequest) -> str:
    if req.api == "openai":
        return next(m["content"] for m in req.body["messages"] if m["role"] == "system")
    return "".join(p["text"] for p in req.body["systemInstruction"]["parts"])


def plan_name_of(req: RecordedRequest) -> str | None:
    """The plan named in the prompt's '# Remediation plan: NAME' heading (None: not a judging)."""
    found = re.search(r"^# Remediation plan: (.+)$", turns(req)[0][1], re.M)
    return found.group(1).strip() if found else None


def temperature_of(req: RecordedRequest) -> float | None:
    if req.api == "openai":
        return req.body.get("temperature")
    return req.body["generationConfig"].get("temperature")


def verbatim_quote(plan: Plan) -> str:
    """A sentence-long line of the plan, exactly as written (Markdown included)."""
    for line in plan.text.splitlines():
        line = line.strip()
        if len(line) >= 60 and not line.startswith(("|", "#")):
            return line[:120].rsplit(" ", 1)[0]
    raise AssertionError(f"no usable line in {plan.name}")


def title(plan: Plan) -> str:
    return plan.text.strip().splitlines()[0]


# --------------------------------------------------------------------------------------------
# The fake provider's behaviour
# --------------------------------------------------------------------------------------------

Kind = str  # "valid", "malformed", "prose", "score11", "missing", "extra", "string-score", "echo"


@dataclass
class Jury:
    """The server's responder: scripted behaviours first, else per-API defaults, else valid."""

    plans: dict[str, Plan]
    script: deque[Behaviour | Kind] = field(default_factory=deque)
    forever: dict[str, Behaviour | Kind] = field(default_factory=dict)
    scores: Callable[[RecordedRequest, int], dict[str, float]] | None = None
    quote: str | None = None
    covered: list[str] = field(default_factory=lambda: list(COVERED))
    tokens: tuple[int, int] = (IN_TOKENS, OUT_TOKENS)
    times: list[float] = field(default_factory=list)
    seen: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, req: RecordedRequest) -> Behaviour:
        with self.lock:
            self.times.append(time.monotonic())
            item = self.script.popleft() if self.script else self.forever.get(req.api, "valid")
            key = (req.api, plan_name_of(req))
            n = self.seen[key]
            self.seen[key] += 1
        if not isinstance(item, str):
            return item
        if key[1] is None:  # the connection check
            return Reply(json.dumps(schema_instance(self._schema(req))), 20, 5)
        return Reply(self.text(req, item, n), *self.tokens)

    @staticmethod
    def _schema(req: RecordedRequest) -> dict[str, Any]:
        schema = openai_schema(req.body) or gemini_schema(req.body)
        assert schema is not None, "the request carried no JSON schema"
        return schema

    def reply(self, req: RecordedRequest, n: int) -> dict[str, Any]:
        doc = schema_instance(self._schema(req))
        name = plan_name_of(req)
        assert name is not None
        quote = self.quote or verbatim_quote(self.plans[name])
        scores = SENT[req.api] if self.scores is None else self.scores(req, n)
        for cid, crit in doc["criteria"].items():
            crit["score"] = scores[cid]
            crit["rationale"] = f"{req.api} sample {n} on {cid} for {name}"
            crit["evidence"] = [{"quote": quote, "finding_id": "NW-01"}]
            crit["confidence"] = 0.8
        doc["covered_findings"] = list(self.covered)
        doc["summary"] = f"{req.api} on {name}"
        return doc

    def text(self, req: RecordedRequest, kind: Kind, n: int) -> str:
        if kind == "malformed":
            return MALFORMED
        if kind == "prose":
            return PROSE
        if kind == "empty":
            return ""
        if kind == "echo":  # a reply that is not JSON and repeats the key
            return f"Cannot comply. Key in use: {KEYS[req.api]}; retrying with {KEYS[req.api]}"
        doc = self.reply(req, n)
        first = next(iter(doc["criteria"].values()))
        if kind == "score11":
            first["score"] = 11
        elif kind == "missing":
            del doc["criteria"]["long_term_vision"]
        elif kind == "extra":
            first["verdict"] = "excellent"
        elif kind == "string-score":
            first["score"] = "7"
        elif kind == "fenced":
            return "```json\n" + json.dumps(doc, indent=2) + "\n```"
        else:
            assert kind == "valid", kind
        return json.dumps(doc)


@dataclass
class LLMEnv:
    server: FakeLLMServer
    jury: Jury
    audit: AuditReport
    plans: list[Plan]
    rubric: Rubric
    opened: list[JudgeSettings] = field(default_factory=list)

    def warm_up(self, provider: str) -> None:
        """One request through the provider's SDK, then forget it: the first request in a process
        pays the SDK's lazy imports, which would blur arrival times measured at the server."""
        judge = self.judge(provider, self.settings(use_cache=False))
        assert judge.judge(self.audit, self.plans[0], self.rubric).status == "ok"
        with self.jury.lock:
            self.jury.times.clear()

    def settings(self, **kw: Any) -> JudgeSettings:
        kw.setdefault("retry", FAST)
        kw.setdefault("timeout", 5.0)
        kw.setdefault("breaker_cooldown", 30.0)
        settings = JudgeSettings(**kw)
        self.opened.append(settings)
        return settings

    def judge(self, provider: str, settings: JudgeSettings | None = None) -> LLMJudge:
        judge = create_judge(SPECS.get(provider, provider), settings or self.settings())
        assert isinstance(judge, LLMJudge)
        return judge

    def judge_one(
        self, provider: str, plan: str = "northwind-phased-roadmap", **kw: Any
    ) -> Judgment:
        return self.judge(provider, self.settings(**kw)).judge(
            self.audit, self.plan(plan), self.rubric
        )

    def run(
        self,
        specs: list[str],
        settings: JudgeSettings | None = None,
        plans: list[Plan] | None = None,
        rubric: Rubric | None = None,
        **kw: Any,
    ) -> Run:
        settings = settings or self.settings()
        try:
            judges = [create_judge(s, settings) for s in specs]
            return evaluate(self.audit, plans or self.plans, judges, rubric or self.rubric, **kw)
        finally:
            settings.close()

    def plan(self, name: str) -> Plan:
        return next(p for p in self.plans if p.name == name)

    def generation(self, api: str | None = None) -> list[RecordedRequest]:
        """Judging requests received (model-metadata routes excluded)."""
        return [
            r
            for r in self.server.requests
            if r.method == "POST" and r.api in ("openai", "gemini") and (api in (None, r.api))
        ]

    def close(self) -> None:
        for s in self.opened:
            s.close()


@pytest.fixture(scope="module")
def demo() -> tuple[AuditReport, list[Plan], Rubric]:
    audit = read_audit(DEMO / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))
    return audit, plans, load_rubric()


@pytest.fixture
def llm(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    demo: tuple[AuditReport, list[Plan], Rubric],
) -> Iterator[LLMEnv]:
    audit, plans, rubric = demo
    jury = Jury({p.name: p for p in plans})
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    with FakeLLMServer(jury) as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"])
        monkeypatch.setenv("GEMINI_API_KEY", KEYS["gemini"])
        monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
        monkeypatch.delenv("OPENAI_COMPATIBLE_API_KEY", raising=False)
        monkeypatch.setenv("A11Y_JUDGE_OPENAI_BASE_URL", server.openai_base_url)
        monkeypatch.setenv("A11Y_JUDGE_GEMINI_BASE_URL", server.gemini_base_url)
        env = LLMEnv(server, jury, audit, plans, rubric)
        try:
            yield env
        finally:
            env.close()
        assert server.responder_errors == []


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


DEMO_ARGS = [
    "evaluate",
    "--audit",
    str(DEMO / "northwind-audit.md"),
    "--plans-dir",
    str(DEMO / "plans"),
]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------------------
# Valid structured replies
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_valid_reply_is_recorded_with_scores_usage_and_cost(llm: LLMEnv, provider: str) -> None:
    plan = llm.plan("northwind-phased-roadmap")
    j = llm.judge_one(provider)
    assert j.status == "ok", j.error
    assert {c: s.score for c, s in j.scores.items()} == SENT[provider]
    assert (j.judge_id, j.provider, j.model) == (SPECS[provider], provider, MODELS[provider])
    assert j.plan_name == plan.name
    assert j.prompt_version == prompt_version()
    assert (j.input_tokens, j.output_tokens) == (IN_TOKENS, OUT_TOKENS)
    assert j.cost_usd == pytest.approx(price(provider, IN_TOKENS, OUT_TOKENS), abs=1e-9)
    assert (j.calls, j.retries, j.samples, j.cache_hit) == (1, 0, 1, False)
    assert j.error is None and j.notes == []
    assert j.latency_ms > 0
    quote = verbatim_quote(plan)
    for cid, cs in j.scores.items():
        assert cs.rationale == f"{provider} sample 0 on {cid} for {plan.name}"
        assert cs.confidence == 0.8 and cs.spread is None
        assert [(e.quote, e.finding_id, e.verified) for e in cs.evidence] == [
            (quote, "NW-01", True)
        ]
    assert j.coverage is not None
    assert j.coverage.covered == COVERED
    assert set(j.coverage.missed) == {f.id for f in llm.audit.findings} - set(COVERED)
    assert j.coverage.ratio == pytest.approx(3 / 15, abs=1e-4)
    assert json.loads(j.raw or "")["summary"] == f"{provider} on {plan.name}"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_request_carries_schema_system_prompt_findings_and_the_whole_plan(
    llm: LLMEnv, provider: str
) -> None:
    plan = llm.plan("agency-quick-wins")
    assert llm.judge_one(provider, plan.name).status == "ok"
    [req] = llm.generation()
    assert (req.api, req.model) == (provider, MODELS[provider])
    schema = reply_schema(llm.rubric)
    if provider == "openai":
        fmt = req.body["response_format"]
        assert fmt["type"] == "json_schema"
        assert fmt["json_schema"]["strict"] is True
        assert fmt["json_schema"]["schema"] == schema
        assert req.body["max_completion_tokens"] == 4096
        assert req.headers["authorization"] == f"Bearer {KEYS['openai']}"
    else:
        config = req.body["generationConfig"]
        assert config["responseJsonSchema"] == schema
        assert config["responseMimeType"] == "application/json"
        assert config["maxOutputTokens"] == 4096
        assert req.headers["x-goog-api-key"] == KEYS["gemini"]
    assert temperature_of(req) == 0
    assert set(schema["properties"]["criteria"]["required"]) == set(SENT[provider])
    assert system_text(req) == templates().system
    [(role, user)] = turns(req)
    assert role == "user"
    for f in llm.audit.findings:
        assert f"[{f.id}]" in user
    assert plan.text.strip() in user
    for other in llm.plans:
        if other.name != plan.name:
            assert title(other) not in user


def test_every_plan_is_judged_in_its_own_request(llm: LLMEnv) -> None:
    assert len({title(p) for p in llm.plans}) == len(llm.plans)
    run = llm.run(["offline", SPECS["openai"], SPECS["gemini"]])
    assert run.status == "ok", run.error
    assert len(run.judgments) == 3 * len(llm.plans)
    reqs = llm.generation()
    assert Counter(r.api for r in reqs) == {"openai": 4, "gemini": 4}
    for api in PROVIDERS:
        judged = []
        for req in llm.generation(api):
            user = turns(req)[0][1]
            whole = [p.name for p in llm.plans if p.text.strip() in user]
            titled = [p.name for p in llm.plans if title(p) in user]
            assert len(whole) == 1 and titled == whole
            assert plan_name_of(req) == whole[0]
            judged.append(whole[0])
        assert sorted(judged) == sorted(p.name for p in llm.plans)


def test_openai_compatible_judge_against_a_keyless_server(llm: LLMEnv) -> None:
    host = f"127.0.0.1:{llm.server.port}"
    spec = f"openai-compatible:llama3.1@{llm.server.openai_base_url}"
    run = llm.run(["offline", spec], plans=llm.plans[:2])
    judge_id = f"openai-compatible:llama3.1@{host}"
    assert [j.id for j in run.judges] == ["offline", judge_id]
    assert run.status == "ok", run.error
    mine = [j for j in run.judgments if j.judge_id == judge_id]
    assert len(mine) == 2
    for j in mine:
        assert (j.provider, j.model) == ("openai-compatible", "llama3.1")
        assert {c: s.score for c, s in j.scores.items()} == SENT["openai"]
        assert j.cost_usd is None
        assert any("no price listed for llama3.1" in n for n in j.notes)
    assert run.stats.cost_unknown is True
    for req in llm.generation():
        assert req.model == "llama3.1"
        assert req.headers["authorization"] == "Bearer no-key-needed"
        assert req.body["max_tokens"] == 4096 and "max_completion_tokens" not in req.body
        assert req.body["response_format"]["json_schema"]["strict"] is True


def test_openai_compatible_sends_its_key_when_set(
    llm: LLMEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "local-key-123456")
    j = llm.judge_one(f"openai-compatible:qwen2.5@{llm.server.openai_base_url}")
    assert j.status == "ok", j.error
    [req] = llm.generation()
    assert req.headers["authorization"] == "Bearer local-key-123456"


def test_fenced_json_from_a_compatible_server_needs_no_repair(llm: LLMEnv) -> None:
    llm.jury.forever["openai"] = "fenced"
    j = llm.judge_one(f"openai-compatible:llama3.1@{llm.server.openai_base_url}")
    assert j.status == "ok", j.error
    assert j.calls == 1 and len(llm.generation()) == 1
    assert {c: s.score for c, s in j.scores.items()} == SENT["openai"]


@pytest.mark.parametrize(
    ("model", "listed_as", "temperature_sent"),
    [
        ("gpt-4.1-2025-04-14", "gpt-4.1", True),
        ("gpt-5", "gpt-5", False),
        ("o4-mini", "o4-mini", False),
    ],
)
def test_model_names_resolve_prices_and_fixed_temperatures(
    llm: LLMEnv, model: str, listed_as: str, temperature_sent: bool
) -> None:
    j = llm.judge_one(f"openai:{model}")
    assert j.status == "ok", j.error
    assert (j.judge_id, j.model) == (f"openai:{model}", model)
    p = PRICES[listed_as]
    assert j.cost_usd == pytest.approx(
        (IN_TOKENS * p["input"] + OUT_TOKENS * p["output"]) / 1e6, abs=1e-9
    )
    assert j.notes == []
    [req] = llm.generation()
    assert req.model == model
    assert ("temperature" in req.body) is temperature_sent


def test_gemini_model_prefix_is_dropped(llm: LLMEnv) -> None:
    j = llm.judge_one("gemini:models/gemini-2.5-pro")
    assert j.status == "ok", j.error
    assert (j.judge_id, j.model) == ("gemini:gemini-2.5-pro", "gemini-2.5-pro")
    [req] = llm.generation()
    assert req.model == "gemini-2.5-pro"
    assert j.cost_usd == pytest.approx(price("gemini", IN_TOKENS, OUT_TOKENS), abs=1e-9)


def test_session_keys_secrets_and_base_urls_override_the_environment(
    llm: LLMEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("A11Y_JUDGE_OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("A11Y_JUDGE_GEMINI_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    urls = {"openai": llm.server.openai_base_url, "gemini": llm.server.gemini_base_url}
    typed = {"openai": "sk-typed-in-session-0a1b2c3d", "gemini": "AIza-typed-in-session-9z8y"}
    settings = llm.settings(session_keys=typed, base_urls=urls, use_cache=False)
    assert all(k not in repr(settings) for k in typed.values())
    for provider in PROVIDERS:
        j = llm.judge(provider, settings).judge(llm.audit, llm.plans[0], llm.rubric)
        assert j.status == "ok", j.error
    sent = {r.api: r.headers for r in llm.generation()}
    assert sent["openai"]["authorization"] == f"Bearer {typed['openai']}"
    assert sent["gemini"]["x-goog-api-key"] == typed["gemini"]
    # Streamlit secrets come after the environment, before .env.
    monkeypatch.delenv("OPENAI_API_KEY")
    secrets = {"OPENAI_API_KEY": "sk-from-streamlit-secrets-77"}
    settings = llm.settings(secrets=secrets, base_urls=urls, use_cache=False)
    assert secrets["OPENAI_API_KEY"] not in repr(settings)
    llm.jury.forever["openai"] = Status(401, message=f"bad key {secrets['OPENAI_API_KEY']}")
    j = llm.judge("openai", settings).judge(llm.audit, llm.plans[0], llm.rubric)
    assert llm.generation()[-1].headers["authorization"] == f"Bearer {secrets['OPENAI_API_KEY']}"
    assert j.status == "failed" and j.error is not None
    assert "HTTP 401" in j.error and "***" in j.error
    assert secrets["OPENAI_API_KEY"] not in j.error


@pytest.mark.parametrize("provider", PROVIDERS)
def test_connection_check_and_its_redacted_failure(llm: LLMEnv, provider: str) -> None:
    judge = llm.judge(provider)
    assert judge.check().startswith(f"{SPECS[provider]} answered in ")
    llm.jury.script.append(Status(401, message=f"Incorrect API key provided: {KEYS[provider]}"))
    with pytest.raises(ProviderError) as info:
        judge.check()
    assert "HTTP 401" in str(info.value)
    assert KEYS[provider] not in str(info.value)
    assert len(llm.generation()) == 2  # no retries for the check


# --------------------------------------------------------------------------------------------
# Transient failures
# --------------------------------------------------------------------------------------------

TRANSIENT: dict[str, Behaviour] = {
    "429-retry-after": Status(429, retry_after=0.05),
    "500": Status(500),
    "hang": Hang(1.5),
    "drop": Drop(),
}


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("kind", list(TRANSIENT))
def test_transient_failure_then_valid_reply_is_retried_once(
    llm: LLMEnv, provider: str, kind: str
) -> None:
    llm.jury.script.append(TRANSIENT[kind])
    j = llm.judge_one(provider, timeout=0.5)
    assert j.status == "ok", j.error
    assert (j.retries, j.calls) == (1, 2)
    assert {c: s.score for c, s in j.scores.items()} == SENT[provider]
    assert len(llm.generation()) == 2
    gap = llm.jury.times[1] - llm.jury.times[0]
    if kind == "429-retry-after":
        assert gap >= 0.05  # Retry-After honoured (backoff alone would be 0.005-0.01 s)
    if kind == "hang":
        assert 0.45 <= gap < 1.5  # gave up at the client timeout, not after the hang


@pytest.mark.parametrize("provider", PROVIDERS)
def test_persistent_5xx_gives_up_after_the_retries(llm: LLMEnv, provider: str) -> None:
    llm.jury.forever[provider] = Status(500, message="upstream exploded")
    j = llm.judge_one(provider)
    assert j.status == "failed"
    assert j.scores == {} and j.coverage is None
    assert j.error is not None
    assert "HTTP 500" in j.error and "gave up after 3 attempts" in j.error
    assert len(llm.generation()) == FAST.max_retries + 1


def test_failed_call_still_counts_the_requests_it_sent(llm: LLMEnv) -> None:
    llm.jury.forever["openai"] = Status(500)
    j = llm.judge_one("openai")
    assert j.status == "failed"
    assert len(llm.generation()) == 3
    assert (j.calls, j.retries) == (3, 2)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_non_transient_status_is_not_retried(llm: LLMEnv, provider: str) -> None:
    llm.jury.script.append(Status(400, message="response_format is not supported"))
    j = llm.judge_one(provider)
    assert j.status == "failed"
    assert j.error is not None
    assert "HTTP 400" in j.error and "response_format is not supported" in j.error
    assert "JSON-schema" in j.error
    assert len(llm.generation()) == 1


# --------------------------------------------------------------------------------------------
# Invalid replies: one repair, then a recorded failure (never a 0)
# --------------------------------------------------------------------------------------------


UNPARSEABLE: dict[str, Behaviour | str] = {
    "malformed": "malformed",
    "empty": "empty",
    "html-page-200": Raw("<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "cut-body": Raw('{"id": "chatcmpl-1", "choices": [{"mess', content_type="application/json"),
}


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("first_kind", list(UNPARSEABLE))
def test_unparseable_reply_is_sent_again_as_a_fresh_request(
    llm: LLMEnv, provider: str, first_kind: str
) -> None:
    llm.jury.script.append(UNPARSEABLE[first_kind])
    j = llm.judge_one(provider)
    assert j.status == "ok", j.error
    assert {c: s.score for c, s in j.scores.items()} == SENT[provider]
    assert (j.calls, j.retries, j.repairs) == (2, 1, 0)
    first, second = llm.generation()
    assert turns(second) == turns(first)  # the same request again, no repair turn
    assert len(turns(second)) == 1
    assert any("re-sent 1 request(s); failed attempts: 1 malformed reply" in n for n in j.notes)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_schema_violation_is_repaired_once(llm: LLMEnv, provider: str) -> None:
    llm.jury.script.append("score11")
    j = llm.judge_one(provider)
    assert j.status == "ok", j.error
    assert {c: s.score for c, s in j.scores.items()} == SENT[provider]
    assert (j.calls, j.retries, j.repairs) == (2, 0, 1)
    assert j.input_tokens == 2 * IN_TOKENS
    assert j.cost_usd == pytest.approx(2 * price(provider, IN_TOKENS, OUT_TOKENS), abs=1e-9)
    first, second = llm.generation()
    assert len(turns(first)) == 1
    again = turns(second)
    assistant = "assistant" if provider == "openai" else "model"
    assert [role for role, _ in again] == ["user", assistant, "user"]
    assert again[0] == turns(first)[0]
    assert json.loads(again[1][1])["criteria"]["strategic_prioritization"]["score"] == 11
    assert again[2][1].startswith("Your reply could not be used")
    assert (
        "- criteria.strategic_prioritization.score: Input should be less than or equal to 10"
        in again[2][1]
    )
    assert system_text(second) == templates().system
    assert (openai_schema(second.body) or gemini_schema(second.body)) == reply_schema(llm.rubric)
    assert j.raw is not None and "reply to the repair request" in j.raw
    assert any("asked for 1 repair(s)" in n for n in j.notes)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_unparseable_every_time_fails_after_the_retries_with_the_reply_kept(
    llm: LLMEnv, provider: str
) -> None:
    llm.jury.forever[provider] = "malformed"
    j = llm.judge_one(provider)
    assert j.status == "failed"
    assert j.scores == {} and j.coverage is None
    assert j.raw is not None and MALFORMED in j.raw
    assert j.error is not None and "not usable JSON" in j.error and "not valid JSON" in j.error
    assert f"gave up after {FAST.max_retries + 1} attempts: 3 malformed replies" in j.error
    assert (j.calls, j.retries, j.repairs) == (FAST.max_retries + 1, FAST.max_retries, 0)
    assert len(llm.generation()) == FAST.max_retries + 1


def test_a_refusal_is_not_resent_but_repaired(llm: LLMEnv) -> None:
    llm.jury.script.append(Reply("", refusal="I can't help with that."))
    j = llm.judge_one("openai")
    assert j.status == "ok", j.error
    assert (j.calls, j.retries, j.repairs) == (2, 0, 1)


VIOLATIONS = {
    "score11": "less than or equal to 10",
    "missing": "criteria.long_term_vision: missing",
    "extra": "Extra inputs are not permitted",
    "string-score": "valid number",
}


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("kind", list(VIOLATIONS))
def test_schema_violation_twice_fails_and_never_scores_zero(
    llm: LLMEnv, provider: str, kind: str
) -> None:
    llm.jury.forever[provider] = kind
    j = llm.judge_one(provider)
    assert j.status == "failed"
    assert j.scores == {}
    assert j.error is not None
    assert "schema" in j.error and VIOLATIONS[kind] in j.error
    assert j.raw is not None and j.raw.count('"covered_findings"') == 2
    assert (j.calls, j.retries, j.repairs) == (2, 0, 1)
    assert len(llm.generation()) == 2


def test_failed_judge_is_null_in_the_run_document_and_the_other_judge_decides(
    llm: LLMEnv,
) -> None:
    llm.jury.forever["gemini"] = "score11"
    run = llm.run([SPECS["openai"], SPECS["gemini"]])
    assert run.status == "partial"
    doc = run_document(run)
    info = {j["id"]: j for j in doc["judges"]}
    assert info[SPECS["gemini"]]["status"] == "failed"
    assert info[SPECS["gemini"]]["failures"] == 4
    assert info[SPECS["openai"]]["status"] == "ok"
    assert sorted(p["rank"] for p in doc["plans"]) == [1, 1, 1, 1]  # same scores: shared rank
    for plan in doc["plans"]:
        for cid, c in plan["criteria"].items():
            assert c["judges"] == {SPECS["openai"]: SENT["openai"][cid], SPECS["gemini"]: None}
            assert c["score"] == SENT["openai"][cid]
        expected = sum(w * SENT["openai"][c] for c, w in llm.rubric.weights.items())
        assert plan["score"] == round(expected, 2)
    for j in run.judgments:
        if j.judge_id == SPECS["gemini"]:
            assert j.status == "failed" and j.scores == {}


def test_run_document_combines_the_judges_that_scored_by_consensus(llm: LLMEnv) -> None:
    llm.jury.forever["gemini"] = "missing"
    run = llm.run(["offline", SPECS["openai"], SPECS["gemini"]], plans=llm.plans[:2])
    assert run.status == "partial"
    doc = run_document(run)
    conflicts = {(c["plan"], c["criterion"]): c for c in doc["conflicts"]}
    assert len(conflicts) == 2 * 4  # every plan x criterion had two scores
    for plan in doc["plans"]:
        for cid, c in plan["criteria"].items():
            assert c["judges"][SPECS["gemini"]] is None
            assert c["judges"][SPECS["openai"]] == SENT["openai"][cid]
            scored = {k: v for k, v in c["judges"].items() if v is not None}
            conflict = conflicts[(plan["name"], cid)]
            assert conflict["scores"] == scored  # the failed judge is not a vote
            spread = round(max(scored.values()) - min(scored.values()), 2)
            assert conflict["spread"] == spread
            assert conflict["severity"] == llm.rubric.consensus.severity(spread)
            assert conflict["strategy"] == llm.rubric.consensus.strategies[conflict["severity"]]
            assert c["score"] == conflict["resolved_score"]
            if conflict["status"] == "escalated":
                assert c["score"] is None and plan["provisional"] is True
                assert c["provisional_score"] == round(statistics.fmean(scored.values()), 2)
            else:
                low, high = min(scored.values()), max(scored.values())
                assert low <= c["score"] <= high


# --------------------------------------------------------------------------------------------
# Evidence checks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_quotes_not_in_the_plan_are_flagged(llm: LLMEnv, provider: str) -> None:
    assert all(INVENTED_QUOTE.lower() not in p.text.lower() for p in llm.plans)
    llm.jury.quote = INVENTED_QUOTE
    llm.jury.covered = ["NW-01", "nw-02", "NW-99"]
    j = llm.judge_one(provider)
    assert j.status == "ok", j.error
    for cs in j.scores.values():
        assert [(e.quote, e.verified) for e in cs.evidence] == [(INVENTED_QUOTE, False)]
        assert cs.evidence[0].note == "quote not found in the plan"
    assert any("4 evidence quote(s) not found in the plan" in n for n in j.notes)
    assert any("ignored finding ids not in the audit: NW-99" in n for n in j.notes)
    assert j.coverage is not None and j.coverage.covered == ["NW-01", "NW-02"]


# --------------------------------------------------------------------------------------------
# A provider that is down: partial run, circuit breaker
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("down", ["503-forever", "closed-port"])
def test_provider_down_gives_a_partial_run_promptly_with_the_reason(
    llm: LLMEnv, monkeypatch: pytest.MonkeyPatch, down: str
) -> None:
    if down == "503-forever":
        llm.jury.forever["gemini"] = Status(503, message="The model is overloaded")
        reason = "HTTP 503"
    else:
        monkeypatch.setenv("A11Y_JUDGE_GEMINI_BASE_URL", f"http://127.0.0.1:{closed_port()}")
        reason = "could not be reached"
    settings = llm.settings(
        breaker_threshold=2, concurrency=1, breaker_cooldown=0.1, outage_wait=1.0
    )
    start = time.perf_counter()
    run = llm.run(["offline", SPECS["openai"], SPECS["gemini"]], settings)
    assert time.perf_counter() - start < 5
    assert run.status == "partial"
    assert run.error is not None
    assert f"{SPECS['gemini']} failed 4 of 4 plans" in run.error and reason in run.error
    assert SPECS["openai"] not in run.error
    gemini = [j for j in run.judgments if j.judge_id == SPECS["gemini"]]
    assert all(j.status == "failed" and not j.scores for j in gemini)
    gave_up = [j for j in gemini if "gave up after 3 attempts" in (j.error or "")]
    down_since = [j for j in gemini if "has been down since" in (j.error or "")]
    assert len(gave_up) == 2 and len(down_since) == 2  # the breaker opened after two
    assert all(reason in (j.error or "") for j in down_since)
    assert len(llm.generation("openai")) == len(llm.plans)
    info = {j.id: j for j in run.judges}
    assert (info[SPECS["gemini"]].status, info[SPECS["gemini"]].failures) == ("failed", 4)
    assert info[SPECS["openai"]].status == info["offline"].status == "ok"
    endpoint = next(e for e in run.stats.endpoints if e.name.startswith("gemini"))
    assert endpoint.breaker_opened == 1 and endpoint.waited_s > 0.5
    assert [r.rank for r in run.results] == sorted(r.rank for r in run.results)
    for result in run.results:
        assert result.score is not None and result.rank >= 1
        for cid, c in result.criteria.items():
            assert c.judges[SPECS["gemini"]] is None
            assert c.judges[SPECS["openai"]] == SENT["openai"][cid]
            assert c.judges["offline"] is not None


def test_queued_work_waits_for_the_probe_and_resumes(llm: LLMEnv) -> None:
    # One plan after the other: the first two calls fail three attempts each and open the
    # breaker; the third waits out the cooldown, goes as the probe, and all resume.
    llm.jury.script.extend([Status(503)] * 6)
    settings = llm.settings(
        breaker_threshold=2, breaker_cooldown=0.2, concurrency=1, use_cache=False
    )
    notices: list[str] = []
    run = llm.run([SPECS["gemini"]], settings, notice=notices.append, max_workers=1)
    judgments = sorted(run.judgments, key=lambda j: j.status)
    assert [j.status for j in judgments] == ["failed", "failed", "ok", "ok"]
    assert all("gave up after 3 attempts" in (j.error or "") for j in judgments[:2])
    assert len(llm.generation()) == 6 + 2  # nothing was sent while open but the probe
    endpoint = run.stats.endpoints[0]
    assert endpoint.breaker_opened == 1 and endpoint.waited_s >= 0.15
    assert settings.gate(endpoint.name).breaker.state == "closed"
    assert any(n.startswith("waiting for gemini: open since ") for n in notices), notices
    assert notices[-1] == ""  # and the engine said when the wait ended


def test_requests_per_minute_spaces_the_requests(llm: LLMEnv) -> None:
    llm.warm_up("openai")
    run = llm.run([SPECS["openai"]], llm.settings(rpm=600), plans=llm.plans[:3])
    assert run.status == "ok", run.error
    times = sorted(llm.jury.times)
    assert len(times) == 3
    assert times[-1] - times[0] >= 0.18  # 0.1 s apart (arrival jitter allowed for)
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.05


def test_concurrency_caps_the_requests_in_flight(llm: LLMEnv) -> None:
    llm.warm_up("gemini")
    llm.server.latency = 0.25
    run = llm.run([SPECS["gemini"]], llm.settings(concurrency=2))
    assert run.status == "ok", run.error
    times = sorted(llm.jury.times)
    assert len(times) == 4
    assert times[2] - times[0] >= 0.2  # the third request waited for a free slot


# --------------------------------------------------------------------------------------------
# The reply cache
# --------------------------------------------------------------------------------------------


def _scores(run: Run) -> dict[tuple[str, str], dict[str, float]]:
    return {
        (j.judge_id, j.plan_name): {c: s.score for c, s in j.scores.items()} for j in run.judgments
    }


def test_second_identical_run_is_served_from_the_cache(llm: LLMEnv) -> None:
    specs = [SPECS["openai"], SPECS["gemini"]]
    first = llm.run(specs)
    assert len(llm.generation()) == 8
    assert not any(j.cache_hit for j in first.judgments)
    second = llm.run(specs)  # new JudgeSettings, same A11Y_JUDGE_HOME
    assert len(llm.generation()) == 8  # zero new requests
    assert second.status == "ok"
    assert all(j.cache_hit for j in second.judgments)
    assert _scores(second) == _scores(first)
    for j in second.judgments:
        assert (j.calls, j.input_tokens, j.output_tokens, j.cost_usd) == (0, 0, 0, 0)
        assert j.coverage is not None and j.coverage.covered == COVERED
        assert all(e.verified for cs in j.scores.values() for e in cs.evidence)
    assert (second.stats.calls, second.stats.cache_hits, second.stats.cache_misses) == (0, 8, 0)
    assert (first.stats.calls, first.stats.cache_hits, first.stats.cache_misses) == (8, 0, 8)
    assert second.stats.cost_usd == 0
    assert all(j.cache_hits == 4 for j in second.judges)
    assert run_document(second)["plans"] == run_document(first)["plans"]


def test_no_cache_makes_requests_again_and_writes_nothing(
    llm: LLMEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    llm.run([SPECS["openai"]])
    assert len(llm.generation()) == 4
    again = llm.run([SPECS["openai"]], llm.settings(use_cache=False))
    assert len(llm.generation()) == 8
    assert not any(j.cache_hit for j in again.judgments)
    fresh = tmp_path / "fresh-home"
    monkeypatch.setenv("A11Y_JUDGE_HOME", str(fresh))
    llm.run([SPECS["openai"]], llm.settings(use_cache=False))
    assert len(llm.generation()) == 12
    assert not (fresh / "cache").exists()


def test_rubric_weights_or_plan_text_changes_miss_the_cache(llm: LLMEnv) -> None:
    plan = llm.plan("northwind-phased-roadmap")

    def judge(p: Plan, rubric: Rubric) -> Judgment:
        return llm.judge("openai", llm.settings()).judge(llm.audit, p, rubric)

    assert judge(plan, llm.rubric).cache_hit is False
    assert judge(plan, llm.rubric).cache_hit is True
    assert len(llm.generation()) == 1
    reweighted = llm.rubric.with_weights(
        {
            "strategic_prioritization": 0.25,
            "technical_specificity": 0.25,
            "comprehensiveness": 0.25,
            "long_term_vision": 0.25,
        }
    )
    assert judge(plan, reweighted).cache_hit is False
    assert len(llm.generation()) == 2
    data = (plan.text + "\n\nPhase 4: retest checkout with JAWS and VoiceOver.\n").encode()
    edited = read_plan(plan.filename, data=data, name=plan.name)
    assert edited.content_hash != plan.content_hash
    j = judge(edited, llm.rubric)
    assert j.cache_hit is False and j.status == "ok"
    assert len(llm.generation()) == 3
    assert "retest checkout with JAWS" in turns(llm.generation()[-1])[0][1]
    assert judge(plan, llm.rubric).cache_hit is True  # the original is still cached
    assert len(llm.generation()) == 3


def test_identical_concurrent_judgings_share_one_request(llm: LLMEnv) -> None:
    llm.server.latency = 0.3
    judge = llm.judge("openai", llm.settings())
    plan = llm.plan("overlay-widget-plan")
    barrier = threading.Barrier(2)
    results: list[Judgment] = []

    def work() -> None:
        barrier.wait()
        results.append(judge.judge(llm.audit, plan, llm.rubric))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(results) == 2
    assert len(llm.generation()) == 1
    assert sorted(j.cache_hit for j in results) == [False, True]
    assert all(j.status == "ok" for j in results)
    assert results[0].scores == results[1].scores


def test_the_same_plan_twice_in_one_run_is_requested_once(llm: LLMEnv) -> None:
    llm.server.latency = 0.3
    plan = llm.plan("overlay-widget-plan")
    run = llm.run([SPECS["gemini"]], plans=[plan, plan])
    assert run.status == "ok"
    assert len(llm.generation()) == 1
    assert sorted(j.cache_hit for j in run.judgments) == [False, True]


def test_cache_dir_is_private(llm: LLMEnv) -> None:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    llm.run([SPECS["openai"]], plans=llm.plans[:1])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert any(folder.iterdir())


def test_failed_judgments_are_not_cached(llm: LLMEnv) -> None:
    llm.jury.forever["openai"] = "score11"
    failed = llm.run([SPECS["openai"]], plans=llm.plans[:2])
    assert failed.status == "failed"
    assert len(llm.generation()) == 4  # one repair each
    llm.jury.forever.clear()
    ok = llm.run([SPECS["openai"]], plans=llm.plans[:2])
    assert ok.status == "ok"
    assert not any(j.cache_hit for j in ok.judgments)
    assert len(llm.generation()) == 6


# --------------------------------------------------------------------------------------------
# Self-consistency samples
# --------------------------------------------------------------------------------------------

DELTA = {
    "strategic_prioritization": 0.0,
    "technical_specificity": 0.5,
    "comprehensiveness": 1.0,
    "long_term_vision": -1.0,
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_samples_record_the_median_and_the_spread(llm: LLMEnv, provider: str) -> None:
    sequence = [3.0, 9.0, 5.0]
    llm.jury.scores = lambda req, n: {c: sequence[n % 3] + d for c, d in DELTA.items()}
    run = llm.run([SPECS[provider]], llm.settings(samples=3), plans=llm.plans[:2])
    assert run.status == "ok", run.error
    reqs = llm.generation()
    assert Counter(plan_name_of(r) for r in reqs) == {p.name: 3 for p in llm.plans[:2]}
    assert all(temperature_of(r) == pytest.approx(0.7) for r in reqs)
    for j in run.judgments:
        assert (j.samples, j.calls) == (3, 3)
        assert j.cost_usd == pytest.approx(3 * price(provider, IN_TOKENS, OUT_TOKENS), abs=1e-9)
        for cid, cs in j.scores.items():
            assert cs.score == 5.0 + DELTA[cid]
            assert cs.spread == 6.0
            assert cs.rationale.startswith(f"{provider} sample 2 on {cid}")  # the median one
    again = llm.run([SPECS[provider]], llm.settings(samples=3), plans=llm.plans[:2])
    assert all(j.cache_hit for j in again.judgments)
    assert len(llm.generation()) == 6


def test_a_failed_sample_is_noted_and_retried_next_run(llm: LLMEnv) -> None:
    # One plan, three samples: sample 0 valid (4.0), sample 1 invalid twice, sample 2 valid (8.0).
    llm.jury.script.extend(["valid", "score11", "score11", "valid"])
    llm.jury.scores = lambda req, n: dict.fromkeys(SENT["openai"], 4.0 if n == 0 else 8.0)
    plan = llm.plans[0]
    j = llm.judge("openai", llm.settings(samples=3)).judge(llm.audit, plan, llm.rubric)
    assert j.status == "ok", j.error
    assert (j.samples, j.calls) == (3, 4)
    assert all((cs.score, cs.spread) == (6.0, 4.0) for cs in j.scores.values())
    assert any(n.startswith("1 of 3 samples failed: reply did not match") for n in j.notes)
    again = llm.judge("openai", llm.settings(samples=3)).judge(llm.audit, plan, llm.rubric)
    assert len(llm.generation()) == 5  # only the failed sample is asked again
    assert again.cache_hit is False and again.calls == 1
    assert all((cs.score, cs.spread) == (8.0, 4.0) for cs in again.scores.values())


# --------------------------------------------------------------------------------------------
# Cost budget and context budget
# --------------------------------------------------------------------------------------------


def test_budget_stops_new_calls_once_spent(llm: LLMEnv) -> None:
    llm.jury.tokens = (1_000_000, 1_000)  # $2.008 per gpt-4.1 request
    settings = llm.settings(budget_usd=1.0)
    run = llm.run(["offline", SPECS["openai"]], settings, max_workers=1)
    assert len(llm.generation()) == 1
    assert settings.budget.spent == pytest.approx(price("openai", 1_000_000, 1_000))
    assert run.status == "partial"
    mine = [j for j in run.judgments if j.judge_id == SPECS["openai"]]
    assert [j.status for j in mine] == ["ok", "failed", "failed", "failed"]
    for j in mine[1:]:
        assert j.error is not None and "budget" in j.error and "$1.00" in j.error
        assert j.scores == {}
    assert run.error is not None and "budget" in run.error
    assert all(r.score is not None for r in run.results)


def test_budget_too_small_for_one_call_sends_nothing(llm: LLMEnv) -> None:
    run = llm.run([SPECS["gemini"]], llm.settings(budget_usd=0.0001), plans=llm.plans[:2])
    assert run.status == "failed"
    assert llm.generation() == []
    assert all("budget" in (j.error or "") for j in run.judgments)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_small_context_condenses_the_prompt_visibly(llm: LLMEnv, provider: str) -> None:
    j = llm.judge_one(provider, context_tokens=5000, max_output_tokens=1000)
    assert j.status == "ok", j.error
    assert any(n.startswith("audit condensed to one line per finding") for n in j.notes)
    assert any(n.startswith("plan condensed:") for n in j.notes)
    [req] = llm.generation()
    user = turns(req)[0][1]
    assert re.search(r"\[… [\d,]+ words omitted …\]", user)
    assert "Condensed to fit the judge's context" in user
    for f in llm.audit.findings:
        assert f"[{f.id}]" in user
    assert all(e.verified for cs in j.scores.values() for e in cs.evidence)


def test_plan_that_cannot_fit_fails_without_a_request(llm: LLMEnv) -> None:
    j = llm.judge_one("openai", context_tokens=2300, max_output_tokens=1000)
    assert j.status == "failed"
    assert j.error is not None and "does not fit" in j.error and "--context-tokens" in j.error
    assert llm.generation() == []


# --------------------------------------------------------------------------------------------
# Keys: missing, from .env, never leaked
# --------------------------------------------------------------------------------------------


def test_missing_key_is_a_config_error_naming_the_variable(
    llm: LLMEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("GEMINI_API_KEY")
    with pytest.raises(JudgeConfigError, match="OPENAI_API_KEY"):
        create_judge(SPECS["openai"], llm.settings())
    with pytest.raises(JudgeConfigError, match="GEMINI_API_KEY or GOOGLE_API_KEY"):
        create_judge(SPECS["gemini"], llm.settings())
    monkeypatch.setenv("GOOGLE_API_KEY", KEYS["gemini"])
    assert llm.judge_one("gemini").status == "ok"
    assert llm.generation()[0].headers["x-goog-api-key"] == KEYS["gemini"]


def test_cli_missing_key_prints_one_error_line(
    llm: LLMEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    code, out, err = cli(capsys, *DEMO_ARGS, "--judge", "offline", "--judge", SPECS["openai"])
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "OPENAI_API_KEY" in lines[0]
    assert "Traceback" not in err
    assert HistoryStore().count_runs() == 0
    assert llm.generation() == []


def test_dotenv_in_the_working_directory_supplies_the_key(
    llm: LLMEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    (tmp_path / ".env").write_text(
        f'# provider keys\nexport OPENAI_API_KEY="{KEYS["openai"]}"\n', encoding="utf-8"
    )
    j = llm.judge_one("openai")
    assert j.status == "ok", j.error
    assert llm.generation()[0].headers["authorization"] == f"Bearer {KEYS['openai']}"


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_keys_never_reach_history_cache_reports_or_output(
    llm: LLMEnv, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    judges = ["--judge", "offline", "--judge", SPECS["openai"], "--judge", SPECS["gemini"]]
    out_dir = tmp_path / "reports"
    # Run 1: openai rejects the key and echoes it; gemini answers twice with text echoing keys.
    llm.jury.forever["openai"] = Status(
        401, message=f"Incorrect API key provided: {KEYS['openai']}"
    )
    llm.jury.forever["gemini"] = "echo"
    code1, out1, err1 = cli(capsys, *DEMO_ARGS, *judges, "--out", str(out_dir), "--retries", "0")
    assert code1 == 0, err1
    # Run 2: everything works (cached replies written), JSON printed, reports written again.
    llm.jury.forever.clear()
    code2, out2, err2 = cli(
        capsys, *DEMO_ARGS, *judges, "--json", "--out", str(out_dir), "--format", "json,csv,md,pdf"
    )
    assert code2 == 0, err2
    # Run 3: a 403 that echoes the gemini key, human output.
    llm.jury.forever["gemini"] = Status(403, message=f"API key {KEYS['gemini']} is not valid")
    code3, out3, err3 = cli(capsys, *DEMO_ARGS, "--judge", SPECS["gemini"], "--no-cache")
    assert code3 == 1  # every judgment failed
    # The failures happened and were recorded, with the keys scrubbed.
    runs = HistoryStore().list_runs()
    assert [r.status for r in runs] == ["failed", "ok", "partial"]
    first = HistoryStore().get_run(runs[-1].run_id)
    errors = [j.error or "" for j in first.judgments if j.judge_id == SPECS["openai"]]
    assert all("HTTP 401" in e and "***" in e for e in errors)
    raws = [j.raw or "" for j in first.judgments if j.judge_id == SPECS["gemini"]]
    assert all("Key in use: ***" in r for r in raws)
    assert "HTTP 403" in out3 and "***" in out3
    blobs: dict[str, bytes] = {
        "stdout/stderr": (out1 + err1 + out2 + err2 + out3 + err3).encode(),
    }
    hist = history_path()
    for path in [hist, *hist.parent.glob(hist.name + "-*")]:
        blobs[str(path)] = path.read_bytes()
    cache_files = _files_under(cache_dir())
    assert cache_files
    reports = _files_under(out_dir)
    assert len(reports) == 4 + 5  # json, csv x2, md; then also pdf
    for path in cache_files + reports:
        blobs[str(path)] = path.read_bytes()
    for pdf in (p for p in reports if p.suffix == ".pdf"):  # compressed, glyph-encoded text
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
        assert b"Methodology" in text.stdout
        blobs[f"{pdf} (its text)"] = text.stdout
    # diskcache's JSONDisk zlib-compresses entries: scan them decoded as well.
    with diskcache.Cache(str(cache_dir()), disk=diskcache.JSONDisk) as cache:
        entries = [(k, cache.get(k)) for k in cache.iterkeys()]
    assert len(entries) == 8  # run 2's openai and gemini replies (offline is not cached)
    blobs["decoded cache entries"] = json.dumps(entries).encode()
    for where, blob in blobs.items():
        for key in KEYS.values():
            assert key.encode() not in blob, f"key found in {where}"
            assert key[5:17].encode() not in blob, f"part of a key found in {where}"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_key_cut_by_the_message_limit_does_not_leak_in_part(llm: LLMEnv, provider: str) -> None:
    key = KEYS[provider]
    prefix = "Error code: 401 - " if provider == "openai" else ""
    lead = "Incorrect API key provided: "
    pad = 200 - len(prefix) - len(lead) - 20  # the first 20 characters of the key survive the cut
    llm.jury.forever[provider] = Status(401, message="x" * pad + lead + key)
    j = llm.judge_one(provider)
    assert j.status == "failed" and j.error is not None and "HTTP 401" in j.error
    assert key not in j.error
    assert key[:20] not in j.error


# --------------------------------------------------------------------------------------------
# CLI end to end
# --------------------------------------------------------------------------------------------

JUDGE_KEYS = {"id", "provider", "model", "status", "calls", "cache_hits", "failures"}


def test_cli_evaluate_with_three_judges_then_cache_stats_and_clear(
    llm: LLMEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    judges = ["--judge", "offline", "--judge", SPECS["openai"], "--judge", SPECS["gemini"]]
    ids = ["offline", SPECS["openai"], SPECS["gemini"]]
    code, out, err = cli(capsys, *DEMO_ARGS, *judges, "--json")
    assert code == 0 and err == "", err
    doc = json.loads(out)
    assert doc["status"] == "ok"
    assert [j["id"] for j in doc["judges"]] == ids
    for j in doc["judges"]:
        assert set(j) == JUDGE_KEYS
        assert (j["status"], j["calls"], j["cache_hits"], j["failures"]) == ("ok", 4, 0, 0)
    assert [(j["provider"], j["model"]) for j in doc["judges"][1:]] == [
        ("openai", "gpt-4.1"),
        ("gemini", "gemini-2.5-pro"),
    ]
    assert len(doc["plans"]) == 4
    for plan in doc["plans"]:
        for cid, c in plan["criteria"].items():
            assert list(c["judges"]) == ids
            assert c["judges"][SPECS["openai"]] == SENT["openai"][cid]
            assert c["judges"][SPECS["gemini"]] == SENT["gemini"][cid]
            values = [v for v in c["judges"].values() if v is not None]
            conflict = next(
                x for x in doc["conflicts"] if (x["plan"], x["criterion"]) == (plan["name"], cid)
            )
            assert conflict["scores"] == dict(zip(ids, values, strict=True))
            assert c["score"] == conflict["resolved_score"]
            if c["score"] is not None:
                assert min(values) <= c["score"] <= max(values)
    assert len(llm.generation()) == 8

    code, out, err = cli(capsys, *DEMO_ARGS, *judges, "--json")
    assert code == 0, err
    again = json.loads(out)
    assert [j["cache_hits"] for j in again["judges"]] == [0, 4, 4]
    judged = {p["name"]: {c: v["judges"] for c, v in p["criteria"].items()} for p in doc["plans"]}
    assert {
        p["name"]: {c: v["judges"] for c, v in p["criteria"].items()} for p in again["plans"]
    } == judged  # the same replies (the combined scores follow the reliability learnt since)
    assert len(llm.generation()) == 8

    code, out, err = cli(capsys, "cache", "stats")
    assert code == 0 and err == ""
    lines = dict(line.split(None, 1) for line in out.strip().splitlines())
    assert lines["cache"] == str(cache_dir())
    assert (lines["entries"], lines["hits"], lines["misses"]) == ("8", "8", "8")
    assert re.fullmatch(r"\d+\.\d MiB of 256 MiB cap", lines["size"])

    code, out, err = cli(capsys, "cache", "clear")
    assert code == 0 and out.strip() == f"removed 8 cached replies from {cache_dir()}"
    code, out, _ = cli(capsys, "cache", "stats")
    assert "entries    0" in out and "hits       0" in out

    code, out, err = cli(capsys, *DEMO_ARGS, *judges, "--no-cache", "--json")
    assert code == 0, err
    assert [j["cache_hits"] for j in json.loads(out)["judges"]] == [0, 0, 0]
    assert len(llm.generation()) == 16
    code, out, _ = cli(capsys, "cache", "stats")
    assert "entries    0" in out


def test_cli_human_output_reports_llm_usage(
    llm: LLMEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, *DEMO_ARGS, "--judge", SPECS["openai"], "--no-history")
    assert code == 0, err
    cost = 4 * price("openai", IN_TOKENS, OUT_TOKENS)
    assert (
        f"LLM requests 4 (retries 0, repairs 0), cache hits 0, misses 4, tokens 4,800 in / "
        f"1,200 out, cost ${cost:.4f}" in out
    )
    assert re.search(
        r"openai@127\.0\.0\.1:\d+: 4 requests \(0 rate-limited, 0 errors, 0 malformed\); "
        r"concurrency 8 \(lowest 8, final 8\)",
        out,
    )
    assert HistoryStore().count_runs() == 0


# --------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------


def test_history_stores_llm_usage_per_judgment(llm: LLMEnv) -> None:
    # Sequential (max_workers=1), so the script is consumed in task order: openai on the first
    # plan gets a 429 then a valid reply; gemini on the first plan breaks the schema twice.
    llm.jury.script.extend([Status(429, retry_after=0.01), "valid", "score11", "score11"])
    specs = ["offline", SPECS["openai"], SPECS["gemini"]]
    first = llm.run(specs, max_workers=1)
    second = llm.run(specs)
    store = HistoryStore()
    store.save_run(first)
    store.save_run(second)
    db = sqlite3.connect(history_path())
    db.row_factory = sqlite3.Row
    try:
        columns = (
            "judge_id, plan_name, provider, model, prompt_version, input_tokens, output_tokens,"
            " cost_usd, calls, retries, repairs, cache_hit, status, samples, error"
        )
        rows = {
            run.run_id: {
                (r["judge_id"], r["plan_name"]): r
                for r in db.execute(
                    f"SELECT {columns} FROM judgments WHERE run_id = ?", (run.run_id,)
                )
            }
            for run in (first, second)
        }
        totals = {
            r["run_id"]: r
            for r in db.execute(
                "SELECT run_id, llm_calls, cache_hits, cache_misses, input_tokens,"
                " output_tokens, cost_usd FROM runs"
            )
        }
    finally:
        db.close()
    p1 = llm.plans[0].name
    for run in (first, second):
        assert len(rows[run.run_id]) == 12
        for j in run.judgments:
            row = rows[run.run_id][(j.judge_id, j.plan_name)]
            assert row["provider"] == j.provider
            assert row["model"] == j.model
            assert row["prompt_version"] == j.prompt_version
            assert (row["input_tokens"], row["output_tokens"]) == (j.input_tokens, j.output_tokens)
            assert row["cost_usd"] == (None if j.cost_usd is None else pytest.approx(j.cost_usd))
            assert (row["calls"], row["retries"], row["repairs"]) == (j.calls, j.retries, j.repairs)
            assert (row["cache_hit"], row["status"]) == (int(j.cache_hit), j.status)
            assert row["samples"] == 1
    r1 = rows[first.run_id]
    oa = r1[(SPECS["openai"], p1)]
    assert (oa["provider"], oa["model"], oa["status"]) == ("openai", "gpt-4.1", "ok")
    assert oa["prompt_version"] == prompt_version()
    assert (oa["input_tokens"], oa["output_tokens"]) == (IN_TOKENS, OUT_TOKENS)
    assert oa["cost_usd"] == pytest.approx(price("openai", IN_TOKENS, OUT_TOKENS))
    assert (oa["calls"], oa["retries"], oa["cache_hit"]) == (2, 1, 0)
    gm = r1[(SPECS["gemini"], p1)]
    assert (gm["provider"], gm["model"], gm["status"]) == ("gemini", "gemini-2.5-pro", "failed")
    assert "schema" in gm["error"]
    assert (gm["calls"], gm["repairs"], gm["input_tokens"]) == (2, 1, 2 * IN_TOKENS)
    off = r1[("offline", p1)]
    assert (off["provider"], off["prompt_version"], off["input_tokens"]) == ("offline", None, 0)
    r2 = rows[second.run_id]
    hits = {k: r["cache_hit"] for k, r in r2.items() if k[0] != "offline"}
    assert sum(hits.values()) == 7  # all but the gemini judgment that failed in the first run
    assert r2[(SPECS["gemini"], p1)]["cache_hit"] == 0
    t1, t2 = totals[first.run_id], totals[second.run_id]
    # openai: 4 replies (+1 retry of the 429); gemini: 3 replies + 2 for the failed one
    assert (t1["llm_calls"], t1["cache_hits"], t1["cache_misses"]) == (10, 0, 8)
    assert (t1["input_tokens"], t1["output_tokens"]) == (9 * IN_TOKENS, 9 * OUT_TOKENS)
    assert t1["cost_usd"] == pytest.approx(first.stats.cost_usd)
    assert (t2["llm_calls"], t2["cache_hits"], t2["cache_misses"]) == (1, 7, 1)
