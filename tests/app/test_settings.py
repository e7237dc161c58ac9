"""The Settings page and LLM judges in the app, against the loopback fake of the providers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from app.components import llm_settings as ls
from apptest import no_exception, texts
from streamlit.testing.v1 import AppTest

from a11y_judge.history.audit import AuditLog
from a11y_judge.history.store import HistoryStore
from a11y_judge.safety import MODE_LABELS
from fakes.environment import without_outside_keys
from fakes.llm_server import (
    FakeLLMServer,
    RecordedRequest,
    Reply,
    Status,
    openai_schema,
    schema_instance,
)

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "app" / "main.py"
EVALUATE = "views/evaluate.py"
SETTINGS = "views/settings.py"
TIMEOUT = 30
TYPED_KEY = "sk-typed-in-the-app-0123456789abcdef"
INVENTED = "We will rebuild the whole site in a weekend."

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _no_outside_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No key or base URL from the environment, a .env or a secrets.toml of the developer."""
    without_outside_keys(
        tmp_path, monkeypatch
    )  # credentials read ./.env; Streamlit reads ./.streamlit/secrets.toml


def valid_reply(request: RecordedRequest) -> Reply | Status:
    """A reply that matches whatever schema the request carries, with one invented quote."""
    schema = openai_schema(request.body)
    if schema is None:
        return Status(400, message="no response_format schema")
    reply = schema_instance(schema)
    criteria = reply.get("criteria")
    if isinstance(criteria, dict) and criteria:
        first = next(iter(criteria.values()))
        first["evidence"] = [{"quote": INVENTED, "finding_id": ""}]
    return Reply(json.dumps(reply))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    with FakeLLMServer(valid_reply) as server:
        monkeypatch.setenv("A11Y_JUDGE_OPENAI_BASE_URL", server.openai_base_url)
        yield server


def closed_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens there any more


def on(page: str) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT).run()
    return at.switch_page(page).run()


def everything(at: AppTest) -> str:
    """Every text the page shows (main area and sidebar)."""
    parts = [at.markdown, at.caption, at.success, at.error, at.warning, at.info]
    return "\n".join(texts(p) for p in parts)


def judge_scores_table(at: AppTest) -> pd.DataFrame:
    """The first plan's 'Scores by judge' table (a Judge column, no Status column)."""
    return next(
        t.value for t in at.table if "Judge" in t.value.columns and "Status" not in t.value.columns
    )


def enable_openai(at: AppTest, key: str | None = TYPED_KEY) -> AppTest:
    """On the Settings page: type a key (optional) and enable OpenAI with its default model."""
    if key is not None:
        at.text_input(key="settings.openai.key").set_value(key).run()
    at.checkbox(key="settings.openai.enabled").check().run()
    no_exception(at)
    return at


def files_holding(home: Path, secret: str) -> list[Path]:
    needle = secret.encode()
    return [p for p in home.rglob("*") if p.is_file() and needle in p.read_bytes()]


# ---------------------------------------------------------------- the page itself


def test_settings_renders_without_any_key() -> None:
    at = on(SETTINGS)
    no_exception(at)
    assert not at.error
    shown = everything(at)
    assert "No key: set OPENAI_API_KEY or type one here" in shown
    assert "GEMINI_API_KEY or GOOGLE_API_KEY" in shown
    assert "never written to disk" in texts(at.caption)
    for provider in ("openai", "gemini", "openai-compatible"):
        assert at.text_input(key=f"settings.{provider}.key").proto.type == 1  # PASSWORD
    # every input is labelled
    widgets = [*at.text_input, *at.number_input, *at.checkbox, *at.button]
    assert all(w.label.strip() for w in widgets)
    # nothing is enabled yet: the Evaluate page offers only the offline judge
    assert texts(at.sidebar.markdown).count("configure in Settings") == 3


def test_key_from_streamlit_secrets_is_named_not_shown(fake: FakeLLMServer) -> None:
    at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT)
    at.secrets["OPENAI_API_KEY"] = "sk-from-secrets-abcdef0123456789"
    at.run()
    at.switch_page(SETTINGS).run()
    no_exception(at)
    shown = everything(at)
    assert "Key found in Streamlit secrets (OPENAI_API_KEY)" in shown
    assert "sk-from-secrets" not in shown
    enable_openai(at, key=None)
    at.button(key="settings.openai.test").click().run()
    no_exception(at)
    assert "Connection works: openai:gpt-4.1 answered" in texts(at.success)
    assert fake.requests[-1].headers["authorization"] == "Bearer sk-from-secrets-abcdef0123456789"


def test_run_options_reach_the_judge_settings() -> None:
    at = on(SETTINGS)
    at.number_input(key="settings.outage_wait").set_value(45.0).run()
    at.number_input(key="settings.time_budget").set_value(600.0).run()
    at.number_input(key="settings.retries").set_value(3).run()
    no_exception(at)
    state = {ls.STORE: at.session_state[ls.STORE]}
    settings = ls.session_judge_settings(state)
    assert (settings.outage_wait, settings.time_budget) == (45.0, 600.0)
    assert settings.retry.max_retries == 3
    assert settings.control.time_budget == 600.0
    at.number_input(key="settings.time_budget").set_value(0.0).run()
    assert ls.session_judge_settings({ls.STORE: at.session_state[ls.STORE]}).time_budget is None


def test_openai_compatible_needs_a_base_url() -> None:
    at = on(SETTINGS)
    at.checkbox(key="settings.openai-compatible.enabled").check().run()
    at.text_input(key="settings.openai-compatible.models").set_value("llama3.1").run()
    no_exception(at)
    assert "enter the server's base URL" in texts(at.warning)
    assert at.button(key="settings.openai-compatible.test").disabled
    url = "http://localhost:11434/v1"
    at.text_input(key="settings.openai-compatible.base_url").set_value(url).run()
    assert not at.warning
    assert f"openai-compatible:llama3.1@{url}" in texts(at.sidebar.markdown)


def test_settings_changes_are_in_the_audit_log_but_never_a_key(tmp_path: Path) -> None:
    at = on(SETTINGS)
    assert AuditLog().entries() == []  # opening the page changes nothing
    at = enable_openai(at)  # a key typed, then OpenAI enabled
    at.text_input(key="settings.openai.models").set_value("gpt-4.1, gpt-4.1-mini").run()
    url = "http://ana:pw-in-the-url-42@localhost:11434/v1?api_key=tok-in-the-query-42"
    at.text_input(key="settings.openai-compatible.base_url").set_value(url).run()
    at.number_input(key="settings.budget").set_value(2.5).run()
    at.number_input(key="settings.concurrency").set_value(4).run()
    at.checkbox(key="settings.cache").uncheck().run()
    at.selectbox(key="settings.redact_pii").select("all").run()
    at.text_input(key="settings.openai.key").set_value("").run()  # and cleared again
    no_exception(at)
    entries = AuditLog().entries(action="settings")[::-1]  # oldest first
    assert [(e.target, e.detail) for e in entries] == [
        ("openai.key", "OpenAI API key set (this session only)"),
        ("openai.enabled", "OpenAI judges on the jury: off → on"),
        ("openai.models", "OpenAI model names: 'gpt-4.1' → 'gpt-4.1, gpt-4.1-mini'"),
        (
            "openai-compatible.base_url",
            "OpenAI-compatible server base URL: (empty) → "
            "'http://ana:***@localhost:11434/v1?api_key=***'",
        ),
        ("budget", "cost budget per run (USD): 0 → 2.5"),
        ("concurrency", "parallel requests per provider: 8 → 4"),
        ("cache", "reuse cached replies: on → off"),
        ("redact_pii", "PII redaction: Off: send the text as written → " + MODE_LABELS["all"]),
        ("openai.key", "OpenAI API key cleared (this session only)"),
    ]
    actors = {e.actor for e in entries}  # the session, also from a widget's callback
    assert len(actors) == 1 and actors.pop().startswith("session:")
    # the settings took effect, and the History page shows the entries, with no secret
    assert ls.store({ls.STORE: at.session_state[ls.STORE]})["budget"] == 2.5
    history = at.switch_page("views/history.py").run()
    no_exception(history)
    log = next(d.value for d in history.dataframe if "Actor" in d.value.columns)
    assert list(log["Action"]).count("settings") == len(entries)
    shown = log.to_string() + "".join(e.target + e.detail for e in AuditLog().entries())
    for secret in (TYPED_KEY, TYPED_KEY[-8:], "pw-in-the-url-42", "tok-in-the-query-42"):
        assert secret not in shown
    assert files_holding(tmp_path / "home", TYPED_KEY) == []  # not in history, WAL or cache


# ---------------------------------------------------------------- test connection


def test_connection_succeeds_with_a_typed_key(fake: FakeLLMServer, tmp_path: Path) -> None:
    at = enable_openai(on(SETTINGS))
    assert "Using the key typed here" in everything(at)
    at.button(key="settings.openai.test").click().run()
    no_exception(at)
    assert not at.error
    assert "Connection works: openai:gpt-4.1 answered" in texts(at.success)
    assert fake.requests[-1].headers["authorization"] == f"Bearer {TYPED_KEY}"
    assert TYPED_KEY not in everything(at)  # never echoed back
    assert "openai:gpt-4.1" in texts(at.sidebar.markdown)  # configured
    assert files_holding(tmp_path / "home", TYPED_KEY) == []


def test_connection_to_a_closed_port_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A11Y_JUDGE_OPENAI_BASE_URL", closed_port_url())
    at = enable_openai(on(SETTINGS))
    at.button(key="settings.openai.test").click().run()
    no_exception(at)
    assert len(at.error) == 1
    message = at.error[0].value
    assert "could not be reached" in message and "Traceback" not in message
    assert TYPED_KEY not in message
    assert not at.success


# ---------------------------------------------------------------- evaluate with an LLM judge


def run_demo_with_openai(at: AppTest) -> AppTest:
    at.switch_page(EVALUATE).run()
    at.checkbox(key="evaluate.demo").check().run()
    no_exception(at)
    assert at.multiselect(key="evaluate.judges").value == ["offline", "openai:gpt-4.1"]
    assert not at.button(key="evaluate.run_button").disabled
    at.button(key="evaluate.run_button").click().run()
    no_exception(at)
    return at


def test_evaluate_with_an_openai_judge(fake: FakeLLMServer, tmp_path: Path) -> None:
    at = run_demo_with_openai(enable_openai(on(SETTINGS)))
    assert not at.error
    ranking = at.table[0].value
    assert len(ranking) == 4 and ranking.iloc[0]["Rank"] == 1
    jury = at.table[1].value
    assert list(jury["Judge"]) == ["offline", "openai:gpt-4.1"]
    assert list(jury["Status"]) == ["ok", "ok"]
    assert list(jury["LLM requests"]) == [0, 4]
    assert "LLM usage: 4 requests (0 retries, 0 repairs)" in texts(at.caption)
    assert fake.count("openai") == 4  # one request per plan
    endpoints = at.table[2].value
    assert list(endpoints["Endpoint"]) == [f"openai@127.0.0.1:{fake.port}"]
    assert list(endpoints["Requests"]) == [4]
    assert list(endpoints["Concurrency (set / lowest / final)"]) == ["8 / 8 / 8"]
    # per-judge scores per plan, and the invented quote is flagged in words
    scores = judge_scores_table(at)
    assert list(scores["Judge"]) == ["offline", "openai:gpt-4.1"]
    assert "⚠ not found in the plan" in texts(at.markdown)
    run = HistoryStore().get_run(HistoryStore().list_runs()[0].run_id)
    assert run.status == "ok" and [j.id for j in run.judges] == ["offline", "openai:gpt-4.1"]
    # the typed key is in no file the run wrote (history, cache)
    home = tmp_path / "home"
    assert (home / "history.sqlite").exists() and (home / "cache").exists()
    assert files_holding(home, TYPED_KEY) == []
    # back on Settings, the session still holds the settings (never the key on screen)
    at.switch_page(SETTINGS).run()
    assert at.checkbox(key="settings.openai.enabled").value
    assert "Using the key typed here" in everything(at)


def test_evaluate_without_a_key_shows_one_error_and_keeps_running(fake: FakeLLMServer) -> None:
    at = enable_openai(on(SETTINGS), key=None)
    assert "(no API key yet)" in texts(at.sidebar.markdown)
    at.switch_page(EVALUATE).run()
    at.checkbox(key="evaluate.demo").check().run()
    no_exception(at)
    assert len(at.error) == 1 and "no API key for openai" in at.error[0].value
    assert at.button(key="evaluate.run_button").disabled
    at.multiselect(key="evaluate.judges").set_value(["offline"]).run()
    assert not at.error and not at.button(key="evaluate.run_button").disabled
    assert fake.count() == 0


def test_evaluate_with_a_failing_provider_is_partial(fake: FakeLLMServer) -> None:
    fake.responder = lambda request: Status(503, message="overloaded")
    at = enable_openai(on(SETTINGS))
    at.number_input(key="settings.retries").set_value(1).run()
    at = run_demo_with_openai(at)
    warning = texts(at.warning)
    assert "partial" in warning
    assert "openai:gpt-4.1 failed 4 of 4 plans" in warning and "HTTP 503" in warning
    assert at.table[0].value.iloc[0]["Plan"] == "northwind-phased-roadmap"  # offline still ranks
    jury = at.table[1].value
    assert list(jury["Status"]) == ["ok", "failed"] and list(jury["Failures"]) == [0, 4]
    endpoints = at.table[2].value  # two attempts per plan, all 503
    assert (endpoints["Requests"].iloc[0], endpoints["Errors"].iloc[0]) == (8, 8)
    assert "failed" in set(judge_scores_table(at).iloc[1])  # the per-judge scores say so
    assert HistoryStore().list_runs()[0].status == "partial"
