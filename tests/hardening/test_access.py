"""Demo-deployment access: the password gate (plain from the environment, hashed from a file,
constant-time, back-off after failed attempts), the per-session quota, the run cost cap and
read-only mode, through the real app (Streamlit AppTest) and the package."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from a11y_judge.access import (
    FREE_ATTEMPTS,
    AccessConfig,
    LoginThrottle,
    TokenBucket,
    hash_password,
    load_access,
)
from a11y_judge.cli import main
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.audit import AuditLog
from a11y_judge.history.store import HistoryStore

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "app"))
from apptest import MAIN, no_exception, texts  # noqa: E402

pytestmark = pytest.mark.timeout(180)


def app(secrets: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    return at.run()


def sign_in(at: AppTest, password: str) -> AppTest:
    at.text_input(key="access.password").input(password)
    return at.button[0].click().run()


# ------------------------------------------------------------------ the rules themselves


def test_a_hash_verifies_its_password_only_and_is_salted() -> None:
    one, two = hash_password("correct horse", iterations=1000), hash_password("correct horse")
    assert one != two and one.startswith("pbkdf2_sha256$1000$")
    settings = AccessConfig(password_hash=one)
    assert settings.gated and settings.check("correct horse")
    assert not settings.check("correct horse ") and not settings.check("")
    assert not AccessConfig(password_hash="not-a-hash").check("anything")
    with pytest.raises(A11yJudgeError, match="empty password"):
        hash_password("")


def test_failed_attempts_back_off_exponentially() -> None:
    throttle = LoginThrottle()
    for _ in range(FREE_ATTEMPTS - 1):
        throttle.failed(now=100.0)
        assert throttle.wait(now=100.0) == 0
    waits = []
    for _ in range(4):
        throttle.failed(now=100.0)
        waits.append(throttle.wait(now=100.0))
    assert waits == [2.0, 4.0, 8.0, 16.0]
    throttle.succeeded()
    assert throttle.wait(now=100.0) == 0


def test_the_quota_bucket_refills_over_the_hour() -> None:
    bucket = TokenBucket(10, tokens=10, updated=0.0)
    assert bucket.take(8, now=0.0) == 0
    assert bucket.take(4, now=0.0) == pytest.approx(2 * 360.0)  # 2 short, 1 token per 6 min
    assert bucket.take(4, now=720.0) == 0
    assert bucket.take(11, now=720.0) == float("inf")
    assert TokenBucket(0).take(10**6) == 0  # 0 turns the quota off


def test_settings_come_from_the_environment_then_secrets() -> None:
    env = {"A11Y_JUDGE_MAX_RUN_USD": "0.5", "A11Y_JUDGE_READ_ONLY": "yes"}
    stored = hash_password("pw", iterations=1000)
    cfg = load_access(env, {"password_hash": stored, "session_quota": 7})
    assert cfg.read_only and cfg.password_hash == stored and cfg.session_quota == 7
    assert cfg.check("pw") and not cfg.check("PW")
    assert cfg.run_budget(None) == 0.5 and cfg.run_budget(2.0) == 0.5
    assert cfg.run_budget(0.1) == 0.1
    assert load_access({}, {}).run_budget(3.0) == 3.0
    with pytest.raises(A11yJudgeError, match="A11Y_JUDGE_SESSION_QUOTA='lots' is not a number"):
        load_access({"A11Y_JUDGE_SESSION_QUOTA": "lots"})
    assert "password" not in repr(AccessConfig(password="hunter2"))  # never in a log line


def test_a_password_from_a_file_must_be_a_hash() -> None:
    for name in ("password", "A11Y_JUDGE_PASSWORD"):  # the short name and the variable's own
        for env in ({}, {"A11Y_JUDGE_PASSWORD": "from-env"}):  # refused even beside the env's
            with pytest.raises(A11yJudgeError) as refused:
                load_access(env, {name: "hunter2"})
            message = str(refused.value)
            assert f".streamlit/secrets.toml holds a plain password ({name})" in message
            assert "Run `a11y-judge password-hash`" in message and "password_hash = " in message
            assert "hunter2" not in message
    # the environment may hold the password itself; a file only its hash
    assert load_access({"A11Y_JUDGE_PASSWORD": "from-env"}, {}).check("from-env")
    stored = hash_password("pw", iterations=1000)
    assert load_access({}, {"A11Y_JUDGE_PASSWORD_HASH": stored}).check("pw")
    assert load_access({"A11Y_JUDGE_PASSWORD_HASH": f" {stored}\n"}, {}).check("pw")


def test_a_hash_that_is_not_one_is_refused_not_a_gate_nobody_passes() -> None:
    salt_and_digest = hash_password("pw", iterations=1000).split("$", 2)[2]
    for bad in (
        "hunter2",  # a plain password where the hash belongs
        "pbkdf2_sha256$many$" + salt_and_digest,
        "pbkdf2_sha256$0$" + salt_and_digest,
        "md5$1000$" + salt_and_digest,
        "pbkdf2_sha256$1000$not base64!$AAAA",
    ):
        with pytest.raises(A11yJudgeError) as in_secrets:
            load_access({}, {"password_hash": bad})
        assert str(in_secrets.value).startswith(
            "password_hash in .streamlit/secrets.toml is not a password hash made by "
            "`a11y-judge password-hash`"
        )
        with pytest.raises(A11yJudgeError, match=r"^A11Y_JUDGE_PASSWORD_HASH is not a password"):
            load_access({"A11Y_JUDGE_PASSWORD_HASH": bad}, {})


def test_the_password_hash_command_makes_what_the_gate_accepts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse\n"))
    assert main(["password-hash", "--stdin"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("pbkdf2_sha256$600000$") and "correct horse" not in printed
    cfg = load_access({}, {"password_hash": printed})
    assert cfg.check("correct horse") and not cfg.check("correct horse\n")


# ------------------------------------------------------------------ the gate in the app


def test_a_plain_password_in_secrets_shows_the_fix_and_keeps_the_app_locked() -> None:
    at = app({"password": "s3cret-demo"})
    no_exception(at)
    assert len(at.error) == 1
    shown = at.error[0].value
    assert "holds a plain password (password)" in shown and "`a11y-judge password-hash`" in shown
    assert "s3cret-demo" not in shown
    for page in ("views/evaluate.py", "views/history.py", "views/settings.py"):
        at.switch_page(page).run()
        no_exception(at)
        assert "holds a plain password" in texts(at.error)
        assert not at.button and not at.text_input  # no page, not even a sign-in form
    assert AuditLog().entries() == []


def test_without_the_password_a_visitor_sees_only_the_sign_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("A11Y_JUDGE_PASSWORD", "s3cret-demo")
    at = app()
    no_exception(at)
    assert "Sign in" in texts(at.header)
    assert all(b.key != "evaluate.run_button" for b in at.button)  # no page behind the gate
    at = sign_in(at, "wrong")
    assert "Wrong password." in texts(at.error)
    assert all(b.key != "evaluate.run_button" for b in at.button)
    at = sign_in(at, "s3cret-demo")
    no_exception(at)
    assert any(b.key == "evaluate.run_button" for b in at.button)
    actions = [e.action for e in AuditLog().entries()]
    assert actions == ["login", "failed login"]  # newest first


def test_repeated_failures_lock_the_session_out_even_for_the_right_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored = hash_password("demo-pass", iterations=1000)
    at = app({"password_hash": stored})  # the hashed form, as in .streamlit/secrets.toml
    for _ in range(FREE_ATTEMPTS):
        at = sign_in(at, "guess")
    assert "Wait 2 s before the next attempt." in texts(at.error)
    at = sign_in(at, "demo-pass")  # right, but inside the back-off: not even checked
    assert "Too many failed attempts" in texts(at.error)
    assert all(b.key != "evaluate.run_button" for b in at.button)
    assert len(AuditLog().entries(action="failed login")) == FREE_ATTEMPTS


# ------------------------------------------------------------------ quota and read-only


def run_demo(at: AppTest) -> AppTest:
    at.checkbox(key="evaluate.demo").check().run()
    return at.button(key="evaluate.run_button").click().run()


def test_the_session_quota_stops_runs_beyond_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A11Y_JUDGE_SESSION_QUOTA", "3")
    at = run_demo(app())  # the demo is 4 plans x 1 judge = 4 judgments
    no_exception(at)
    assert "more than this deployment allows a session per hour (3)" in texts(at.error)
    assert HistoryStore().count_runs() == 0
    monkeypatch.setenv("A11Y_JUDGE_SESSION_QUOTA", "6")
    at = run_demo(app())
    assert HistoryStore().count_runs() == 1 and not at.error
    at.button(key="evaluate.run_button").click().run()
    assert "quota of 6 judgments per hour is used up: 4 more are available in" in texts(at.error)
    assert HistoryStore().count_runs() == 1


def test_read_only_mode_browses_history_but_starts_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("A11Y_JUDGE_READ_ONLY", "1")
    at = app()
    at.checkbox(key="evaluate.demo").check().run()
    no_exception(at)
    assert at.button(key="evaluate.run_button").disabled
    assert "This deployment is read-only: running an evaluation is turned off" in texts(at.info)
    for page, key in (("views/batch.py", "batch.start"), ("views/experiments.py", "ab.run")):
        other = at.switch_page(page).run()
        no_exception(other)
        buttons = [b for b in other.button if b.key == key]
        assert buttons and all(b.disabled for b in buttons)
        assert "This deployment is read-only" in texts(other.info)
