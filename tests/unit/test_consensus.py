"""The consensus engine: severities, strategies on hand-computed cases, escalation and
resolution, reliability, agreement statistics against published worked examples, meta-evaluation.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from a11y_judge.consensus import agreement as stats
from a11y_judge.consensus.meta import meta_evaluate
from a11y_judge.consensus.reliability import learn
from a11y_judge.consensus.review import record_run, refresh_reliability, resolve
from a11y_judge.consensus.strategies import STRATEGIES, weighted_median
from a11y_judge.consensus.votes import Vote, coverage_agreement
from a11y_judge.engine import evaluate
from a11y_judge.errors import A11yJudgeError, RubricError
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.models import AuditReport, ConsensusConfig, Coverage, Plan, Rubric, Run
from a11y_judge.reports.json_report import run_document
from a11y_judge.rubric import load_rubric
from fakes.scripted_judge import ScriptedJudge

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
NAN = math.nan
SP, TS, CO, LT = (
    "strategic_prioritization",
    "technical_specificity",
    "comprehensiveness",
    "long_term_vision",
)


@pytest.fixture(scope="module")
def demo() -> tuple[AuditReport, list[Plan], Rubric]:
    audit = read_audit(DEMO / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))
    return audit, plans[:2], load_rubric()


# --------------------------------------------------------------------------------------------
# Severity and configuration
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spread", "severity"),
    [
        (0.0, "low"),
        (0.49, "low"),
        (0.5, "medium"),
        (0.99, "medium"),
        (1.0, "high"),
        (2.0, "high"),
        (2.01, "critical"),
        (10.0, "critical"),
    ],
)
def test_severity_bands(spread: float, severity: str) -> None:
    assert ConsensusConfig().severity(spread) == severity


def _rubric_with(tmp_path: Path, consensus: str) -> Path:
    text = (REPO / "prompts" / "rubric.yaml").read_text(encoding="utf-8")
    head = text[: text.index("consensus:")]
    path = tmp_path / "rubric.yaml"
    path.write_text(head + consensus, encoding="utf-8")
    return path


def test_rubric_thresholds_and_strategies_are_validated(tmp_path: Path) -> None:
    falling = "consensus:\n  medium: 1.5\n  high: 1.0\n  critical: 2.0\n"
    with pytest.raises(RubricError, match="thresholds must rise"):
        load_rubric(_rubric_with(tmp_path, falling))
    unknown = "consensus:\n  strategies:\n    low: coin_toss\n"
    with pytest.raises(RubricError, match="unknown coin_toss"):
        load_rubric(_rubric_with(tmp_path, unknown))
    custom = (
        "consensus:\n  medium: 1.0\n  high: 2.0\n  critical: 3.0\n  strategies:\n"
        "    low: reliability_mean\n    medium: mediation\n    high: escalate\n"
        "    critical: escalate\n"
    )
    rubric = load_rubric(_rubric_with(tmp_path, custom))
    assert rubric.consensus.severity(2.5) == "high"
    assert rubric.consensus.strategies["high"] == "escalate"
    assert rubric.with_weights(rubric.weights).consensus == rubric.consensus


# --------------------------------------------------------------------------------------------
# Strategies on hand-computed cases
# --------------------------------------------------------------------------------------------


def test_reliability_weighted_mean() -> None:
    votes = [Vote("a", 8.0, reliability=1.5, reliability_cases=30), Vote("b", 6.0, 0.5, 30)]
    decision = STRATEGIES["reliability_mean"].decide(votes, 2.0)
    assert decision.score == 7.5  # (1.5 * 8 + 0.5 * 6) / 2
    assert "weighted by reliability" in decision.reasoning
    assert decision.inputs["a"] == {"score": 8.0, "reliability": 1.5, "cases": 30}
    equal = STRATEGIES["reliability_mean"].decide([Vote("a", 8.0), Vote("b", 7.7)], 0.3)
    assert equal.score == 7.85 and "equal weight" in equal.reasoning


def test_evidence_weighted_mean() -> None:
    grounded = Vote("a", 8.0, quotes=2, verified=2, coverage_agreement=1.0)
    invented = Vote("b", 6.0, quotes=2, verified=0, coverage_agreement=0.5)
    assert grounded.grounding == pytest.approx(0.75)  # (2 + 1) / (2 + 2)
    assert invented.grounding == pytest.approx(0.125)  # (0 + 1) / (2 + 2) * 0.5
    decision = STRATEGIES["evidence"].decide([grounded, invented], 2.0)
    assert decision.score == round((0.75 * 8 + 0.125 * 6) / 0.875, 2) == 7.71
    assert "2 of 2 quotes found in the plan" in decision.reasoning
    assert decision.inputs["b"]["quote_grounding"] == 0.25
    assert decision.inputs["b"]["coverage_agreement"] == 0.5
    no_facts = Vote("c", 5.0)  # no quotes, no coverage facts: weight 0.5
    assert (
        no_facts.grounding == 0.5
        and "coverage_agreement"
        not in (STRATEGIES["evidence"].decide([no_facts, grounded], 3.0).inputs["c"])
    )


def test_mediation_is_a_weighted_median_and_says_so_with_two_judges() -> None:
    three = [Vote("a", 2.0), Vote("b", 6.0), Vote("c", 7.0)]
    decision = STRATEGIES["mediation"].decide(three, 5.0)
    assert decision.score == 6.0 and "weighted median" in decision.reasoning
    heavy = [Vote("a", 2.0, reliability=3.0), Vote("b", 6.0), Vote("c", 7.0)]
    assert STRATEGIES["mediation"].decide(heavy, 5.0).score == 2.0  # 3 of 5 weight at 2.0
    assert weighted_median([*three[:2], Vote("d", 9.0), Vote("e", 10.0)], [1, 1, 1, 1]) == 7.5
    two = STRATEGIES["mediation"].decide([Vote("a", 8.0), Vote("b", 6.5)], 1.5)
    assert two.score == 7.25
    assert "with two judges a median is just their mean" in two.reasoning


def test_escalation_gives_no_number() -> None:
    decision = STRATEGIES["escalate"].decide([Vote("a", 9.0), Vote("b", 5.0)], 4.0)
    assert decision.score is None
    assert "Escalated to a reviewer" in decision.reasoning and "median 7.00" in decision.reasoning


def test_coverage_agreement_against_the_evidence_judge(
    demo: tuple[AuditReport, list[Plan], Rubric],
) -> None:
    audit = demo[0]
    ids = [f.id for f in audit.findings]
    facts = Coverage(covered=ids[:5], mentioned=ids[5:7], missed=ids[7:], ratio=5 / 15)
    same = Coverage(covered=ids[:5], missed=ids[5:], ratio=5 / 15)
    assert coverage_agreement(audit, same, facts)[0] == pytest.approx((5 + 1 + 8) / 15)
    claims_all = Coverage(covered=ids, missed=[], ratio=1.0)
    agree, note = coverage_agreement(audit, claims_all, facts)
    assert agree == pytest.approx((5 + 1) / 15)
    assert note == "coverage claims agree with the evidence judge on 6 of 15 findings"


# --------------------------------------------------------------------------------------------
# The engine: every severity, escalation, resolution and ranking
# --------------------------------------------------------------------------------------------


def _jury(plans: list[Plan]) -> list[ScriptedJudge]:
    """Two judges that agree on one criterion (0.3), differ a little (0.7), a lot (1.5) and
    completely (3.0) on the others, for the first plan; on the second they differ by about 2
    (high), enough for each of them to put a different plan first."""
    first, second = plans[0].name, plans[1].name
    a = {first: {SP: 7.0, TS: 6.0, CO: 5.0, LT: 8.0}, second: {SP: 6.0, TS: 6.0, CO: 6.0, LT: 6.0}}
    b = {first: {SP: 7.3, TS: 6.7, CO: 6.5, LT: 5.0}, second: {SP: 8.0, TS: 8.0, CO: 8.0, LT: 7.9}}
    return [ScriptedJudge("judge-a", a), ScriptedJudge("judge-b", b)]


def test_every_severity_gets_its_strategy(demo: tuple[AuditReport, list[Plan], Rubric]) -> None:
    audit, plans, rubric = demo
    run = evaluate(audit, plans, _jury(plans), rubric, processes=1)
    mine = {c.criterion: c for c in run.conflicts if c.plan == plans[0].name}
    assert {k: (c.severity, c.strategy, c.status) for k, c in mine.items()} == {
        SP: ("low", "reliability_mean", "auto"),
        TS: ("medium", "evidence", "auto"),
        CO: ("high", "mediation", "auto"),
        LT: ("critical", "escalate", "escalated"),
    }
    assert mine[SP].resolved_score == 7.15 and mine[CO].resolved_score == 5.75
    assert mine[LT].resolved_score is None and mine[LT].spread == 3.0
    first = next(r for r in run.results if r.name == plans[0].name)
    assert first.provisional is True
    assert first.criteria[LT].score is None and first.criteria[LT].provisional_score == 6.5
    expected = 0.4 * 7.15 + 0.3 * mine[TS].resolved_score + 0.2 * 5.75 + 0.1 * 6.5
    assert first.score == round(expected, 2)
    second = next(r for r in run.results if r.name == plans[1].name)
    assert second.provisional is False
    doc = run_document(run)
    assert [p["provisional"] for p in doc["plans"]] == [r.provisional for r in run.results]
    escalated = [c for c in doc["conflicts"] if c["status"] == "escalated"]
    assert len(escalated) == 1 and escalated[0]["resolved_score"] is None
    assert escalated[0]["resolution"] is None
    assert set(doc["agreement"]) == {"overall", "criteria", "rank_tau"}
    assert doc["agreement"]["rank_tau"] == {"judge-a|judge-b": pytest.approx(-1.0)}
    assert doc["plan_conflicts"][0]["scores"].keys() == {"judge-a", "judge-b"}
    assert doc["rank_conflict"]["agree"] is False  # each judge puts the other plan first


def test_one_judge_is_no_conflict(demo: tuple[AuditReport, list[Plan], Rubric]) -> None:
    audit, plans, rubric = demo
    run = evaluate(audit, plans, _jury(plans)[:1], rubric, processes=1)
    assert run.conflicts == [] and run.plan_conflicts == [] and run.rank_conflict is None
    assert run.agreement.overall.alpha is None
    assert run.agreement.overall.note == "one judge: agreement needs two or more"
    assert all(not r.provisional for r in run.results)


def test_a_failed_judgment_is_not_a_vote(demo: tuple[AuditReport, list[Plan], Rubric]) -> None:
    audit, plans, rubric = demo
    a, b = _jury(plans)
    b.fail = {plans[0].name}
    run = evaluate(audit, plans, [a, b], rubric, processes=1)
    assert all(c.plan != plans[0].name for c in run.conflicts)
    first = next(r for r in run.results if r.name == plans[0].name)
    assert first.criteria[LT].score == 8.0 and first.criteria[LT].judges["judge-b"] is None


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "history.sqlite")


def _escalated_run(demo: tuple[AuditReport, list[Plan], Rubric], store: HistoryStore) -> Run:
    audit, plans, rubric = demo
    first, second = plans[0].name, plans[1].name
    a = ScriptedJudge(
        "judge-a",
        {first: dict.fromkeys((SP, TS, CO, LT), 9.0), second: dict.fromkeys((SP, TS, CO, LT), 6.0)},
    )
    b = ScriptedJudge(
        "judge-b",
        {first: {SP: 3.0, TS: 9.0, CO: 9.0, LT: 9.0}, second: dict.fromkeys((SP, TS, CO, LT), 6.0)},
    )
    run = evaluate(audit, plans, [a, b], rubric, processes=1)
    record_run(store, run)
    return run


def test_an_escalated_item_waits_for_a_reviewer_then_score_and_rank_change(
    demo: tuple[AuditReport, list[Plan], Rubric], store: HistoryStore
) -> None:
    run = _escalated_run(demo, store)
    first, second = demo[1][0].name, demo[1][1].name
    (item,) = run.escalated
    assert (item.plan, item.criterion, item.spread) == (first, SP, 6.0)
    top = run.results[0]
    assert (top.name, top.provisional, top.score) == (first, True, round(0.4 * 6 + 0.6 * 9, 2))
    assert [r.run_id for r in store.conflict_queue("escalated")] == [run.run_id]

    updated = resolve(store, run.run_id, first, SP, 1.0, "Blockers come last", "Ana")
    assert updated.escalated == []
    resolved = next(c for c in updated.conflicts if c.criterion == SP and c.plan == first)
    assert (resolved.status, resolved.resolved_score) == ("resolved", 1.0)
    assert resolved.resolution is not None and resolved.resolution.reviewer == "Ana"
    ranking = [(r.name, r.score, r.provisional) for r in updated.results]
    assert ranking == [(second, 6.0, False), (first, round(0.4 * 1.0 + 0.6 * 9.0, 2), False)]
    again = store.get_run(run.run_id)  # history reflects it
    assert [(r.name, r.rank) for r in again.results] == [(second, 1), (first, 2)]
    assert store.conflict_queue("escalated") == []
    assert store.list_runs()[0].winner == second

    later = resolve(store, run.run_id, first, SP, 4.0, "On reflection, phase 2 is fine", "Bo")
    trail = store.resolutions(run.run_id)
    assert [(r.score, r.reviewer) for *_, r in trail] == [(1.0, "Ana"), (4.0, "Bo")]
    assert next(r for r in later.results if r.name == first).criteria[SP].score == 4.0


@pytest.mark.parametrize(
    ("plan", "criterion", "score", "note", "message"),
    [
        ("no-such-plan", SP, 5.0, "x", "has no plan 'no-such-plan'"),
        (None, "beauty", 5.0, "x", "has no criterion 'beauty'"),
        (None, SP, 11.0, "x", "score 11.0 is not between 0 and 10"),
        (None, SP, math.nan, "x", "is not between 0 and 10"),
        (None, SP, 5.0, "  ", "a resolution needs a note"),
    ],
)
def test_bad_resolutions_are_one_clear_error_and_write_nothing(
    demo: tuple[AuditReport, list[Plan], Rubric],
    store: HistoryStore,
    plan: str | None,
    criterion: str,
    score: float,
    note: str,
    message: str,
) -> None:
    run = _escalated_run(demo, store)
    with pytest.raises(A11yJudgeError, match=message):
        resolve(store, run.run_id, plan or demo[1][0].name, criterion, score, note, "Ana")
    assert store.resolutions() == []
    assert store.get_run(run.run_id).model_dump() == run.model_dump()


def test_reliability_moves_after_resolutions(
    demo: tuple[AuditReport, list[Plan], Rubric], store: HistoryStore
) -> None:
    run = _escalated_run(demo, store)
    before = store.reliability()
    assert before["judge-a"].value == before["judge-b"].value  # two judges: a tie
    resolve(store, run.run_id, demo[1][0].name, SP, 3.0, "judge-b was right", "Ana")
    after = store.reliability()
    assert after["judge-b"].value > 1.0 > after["judge-a"].value
    assert (after["judge-b"].human_cases, after["judge-b"].jury_cases) == (1, 8)
    assert refresh_reliability(store) == list(after.values())  # learnt again: the same


def test_reliability_learning_shrinks_towards_equal() -> None:
    def cases(n: int) -> list[tuple[tuple[str, str, str], str, float]]:
        out = []
        for i in range(n):
            item = ("run", f"plan{i}", "c")
            out += [(item, "close", 6.0), (item, "far", 9.0), (item, "mid", 6.5)]
        return out

    few = {r.judge: r.value for r in learn(cases(2), {})}
    many = {r.judge: r.value for r in learn(cases(200), {})}
    assert few["far"] < 1.0 < few["mid"]
    assert many["far"] < few["far"]  # more cases: further from equal
    assert abs(few["far"] - 1.0) < 0.1  # two cases: still close to equal
    assert learn([], {}) == []


# --------------------------------------------------------------------------------------------
# Agreement statistics against published worked examples
# --------------------------------------------------------------------------------------------


def test_krippendorff_alpha_matches_krippendorffs_worked_examples() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12
    # units, missing values; interval alpha = 0.849.
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
            [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
        ]
    )
    assert stats.krippendorff_alpha(data) == pytest.approx(0.849, abs=5e-4)
    # The same paper's two observers, ten binary units: alpha = 0.095.
    binary = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]], float)
    assert stats.krippendorff_alpha(binary) == pytest.approx(0.095, abs=5e-4)


def test_icc_matches_shrout_and_fleiss() -> None:
    # Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges; ICC(2,1) = 0.29.
    ratings = np.array(
        [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
        float,
    ).T
    assert stats.icc_2_1(ratings) == pytest.approx(0.29, abs=5e-3)


def test_kendall_tau_b_and_within_one() -> None:
    assert stats.kendall_tau_b([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(4 / 6)
    assert stats.kendall_tau_b([1, 2, 2, 3], [1, 2, 3, 3]) == pytest.approx(0.8)  # ties: tau-b
    data = np.array([[5, 5, 5, 5], [5.5, 6, 7.5, NAN]])
    assert stats.within(data) == pytest.approx(2 / 3)


def test_undefined_statistics_are_none_with_a_reason() -> None:
    one = np.array([[1.0, 2.0, 3.0]])
    assert stats.krippendorff_alpha(one) is None and stats.icc_2_1(one) is None
    same = np.array([[5.0, 5.0], [5.0, 5.0]])
    assert stats.krippendorff_alpha(same) is None
    assert "every score is the same" in stats.explain(same)
    assert stats.kendall_tau_b([1, 1, 1], [1, 2, 3]) is None
    assert stats.kendall_tau_b([1], [2]) is None
    none_shared = np.array([[1.0, NAN], [NAN, 2.0]])
    assert stats.krippendorff_alpha(none_shared) is None
    assert stats.explain(none_shared) == "no item was scored by two judges"
    assert stats.summary(none_shared).within_1 is None


# --------------------------------------------------------------------------------------------
# Meta-evaluation
# --------------------------------------------------------------------------------------------


def test_meta_evaluation_names_leniency_clustering_bias_and_failures() -> None:
    finals = {("r", f"p{i}", c): float(2 + i) for i in range(6) for c in ("a", "b")}
    scores = []
    for (run, plan, c), final in finals.items():
        scores.append(((run, plan, c), "lenient", final + 1.5))
        scores.append(((run, plan, c), "flat", 5.0))
        scores.append(((run, plan, c), "biased", final + (2.0 if c == "b" else 0.0)))
    outcomes = {"lenient": (12, 0), "flat": (12, 0), "biased": (20, 5), "new": (2, 0)}
    metas = {m.judge: m for m in meta_evaluate(scores, finals, outcomes, {"b": "Beta"})}
    lenient = " ".join(metas["lenient"].recommendations)
    assert "lenient" in lenient and "1.50 points above" in lenient and "12 items" in lenient
    assert metas["lenient"].offset == pytest.approx(1.5)
    flat = " ".join(metas["flat"].recommendations)
    assert "cluster" in flat and "0.00 (SD)" in flat
    biased = " ".join(metas["biased"].recommendations)
    assert "biased on Beta: +2.00" in biased and "5 of 20 judgments (25%)" in biased
    assert "too few to judge new" in metas["new"].recommendations[0]
