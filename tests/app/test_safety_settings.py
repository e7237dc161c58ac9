"""PII redaction in the app: the Settings choice, the per-run choice on Evaluate, the notice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from apptest import no_exception
from streamlit.testing.v1 import AppTest

from a11y_judge.history.store import HistoryStore
from fakes.environment import without_outside_keys
from fakes.llm_server import FakeLLMServer, constant_responder

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    without_outside_keys(tmp_path, monkeypatch)
    with FakeLLMServer(constant_responder(6.0)) as server:
        monkeypatch.setenv("A11Y_JUDGE_OPENAI_BASE_URL", server.openai_base_url)
        yield server


def test_settings_choice_is_the_evaluate_default_and_the_run_records_it(
    fake: FakeLLMServer,
) -> None:
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.switch_page("views/settings.py").run()
    assert at.selectbox(key="settings.redact_pii").value == "off"
    at.selectbox(key="settings.redact_pii").set_value("all").run()
    at.text_input(key="settings.openai.key").set_value("sk-typed-0123456789abcdef").run()
    at.checkbox(key="settings.openai.enabled").check().run()
    no_exception(at)
    at.switch_page("views/evaluate.py").run()
    assert at.selectbox(key="evaluate.redact_pii").value == "all"
    at.selectbox(key="evaluate.redact_pii").set_value("external").run()  # this run only
    at.selectbox(key="evaluate.redact_pii").set_value("all").run()
    at.checkbox(key="evaluate.demo").check().run()
    at.button(key="evaluate.run_button").click().run()
    no_exception(at)
    run = HistoryStore().get_run(HistoryStore().list_runs()[0].run_id)
    assert run.redaction is not None and run.redaction.mode == "all"
    assert run.redaction.judges == ["openai:gpt-4.1"]
    shown = "\n".join(str(i.value) for i in at.info)
    assert "PII redact" in shown and "openai:gpt-4.1" in shown
    at.switch_page("views/settings.py").run()
    assert at.selectbox(key="settings.redact_pii").value == "all"  # Settings kept its own
