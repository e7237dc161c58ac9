"""Typed domain objects shared by ingestion, judges, engine, history and views."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Severity(StrEnum):
    """Normalized severity, most to least urgent."""

    CRITICAL = "critical"
    SERIOUS = "serious"
    MODERATE = "moderate"
    MINOR = "minor"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """0 for critical … 3 for minor; unknown sorts with moderate."""
        return _RANK[self.value]

    @property
    def weight(self) -> float:
        """Weight used for severity-weighted coverage."""
        return _WEIGHT[self.value]


_RANK = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3, "unknown": 2}
_WEIGHT = {"critical": 4.0, "serious": 3.0, "moderate": 2.0, "minor": 1.0, "unknown": 2.0}


SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.CRITICAL,
    Severity.SERIOUS,
    Severity.MODERATE,
    Severity.MINOR,
    Severity.UNKNOWN,
)

WcagSource = Literal["stated", "inferred", "none"]


class Finding(BaseModel):
    """One accessibility problem reported by an audit."""

    id: str
    wcag: list[str] = Field(default_factory=list, description="Success criteria, e.g. ['1.4.3']")
    wcag_source: WcagSource = "none"
    severity: Severity = Severity.UNKNOWN
    title: str
    description: str = ""
    locations: list[str] = Field(default_factory=list)
    snippets: list[str] = Field(
        default_factory=list, description="Markup of the failing elements, as the audit shows it"
    )
    recommendation: str = ""
    needs_review: bool = False
    rule_id: str | None = Field(
        default=None, description="The tool's rule id, e.g. 'color-contrast'"
    )

    @property
    def status(self) -> str:
        """'needs review' or 'failure'."""
        return "needs review" if self.needs_review else "failure"


class Document(BaseModel):
    """A file as ingested: its name, format, hash and extracted text."""

    name: str
    filename: str = ""
    source_format: str
    content_hash: str
    text: str = ""


class AuditReport(Document):
    """An audit normalized to findings."""

    kind: Literal["audit"] = "audit"
    findings: list[Finding]

    @property
    def wcag(self) -> list[str]:
        """Every success criterion named by a finding, sorted by number."""
        from a11y_judge.ingest.wcag import sort_key

        return sorted({sc for f in self.findings for sc in f.wcag}, key=sort_key)


class Plan(Document):
    """A candidate remediation plan."""

    kind: Literal["plan"] = "plan"


class RubricCriterion(BaseModel):
    """One scored dimension of the rubric."""

    id: str
    name: str
    weight: float = Field(gt=0, le=1)
    description: str
    anchors: dict[int, str] = Field(description="Scoring anchors keyed by score 0-10")


ConflictSeverity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[ConflictSeverity, ...] = ("low", "medium", "high", "critical")
#: The resolution strategies the consensus engine knows (consensus/strategies.py).
STRATEGIES = ("reliability_mean", "evidence", "mediation", "escalate")
DEFAULT_STRATEGIES: dict[ConflictSeverity, str] = {
    "low": "reliability_mean",
    "medium": "evidence",
    "high": "mediation",
    "critical": "escalate",
}


class ConsensusConfig(BaseModel):
    """How disagreement between judges is graded and resolved (the rubric's `consensus:`).

    A spread (max - min of the judges' scores) below `medium` is low; from `medium` up to
    `high` medium; from `high` to `critical` high; above `critical` critical.
    """

    model_config = ConfigDict(extra="forbid")
    medium: float = Field(default=0.5, gt=0, le=10)
    high: float = Field(default=1.0, gt=0, le=10)
    critical: float = Field(default=2.0, gt=0, le=10)
    strategies: dict[ConflictSeverity, str] = Field(
        default_factory=lambda: dict(DEFAULT_STRATEGIES)
    )

    @model_validator(mode="after")
    def _ordered_and_known(self) -> ConsensusConfig:
        if not self.medium < self.high < self.critical:
            raise ValueError(
                f"consensus thresholds must rise: medium {self.medium} < high {self.high} < "
                f"critical {self.critical}"
            )
        missing = [s for s in SEVERITIES if s not in self.strategies]
        unknown = sorted({v for v in self.strategies.values() if v not in STRATEGIES})
        if missing or unknown:
            raise ValueError(
                f"consensus strategies: {'missing ' + ', '.join(missing) if missing else ''}"
                f"{'; ' if missing and unknown else ''}"
                f"{'unknown ' + ', '.join(unknown) if unknown else ''} (known: "
                f"{', '.join(STRATEGIES)})"
            )
        return self

    def severity(self, spread: float) -> ConflictSeverity:
        """The severity of a spread (scores rounded to 2 decimals first by the caller)."""
        if spread > self.critical:
            return "critical"
        if spread >= self.high:
            return "high"
        if spread >= self.medium:
            return "medium"
        return "low"


class Rubric(BaseModel):
    """Weighted scoring rubric, versioned by content hash."""

    name: str
    version: str
    criteria: list[RubricCriterion]
    consensus: ConsensusConfig = Field(default_factory=ConsensusConfig)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> Rubric:
        total = sum(c.weight for c in self.criteria)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"rubric weights must sum to 1.0, got {total:.4f}")
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("rubric criterion ids must be unique")
        return self

    @property
    def weights(self) -> dict[str, float]:
        """Criterion id -> weight."""
        return {c.id: c.weight for c in self.criteria}

    def with_weights(self, weights: dict[str, float]) -> Rubric:
        """A copy with other weights (validated); the version records the change."""
        criteria = [c.model_copy(update={"weight": weights[c.id]}) for c in self.criteria]
        suffix = "-".join(f"{weights[c.id]:.2f}" for c in self.criteria)
        return Rubric(
            name=self.name,
            version=f"{self.version}+w{suffix}",
            criteria=criteria,
            consensus=self.consensus,
        )


class Evidence(BaseModel):
    """A quote from the plan (or note) that supports a score."""

    quote: str
    finding_id: str | None = None
    note: str = ""
    verified: bool | None = Field(
        default=None, description="Quote found in the plan (None: not checked)"
    )


class CriterionScore(BaseModel):
    """A judge's score for one criterion."""

    score: float = Field(ge=0, le=10)
    rationale: str
    evidence: list[Evidence] = Field(default_factory=list)
    confidence: float | None = Field(default=None, ge=0, le=1)
    spread: float | None = Field(
        default=None, description="Max minus min score over self-consistency samples"
    )


class AntiPattern(BaseModel):
    """A harmful practice found in a plan."""

    id: str
    name: str
    quote: str
    why: str


class Coverage(BaseModel):
    """Which findings a plan addresses (proposes a fix for), only mentions, or misses."""

    covered: list[str]
    missed: list[str]
    mentioned: list[str] = Field(
        default_factory=list, description="Named only to test, monitor or defer (not covered)"
    )
    ratio: float = Field(description="Share of the findings addressed")
    evidence: dict[str, str] = Field(default_factory=dict, description="finding id -> plan quote")

    def states(self) -> dict[str, str]:
        """finding id → 'addressed', 'mentioned' or 'missed'."""
        out = {fid: "addressed" for fid in self.covered}
        out.update({fid: "mentioned" for fid in self.mentioned})
        out.update({fid: "missed" for fid in self.missed})
        return out


JudgmentStatus = Literal["ok", "failed"]


class Judgment(BaseModel):
    """One judge's verdict on one plan."""

    judge_id: str
    plan_name: str
    status: JudgmentStatus = "ok"
    scores: dict[str, CriterionScore] = Field(default_factory=dict)
    coverage: Coverage | None = None
    anti_patterns: list[AntiPattern] = Field(default_factory=list)
    error: str | None = None
    raw: str | None = None
    latency_ms: float = 0.0
    provider: str = ""
    model: str | None = None
    prompt_version: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = Field(default=0.0, description="None: the model's price is unknown")
    calls: int = Field(default=0, description="Requests sent (repairs and samples included)")
    retries: int = Field(
        default=0, description="Requests re-sent after rate limits, errors or malformed replies"
    )
    repairs: int = Field(default=0, description="Re-asks after a reply that broke the schema")
    cache_hit: bool = False
    samples: int = 1
    notes: list[str] = Field(default_factory=list, description="Condensing, unverified quotes…")


class JudgeInfo(BaseModel):
    """A jury member as recorded in a run."""

    id: str
    provider: str
    model: str | None = None
    status: Literal["ok", "partial", "failed"] = "ok"
    calls: int = 0
    cache_hits: int = 0
    failures: int = 0


class CriterionResult(BaseModel):
    """The jury's score for one criterion of one plan.

    `score` is None while the judges' disagreement is escalated to a reviewer; the plan is
    then ranked with `provisional_score` (the jury's median) and flagged provisional.
    """

    score: float | None
    rationale: str
    evidence: list[Evidence] = Field(default_factory=list)
    judges: dict[str, float | None] = Field(default_factory=dict)
    provisional_score: float | None = None


class PlanResult(BaseModel):
    """A plan's standing in a run."""

    name: str
    rank: int
    score: float | None
    criteria: dict[str, CriterionResult]
    coverage: Coverage
    anti_patterns: list[AntiPattern] = Field(default_factory=list)
    provisional: bool = Field(
        default=False, description="A criterion awaits a reviewer: score and rank may change"
    )


class Resolution(BaseModel):
    """A reviewer's decision on one conflict."""

    score: float = Field(ge=0, le=10)
    note: str
    reviewer: str
    at: datetime


ConflictStatus = Literal["auto", "escalated", "resolved"]


class Conflict(BaseModel):
    """How the judges disagreed on one plan x criterion, and what was done about it."""

    plan: str
    criterion: str
    severity: ConflictSeverity
    spread: float
    scores: dict[str, float]
    strategy: str
    resolved_score: float | None = Field(description="None while escalated")
    status: ConflictStatus
    resolution: Resolution | None = None
    reasoning: str = Field(default="", description="What the strategy did and why")
    inputs: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="Per judge, the factors the strategy used"
    )


class JudgeReliability(BaseModel):
    """How much a judge is trusted, learned from history (1.0 = the jury's average)."""

    judge: str
    value: float = 1.0
    human_cases: int = Field(default=0, description="Items a reviewer resolved that it scored")
    jury_cases: int = Field(default=0, description="Items it scored with other judges")


class PlanConflict(BaseModel):
    """How far apart the judges' own weighted scores of one plan are."""

    plan: str
    severity: ConflictSeverity
    spread: float
    scores: dict[str, float]


class RankConflict(BaseModel):
    """Which plan each judge's own scores put first ('a = b (tied)' for a tie); a conflict
    when no plan is first for every judge."""

    top: dict[str, str]
    agree: bool


class AgreementStats(BaseModel):
    """Inter-judge agreement over a set of items; None where undefined (with the reason)."""

    alpha: float | None = Field(default=None, description="Krippendorff's alpha, interval")
    icc: float | None = Field(default=None, description="ICC(2,1): absolute, single rater")
    within_1: float | None = Field(default=None, description="Share of items with spread <= 1")
    items: int = 0
    judges: int = 0
    note: str = ""


class Agreement(BaseModel):
    """A run's agreement: overall, per criterion, and between judges' plan rankings."""

    overall: AgreementStats = Field(default_factory=AgreementStats)
    criteria: dict[str, AgreementStats] = Field(default_factory=dict)
    rank_tau: dict[str, float | None] = Field(
        default_factory=dict, description="Kendall's tau-b per pair 'judge a|judge b'"
    )


RunStatus = Literal["ok", "partial", "failed"]


class EndpointStats(BaseModel):
    """How one provider endpoint behaved during a run."""

    name: str
    concurrency: int = Field(description="The configured limit of requests in flight")
    lowest_concurrency: int = Field(description="The lowest the adaptive limit went (429 bursts)")
    final_concurrency: int
    requests: int = 0
    rate_limited: int = Field(default=0, description="Answers that were 429")
    errors: int = Field(default=0, description="Server errors, timeouts, dropped connections")
    malformed: int = Field(default=0, description="Replies that were not parseable JSON")
    breaker_opened: int = Field(default=0, description="Times the circuit breaker opened")
    waited_s: float = Field(default=0.0, description="Seconds judgments waited on it, summed")
    slot_wait_s: float = Field(
        default=0.0, description="Seconds requests waited for a free concurrency slot, summed"
    )

    def summary(self) -> str:
        """One line: requests, what went wrong, concurrency, breaker."""
        line = (
            f"{self.name}: {self.requests} requests ({self.rate_limited} rate-limited, "
            f"{self.errors} errors, {self.malformed} malformed); concurrency "
            f"{self.concurrency} (lowest {self.lowest_concurrency}, final "
            f"{self.final_concurrency})"
        )
        if self.breaker_opened:
            line += (
                f"; circuit breaker opened {self.breaker_opened}x, judgments waited "
                f"{self.waited_s:.0f} s in all"
            )
        return line


class ResourceUsage(BaseModel):
    """What a run or batch used while it worked, sampled (monitoring/sampler.py): CPU % of one
    core (this process and its worker processes), resident memory, the queue for batches."""

    wall_s: float = 0.0
    samples: int = 0
    cpu_pct_mean: float | None = None
    cpu_pct_max: float | None = None
    rss_mb_mean: float | None = None
    rss_mb_max: float | None = None
    queue_max: int | None = Field(default=None, description="Batch: most sets + requests owed")
    sampler_cpu_s: float = Field(default=0.0, description="CPU the sampler itself used")


class RunStats(BaseModel):
    """A run's usage: LLM requests, cache hits and misses, tokens and cost, endpoints."""

    calls: int = 0
    retries: int = Field(default=0, description="Requests re-sent after transient failures")
    repairs: int = Field(default=0, description="Re-asks after replies that broke the schema")
    cache_hits: int = 0
    cache_misses: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    cost_unknown: bool = Field(default=False, description="Some model's price is not listed")
    endpoints: list[EndpointStats] = Field(default_factory=list)


class InjectionFinding(BaseModel):
    """Text in an audit or plan that looks aimed at the judge (safety/injection.py)."""

    document: str = Field(description="The audit's or plan's name")
    role: Literal["audit", "plan"]
    kind: str = Field(description="override, score_request, role_marker, hidden_comment, …")
    excerpt: str = Field(description="The offending text; invisible characters as <U+XXXX>")
    line: int = Field(default=0, description="1-based line in the document's text; 0: unknown")
    where: str = Field(default="", description="e.g. 'line 12, column 3' or 'finding NW-03'")


class RedactedExample(BaseModel):
    """One redacted value, shown masked (never in full)."""

    kind: str
    document: str
    masked: str = Field(description="A partly masked form of the value, e.g. 'j•••@example.com'")
    placeholder: str = Field(description="What the provider received instead, e.g. '[EMAIL-1]'")


class RedactionReport(BaseModel):
    """What PII redaction removed before text went to the judges named (safety/redact.py)."""

    mode: str = Field(description="'external' or 'all' (loopback endpoints too)")
    judges: list[str] = Field(default_factory=list, description="Judges sent redacted text")
    counts: dict[str, int] = Field(default_factory=dict, description="Values redacted, by kind")
    documents: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Per audit or plan name: values redacted, by kind"
    )
    examples: list[RedactedExample] = Field(default_factory=list)

    @property
    def total(self) -> int:
        """Values redacted in all."""
        return sum(self.counts.values())


def utcnow() -> datetime:
    """Timezone-aware now, in UTC."""
    return datetime.now(UTC)


class Run(BaseModel):
    """A complete evaluation: inputs, jury, per-plan results and raw judgments."""

    run_id: str
    created_at: datetime = Field(default_factory=utcnow)
    status: RunStatus = "ok"
    rubric: Rubric
    audit: AuditReport
    plans: list[Plan]
    judges: list[JudgeInfo]
    results: list[PlanResult]
    judgments: list[Judgment] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    plan_conflicts: list[PlanConflict] = Field(default_factory=list)
    rank_conflict: RankConflict | None = None
    agreement: Agreement = Field(default_factory=Agreement)
    duration_ms: float = 0.0
    error: str | None = None
    resources: ResourceUsage | None = None
    stats: RunStats = Field(default_factory=lambda: RunStats())
    injection: list[InjectionFinding] = Field(
        default_factory=list, description="Text in the audit or plans aimed at the judge"
    )
    redaction: RedactionReport | None = Field(
        default=None, description="PII removed before text went to LLM judges (None: off)"
    )

    def unaddressed(self) -> list[tuple[Finding, list[str]]]:
        """Findings no plan addresses, each with the plans that only mention it."""
        return [
            (f, [r.name for r in self.results if f.id in r.coverage.mentioned])
            for f in self.audit.findings
            if not any(f.id in r.coverage.covered for r in self.results)
        ]

    @property
    def escalated(self) -> list[Conflict]:
        """Conflicts waiting for a reviewer."""
        return [c for c in self.conflicts if c.status == "escalated"]

    @property
    def winner(self) -> PlanResult | None:
        """The rank-1 plan, if any plan was scored."""
        ranked = [r for r in self.results if r.score is not None]
        return min(ranked, key=lambda r: r.rank) if ranked else None


ItemStatus = Literal["queued", "running", "completed", "failed", "cancelled", "interrupted"]
JobStatus = Literal["queued", "running", "completed", "failed", "cancelled", "interrupted"]


class BatchSettings(BaseModel):
    """How a batch job judges its sets (stored with the job; keys never are)."""

    judges: list[str] = Field(default_factory=lambda: ["offline"])
    rubric: str | None = Field(default=None, description="Rubric file (default: prompts/)")
    weights: dict[str, float] | None = None
    concurrency: int = Field(default=8, ge=1, le=256)
    rpm: int | None = None
    timeout: float = 120.0
    retries: int = 6
    samples: int = Field(default=1, ge=1, le=9)
    use_cache: bool = True
    redact_pii: str = Field(default="off", description="off, external or all (safety/redact.py)")
    sets_in_flight: int = Field(
        default=16,
        ge=1,
        le=64,
        description="At most this many sets at once; with LLM judges a set starts only while "
        "fewer than three rounds of requests (3 x concurrency) are owed",
    )


class BatchItem(BaseModel):
    """One set of a batch: an audit and its plans, and how far it got."""

    job_id: str
    position: int
    name: str
    audit: str | None
    plans: list[str]
    status: ItemStatus = "queued"
    run_id: str | None = None
    error: str | None = None
    worker: str | None = Field(default=None, description="host:pid:tag of the last worker")
    judged: int = 0
    judgments: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None


class BatchJob(BaseModel):
    """A batch: many sets judged in the background, resumable."""

    job_id: str
    created_at: datetime
    source: str
    settings: BatchSettings
    status: JobStatus
    cancel_requested: bool = False
    items: list[BatchItem] = Field(default_factory=list)

    @property
    def total(self) -> int:
        """Sets in the job."""
        return len(self.items)

    @property
    def finished(self) -> int:
        """Sets completed or failed."""
        return sum(i.status in ("completed", "failed") for i in self.items)

    def count(self, status: ItemStatus) -> int:
        """Sets in one state."""
        return sum(i.status == status for i in self.items)

    def rate_per_minute(self, now: datetime | None = None) -> float | None:
        """Sets completed per minute since the first one started (None before any completed;
        a set that fails at once, e.g. an unreadable audit, would make the rate meaningless)."""
        worked = [i for i in self.items if i.started_at is not None]  # not failed at submit
        starts = [i.started_at for i in worked if i.started_at is not None]
        ends = [i.finished_at for i in worked if i.finished_at and i.status == "completed"]
        if not starts or not ends:
            return None
        elapsed = ((now or max(ends)) - min(starts)).total_seconds()
        return 60.0 * len(ends) / elapsed if elapsed > 0 else None

    def eta_seconds(self, now: datetime | None = None) -> float | None:
        """Seconds until the rest is done at the current rate (None without a rate)."""
        rate = self.rate_per_minute(now)
        left = sum(i.status in ("queued", "running") for i in self.items)
        return 60.0 * left / rate if rate and left else None

    def progress_text(self, now: datetime | None = None) -> str:
        """'3/10 sets (1 failed) · 12 judgments done in running sets · 2.0 sets/min · ETA 210 s'."""
        rate = self.rate_per_minute(now)
        eta = self.eta_seconds(now)
        running = sum(i.judged for i in self.items if i.status == "running")
        failed = self.count("failed")
        return (
            f"{self.finished}/{self.total} sets"
            + (f" ({failed} failed)" if failed else "")
            + (f" · {running} judgments done in running sets" if running else "")
            + (f" · {rate:.1f} sets/min" if rate else "")
            + (f" · ETA {eta:.0f} s" if eta else "")
        )
