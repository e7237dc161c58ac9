"""Fault storms end to end: the real SDK clients against a loopback server that misbehaves.

96 plans, one LLM judge, 16 requests in flight; the server answers 20% rate limits, 10% server
errors and 10% truncated JSON (tests/fakes/storm.py). Under such a storm no judgment may be
lost and none scored from garbage. A cancelled run keeps what was finished.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from a11y_judge.engine import RunCancelledError, evaluate
from a11y_judge.history.store import HistoryStore
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import AuditReport, Judgment, Plan, Rubric, Run
from a11y_judge.resilience import RetryPolicy
from fakes.llm_server import Behaviour, FakeLLMServer, RecordedRequest, Reply, Responder, Status
from fakes.plans import demo_inputs
from fakes.storm import SCORE, Storm, valid_reply

pytestmark = pytest.mark.timeout(60)

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
PLANS = 96
#: Retries as in production, backoff scaled down with the fake's latency.
POLICY = RetryPolicy(base_delay=0.02, max_delay=0.5)


@pytest.fixture(scope="module")
def inputs() -> tuple[AuditReport, list[Plan], Rubric]:
    return demo_inputs(PLANS)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("A11Y_JUDGE_HOME", str(tmp_path))
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    yield tmp_path


def _storm_run(
    inputs: tuple[AuditReport, list[Plan], Rubric], storm: Responder, spec: str
) -> tuple[Run, int]:
    audit, plans, rubric = inputs
    with FakeLLMServer(storm, latency=0.05) as server:
        settings = JudgeSettings(
            concurrency=16,
            use_cache=False,
            retry=POLICY,
            timeout=10,
            base_urls={"gemini": server.gemini_base_url},
        )
        try:
            judge = create_judge(spec.format(url=server.openai_base_url), settings)
            run = evaluate(audit, plans, [judge], rubric)
        finally:
            settings.close()
        return run, server.count()


def _garbage(judgments: list[Judgment]) -> list[Judgment]:
    return [
        j
        for j in judgments
        if j.status == "ok" and any(c.score != SCORE for c in j.scores.values())
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_storm_loses_no_judgment_and_scores_no_garbage(
    inputs: tuple[AuditReport, list[Plan], Rubric], seed: int
) -> None:
    storm = Storm(seed)
    run, requests = _storm_run(inputs, storm, "openai-compatible:storm@{url}")
    failed = [j.error for j in run.judgments if j.status != "ok"]
    assert failed == []
    assert _garbage(run.judgments) == []
    assert run.status == "ok" and len(run.judgments) == PLANS
    assert storm.drawn["429"] and storm.drawn["500"] and storm.drawn["truncated"]
    assert requests == sum(storm.drawn.values()) == run.stats.calls
    e = run.stats.endpoints[0]
    assert (e.rate_limited, e.errors, e.malformed) == (
        storm.drawn["429"],
        storm.drawn["500"],
        storm.drawn["truncated"],
    )
    assert run.stats.retries == requests - PLANS and run.stats.repairs == 0
    assert e.breaker_opened == 0
    assert 1 <= e.lowest_concurrency <= e.final_concurrency <= e.concurrency == 16


class _Burst:
    """Rate limits for the first `first` requests (a provider throttling a burst), then the
    valid reply: the endpoint's concurrency must back off, then grow back."""

    def __init__(self, first: int) -> None:
        self.first, self.served = first, 0
        self._lock = threading.Lock()

    def __call__(self, req: RecordedRequest) -> Behaviour:
        with self._lock:
            self.served += 1
            limited = self.served <= self.first
        if limited:
            return Status(429, headers={"retry-after-ms": "20"}, latency=0.01)
        return Reply(valid_reply(req))


def test_a_burst_of_rate_limits_halves_the_concurrency_and_it_grows_back(
    inputs: tuple[AuditReport, list[Plan], Rubric],
) -> None:
    burst = _Burst(48)
    run, requests = _storm_run(inputs, burst, "openai-compatible:burst@{url}")
    assert [j.error for j in run.judgments if j.status != "ok"] == []
    assert _garbage(run.judgments) == []
    e = run.stats.endpoints[0]
    assert e.rate_limited == 48 and requests == PLANS + 48
    assert e.breaker_opened == 0  # rate limits never open the breaker
    assert e.lowest_concurrency < 16  # backed off multiplicatively
    assert e.final_concurrency > e.lowest_concurrency  # and recovered additively
    assert e.final_concurrency <= e.concurrency == 16


def test_gemini_through_the_same_storm(inputs: tuple[AuditReport, list[Plan], Rubric]) -> None:
    storm = Storm(4)
    run, _ = _storm_run(inputs, storm, "gemini:gemini-2.5-pro")
    assert [j.error for j in run.judgments if j.status != "ok"] == []
    assert _garbage(run.judgments) == []
    assert storm.drawn["truncated"] and storm.drawn["429"]


def test_cancel_while_waiting_for_a_down_endpoint_keeps_the_finished_judgments(
    inputs: tuple[AuditReport, list[Plan], Rubric],
) -> None:
    audit, plans, rubric = inputs
    with FakeLLMServer(lambda req: Status(503)) as server:
        settings = JudgeSettings(
            concurrency=2,
            use_cache=False,
            retry=RetryPolicy(max_retries=1, base_delay=0.01),
            breaker_threshold=2,
            breaker_cooldown=60.0,
            outage_wait=600.0,
        )
        judges = [
            create_judge("offline", settings),
            create_judge(f"openai-compatible:down@{server.openai_base_url}", settings),
        ]
        notices: list[str] = []

        def notice(text: str) -> None:
            notices.append(text)
            if text.startswith("waiting for"):
                raise KeyboardInterrupt  # the user presses Ctrl-C while the run waits

        start = time.perf_counter()
        with pytest.raises(RunCancelledError) as info:
            evaluate(audit, plans[:8], judges, rubric, notice=notice)
        assert time.perf_counter() - start < 10
        settings.close()
    run = info.value.run
    assert len(run.judgments) == 16
    offline = [j for j in run.judgments if j.judge_id == "offline"]
    llm = [j for j in run.judgments if j.judge_id != "offline"]
    assert any(j.status == "ok" for j in offline)  # finished work is kept
    for j in offline:  # the rest had not started
        assert j.status == "ok" or j.error == "cancelled by the user before this plan was judged"
    assert all(j.status == "failed" for j in llm)
    gave_up = [j for j in llm if "gave up after 2 attempts" in (j.error or "")]
    waited = [
        j
        for j in llm
        if (j.error or "").startswith("cancelled by the user while waiting for openai-compatible")
    ]
    assert len(gave_up) >= 2 and waited, [j.error for j in llm]  # two, or three in flight
    assert run.status == "partial"


def test_ctrl_c_on_the_cli_saves_the_partial_run(
    inputs: tuple[AuditReport, list[Plan], Rubric], tmp_path: Path
) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    for plan in inputs[1][:8]:  # five calls fail one by one and open the breaker; three wait
        (folder / f"{plan.name}.md").write_text(plan.text, encoding="utf-8")
    with FakeLLMServer(lambda req: Status(503)) as server:
        env = {**os.environ, "A11Y_JUDGE_HOME": str(tmp_path)}
        cmd = [
            sys.executable,
            "-m",
            "a11y_judge.cli",
            "evaluate",
            "--audit",
            str(DEMO / "northwind-audit.md"),
            "--plans-dir",
            str(folder),
            "--judge",
            "offline",
            "--judge",
            f"openai-compatible:down@{server.openai_base_url}",
            "--retries",
            "0",
            "--concurrency",
            "1",
            "--no-cache",
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err_lines: list[str] = []

        def read() -> None:
            assert proc.stderr is not None
            for line in iter(proc.stderr.readline, b""):
                err_lines.append(line.decode())

        reader = threading.Thread(target=read)
        reader.start()
        deadline = time.monotonic() + 30
        while not any(x.startswith("waiting for") for x in err_lines):
            assert time.monotonic() < deadline, err_lines
            assert proc.poll() is None, err_lines
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        assert proc.stdout is not None
        out = proc.stdout.read()  # until the process closes it
        proc.wait(timeout=20)
        reader.join(timeout=5)
    assert proc.returncode == 130, err_lines
    assert any(x.startswith("cancelled: the run was cancelled") for x in err_lines), err_lines
    assert "status partial" in out.decode()
    runs = HistoryStore().list_runs()  # the same home
    assert len(runs) == 1 and runs[0].status == "partial"
