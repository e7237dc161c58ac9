"""Fault injection: an OpenAI-compatible and a Gemini judge (the real openai and google-genai
clients) against a loopback server that answers 30% rate limits, server errors and timeouts
and 10% malformed replies (tests/fakes/faults.py), in a run, a batch and the app.

Every judgment must come out either valid (scored from a valid reply: `SCORE` everywhere) or
recorded as failed with its reason; none lost (plans x judges in the run and in history), none
scored from garbage (no stored LLM score other than `SCORE`), and the run's status, its
document and the pages say what happened. A timeout is the server holding the request longer
than the client's timeout (1 s here; 5 s, the Settings page's minimum, in the app).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from a11y_judge.batch import service
from a11y_judge.batch.processor import judge_settings
from a11y_judge.consensus.review import record_run
from a11y_judge.engine import evaluate
from a11y_judge.history.store import HistoryStore
from a11y_judge.judges import create_judge
from a11y_judge.judges.base import Judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import AuditReport, BatchSettings, Judgment, Plan, Rubric, Run
from a11y_judge.reports.batch_report import batch_json, batch_markdown
from a11y_judge.resilience import RetryPolicy
from fakes.faults import MALFORMED, SCORE, Faults
from fakes.llm_server import FakeLLMServer
from fakes.plans import demo_inputs

pytestmark = pytest.mark.timeout(90)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
PLANS = 40
SEED = 7
CLIENT_TIMEOUT = 1.0
GEMINI = "gemini:gemini-2.5-flash"
#: How each kind of failure reads in a failed judgment's error.
REASONS = (
    "did not answer within the timeout",
    "answered HTTP 500",
    "still rate-limited",
    "not JSON",
    "not usable JSON",
    "did not match the schema, even after one repair request",
)


@pytest.fixture(scope="module")
def inputs() -> tuple[AuditReport, list[Plan], Rubric]:
    return demo_inputs(PLANS)


@pytest.fixture(autouse=True)
def _gemini_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")


def fast_policy(retries: int) -> RetryPolicy:
    """The production retry counts, with backoff scaled down to the fake's latency."""
    return RetryPolicy(max_retries=retries, base_delay=0.02, max_delay=0.2)


def settings_for(server: FakeLLMServer, retries: int) -> JudgeSettings:
    return JudgeSettings(
        base_urls={"gemini": server.gemini_base_url},
        concurrency=8,
        timeout=CLIENT_TIMEOUT,
        retry=fast_policy(retries),
        use_cache=False,
        breaker_cooldown=0.2,
        outage_wait=10.0,
    )


def jury(server: FakeLLMServer, settings: JudgeSettings) -> list[Judge]:
    specs = ["offline", f"openai-compatible:faulty@{server.openai_base_url}", GEMINI]
    return [create_judge(s, settings) for s in specs]


def garbage(judgments: list[Judgment]) -> list[Judgment]:
    """LLM judgments stored as valid with any score not from a valid reply."""
    return [
        j
        for j in judgments
        if j.provider != "offline"
        and j.status == "ok"
        and any(c.score != SCORE for c in j.scores.values())
    ]


def assert_accounted_for(run: Run, plans: list[Plan], judges: list[str]) -> None:
    """Every judge x plan once; valid ones scored from a valid reply; failed ones say why."""
    pairs = Counter((j.judge_id, j.plan_name) for j in run.judgments)
    assert pairs == Counter({(judge, p.name): 1 for judge in judges for p in plans})
    assert garbage(run.judgments) == []
    for j in run.judgments:
        if j.status != "ok":
            assert j.scores == {} and j.error, j
            assert any(r in j.error for r in REASONS), j.error
    failed = [j for j in run.judgments if j.status != "ok"]
    assert run.status == ("partial" if failed else "ok")
    for judge in judges:
        mine = [j for j in failed if j.judge_id == judge]
        if mine:
            assert f"{judge} failed {len(mine)} of {len(plans)} plans" in (run.error or "")


def report(capsys: pytest.CaptureFixture[str], label: str, runs: list[Run], faults: Faults) -> None:
    """Print the figures (faults injected, judgments valid and failed) past pytest's capture."""
    llm = [j for r in runs for j in r.judgments if j.provider != "offline"]
    kinds = ("429", "500", "timeout", *MALFORMED)
    injected = sum(faults.count(api, *kinds) for api in ("openai", "gemini"))
    with capsys.disabled():
        print(
            f"\n{label}: {injected} faults in {sum(faults.drawn.values())} requests; "
            f"{sum(j.status == 'ok' for j in llm)} of {len(llm)} LLM judgments valid, "
            f"{sum(j.status != 'ok' for j in llm)} failed with their reason, 0 garbage; "
            f"status {', '.join(sorted({r.status for r in runs}))}"
        )


def assert_counts_match(run: Run, faults: Faults) -> None:
    """What the judges counted per endpoint is what the server served."""
    by_name = {e.name.partition("@")[0]: e for e in run.stats.endpoints}
    for endpoint, api in (("openai-compatible", "openai"), ("gemini", "gemini")):
        e = by_name[endpoint]
        assert e.rate_limited == faults.count(api, "429")
        assert e.errors == faults.count(api, "500", "timeout")
        assert e.malformed == faults.count(api, "truncated", "body")


def assert_history_holds(store: HistoryStore, run: Run) -> None:
    """The stored run has every judgment, and no stored LLM score came from garbage."""
    stored = store.get_run(run.run_id)
    assert len(stored.judgments) == len(run.judgments)
    assert [j.status for j in stored.judgments] == [j.status for j in run.judgments]
    assert stored.status == run.status and stored.error == run.error
    llm = {j.judge_id for j in run.judgments if j.provider != "offline"}
    scores = [s for s in store.judge_scores() if s.run_id == run.run_id and s.judge in llm]
    ok = sum(j.status == "ok" for j in run.judgments if j.judge_id in llm)
    assert len(scores) == ok * len(run.rubric.criteria)
    assert {s.score for s in scores} <= {SCORE}


@pytest.mark.parametrize("retries", [6, 0], ids=["production-retries", "no-retries"])
def test_a_run_through_faults_loses_nothing_and_scores_no_garbage(
    inputs: tuple[AuditReport, list[Plan], Rubric],
    retries: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    audit, plans, rubric = inputs
    faults = Faults(SEED, hang=CLIENT_TIMEOUT + 0.6)
    with FakeLLMServer(faults, latency=0.01) as server:
        settings = settings_for(server, retries)
        judges = jury(server, settings)
        try:
            run = evaluate(audit, plans, judges, rubric)
        finally:
            settings.close()
    ids = [j.id for j in judges]
    assert_accounted_for(run, plans, ids)
    assert_counts_match(run, faults)
    for api in ("openai", "gemini"):  # every kind of fault was met by both clients
        assert faults.count(api, "429") and faults.count(api, "500")
        assert faults.count(api, "timeout") and faults.count(api, *MALFORMED)
    failed = [j for j in run.judgments if j.status != "ok"]
    if retries:  # transient faults are survived; only a reply broken twice can fail
        assert all("even after one repair request" in (j.error or "") for j in failed)
    else:  # nothing is re-sent: judgments fail, with their reasons, and the run is partial
        assert {j.judge_id for j in failed} == set(ids[1:]) and run.status == "partial"
        assert {r for r in REASONS[:2] + REASONS[3:5] if any(r in j.error for j in failed)}
        assert all(r.score is not None for r in run.results)  # the offline judge still scores
    store = HistoryStore()
    record_run(store, run)
    assert_history_holds(store, run)
    assert [r.run_id for r in store.list_runs(status=run.status)] == [run.run_id]
    report(capsys, f"run, {retries} retries", [run], faults)


def make_sets(root: Path, names: list[str], plans: int = 4) -> Path:
    """One folder per set (audit.md, plans/), each plan's text unique to its set."""
    for name in names:
        folder = root / name / "plans"
        folder.mkdir(parents=True)
        (root / name / "audit.md").write_bytes((DEMO / "northwind-audit.md").read_bytes())
        for plan in sorted((DEMO / "plans").glob("*.md"))[:plans]:
            text = plan.read_text(encoding="utf-8") + f"\n\nPrepared for {name}.\n"
            (folder / plan.name).write_text(text, encoding="utf-8")
    return root


def test_a_batch_through_faults_completes_every_set_and_scores_no_garbage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [f"site-{i}" for i in range(4)]
    sets = make_sets(tmp_path / "sets", names)
    faults = Faults(SEED + 1, hang=CLIENT_TIMEOUT + 0.6)
    with FakeLLMServer(faults, latency=0.01) as server:
        specs = ["offline", f"openai-compatible:faulty@{server.openai_base_url}", GEMINI]
        cfg = BatchSettings(
            judges=specs, concurrency=8, timeout=CLIENT_TIMEOUT, retries=0, use_cache=False
        )

        def factory(job: BatchSettings) -> JudgeSettings:  # the job's settings, fake endpoints
            return replace(
                judge_settings(job),
                retry=fast_policy(job.retries),
                base_urls={"gemini": server.gemini_base_url},
                breaker_cooldown=0.2,
                outage_wait=10.0,
            )

        job = service.submit(sets, cfg, factory=factory)
        done = service.run(job.job_id, factory=factory)
    assert done.status == "completed" and [i.status for i in done.items] == ["completed"] * 4
    store = HistoryStore()
    runs = [store.get_run(i.run_id or "") for i in done.items]
    judges = [j.id for j in runs[0].judges]
    failed = 0
    for item, run in zip(done.items, runs, strict=True):
        assert (item.judged, item.judgments) == (12, 12)
        assert_accounted_for(run, run.plans, judges)
        assert_history_holds(store, run)
        failed += sum(j.status != "ok" for j in run.judgments)
    assert failed and any(r.status == "partial" for r in runs)
    assert sum(faults.drawn.values()) == sum(r.stats.calls for r in runs)
    _, summary = service.summary(done.job_id)
    assert summary.completed == 4 and summary.failed == []
    partial = {r.run_id for r in runs if r.status == "partial"}
    names = {i.name for i in done.items if i.run_id in partial}
    assert {name for name, _ in summary.partial} == names
    doc = json.loads(batch_json(done, summary))["summary"]["partial"]
    assert {d["name"] for d in doc} == names and all("failed" in d["error"] for d in doc)
    markdown = batch_markdown(done, summary, {r.run_id: r for r in runs})
    assert "## Sets with failed judgments" in markdown
    # the Batch page's summary names the sets whose run has failed judgments, and why
    at = AppTest.from_file(str(REPO / "app" / "main.py"), default_timeout=60).run()
    at.switch_page("views/batch.py").run()
    assert not at.exception, [e.message for e in at.exception]
    warning = _texts(at.warning)
    assert f"{len(partial)} completed sets have failed judgments" in warning
    for item, run in zip(done.items, runs, strict=True):
        assert (f"**{item.name}**" in warning) == (run.status == "partial")
    report(capsys, "batch of 4 sets, 0 retries", runs, faults)


def test_the_cli_run_through_faults_says_it_is_partial_and_why(tmp_path: Path) -> None:
    faults = Faults(5, hang=CLIENT_TIMEOUT + 0.6)  # 4 plans: both judges fail some (no retries)
    with FakeLLMServer(faults, latency=0.01) as server:
        env = {
            **os.environ,
            "A11Y_JUDGE_HOME": str(tmp_path / "home"),
            "A11Y_JUDGE_GEMINI_BASE_URL": server.gemini_base_url,
        }
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "a11y_judge.cli",
                "evaluate",
                "--audit",
                str(DEMO / "northwind-audit.md"),
                "--plans-dir",
                str(DEMO / "plans"),
                "--judge",
                "offline",
                "--judge",
                f"openai-compatible:faulty@{server.openai_base_url}",
                "--judge",
                GEMINI,
                "--retries",
                "0",
                "--timeout",
                str(CLIENT_TIMEOUT),
                "--no-cache",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
    assert done.returncode == 0, done.stderr  # partial is not an error: the scores stand
    assert "Traceback" not in done.stderr
    run_id = done.stdout.split()[1]
    assert f"run {run_id}  status partial" in done.stdout
    run = HistoryStore(tmp_path / "home" / "history.sqlite").get_run(run_id)
    assert_accounted_for(run, run.plans, [j.id for j in run.judges])
    assert_counts_match(run, faults)
    assert f"note: {run.error}" in done.stdout  # each failing judge: how many, the first why
    failing = {j.judge_id for j in run.judgments if j.status != "ok"}
    assert failing == {j.id for j in run.judges} - {"offline"}
    for judge in failing:
        n = sum(j.judge_id == judge and j.status != "ok" for j in run.judgments)
        assert f"{judge} failed {n} of 4 plans: " in done.stdout


# ---------------------------------------------------------------- what the pages say

UI_SEED = 5  # meets both judges with a timeout, a 500, 429s and a truncated reply
UI_TIMEOUT = 5.0  # the Settings page's minimum


@pytest.fixture
def ui_server() -> Iterator[tuple[FakeLLMServer, Faults]]:
    faults = Faults(UI_SEED, hang=UI_TIMEOUT + 0.7)
    with FakeLLMServer(faults, latency=0.01) as server:
        yield server, faults


def _settings_page(at: AppTest, server: FakeLLMServer) -> AppTest:
    """Enable the two judges on the fake endpoint, 5 s timeout, no retries, no cache."""
    at.switch_page("views/settings.py").run()
    values: dict[str, object] = {
        "settings.openai-compatible.models": "faulty",
        "settings.openai-compatible.base_url": server.openai_base_url,
        "settings.gemini.models": GEMINI.partition(":")[2],
        "settings.gemini.base_url": server.gemini_base_url,
    }
    for key, value in values.items():  # set together, applied in one rerun
        at.text_input(key=key).set_value(value)
    at.checkbox(key="settings.openai-compatible.enabled").check()
    at.checkbox(key="settings.gemini.enabled").check()
    at.number_input(key="settings.timeout").set_value(UI_TIMEOUT)
    at.number_input(key="settings.retries").set_value(0)
    at.checkbox(key="settings.cache").uncheck()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(*groups: object) -> str:
    return "\n".join(str(e.value) for g in groups for e in g)  # type: ignore[attr-defined]


def test_the_evaluate_and_history_pages_say_which_judgments_failed_and_why(
    ui_server: tuple[FakeLLMServer, Faults], capsys: pytest.CaptureFixture[str]
) -> None:
    server, faults = ui_server
    at = AppTest.from_file(str(REPO / "app" / "main.py"), default_timeout=60).run()
    at = _settings_page(at, server)
    at.switch_page("views/evaluate.py").run()
    at.checkbox(key="evaluate.demo").check().run()
    assert not at.error, [e.value for e in at.error]
    assert len(at.multiselect(key="evaluate.judges").value) == 3
    at.button(key="evaluate.run_button").click().run()
    assert not at.exception, [e.message for e in at.exception]
    run = HistoryStore().get_run(HistoryStore().list_runs()[0].run_id)
    judges = [j.id for j in run.judges]
    assert len(judges) == 3 and judges[0] == "offline" and GEMINI in judges
    assert_accounted_for(run, run.plans, [j.id for j in run.judges])
    assert_counts_match(run, faults)
    failed = [j for j in run.judgments if j.status != "ok"]
    assert {j.judge_id for j in failed} == set(judges[1:]) and run.status == "partial"
    # the Evaluate page: the run's status and every failure with its reason
    shown = _texts(at.warning, at.markdown, at.caption)
    assert "This run is **partial**" in shown
    for judge in judges[1:]:
        n = sum(j.judge_id == judge for j in failed)
        assert f"{judge} failed {n} of 4 plans" in shown
    for j in failed:  # each failure's reason, beside the plan it failed on
        assert next(r for r in REASONS if r in (j.error or "")) in shown
    jury_table = next(t.value for t in at.table if "Failures" in t.value.columns)
    assert list(jury_table["Failures"]) == [sum(j.judge_id == x for j in failed) for x in judges]
    # the History page: the run is listed as partial, and reopened it says the same
    at.switch_page("views/history.py").run()
    at.selectbox(key="history.status").set_value("partial").run()
    listed = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    assert list(listed["Status"]) == ["partial"]
    assert "This run is **partial**" in _texts(at.warning)
    stored = json.loads(run.model_dump_json())
    assert stored["status"] == "partial" and stored["error"] == run.error
    report(capsys, "app run, 0 retries", [run], faults)
