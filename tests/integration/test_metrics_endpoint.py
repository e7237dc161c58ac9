"""The opt-in OpenMetrics endpoint: off by default, one clear error for a bad port, and
parseable text counting the judgments of a real run when enabled."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from a11y_judge.engine import evaluate
from a11y_judge.errors import A11yJudgeError
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.monitoring import exporter
from a11y_judge.rubric import load_rubric
from fakes.llm_server import FakeLLMServer, constant_responder


@pytest.fixture(autouse=True)
def fresh_exporter() -> Iterator[None]:
    yield
    exporter._metrics, exporter._port = None, None  # the next test starts its own


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_off_by_default_and_a_bad_port_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(exporter.PORT_VAR, raising=False)
    assert exporter.start_if_configured() is None
    monkeypatch.setenv(exporter.PORT_VAR, "metrics")
    with pytest.raises(A11yJudgeError, match="is not a port number"):
        exporter.start_if_configured()


def test_the_endpoint_counts_a_runs_judgments(
    monkeypatch: pytest.MonkeyPatch, demo_dir: Path
) -> None:
    port = _free_port()
    monkeypatch.setenv(exporter.PORT_VAR, str(port))
    monkeypatch.setenv(exporter.ADDR_VAR, "127.0.0.1")
    assert exporter.start_if_configured() == port
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    with FakeLLMServer(constant_responder(6.0)) as srv:
        settings = JudgeSettings(use_cache=False)
        specs = ("offline", f"openai-compatible:fake@{srv.openai_base_url}")
        try:
            evaluate(audit, plans, [create_judge(s, settings) for s in specs], load_rubric())
        finally:
            settings.close()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        text = resp.read().decode("utf-8")
    families = {f.name: f for f in text_string_to_metric_families(text)}
    judged = {
        (s.labels["provider"], s.labels["status"]): s.value
        for s in families["a11y_judge_judgments"].samples
        if s.name.endswith("_total")
    }
    assert judged == {("offline", "ok"): len(plans), ("openai-compatible", "ok"): len(plans)}
    latency = [
        s
        for s in families["a11y_judge_judgment_latency_seconds"].samples
        if s.name.endswith("_count")
    ]
    assert sum(s.value for s in latency) == 2 * len(plans)
    requests = [s for s in families["a11y_judge_llm_requests"].samples if s.name.endswith("_total")]
    assert [s.value for s in requests] == [len(plans)]
