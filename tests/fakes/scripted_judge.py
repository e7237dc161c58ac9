"""A judge that says what it is told: per plan and criterion scores, rationales, quotes and
covered findings. Drives the consensus engine through every severity in tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from a11y_judge.models import (
    AuditReport,
    Coverage,
    CriterionScore,
    Evidence,
    Judgment,
    Plan,
    Rubric,
)

#: plan name -> criterion id -> score (a plan or criterion left out: no judgment / no score).
Script = Mapping[str, Mapping[str, float]]


@dataclass
class ScriptedJudge:
    """Judges every plan from `scores`; `quotes(plan, criterion)` gives its evidence quotes
    (verbatim or not, as the test wants); `covered(plan)` the findings it claims covered."""

    id: str
    scores: Script
    quotes: Callable[[Plan, str], list[str]] = lambda plan, criterion: []
    covered: Callable[[Plan], list[str]] = lambda plan: []
    provider: str = "scripted"
    model: str | None = None
    fail: set[str] = field(default_factory=set)

    def judge(self, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
        if plan.name in self.fail or plan.name not in self.scores:
            return Judgment(
                judge_id=self.id,
                plan_name=plan.name,
                status="failed",
                error="scripted failure",
                provider=self.provider,
            )
        scores = {
            cid: CriterionScore(
                score=value,
                rationale=f"{self.id} gives {value} on {cid}",
                evidence=[Evidence(quote=q) for q in self.quotes(plan, cid)],
            )
            for cid, value in self.scores[plan.name].items()
        }
        said = self.covered(plan)
        ids = [f.id for f in audit.findings]
        coverage = Coverage(
            covered=[i for i in ids if i in said],
            missed=[i for i in ids if i not in said],
            ratio=round(len([i for i in ids if i in said]) / len(ids), 4) if ids else 0.0,
        )
        return Judgment(
            judge_id=self.id,
            plan_name=plan.name,
            scores=scores,
            coverage=coverage,
            provider=self.provider,
            model=self.model,
        )


def repeat_shifted(
    judge_id: str, scores: Script, shifts: list[float], repeat: int
) -> ScriptedJudge:
    """A ScriptedJudge for an experiment's repeat `repeat` (JudgeSettings.repeat, which the
    judge factory receives): every score moved by shifts[repeat], so repeats differ by known
    amounts (within-variant noise a test can compute by hand)."""
    shift = shifts[repeat]
    return ScriptedJudge(
        id=judge_id,
        scores={plan: {c: v + shift for c, v in by.items()} for plan, by in scores.items()},
    )
