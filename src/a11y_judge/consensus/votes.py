"""What the consensus engine knows about each judge's score on one item: a vote.

A vote carries the score, the judge's reliability (relative weight, 1.0 = the jury's average,
learned from history) and two grounding facts: how many of the judgment's evidence quotes for
this criterion are found verbatim in the plan, and how far the findings it claims covered agree
with the offline evidence judge's coverage facts (addressed / mentioned / missed). Word counts
of rationales are never used.
"""

from __future__ import annotations

from dataclasses import dataclass

from a11y_judge.judges.reply import normalized_plan, quote_in
from a11y_judge.models import AuditReport, Coverage, Judgment


@dataclass(frozen=True)
class Vote:
    """One judge's score on one plan x criterion, with what weighs it."""

    judge: str
    score: float
    reliability: float = 1.0
    reliability_cases: int = 0
    quotes: int = 0
    verified: int = 0
    coverage_agreement: float | None = None  # None: no coverage facts to compare with
    coverage_note: str = ""

    @property
    def quote_grounding(self) -> float:
        """(verified + 1) / (quotes + 2): 0.5 with no quotes, towards 1 as quotes verify."""
        return (self.verified + 1) / (self.quotes + 2)

    @property
    def grounding(self) -> float:
        """Quote grounding times coverage agreement (1 when there are no facts to compare)."""
        agreement = 1.0 if self.coverage_agreement is None else self.coverage_agreement
        return self.quote_grounding * max(0.05, agreement)


def coverage_agreement(
    audit: AuditReport, claimed: Coverage | None, facts: Coverage
) -> tuple[float, str]:
    """How far a judge's covered-findings claims agree with the evidence judge's facts: 1 per
    finding it claims and the facts call addressed, or leaves out and they call missed; 0.5
    for a finding the plan only mentions (either way); 0 otherwise. Mean over the findings."""
    if not audit.findings:
        return 1.0, "no findings to compare"
    said = set(claimed.covered) if claimed is not None else set()
    addressed, mentioned = set(facts.covered), set(facts.mentioned)
    points = 0.0
    for f in audit.findings:
        if f.id in mentioned:
            points += 0.5
        elif (f.id in said) == (f.id in addressed):
            points += 1.0
    agree = points / len(audit.findings)
    return agree, (
        f"coverage claims agree with the evidence judge on {points:g} of "
        f"{len(audit.findings)} findings"
    )


def votes_for(
    criterion: str,
    judgments: list[Judgment],
    plan_text: str,
    audit: AuditReport,
    reliability: dict[str, tuple[float, int]],
) -> list[Vote]:
    """The votes of the judgments that scored `criterion` (one plan's judgments)."""
    facts = next(
        (j.coverage for j in judgments if j.judge_id == "offline" and j.status == "ok"), None
    )
    text = normalized_plan(plan_text)
    votes = []
    for j in judgments:
        cs = j.scores.get(criterion) if j.status == "ok" else None
        if cs is None:
            continue
        quotes = [e.quote for e in cs.evidence if e.quote.strip()]
        verified = sum(1 for q in quotes if quote_in(q, text))
        if j.judge_id == "offline":
            agreement: float | None = 1.0
            note = "the evidence judge's coverage is the reference (1 by construction)"
        elif facts is None:
            agreement, note = None, "no coverage facts (the evidence judge is not in the jury)"
        else:
            agreement, note = coverage_agreement(audit, j.coverage, facts)
        value, cases = reliability.get(j.judge_id, (1.0, 0))
        votes.append(
            Vote(
                judge=j.judge_id,
                score=round(cs.score, 2),
                reliability=value,
                reliability_cases=cases,
                quotes=len(quotes),
                verified=verified,
                coverage_agreement=agreement,
                coverage_note=note,
            )
        )
    return votes
