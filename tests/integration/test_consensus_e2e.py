"""Two LLM judges that disagree, through the real openai client and the loopback fake server,
next to the offline judge: conflicts, escalation, resolution, reliability — on the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from a11y_judge.cli import main
from a11y_judge.history.store import HistoryStore
from a11y_judge.reports.csv_report import to_csv
from a11y_judge.reports.markdown_report import to_markdown
from fakes.llm_server import FakeLLMServer, constant_responder

pytestmark = pytest.mark.timeout(60)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    monkeypatch.setenv("A11Y_JUDGE_HOME", str(tmp_path))
    with FakeLLMServer(constant_responder(6.0, {"strict": 3.0, "lenient": 8.5})) as srv:
        yield srv


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _evaluate(capsys: pytest.CaptureFixture[str], server: FakeLLMServer) -> dict[str, Any]:
    url = server.openai_base_url
    code, out, err = cli(
        capsys,
        "evaluate",
        "--audit",
        str(DEMO / "northwind-audit.md"),
        "--plans-dir",
        str(DEMO / "plans"),
        "--judge",
        "offline",
        "--judge",
        f"openai-compatible:strict@{url}",
        "--judge",
        f"openai-compatible:lenient@{url}",
        "--json",
    )
    assert code == 0, err
    return dict(json.loads(out))


def test_disagreeing_judges_produce_conflicts_and_a_provisional_ranking(
    capsys: pytest.CaptureFixture[str], server: FakeLLMServer
) -> None:
    doc = _evaluate(capsys, server)
    assert len(doc["conflicts"]) == 4 * 4  # every plan x criterion, three scores each
    for c in doc["conflicts"]:
        assert set(c) >= {
            "plan",
            "criterion",
            "severity",
            "spread",
            "scores",
            "strategy",
            "resolved_score",
            "status",
            "resolution",
        }
        assert len(c["scores"]) == 3 and c["spread"] >= 8.5 - 3.0 - 1e-9
        assert (c["severity"], c["strategy"], c["status"]) == ("critical", "escalate", "escalated")
        assert c["resolved_score"] is None and c["resolution"] is None
        assert "Escalated to a reviewer" in c["reasoning"]
    assert all(p["provisional"] for p in doc["plans"])
    for p in doc["plans"]:
        for crit in p["criteria"].values():
            assert crit["score"] is None
            scores = sorted(v for v in crit["judges"].values() if v is not None)
            assert crit["provisional_score"] == scores[1]  # the median of three
    overall = doc["agreement"]["overall"]
    assert set(overall) == {"alpha", "icc", "within_1", "items", "judges", "note"}
    assert overall["alpha"] is not None and overall["alpha"] < 0.2  # they barely agree
    assert overall["within_1"] == 0.0 and overall["judges"] == 3
    assert len(doc["agreement"]["rank_tau"]) == 3  # three pairs
    strict_vs_lenient = next(k for k in doc["agreement"]["rank_tau"] if "offline" not in k)
    assert doc["agreement"]["rank_tau"][strict_vs_lenient] is None  # constant scores: undefined
    assert doc["rank_conflict"] is not None

    code, out, _ = cli(capsys, "conflicts", doc["run_id"], "--json")
    assert code == 0 and [c["plan"] for c in json.loads(out)] == [
        c["plan"] for c in doc["conflicts"]
    ]
    code, out, _ = cli(capsys, "conflicts", "--status", "escalated", "--json")
    assert code == 0 and len(json.loads(out)) == 16
    code, out, _ = cli(capsys, "conflicts", doc["run_id"])
    assert "16 conflicts, 16 escalated" in out and "the judges disagree too much" in out
    assert "whole plans, each judge's own weighted score:" in out
    for pc in doc["plan_conflicts"]:  # one line per plan, with each judge's weighted score
        line = next(
            x for x in out.splitlines() if x.strip().startswith("plan ") and pc["plan"] in x
        )
        assert f"spread {pc['spread']:4.2f}" in line and pc["severity"] in line
    code, out, _ = cli(capsys, "conflicts", doc["run_id"], "--status", "escalated")
    assert "whole plans" not in out  # a status filters criterion conflicts only


def test_resolving_changes_score_rank_exports_and_reliability(
    capsys: pytest.CaptureFixture[str], server: FakeLLMServer
) -> None:
    doc = _evaluate(capsys, server)
    run_id = doc["run_id"]
    roadmap = "northwind-phased-roadmap"
    assert doc["plans"][0]["name"] == roadmap
    before = {p["name"]: p["score"] for p in doc["plans"]}
    for cid in ("strategic_prioritization", "technical_specificity"):
        code, out, err = cli(
            capsys,
            "resolve",
            run_id,
            "--plan",
            roadmap,
            "--criterion",
            cid,
            "--score",
            "2",
            "--note",
            "the phases put decorative fixes first",
            "--reviewer",
            "Ana",
        )
        assert code == 0, err
    assert f"resolved {roadmap} / technical_specificity = 2.00 by Ana" in out
    code, out, _ = cli(capsys, "history", "show", run_id, "--json")
    after = json.loads(out)
    plan = next(p for p in after["plans"] if p["name"] == roadmap)
    assert plan["criteria"]["strategic_prioritization"]["score"] == 2.0
    assert plan["score"] < before[roadmap] and plan["rank"] > 1  # it lost first place
    assert plan["provisional"] is True  # two criteria still escalated
    resolved = [c for c in after["conflicts"] if c["status"] == "resolved"]
    assert len(resolved) == 2
    assert resolved[0]["resolution"]["reviewer"] == "Ana"
    assert resolved[0]["resolved_score"] == 2.0

    run = HistoryStore().get_run(run_id)
    rows = list(csv.DictReader(io.StringIO(to_csv(run))))
    jury = [r for r in rows if r["plan"] == roadmap and r["judge"] == "jury"]
    statuses = {r["criterion"]: r["conflict_status"] for r in jury}
    assert statuses["strategic_prioritization"] == "resolved"
    assert statuses["comprehensiveness"] == "escalated"
    assert all(r["provisional"] == "yes" for r in jury)
    assert f"{roadmap} (provisional)" in to_markdown(run)

    code, out, _ = cli(capsys, "judges", "--json")
    judges = {j["judge"]: j for j in json.loads(out)}
    assert len(judges) == 3 and all(j["human_cases"] == 2 for j in judges.values())
    strict = next(j for k, j in judges.items() if "strict" in k)
    lenient = next(j for k, j in judges.items() if "lenient" in k)
    assert strict["reliability"] > lenient["reliability"]  # the reviewer sided with strict
    assert strict["recommendations"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "nope"], "has no plan 'nope'"),
        (["--criterion", "beauty"], "has no criterion 'beauty'"),
        (["--score", "12"], "score 12.0 is not between 0 and 10"),
        (["--note", " "], "a resolution needs a note"),
    ],
)
def test_a_bad_resolution_is_one_error_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    server: FakeLLMServer,
    args: list[str],
    message: str,
) -> None:
    doc = _evaluate(capsys, server)
    base = {
        "--plan": "agency-quick-wins",
        "--criterion": "long_term_vision",
        "--score": "5",
        "--note": "n",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = ["resolve", doc["run_id"], *[x for kv in base.items() for x in kv]]
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    assert HistoryStore().resolutions() == []
