"""The a11y-judge command line, in-process (main(argv)) and as the installed console script."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from a11y_judge.cli import main
from a11y_judge.engine import PROCESS_POOL_MIN_PLANS
from a11y_judge.history.store import HistoryStore
from a11y_judge.reports.csv_report import COLUMNS

CRITERIA = {
    "strategic_prioritization",
    "technical_specificity",
    "comprehensiveness",
    "long_term_vision",
}
TOOLS = Path(__file__).parents[1] / "fixtures" / "tools"
REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_args(demo_dir: Path) -> list[str]:
    return [
        "evaluate",
        "--audit",
        str(demo_dir / "northwind-audit.md"),
        "--plans-dir",
        str(demo_dir / "plans"),
    ]


@pytest.fixture
def evaluated(capsys: pytest.CaptureFixture[str], demo_args: list[str]) -> dict[str, Any]:
    code, out, err = run_cli(capsys, *demo_args, "--json")
    assert code == 0, err
    assert err == ""
    return json.loads(out)  # exactly one JSON document: json.loads rejects trailing data


# --------------------------------------------------------------------------------------------
# evaluate --json
# --------------------------------------------------------------------------------------------


def test_evaluate_json_document_has_exactly_the_documented_keys(
    evaluated: dict[str, Any],
) -> None:
    doc = evaluated
    assert set(doc) == {
        "run_id",
        "status",
        "rubric",
        "audit",
        "judges",
        "plans",
        "conflicts",
        "plan_conflicts",
        "rank_conflict",
        "agreement",
        "resources",
        "injection",
        "redaction",
    }
    assert doc["status"] == "ok"
    used = doc["resources"]  # sampled while the run worked
    assert used["samples"] >= 1 and used["wall_s"] > 0 and used["rss_mb_max"] > 20
    assert set(doc["rubric"]) == {"criteria"}
    assert {c["id"] for c in doc["rubric"]["criteria"]} == CRITERIA
    for c in doc["rubric"]["criteria"]:
        assert set(c) == {"id", "name", "weight"}
    assert sum(c["weight"] for c in doc["rubric"]["criteria"]) == pytest.approx(1.0)
    assert set(doc["audit"]) == {"name", "source_format", "findings"}
    assert doc["audit"]["name"] == "northwind-audit"
    assert doc["audit"]["source_format"] == "markdown"
    assert len(doc["audit"]["findings"]) == 15
    for f in doc["audit"]["findings"]:
        assert set(f) == {"id", "wcag", "severity", "title"}
    assert doc["audit"]["findings"][0] == {
        "id": "NW-01",
        "wcag": ["2.1.1", "4.1.2"],
        "severity": "critical",
        "title": 'Checkout "Place order" button is a div that cannot be reached by keyboard',
    }
    assert [j["id"] for j in doc["judges"]] == ["offline"]
    assert doc["conflicts"] == [] and doc["plan_conflicts"] == []  # a jury of one
    assert doc["rank_conflict"] is None
    overall = doc["agreement"]["overall"]
    assert (overall["alpha"], overall["icc"], overall["within_1"]) == (None, None, None)
    assert overall["note"] == "one judge: agreement needs two or more"


def test_evaluate_json_plans_shape_and_ranking(evaluated: dict[str, Any]) -> None:
    plans = evaluated["plans"]
    assert len(plans) == 4
    finding_ids = {f["id"] for f in evaluated["audit"]["findings"]}
    for p in plans:
        assert set(p) == {"name", "rank", "score", "provisional", "criteria", "coverage"}
        assert p["provisional"] is False
        assert set(p["criteria"]) == CRITERIA
        for c in p["criteria"].values():
            assert set(c) == {"score", "provisional_score", "rationale", "evidence", "judges"}
            assert c["provisional_score"] is None
            assert c["judges"] == {"offline": c["score"]}  # a jury of one: its mean is its score
            assert 0 <= c["score"] <= 10 and c["rationale"]
            assert isinstance(c["evidence"], list)
        cov = p["coverage"]
        assert set(cov) == {"covered", "mentioned", "missed", "ratio", "evidence"}
        assert set(cov["covered"]) | set(cov["mentioned"]) | set(cov["missed"]) == finding_ids
        assert len(cov["covered"]) + len(cov["mentioned"]) + len(cov["missed"]) == 15
        assert cov["ratio"] == pytest.approx(len(cov["covered"]) / 15, 1e-3)  # addressed only
        assert set(cov["evidence"]) == set(cov["covered"]) | set(cov["mentioned"])
    assert [p["rank"] for p in plans] == [1, 2, 3, 4]
    scores = [p["score"] for p in plans]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4
    assert plans[0]["name"] == "northwind-phased-roadmap"
    assert plans[-1]["name"] == "overlay-widget-plan"


def test_three_coverage_states_in_the_json(evaluated: dict[str, Any]) -> None:
    """The agency plan defers the session timeout and the size guide pop-up: mentioned, not
    covered, each with the sentence that says so."""
    agency = next(p for p in evaluated["plans"] if p["name"] == "agency-quick-wins")
    cov = agency["coverage"]
    assert cov["mentioned"] == ["NW-03", "NW-08"]
    assert "platform team" in cov["evidence"]["NW-08"]
    assert "vendor later in the year" in cov["evidence"]["NW-03"]
    assert "NW-14" in cov["missed"] and "NW-01" in cov["covered"]


def test_evaluate_records_run_and_history_show_returns_the_same_document(
    capsys: pytest.CaptureFixture[str], evaluated: dict[str, Any]
) -> None:
    run_id = evaluated["run_id"]
    code, out, _ = run_cli(capsys, "history", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [r["run_id"] for r in listed] == [run_id]
    assert listed[0]["winner"] == "northwind-phased-roadmap"
    assert listed[0]["plans"] == [
        p["name"] for p in sorted(evaluated["plans"], key=lambda p: p["name"])
    ]
    code, out, err = run_cli(capsys, "history", "show", run_id, "--json")
    assert code == 0 and err == ""
    assert json.loads(out) == evaluated


def test_evaluate_human_output_and_no_history(
    capsys: pytest.CaptureFixture[str], demo_args: list[str]
) -> None:
    code, out, _ = run_cli(capsys, *demo_args, "--no-history")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("run ") and "northwind-audit (markdown, 15 findings)" in lines[0]
    assert lines[1].split()[:3] == ["rank", "score", "cover"]
    assert lines[2].split()[0] == "1" and lines[2].split()[2] == "100%"
    assert lines[2].endswith("northwind-phased-roadmap")
    assert lines[5].endswith("overlay-widget-plan")
    assert "addressed by no plan: none" in out
    assert HistoryStore().count_runs() == 0


def test_history_delete(capsys: pytest.CaptureFixture[str], evaluated: dict[str, Any]) -> None:
    run_id = evaluated["run_id"]
    code, out, _ = run_cli(capsys, "history", "delete", run_id)
    assert code == 0 and out.strip() == f"deleted {run_id}"
    assert HistoryStore().count_runs() == 0
    code, out, _ = run_cli(capsys, "history", "list")
    assert out.startswith("no runs in ")


def test_history_list_search(capsys: pytest.CaptureFixture[str], evaluated: dict[str, Any]) -> None:
    code, out, _ = run_cli(capsys, "history", "list", "--search", "overlay-widget", "--json")
    assert code == 0
    assert [r["run_id"] for r in json.loads(out)] == [evaluated["run_id"]]
    _, out, _ = run_cli(capsys, "history", "list", "--search", "zzz-none", "--json")
    assert json.loads(out) == []


# --------------------------------------------------------------------------------------------
# Reports on disk
# --------------------------------------------------------------------------------------------


def test_out_writes_json_csv_and_markdown(
    capsys: pytest.CaptureFixture[str], demo_args: list[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "reports"
    code, _, err = run_cli(capsys, *demo_args, "--out", str(out_dir), "--format", "json,csv,md")
    assert code == 0
    run_id = HistoryStore().list_runs()[0].run_id
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == [
        f"run-{run_id}-summary.csv",
        f"run-{run_id}.csv",
        f"run-{run_id}.json",
        f"run-{run_id}.md",
    ]
    assert err.startswith("wrote ") and str(out_dir) in err
    doc = json.loads((out_dir / f"run-{run_id}.json").read_text(encoding="utf-8"))
    assert doc["run_id"] == run_id and len(doc["plans"]) == 4
    text = (out_dir / f"run-{run_id}.csv").read_text("utf-8")
    assert next(csv.reader(io.StringIO(text))) == COLUMNS
    assert COLUMNS[:5] == ["run_id", "audit", "plan", "rank", "criterion"]
    rows = list(csv.DictReader(io.StringIO(text)))
    # plans × (criteria × (jury + the one judge) + weighted total)
    assert len(rows) == 4 * (2 * len(CRITERIA) + 1)
    assert {(r["judge"], r["status"]) for r in rows} == {("jury", "ok"), ("offline", "ok")}
    totals = [r for r in rows if r["criterion"] == "weighted_total"]
    assert totals[0]["plan"] == "northwind-phased-roadmap" and totals[0]["rank"] == "1"
    assert {r["run_id"] for r in rows} == {run_id}
    assert {r["audit"] for r in rows} == {"northwind-audit"}
    agency = next(r for r in totals if r["plan"] == "agency-quick-wins")
    assert agency["mentioned"] == "NW-03 NW-08" and "NW-14" in agency["missed"].split()
    wide = list(csv.DictReader(io.StringIO((out_dir / f"run-{run_id}-summary.csv").read_text())))
    assert [w["plan"] for w in wide] == [
        r["plan"] for r in sorted(totals, key=lambda r: (int(r["rank"]), r["plan"]))
    ]  # one row per plan, in rank order
    for w in wide:  # the wide summary says what the long table says
        long = {
            r["criterion"]: r["score"]
            for r in rows
            if r["plan"] == w["plan"] and r["judge"] == "jury"
        }
        judge = {
            r["criterion"]: r["score"]
            for r in rows
            if r["plan"] == w["plan"] and r["judge"] == "offline"
        }
        assert all(judge[c] == long[c] for c in CRITERIA)  # a jury of one: its score
        assert w["weighted_score"] == long["weighted_total"]
        assert all(w[c] == long[c] for c in CRITERIA)
    assert wide[[w["plan"] for w in wide].index("agency-quick-wins")]["mentioned"] == "2"
    md = (out_dir / f"run-{run_id}.md").read_text(encoding="utf-8")
    assert md.startswith(f"# A11y Judge run {run_id}")
    assert "| 1 | northwind-phased-roadmap |" in md
    assert "- **Mentions without a fix** (test, monitor or defer): NW-03, NW-08" in md
    assert "## Addressed by no plan" in md
    assert not any(p.suffix == ".tmp" for p in out_dir.iterdir())


def test_out_with_one_format(
    capsys: pytest.CaptureFixture[str], demo_args: list[str], tmp_path: Path
) -> None:
    code, _, _ = run_cli(capsys, *demo_args, "--out", str(tmp_path), "--format", "csv")
    assert code == 0
    written = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("run-"))
    assert [n.split(".")[-1] for n in written] == ["csv", "csv"]  # long and summary
    assert written[0].endswith("-summary.csv")


# --------------------------------------------------------------------------------------------
# parse
# --------------------------------------------------------------------------------------------


def test_parse_audit_json(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    code, out, _ = run_cli(capsys, "parse", str(demo_dir / "northwind-audit.md"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["kind"] == "audit" and doc["source_format"] == "markdown"
    assert doc["name"] == "northwind-audit"
    assert [f["id"] for f in doc["findings"]] == [f"NW-{i:02d}" for i in range(1, 16)]
    assert doc["findings"][2]["wcag"] == ["2.1.2"]
    assert doc["findings"][2]["wcag_source"] == "stated"


def test_parse_tool_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "parse", str(TOOLS / "axe4_result.json"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["kind"] == "audit" and doc["source_format"] == "axe"
    assert "axe-image-alt" in [f["id"] for f in doc["findings"]]


def test_parse_plan(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    path = demo_dir / "plans" / "overlay-widget-plan.md"
    code, out, _ = run_cli(capsys, "parse", str(path), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["kind"] == "plan" and doc["source_format"] == "markdown"
    assert doc["name"] == "overlay-widget-plan"
    assert doc["findings"] == [] and doc["words"] > 100
    code, out, _ = run_cli(capsys, "parse", str(path))
    assert out.startswith("overlay-widget-plan.md: no findings; reads as a plan (markdown")


def test_parse_short_notes_fall_back_to_plan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nWe met and talked about fonts and colours.\n", "utf-8")
    code, out, _ = run_cli(capsys, "parse", str(notes), "--json")
    assert code == 0 and json.loads(out)["kind"] == "plan"


@pytest.mark.parametrize(
    "name",
    [
        "northwind-phased-roadmap.md",
        "agency-quick-wins.md",
        "alphabetical-checklist.md",
        "overlay-widget-plan.md",
    ],
)
def test_parse_demo_plan_is_a_plan(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, name: str
) -> None:
    code, out, _ = run_cli(capsys, "parse", str(demo_dir / "plans" / name), "--json")
    assert code == 0
    assert json.loads(out)["kind"] == "plan"


def test_parse_human_output_marks_inferred_sc(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "parse", str(REPORTS / "bullet-findings.md"))
    assert code == 0
    assert out.startswith("bullet-findings.md: audit (markdown), 3 findings")
    assert "2.1.1?" in out  # the cookie banner finding's SC is inferred


# --------------------------------------------------------------------------------------------
# Bad input: one error line, no traceback, no new run
# --------------------------------------------------------------------------------------------


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": (tmp_path / "empty.md", b""),
        "corrupt": (tmp_path / "corrupt.json", b'{"violations": [{"id": '),
        "binary": (tmp_path / "blob.bin", bytes([0, 159, 146, 150, 0, 1, 2]) * 30),
        "no-findings": (tmp_path / "notes.md", b"# Notes\n\nWe met and talked about fonts.\n"),
    }
    for path, data in files.values():
        path.write_bytes(data)
    return {k: p for k, (p, _) in files.items()}


def assert_one_error_line(code: int, out: str, err: str, name: str | None) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    if name:
        assert name in lines[0]
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("case", "name"),
    [
        ("missing", "missing.md"),
        ("empty", "empty.md"),
        ("corrupt", "corrupt.json"),
        ("binary", "blob.bin"),
        ("no-findings", "notes.md"),
    ],
)
def test_bad_audit_file(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path, case: str, name: str
) -> None:
    bad = _bad_files(tmp_path).get(case, tmp_path / "missing.md")
    before = HistoryStore().count_runs()
    code, out, err = run_cli(
        capsys, "evaluate", "--audit", str(bad), "--plans-dir", str(demo_dir / "plans")
    )
    assert_one_error_line(code, out, err, name)
    assert out == ""
    assert HistoryStore().count_runs() == before
    if case != "no-findings":  # parse reads a findings-free document as a plan
        code, out, err = run_cli(capsys, "parse", str(bad), "--json")
        assert_one_error_line(code, out, err, name)


def test_bad_plan_file(capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path) -> None:
    bad = _bad_files(tmp_path)["corrupt"]
    code, out, err = run_cli(
        capsys,
        "evaluate",
        "--audit",
        str(demo_dir / "northwind-audit.md"),
        "--plan",
        str(demo_dir / "plans" / "agency-quick-wins.md"),
        "--plan",
        str(bad),
    )
    assert_one_error_line(code, out, err, "corrupt.json")
    assert HistoryStore().count_runs() == 0


def test_audit_given_as_plan(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    code, out, err = run_cli(
        capsys,
        "evaluate",
        "--audit",
        str(demo_dir / "northwind-audit.md"),
        "--plan",
        str(TOOLS / "axe4_result.json"),
    )
    assert_one_error_line(code, out, err, "axe4_result.json")
    assert "not a remediation plan" in err
    assert HistoryStore().count_runs() == 0


def test_unknown_judge(capsys: pytest.CaptureFixture[str], demo_args: list[str]) -> None:
    code, out, err = run_cli(capsys, *demo_args, "--judge", "nope")
    assert_one_error_line(code, out, err, None)
    assert "unknown judge 'nope'" in err and "offline" in err
    assert HistoryStore().count_runs() == 0


def test_format_without_out(capsys: pytest.CaptureFixture[str], demo_args: list[str]) -> None:
    code, out, err = run_cli(capsys, *demo_args, "--format", "csv")
    assert_one_error_line(code, out, err, None)
    assert "--format needs --out" in err
    assert HistoryStore().count_runs() == 0


# Regression (was a bug): cli._evaluate saves the run to history before _write_reports validates
# --format, so `--out DIR --format xml` exits 2 with an error yet records a run
def test_unknown_report_format_records_no_run(
    capsys: pytest.CaptureFixture[str], demo_args: list[str], tmp_path: Path
) -> None:
    code, out, err = run_cli(capsys, *demo_args, "--out", str(tmp_path), "--format", "xml")
    assert_one_error_line(code, out, err, None)
    assert "unknown report format xml" in err
    assert HistoryStore().count_runs() == 0


def test_unknown_history_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "history", "show", "no-such-run")
    assert_one_error_line(code, out, err, "no-such-run")
    code, out, err = run_cli(capsys, "history", "delete", "no-such-run")
    assert_one_error_line(code, out, err, "no-such-run")


def test_history_file_that_is_not_sqlite(
    capsys: pytest.CaptureFixture[str], _isolated_home: Path
) -> None:
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "history.sqlite").write_bytes(b"definitely not sqlite\n" * 100)
    code, out, err = run_cli(capsys, "history", "list")
    assert_one_error_line(code, out, err, "history.sqlite")
    assert "cannot be used" in err


def test_bad_rubric(
    capsys: pytest.CaptureFixture[str], demo_args: list[str], tmp_path: Path
) -> None:
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("criteria:\n  - id: only\n    name: Only\n    weight: 0.5\n", "utf-8")
    code, out, err = run_cli(capsys, *demo_args, "--rubric", str(rubric))
    assert_one_error_line(code, out, err, "rubric.yaml")
    assert HistoryStore().count_runs() == 0


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------


def test_demo_records_one_run_and_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "demo")
    assert code == 0 and out.startswith("demo run ")
    runs = HistoryStore().list_runs()
    assert len(runs) == 1
    assert runs[0].audit_name == "northwind-audit"
    assert runs[0].winner == "northwind-phased-roadmap"
    code, out, _ = run_cli(capsys, "demo")
    assert code == 0 and out.startswith("demo run already in history")
    assert runs[0].run_id in out
    assert HistoryStore().count_runs() == 1


# --------------------------------------------------------------------------------------------
# The installed console script, in a real subprocess
# --------------------------------------------------------------------------------------------

SCRIPT = Path(sys.executable).parent / "a11y-judge"


def _script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "a11y_judge.cli"]
    return subprocess.run(
        [*cmd, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        check=False,
    )


def test_console_script_evaluate_and_history(demo_dir: Path, tmp_path: Path) -> None:
    proc = _script(
        "evaluate",
        "--audit",
        str(demo_dir / "northwind-audit.md"),
        "--plans-dir",
        str(demo_dir / "plans"),
        "--json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    doc = json.loads(proc.stdout)
    assert doc["plans"][0]["name"] == "northwind-phased-roadmap"
    # The subprocess used this test's A11Y_JUDGE_HOME.
    assert [r.run_id for r in HistoryStore().list_runs()] == [doc["run_id"]]
    shown = _script("history", "show", doc["run_id"], "--json", cwd=tmp_path)
    assert shown.returncode == 0 and json.loads(shown.stdout) == doc


def test_console_script_error_is_one_line(tmp_path: Path, demo_dir: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    proc = _script(
        "evaluate", "--audit", str(empty), "--plans-dir", str(demo_dir / "plans"), cwd=tmp_path
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "error: empty.md: the file is empty. Choose the exported report file"
    ]
    assert HistoryStore().count_runs() == 0


# Regression (was a bug): the worker processes start while the plans are read; a bad plan in a
# large run stopped the command while they started, and their start's failure printed a second
# line after the 'error:' line
def test_console_script_bad_plan_in_a_large_run_is_one_line(tmp_path: Path, demo_dir: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    demo = sorted((demo_dir / "plans").iterdir())
    for i in range(PROCESS_POOL_MIN_PLANS):
        (plans / f"plan-{i:02}.md").write_bytes(demo[i % len(demo)].read_bytes())
    (plans / "plan-zz.md").write_text("hi", encoding="utf-8")
    proc = _script(
        "evaluate", "--audit", str(demo_dir / "northwind-audit.md"), "--plans-dir", str(plans),
        "--processes", "2", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "error: plan-zz.md: the plan has almost no text. Check that the right file was chosen"
    ]
    assert HistoryStore().count_runs() == 0


def test_console_script_version(tmp_path: Path) -> None:
    proc = _script("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("a11y-judge ")


# Regression (was a bug): pypdf logs 'EOF marker not found' through logging's last-resort handler,
# so a truncated PDF prints extra lines on stderr besides the single 'error:' line
def test_console_script_truncated_pdf_prints_one_error_line(tmp_path: Path, demo_dir: Path) -> None:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(50, 800, "2.1 Images lack alt text")
    c.showPage()
    c.save()
    data = buf.getvalue()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    proc = _script(
        "evaluate", "--audit", str(path), "--plans-dir", str(demo_dir / "plans"), cwd=tmp_path
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith("error: cut.pdf: not a readable PDF")
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
