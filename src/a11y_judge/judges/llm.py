"""What every LLM judge shares: prompt, cache, resilient calls, validation, repair, samples.

A provider module supplies only a `Transport` (how to send one chat with a JSON schema and
read the reply, and which of its exceptions are transient). Every plan is judged in its own
request. A reply that is not parseable JSON (cut short, empty, an HTML page) is transient: the
request is sent again, fresh, within the retry budget. A reply that is JSON but breaks the
schema gets one repair re-ask; if it is still invalid the judgment is recorded as failed with
the raw replies kept — never as a score of 0. Retries and repairs are counted apart.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from a11y_judge.cache import cache_key
from a11y_judge.credentials import redact
from a11y_judge.judges.prompt import ContextBudgetError, Prompt, build_prompt
from a11y_judge.judges.reply import (
    InvalidReplyError,
    JudgeReply,
    json_problem,
    normalized_plan,
    parse_reply,
    quote_in,
    reply_schema,
)
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import (
    AuditReport,
    Coverage,
    CriterionScore,
    Evidence,
    Judgment,
    Plan,
    Rubric,
)
from a11y_judge.prices import ModelInfo, default_context_tokens, model_info
from a11y_judge.resilience import (
    Attempts,
    MalformedReplyError,
    ProviderError,
    Transient,
    call_with_retries,
)
from a11y_judge.safety.redact import Redactor, applies

Message = dict[str, str]  # {"role": "user" | "assistant", "content": "..."}
T = TypeVar("T")
#: Tokens kept free besides the reply's max_output_tokens when fitting a prompt.
CONTEXT_MARGIN = 256


def lazy(build: Callable[[], T]) -> Callable[[], T]:
    """`build()` once, on first use, thread-safely (SDK clients cost tens of ms to make, and
    the app builds judges on every rerun to check their specs and keys)."""
    made: list[T] = []
    lock = threading.Lock()

    def get() -> T:
        if not made:
            with lock:
                if not made:
                    made.append(build())
        return made[0]

    return get


@dataclass(frozen=True)
class Completion:
    """One reply: its text, token usage and why generation stopped."""

    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    finish: str = ""


class Transport(Protocol):
    """Sends one chat (system + messages) that must answer in the given JSON schema."""

    def connect(self) -> None:
        """Build the SDK client if not yet built (called before waiting for a rate-limit slot,
        so the slot is spent sending, not constructing)."""
        ...

    def complete(
        self,
        system: str,
        messages: list[Message],
        schema: dict[str, Any],
        *,
        temperature: float | None,
        max_output_tokens: int,
    ) -> Completion:
        """One request; SDK exceptions propagate."""
        ...

    def classify(self, exc: Exception) -> Transient | None:
        """Transient failures (429, 5xx, timeouts, connection) worth retrying; else None."""
        ...

    def describe(self, exc: Exception) -> str:
        """A one-sentence, key-free description of a failure, with what to do."""
        ...


@dataclass
class _Usage:
    calls: int = 0
    retries: int = 0
    repairs: int = 0
    rate_limited: int = 0
    errors: int = 0
    malformed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0

    def add(self, completion: Completion, tries: Attempts, price: ModelInfo | None) -> float:
        """Count one answered call; returns its cost (0 when the price is unknown)."""
        cost = price.cost(completion.input_tokens, completion.output_tokens) if price else None
        self.count(tries)
        self.merge(
            _Usage(
                input_tokens=completion.input_tokens,
                output_tokens=completion.output_tokens,
                cost_usd=cost,
            )
        )
        return cost or 0.0

    def count(self, tries: Attempts) -> None:
        """Count the requests one call sent, and why the re-sent ones were re-sent."""
        self.merge(
            _Usage(tries.sent, tries.retries, 0, tries.rate_limited, tries.errors, tries.malformed)
        )

    def merge(self, other: _Usage) -> None:
        """Add another usage to this one; an unknown cost makes the total unknown."""
        for name in ("calls", "retries", "repairs", "rate_limited", "errors", "malformed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        if self.cost_usd is None or other.cost_usd is None:
            self.cost_usd = None
        else:
            self.cost_usd += other.cost_usd

    def summary(self) -> str:
        """Why requests were re-sent, e.g. '2 rate limits, 1 malformed reply'."""
        return Attempts(0, self.rate_limited, self.errors, self.malformed).summary()


@dataclass
class _Outcome:
    """One sample's result, as stored in the cache (JSON)."""

    status: str
    reply: dict[str, Any] | None = None
    raw: str = ""
    error: str | None = None
    usage: _Usage = field(default_factory=_Usage)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reply": self.reply,
            "raw": self.raw,
            "error": self.error,
            "usage": self.usage.__dict__,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> _Outcome:
        return cls(
            status=doc["status"],
            reply=doc.get("reply"),
            raw=doc.get("raw", ""),
            error=doc.get("error"),
            usage=_Usage(**doc.get("usage", {})),
        )


def repair_message(problems: Sequence[str]) -> str:
    """The re-ask sent once after an invalid reply."""
    listed = "\n".join(f"- {p}" for p in problems)
    return (
        "Your reply could not be used:\n"
        f"{listed}\n"
        "Reply again with JSON only that matches the schema exactly: every rubric criterion with "
        "score (0-10), rationale, evidence (verbatim quotes from the plan) and confidence (0-1); "
        "covered_findings; summary."
    )


class LLMJudge:
    """A jury member backed by a chat model; one instance per judge spec and run."""

    def __init__(
        self,
        *,
        judge_id: str,
        provider: str,
        model: str,
        transport: Transport,
        settings: JudgeSettings,
        endpoint: str,
        secrets: Sequence[str | None] = (),
        local: bool = False,
    ) -> None:
        self.id = judge_id
        self.prompt_dir: Path | None = None  # another prompts/ folder (A/B experiments)
        self.provider = provider
        self.model: str | None = model
        self.transport = transport
        self.settings = settings
        self.gate = settings.gate(endpoint)
        self.concurrency = settings.concurrency
        self._secrets = tuple(secrets)
        self._price = model_info(model)
        self.local = local  # the endpoint is on this machine (loopback)

    @property
    def redacts(self) -> bool:
        """Whether this judge is sent PII-redacted text (settings.redact_pii and the endpoint)."""
        return applies(self.settings.redact_pii, self.local)

    def check(self) -> str:
        """Send one tiny structured request (no retries); return a sentence or raise ProviderError.

        Used by the Settings page's "test connection": it proves the key, base URL, model name
        and JSON-schema support in one round trip of a few tokens.
        """
        schema = {
            "type": "object",
            "additionalProperties": False,
            "required": ["ok"],
            "properties": {"ok": {"type": "boolean"}},
        }
        start = time.perf_counter()
        try:
            completion = self.transport.complete(
                'Reply with the JSON object {"ok": true}.',
                [{"role": "user", "content": "Connection test from A11y Judge."}],
                schema,
                temperature=self._temperature(),
                max_output_tokens=64,
            )
        except Exception as exc:
            raise ProviderError(self._redact(self.transport.describe(exc))) from exc
        ms = (time.perf_counter() - start) * 1000
        if not completion.text.strip():
            raise ProviderError(
                f"{self.id} answered in {ms:.0f} ms but with an empty reply "
                f"({completion.finish or 'no reason given'})",
                hint="Check that the model supports JSON-schema output",
            )
        return f"{self.id} answered in {ms:.0f} ms ({completion.input_tokens} tokens in)."

    # -- one plan -------------------------------------------------------------------------
    def judge(self, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
        """Ask the model about this plan alone (K times with samples > 1) and validate."""
        self.settings.control.start()
        start = time.perf_counter()
        base = Judgment(
            judge_id=self.id,
            plan_name=plan.name,
            provider=self.provider,
            model=self.model,
            samples=max(1, self.settings.samples),
        )
        redactor = Redactor() if self.redacts else None
        try:
            prompt = build_prompt(
                redactor.audit(audit) if redactor else audit,
                redactor.plan(plan) if redactor else plan,
                rubric,
                self._budget_tokens(),
                self.prompt_dir,
            )
        except ContextBudgetError as exc:
            return base.model_copy(update={"status": "failed", "error": str(exc)})
        base.prompt_version = prompt.version
        schema = reply_schema(rubric)
        outcomes: list[_Outcome] = []
        hits = 0
        for i in range(base.samples):
            outcome, hit = self._sample(audit, plan, rubric, prompt, schema, i)
            outcomes.append(outcome)
            hits += hit
        restore = redactor.restore if redactor else None
        judgment = self._assemble(base, audit, plan, rubric, prompt, outcomes, restore)
        judgment.cache_hit = hits == len(outcomes)
        judgment.latency_ms = (time.perf_counter() - start) * 1000
        return judgment

    def connect(self) -> None:
        """Build the SDK client now (before many threads would wait for it on first use)."""
        self.transport.connect()

    def cancel(self, reason: str = "cancelled by the user") -> None:
        """End the run's waits: judgments still waiting or not yet sent fail with `reason`."""
        self.settings.control.cancel(reason)

    def notice(self) -> str | None:
        """What this judge's endpoint is waiting for, if anything (an open circuit)."""
        return self.gate.breaker.notice()

    def _budget_tokens(self) -> int:
        context = self.settings.context_tokens or (
            self._price.context if self._price else default_context_tokens()
        )
        return max(1000, context - self.settings.max_output_tokens - CONTEXT_MARGIN)

    def _temperature(self) -> float | None:
        if self._price is not None and self._price.fixed_temperature:
            return None  # reasoning models accept only their default temperature
        if self.settings.samples > 1 and self.settings.temperature == 0:
            return self.settings.sample_temperature
        return self.settings.temperature

    def _sample(
        self,
        audit: AuditReport,
        plan: Plan,
        rubric: Rubric,
        prompt: Prompt,
        schema: dict[str, Any],
        index: int,
    ) -> tuple[_Outcome, bool]:
        cache = self.settings.cache()
        if cache is None:
            return self._ask(prompt, schema, rubric), False
        key = cache_key(
            audit=audit.content_hash,
            plan=plan.content_hash,
            judge=self.id,
            model=self.model,
            prompt=prompt.version,
            rubric=rubric.version,
            params={
                "temperature": self._temperature(),
                "max_output_tokens": self.settings.max_output_tokens,
                "context_budget": self._budget_tokens(),
                "samples": self.settings.samples,
                "sample": index,
                **({"repeat": self.settings.repeat} if self.settings.repeat else {}),
                **({"redact_pii": "v1"} if self.redacts else {}),
            },
        )
        doc, hit = cache.get_or_compute(
            key,
            lambda: self._ask(prompt, schema, rubric).to_json(),
            cacheable=lambda d: d.get("status") == "ok",
        )
        outcome = _Outcome.from_json(doc)
        if hit:
            outcome.usage = _Usage()  # nothing was spent this run
        return outcome, hit

    # -- requests -------------------------------------------------------------------------
    def _call(
        self, prompt: Prompt, messages: list[Message], schema: dict[str, Any], usage: _Usage
    ) -> Completion:
        estimate = 0.0
        if self._price is not None:
            sent = prompt.tokens + sum(len(m["content"]) for m in messages[1:]) // 3
            estimate = self._price.cost(sent, self.settings.max_output_tokens)
        self.settings.budget.reserve(estimate)
        self.transport.connect()
        actual = 0.0
        try:
            completion, tries = call_with_retries(
                lambda: self.transport.complete(
                    prompt.system,
                    messages,
                    schema,
                    temperature=self._temperature(),
                    max_output_tokens=self.settings.max_output_tokens,
                ),
                gate=self.gate,
                classify=self.transport.classify,
                describe=self._describe,
                policy=self.settings.retry,
                control=self.settings.control,
                accept=_parseable,
            )
            actual = usage.add(completion, tries, self._price)
            return completion
        except ProviderError as exc:  # count the requests that were sent before giving up
            usage.count(exc.attempts)
            raise
        finally:
            self.settings.budget.settle(estimate, actual)

    def _ask(self, prompt: Prompt, schema: dict[str, Any], rubric: Rubric) -> _Outcome:
        usage = _Usage()
        messages: list[Message] = [{"role": "user", "content": prompt.user}]
        try:
            first = self._call(prompt, messages, schema, usage)
            try:
                reply = parse_reply(first.text, rubric)
                return _Outcome("ok", reply.model_dump(), self._redact(first.text), usage=usage)
            except InvalidReplyError as problem:
                first_problem = problem
            messages += [
                {"role": "assistant", "content": first.text},
                {"role": "user", "content": repair_message(first_problem.problems)},
            ]
            usage.repairs += 1
            second = self._call(prompt, messages, schema, usage)
            raw = self._redact(f"{first.text}\n\n--- reply to the repair request ---\n")
            raw += self._redact(second.text)
            try:
                reply = parse_reply(second.text, rubric)
            except InvalidReplyError as again:
                stop = f" (generation stopped: {second.finish})" if second.finish else ""
                return _Outcome(
                    "failed",
                    raw=raw,
                    error=f"reply did not match the schema, even after one repair request: "
                    f"{again}{stop}",
                    usage=usage,
                )
            return _Outcome("ok", reply.model_dump(), raw, usage=usage)
        except ProviderError as exc:
            raw = self._redact(exc.raw[:4000])
            return _Outcome("failed", raw=raw, error=self._redact(str(exc)), usage=usage)

    def _describe(self, exc: Exception) -> str:
        if isinstance(exc, MalformedReplyError):
            return self._redact(f"{self.id} sent a reply that is not usable JSON ({exc})")
        return self._redact(self.transport.describe(exc))

    def _redact(self, text: str) -> str:
        return redact(text, self._secrets)

    # -- assembling the judgment -----------------------------------------------------------
    def _assemble(
        self,
        base: Judgment,
        audit: AuditReport,
        plan: Plan,
        rubric: Rubric,
        prompt: Prompt,
        outcomes: list[_Outcome],
        restore: Callable[[str], str] | None = None,
    ) -> Judgment:
        usage = _Usage()
        for o in outcomes:
            usage.merge(o.usage)
        notes = list(prompt.notes)
        if self._price is None:
            notes.append(f"no price listed for {self.model} in data/llm_models.json: cost unknown")
        if usage.retries:
            notes.append(f"re-sent {usage.retries} request(s); failed attempts: {usage.summary()}")
        if usage.repairs:
            notes.append(f"asked for {usage.repairs} repair(s) of replies that broke the schema")
        done = base.model_copy(
            update={
                "calls": usage.calls,
                "retries": usage.retries,
                "repairs": usage.repairs,
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "cost_usd": round(usage.cost_usd, 6) if usage.cost_usd is not None else None,
            }
        )
        good = [JudgeReply.model_validate(o.reply) for o in outcomes if o.reply]
        failed = [o for o in outcomes if o.status != "ok"]
        if not good:
            first = failed[0]
            raws = "\n\n=== next sample ===\n".join(o.raw for o in failed if o.raw) or None
            return done.model_copy(
                update={"status": "failed", "error": first.error, "raw": raws, "notes": notes}
            )
        if failed:
            notes.append(f"{len(failed)} of {len(outcomes)} samples failed: {failed[0].error}")
        text = normalized_plan(plan.text)
        if restore is not None:  # quotes of redacted text: put the values back, then verify
            good = [_restored(g, restore) for g in good]
        scores, unverified = self._scores(rubric, good, text)
        if unverified:
            notes.append(f"{unverified} evidence quote(s) not found in the plan (flagged)")
        coverage, unknown = _coverage(audit, good[_median_index(good, rubric)])
        if unknown:
            notes.append(f"ignored finding ids not in the audit: {', '.join(unknown[:5])}")
        raw = next((o.raw for o in outcomes if o.status == "ok"), None)
        return done.model_copy(
            update={"scores": scores, "coverage": coverage, "raw": raw, "notes": notes}
        )

    def _scores(
        self, rubric: Rubric, good: list[JudgeReply], plan_text: str
    ) -> tuple[dict[str, CriterionScore], int]:
        scores: dict[str, CriterionScore] = {}
        unverified = 0
        for c in rubric.criteria:
            values = [g.criteria[c.id].score for g in good]
            median = statistics.median(values)
            chosen = min((g.criteria[c.id] for g in good), key=lambda cr: abs(cr.score - median))
            evidence = []
            for e in chosen.evidence:
                ok = quote_in(e.quote, plan_text)
                unverified += not ok
                evidence.append(
                    Evidence(
                        quote=e.quote,
                        finding_id=e.finding_id or None,
                        verified=ok,
                        note="" if ok else "quote not found in the plan",
                    )
                )
            scores[c.id] = CriterionScore(
                score=round(median, 2),
                rationale=chosen.rationale,
                evidence=evidence,
                confidence=round(statistics.fmean(g.criteria[c.id].confidence for g in good), 3),
                spread=round(max(values) - min(values), 2) if len(good) > 1 else None,
            )
        return scores, unverified


def _restored(reply: JudgeReply, restore: Callable[[str], str]) -> JudgeReply:
    """The reply with redaction placeholders in its quotes and rationales replaced by the
    original values (history keeps the original text)."""
    doc = reply.model_dump()
    for crit in doc["criteria"].values():
        crit["rationale"] = restore(crit["rationale"])
        for e in crit["evidence"]:
            e["quote"] = restore(e["quote"])
    return JudgeReply.model_validate(doc)


def _parseable(completion: Completion) -> None:
    """Raise MalformedReplyError for a reply that is not parseable JSON, so that it is sent
    again; a refusal or a blocked reply is left to the repair re-ask and the record."""
    if completion.finish.startswith(("refused", "blocked")):
        return
    problem = json_problem(completion.text)
    if problem:
        stop = f"; generation stopped: {completion.finish}" if completion.finish else ""
        raise MalformedReplyError(problem + stop, raw=completion.text)


def _median_index(good: list[JudgeReply], rubric: Rubric) -> int:
    """The sample whose weighted score is the median one (its coverage list is used)."""
    totals = [sum(g.criteria[c.id].score * c.weight for c in rubric.criteria) for g in good]
    order = sorted(range(len(good)), key=lambda i: totals[i])
    return order[len(order) // 2]


def _coverage(audit: AuditReport, reply: JudgeReply) -> tuple[Coverage, list[str]]:
    ids = {f.id.lower(): f.id for f in audit.findings}
    said = {ids[x.strip().lower()] for x in reply.covered_findings if x.strip().lower() in ids}
    unknown = [x for x in reply.covered_findings if x.strip().lower() not in ids]
    covered = [f.id for f in audit.findings if f.id in said]
    missed = [f.id for f in audit.findings if f.id not in said]
    ratio = round(len(covered) / len(audit.findings), 4) if audit.findings else 0.0
    return Coverage(covered=covered, missed=missed, ratio=ratio), unknown
