"""The run's tidy CSV: one row per plan × criterion × judge (a jury of one too), the audit, the
score's status (a failed judgment with its error, an escalated criterion with its provisional
stand-in), and every cell spreadsheet-safe."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from a11y_judge.engine import evaluate
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.models import AuditReport, Plan, Run
from a11y_judge.reports.csv_report import COLUMNS, to_csv, to_summary_csv
from a11y_judge.rubric import load_rubric
from fakes.scripted_judge import ScriptedJudge

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
SP, TS, CO, LT = (
    "strategic_prioritization",
    "technical_specificity",
    "comprehensiveness",
    "long_term_vision",
)
HOSTILE = '=HYPERLINK("http://x","plan")'


@pytest.fixture(scope="module")
def inputs() -> tuple[AuditReport, list[Plan]]:
    audit = read_audit(DEMO / "northwind-audit.md")
    audit = audit.model_copy(update={"name": "+audit"})
    plans = read_plans((str(p), None) for p in plan_files(DEMO / "plans"))[:2]
    plans[1] = plans[1].model_copy(update={"name": HOSTILE})
    return audit, plans


def _rows(run: Run) -> list[dict[str, str]]:
    text = to_csv(run)
    assert next(csv.reader(io.StringIO(text))) == COLUMNS
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def jury(inputs: tuple[AuditReport, list[Plan]]) -> Run:
    """a and b disagree by 4 points on long-term vision of the first plan (escalated) and agree
    elsewhere; '@c' fails on the second plan."""
    audit, plans = inputs
    first, second = plans[0].name, plans[1].name
    same = {SP: 6.0, TS: 6.0, CO: 6.0}
    a = ScriptedJudge("a", {first: {**same, LT: 2.0}, second: {**same, LT: 5.0}})
    b = ScriptedJudge("b", {first: {**same, LT: 6.0}, second: {**same, LT: 5.0}})
    c = ScriptedJudge("@c", {first: {**same, LT: 4.0}, second: {}}, fail={second})
    return evaluate(audit, plans, [a, b, c], load_rubric(), processes=1)


def test_columns_follow_the_issue_and_rows_are_plan_criterion_judge(jury: Run) -> None:
    assert COLUMNS[:4] == ["run_id", "audit", "plan", "rank"]
    for name in ("criterion", "judge", "score", "status", "provisional_score", "error"):
        assert name in COLUMNS
    rows = _rows(jury)
    criteria = [c.id for c in jury.rubric.criteria]
    # per plan: criteria × (jury + 3 judges), then the weighted total
    assert len(rows) == len(jury.results) * (len(criteria) * 4 + 1)
    plain = next(r.name for r in jury.results if r.name != HOSTILE)
    first = [r for r in rows if r["plan"] == plain]
    assert [r["judge"] for r in first[:4]] == ["jury", "a", "b", "'@c"]  # the run's judge order
    assert {r["audit"] for r in rows} == {"'+audit"}  # neutralised, like every text cell
    assert {r["run_id"] for r in rows} == {jury.run_id}


def test_a_failed_judgment_has_rows_with_its_status_and_error(jury: Run) -> None:
    rows = _rows(jury)
    failed = [r for r in rows if r["judge"] == "'@c" and r["status"] == "failed"]
    assert len(failed) == len(jury.rubric.criteria)  # every criterion of the second plan
    assert {r["plan"] for r in failed} == {"'" + HOSTILE}
    assert {r["score"] for r in failed} == {""}
    assert {r["error"] for r in failed} == {"scripted failure"}
    ok = [r for r in rows if r["judge"] in ("a", "b") or (r["judge"] == "'@c" and r not in failed)]
    assert ok and {r["status"] for r in ok} == {"ok"} and all(r["score"] for r in ok)
    assert {r["error"] for r in ok} == {""}


def test_an_escalated_criterion_has_an_empty_jury_score_and_its_provisional_one(jury: Run) -> None:
    rows = _rows(jury)
    first = next(r for r in jury.results if r.name != HOSTILE)
    [row] = [
        r for r in rows if r["plan"] == first.name and r["criterion"] == LT and r["judge"] == "jury"
    ]
    assert row["status"] == "escalated" and row["score"] == ""
    assert float(row["provisional_score"]) == first.criteria[LT].provisional_score == 4.0
    assert row["conflict_status"] == "escalated" and row["provisional"] == "yes"
    judges = {
        r["judge"]: r["score"]
        for r in rows
        if r["plan"] == first.name and r["criterion"] == LT and r["judge"] != "jury"
    }
    assert judges == {"a": "2.0", "b": "6.0", "'@c": "4.0"}
    settled = [
        r for r in rows if r["judge"] == "jury" and r["criterion"] not in (LT, "weighted_total")
    ]
    assert {r["status"] for r in settled} == {"ok"}
    assert {r["provisional_score"] for r in settled} == {""}
    total = next(r for r in rows if r["plan"] == first.name and r["criterion"] == "weighted_total")
    assert total["judge"] == "jury" and float(total["score"]) == first.score


def test_a_jury_of_one_has_a_row_for_its_judge_too(inputs: tuple[AuditReport, list[Plan]]) -> None:
    audit, plans = inputs
    run = evaluate(audit, plans, [create_judge("offline")], load_rubric(), processes=1)
    rows = _rows(run)
    for r in run.results:
        for cid, cr in r.criteria.items():
            mine = {
                x["judge"]: x
                for x in rows
                if x["criterion"] == cid and x["plan"].lstrip("'") == r.name
            }
            assert set(mine) == {"jury", "offline"}
            assert mine["offline"]["score"] == mine["jury"]["score"] == str(cr.score)
            assert mine["offline"]["status"] == "ok"


def test_the_wide_summary_leaves_an_escalated_cell_empty_and_names_its_provisional_score(
    jury: Run,
) -> None:
    rows = list(csv.DictReader(io.StringIO(to_summary_csv(jury))))
    first = next(r for r in jury.results if r.name != HOSTILE)
    row = next(r for r in rows if r["plan"] == first.name)
    assert row[LT] == "" and row["provisional"] == "yes" and row["escalated"] == "1"
    assert row["provisional_scores"] == f"{LT}=4.00"
    assert float(row[SP]) == first.criteria[SP].score
    other = next(r for r in rows if r["plan"] != first.name)
    assert other["provisional_scores"] == "" and other["provisional"] == "no"
