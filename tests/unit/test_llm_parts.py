"""The LLM judges' parts on their own: reply parsing, quotes, prompts, resilience, keys, prices,
the reply cache and the history migration that added LLM usage columns."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from a11y_judge.cache import JudgeCache, cache_key
from a11y_judge.credentials import (
    base_url,
    find_key,
    lookup,
    read_dotenv,
    redact,
    require_key,
)
from a11y_judge.engine import evaluate
from a11y_judge.errors import JudgeConfigError
from a11y_judge.history.migrations import MIGRATIONS, migrate
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import read_audit, read_plan
from a11y_judge.judges.offline import OfflineJudge
from a11y_judge.judges.prompt import (
    ContextBudgetError,
    build_prompt,
    condense_plan,
    estimate_tokens,
    prompt_version,
    templates,
)
from a11y_judge.judges.reply import InvalidReplyError, parse_reply, quote_in, reply_schema
from a11y_judge.models import AuditReport, Plan, Rubric
from a11y_judge.prices import ModelInfo, default_context_tokens, model_info
from a11y_judge.rubric import load_rubric

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="module")
def audit() -> AuditReport:
    return read_audit(DEMO / "northwind-audit.md")


@pytest.fixture(scope="module")
def roadmap() -> Plan:
    return read_plan(DEMO / "plans" / "northwind-phased-roadmap.md")


def reply_doc(rubric: Rubric, score: Any = 7, **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "criteria": {
            c.id: {
                "score": score,
                "rationale": f"why {c.id}",
                "evidence": [{"quote": "Native button", "finding_id": "NW-01"}],
                "confidence": 0.75,
            }
            for c in rubric.criteria
        },
        "covered_findings": ["NW-01"],
        "summary": "fine",
    }
    doc.update(overrides)
    return doc


def problems(text: str, rubric: Rubric) -> list[str]:
    with pytest.raises(InvalidReplyError) as info:
        parse_reply(text, rubric)
    assert str(info.value) == "; ".join(info.value.problems)
    return info.value.problems


# --------------------------------------------------------------------------------------------
# reply.parse_reply and reply_schema
# --------------------------------------------------------------------------------------------


def test_parse_reply_accepts_plain_and_fenced_json(rubric: Rubric) -> None:
    text = json.dumps(reply_doc(rubric, 7.5))
    for wrapped in (text, f"```json\n{text}\n```", f"```\n{text}\n```", f"  \n```json {text}```  "):
        reply = parse_reply(wrapped, rubric)
        assert {c: r.score for c, r in reply.criteria.items()} == dict.fromkeys(
            (c.id for c in rubric.criteria), 7.5
        )
        assert reply.covered_findings == ["NW-01"]
        assert reply.criteria["comprehensiveness"].evidence[0].finding_id == "NW-01"


@pytest.mark.parametrize(
    ("score", "problem"),
    [
        ("7", "score: Input should be a valid number"),
        (True, "score: Input should be a valid number"),
        (11, "score: Input should be less than or equal to 10"),
        (-0.5, "score: Input should be greater than or equal to 0"),
        (None, "score: Input should be a valid number"),
    ],
)
def test_parse_reply_is_strict_about_scores(rubric: Rubric, score: Any, problem: str) -> None:
    found = problems(json.dumps(reply_doc(rubric, score)), rubric)
    assert len(found) == len(rubric.criteria)
    assert all(p.startswith("criteria.") and p.endswith(problem) for p in found)


def test_parse_reply_rejects_nan_and_integers_are_fine(rubric: Rubric) -> None:
    assert problems(json.dumps(reply_doc(rubric, float("nan"))), rubric)
    assert parse_reply(json.dumps(reply_doc(rubric, 10)), rubric).criteria[
        "long_term_vision"
    ].score == pytest.approx(10.0)
    assert parse_reply(json.dumps(reply_doc(rubric, 0)), rubric)


def test_parse_reply_missing_extra_and_malformed(rubric: Rubric) -> None:
    doc = reply_doc(rubric)
    del doc["criteria"]["long_term_vision"]
    assert problems(json.dumps(doc), rubric) == ["criteria.long_term_vision: missing"]
    doc = reply_doc(rubric)
    doc["criteria"]["accessibility_vibes"] = doc["criteria"]["comprehensiveness"]
    assert problems(json.dumps(doc), rubric) == [
        "criteria.accessibility_vibes: not a rubric criterion"
    ]
    doc = reply_doc(rubric)
    doc["criteria"]["comprehensiveness"]["verdict"] = "great"
    assert problems(json.dumps(doc), rubric) == [
        "criteria.comprehensiveness.verdict: Extra inputs are not permitted"
    ]
    doc = reply_doc(rubric)
    del doc["summary"]
    assert problems(json.dumps(doc), rubric) == ["summary: Field required"]
    doc = reply_doc(rubric)
    doc["criteria"]["comprehensiveness"]["evidence"] = [{"quote": "", "finding_id": ""}]
    assert problems(json.dumps(doc), rubric)[0].startswith("criteria.comprehensiveness.evidence")
    doc = reply_doc(rubric)
    doc["criteria"]["comprehensiveness"]["confidence"] = 1.5
    assert problems(json.dumps(doc), rubric) == [
        "criteria.comprehensiveness.confidence: Input should be less than or equal to 1"
    ]
    assert problems("", rubric) == ["the reply is empty"]
    assert problems("```json\n```", rubric) == ["the reply is empty"]
    assert problems('{"criteria": {', rubric)[0].startswith("not valid JSON")
    assert problems("[1, 2]", rubric)[0].startswith("reply: ")
    many = reply_doc(rubric, "x")
    for crit in many["criteria"].values():
        crit["confidence"] = "y"
        crit["rationale"] = ""
    assert len(problems(json.dumps(many), rubric)) == 8  # capped


def test_reply_schema_is_strict_mode_compatible(rubric: Rubric) -> None:
    schema = reply_schema(rubric)
    assert schema["properties"]["criteria"]["required"] == [c.id for c in rubric.criteria]
    objects = 0

    def walk(node: Any) -> None:
        nonlocal objects
        if isinstance(node, dict):
            if node.get("type") == "object":
                objects += 1
                assert node["additionalProperties"] is False
                assert set(node["required"]) == set(node["properties"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    # the reply, its criteria, and per criterion: the criterion and its evidence item
    assert objects == 2 + 2 * len(rubric.criteria)
    # A valid reply to the schema parses.
    assert parse_reply(json.dumps(reply_doc(rubric)), rubric).summary == "fine"


# --------------------------------------------------------------------------------------------
# reply.quote_in
# --------------------------------------------------------------------------------------------

PLAN = (
    "## Phase 1\n\n**Users are blocked.** A keyboard or “screen reader” user can’t complete an "
    'order — ever.\n\n| NW-01 | 2.1.1 | Native `<button>` for "Place order" |\n\n'
    "Contrast goes\nto 4.5:1 on\u00a0all sale prices."
)


@pytest.mark.parametrize(
    "quote",
    [
        "Users are blocked. A keyboard",
        '"screen reader" user can\'t complete an order - ever',
        "“screen reader” user can’t",
        "users are BLOCKED.",
        "NW-01 | 2.1.1 | Native <button> for",
        "Native `<button>` for “Place order”",
        "Users are blocked … complete an order",
        "Users are blocked...complete an order",
        "... Contrast goes to 4.5:1 on all sale prices ...",
        "  contrast   goes to 4.5:1  ",
    ],
)
def test_quote_in_tolerates_quotes_markdown_case_space_and_ellipses(quote: str) -> None:
    from a11y_judge.judges.reply import normalize

    assert quote_in(quote, normalize(PLAN))


@pytest.mark.parametrize(
    "quote",
    [
        "Users are blocked … complete a refund",  # one part of the ellipsis is not there
        "an accessibility overlay",
        "...",
        " … ",
        "",
        "screen-reader users",
    ],
)
def test_quote_in_rejects_what_is_not_in_the_plan(quote: str) -> None:
    from a11y_judge.judges.reply import normalize

    assert not quote_in(quote, normalize(PLAN))


# --------------------------------------------------------------------------------------------
# prompt.build_prompt
# --------------------------------------------------------------------------------------------


def test_prompt_fits_untouched_when_the_budget_allows(
    audit: AuditReport, roadmap: Plan, rubric: Rubric
) -> None:
    prompt = build_prompt(audit, roadmap, rubric, 1_000_000)
    assert prompt.notes == []
    assert prompt.system == templates().system
    assert prompt.version == prompt_version() and re.fullmatch(r"[0-9a-f]{12}", prompt.version)
    assert roadmap.text.strip() in prompt.user
    assert "omitted" not in prompt.user
    for f in audit.findings:
        assert f"[{f.id}]" in prompt.user
    assert prompt.tokens == estimate_tokens(prompt.system) + estimate_tokens(prompt.user)


def test_audit_is_condensed_first(audit: AuditReport, roadmap: Plan, rubric: Rubric) -> None:
    full = build_prompt(audit, roadmap, rubric, 1_000_000)
    prompt = build_prompt(audit, roadmap, rubric, full.tokens - 1)
    assert len(prompt.notes) == 1
    assert prompt.notes[0].startswith("audit condensed to one line per finding (all 15 kept)")
    assert roadmap.text.strip() in prompt.user  # the plan is still whole
    assert prompt.tokens <= full.tokens - 1
    for f in audit.findings:
        assert f"[{f.id}]" in prompt.user


@pytest.mark.parametrize("budget", [5000, 4000, 3000, 2500])
def test_small_budget_condenses_the_plan_visibly(
    audit: AuditReport, roadmap: Plan, rubric: Rubric, budget: int
) -> None:
    prompt = build_prompt(audit, roadmap, rubric, budget)
    assert prompt.tokens <= budget
    assert len(prompt.notes) == 2
    assert prompt.notes[0].startswith("audit condensed")
    said = re.match(r"plan condensed: ([\d,]+) of ([\d,]+) words kept", prompt.notes[1])
    assert said is not None
    kept, total = (int(x.replace(",", "")) for x in said.groups())
    assert 0 < kept < total == len(roadmap.text.split())
    markers = re.findall(r"\[… ([\d,]+) words omitted …\]", prompt.user)
    assert markers
    assert kept + sum(int(m.replace(",", "")) for m in markers) == total
    assert "Condensed to fit the judge's context" in prompt.user
    for f in audit.findings:
        assert f"[{f.id}]" in prompt.user
    assert prompt.user.splitlines()[0] == f"# Rubric: {rubric.name}"


def test_condense_plan_keeps_headings_and_finding_passages_first(audit: AuditReport) -> None:
    text = "\n\n".join(
        [
            "# Plan title",
            "Some general words about our commitment to inclusion " * 3,
            "NW-01: replace the div with a native button element in checkout.",
            "More filler that names nothing in particular at all " * 3,
        ]
    )
    condensed, total, kept = condense_plan(text, audit, 40)
    assert total == len(text.split())
    assert "# Plan title" in condensed and "NW-01: replace the div" in condensed
    assert "commitment to inclusion" not in condensed
    assert condensed.count("words omitted") == 2
    assert kept == len("# Plan title".split()) + len(text.split("\n\n")[2].split())


def test_impossible_budget_is_a_context_budget_error(
    audit: AuditReport, roadmap: Plan, rubric: Rubric
) -> None:
    with pytest.raises(ContextBudgetError, match="does not fit") as info:
        build_prompt(audit, roadmap, rubric, 1000)
    assert "northwind-phased-roadmap" in str(info.value)
    assert "--context-tokens" in str(info.value)


# --------------------------------------------------------------------------------------------
# credentials
# --------------------------------------------------------------------------------------------


def test_read_dotenv_quoting_comments_and_export(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# provider keys\n"
        "export OPENAI_API_KEY=sk-plain\n"
        'GEMINI_API_KEY="two words"\n'
        "SINGLE='has # inside'\n"
        "INLINE=value # trailing comment\n"
        "HASH=a#b\n"
        "EMPTY=\n"
        "EQUALS=a=b=c\n"
        "  SPACED  =  padded  \n"
        "#COMMENTED=1\n"
        "not a line\n",
        encoding="utf-8",
    )
    assert read_dotenv(env) == {
        "OPENAI_API_KEY": "sk-plain",
        "GEMINI_API_KEY": "two words",
        "SINGLE": "has # inside",
        "INLINE": "value",
        "HASH": "a#b",
        "EMPTY": "",
        "EQUALS": "a=b=c",
        "SPACED": "padded",
    }
    assert read_dotenv(tmp_path / "missing.env") == {}
    (tmp_path / "binary.env").write_bytes(b"\xff\xfe\x00bad")
    assert read_dotenv(tmp_path / "binary.env") == {}


def test_read_dotenv_quoted_value_with_trailing_comment(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text('OPENAI_API_KEY="sk-quoted"  # work account\n', encoding="utf-8")
    assert read_dotenv(env) == {"OPENAI_API_KEY": "sk-quoted"}


@pytest.fixture
def clean_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No key variables in the environment; the working directory is an empty folder."""
    for var in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_COMPATIBLE_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("A11Y_JUDGE_OPENAI_BASE_URL", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_find_key_precedence_session_env_secrets_dotenv(
    clean_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert find_key("openai") is None
    (clean_keys / ".env").write_text("OPENAI_API_KEY=from-dotenv\n", encoding="utf-8")
    assert find_key("openai") == "from-dotenv"
    secrets = {"OPENAI_API_KEY": "from-secrets"}
    assert find_key("openai", secrets=secrets) == "from-secrets"
    monkeypatch.setenv("OPENAI_API_KEY", " from-env ")
    assert find_key("openai", secrets=secrets) == "from-env"
    assert find_key("openai", {"openai": " typed "}, secrets) == "typed"
    assert find_key("openai", {"openai": "   "}, secrets) == "from-env"
    assert find_key("openai", {"gemini": "other"}, secrets) == "from-env"


def test_dotenv_in_the_working_directory_beats_the_home_one(
    clean_keys: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "state"
    home.mkdir()
    monkeypatch.setenv("A11Y_JUDGE_HOME", str(home))
    (home / ".env").write_text("GOOGLE_API_KEY=home-google\n", encoding="utf-8")
    assert find_key("gemini") == "home-google"  # the second variable is a fallback
    (clean_keys / ".env").write_text("GOOGLE_API_KEY=cwd-google\n", encoding="utf-8")
    assert find_key("gemini") == "cwd-google"
    monkeypatch.setenv("GEMINI_API_KEY", "env-gemini")
    assert find_key("gemini") == "env-gemini"  # GEMINI_API_KEY first


def test_require_key_names_the_variables(clean_keys: Path) -> None:
    with pytest.raises(JudgeConfigError, match="no API key for openai") as info:
        require_key("openai")
    assert "OPENAI_API_KEY" in str(info.value) and "offline" in str(info.value)
    with pytest.raises(JudgeConfigError, match="GEMINI_API_KEY or GOOGLE_API_KEY"):
        require_key("gemini")
    assert require_key("openai-compatible") is None  # local servers need no key
    assert require_key("openai", {"openai": "typed"}) == "typed"


def test_base_url_and_lookup(clean_keys: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert base_url("openai") is None
    assert base_url("openai-compatible") is None
    (clean_keys / ".env").write_text(
        "A11Y_JUDGE_OPENAI_BASE_URL=http://dotenv/v1\n", encoding="utf-8"
    )
    assert base_url("openai") == "http://dotenv/v1"
    monkeypatch.setenv("A11Y_JUDGE_OPENAI_BASE_URL", "http://env/v1")
    assert base_url("openai") == "http://env/v1"
    assert base_url("openai", {"openai": "http://typed/v1"}) == "http://typed/v1"
    assert lookup("NOT_SET_ANYWHERE") is None
    assert lookup("A11Y_TEST_UNSET_VAR", {"A11Y_TEST_UNSET_VAR": "  "}) is None


def test_redact_removes_keys_and_their_tails() -> None:
    key = "sk-test-SECRET-4f8a9c2e7b"
    text = f"Bearer {key} failed; key ending {key[-8:]} rejected"
    assert redact(text, [key]) == "Bearer *** failed; key ending *** rejected"
    assert redact(text, [None, "", "ab"]) == text  # nothing (or too short) to hide
    short = "abcd1234"  # shorter than 16: no tail replacement
    assert redact("abcd1234 and 1234", [short]) == "*** and 1234"
    assert redact("a KEY1 b KEY2", ["KEY1", "KEY2"]) == "a *** b ***"


# --------------------------------------------------------------------------------------------
# prices
# --------------------------------------------------------------------------------------------


def test_model_info_matches_exact_names_and_dated_prefixes() -> None:
    gpt41 = model_info("gpt-4.1")
    assert gpt41 == ModelInfo(input=2.0, output=8.0, context=1047576)
    assert model_info("gpt-4.1-2025-04-14") == gpt41
    assert model_info("GPT-4.1") == gpt41
    mini = model_info("gpt-4.1-mini")
    assert mini is not None and mini != gpt41 and mini.input == 0.40
    assert model_info("gpt-4.1-mini-2025-04-14") == mini  # the longest prefix wins
    assert model_info("gpt-4.10") is None  # a prefix only counts at a '-' or '@'
    assert model_info("gpt-4.1x") is None
    assert model_info("llama3.1") is None
    gem = model_info("models/gemini-2.5-pro")
    assert gem is not None and (gem.input, gem.output) == (1.25, 10.0)
    flash_lite = model_info("gemini-2.5-flash-lite")
    assert flash_lite is not None and flash_lite.input == 0.10
    gpt5 = model_info("gpt-5")
    assert gpt5 is not None and gpt5.fixed_temperature
    assert gpt41 is not None and not gpt41.fixed_temperature
    assert gpt41.cost(1_000_000, 500_000) == pytest.approx(2.0 + 4.0)
    assert default_context_tokens() == 32768


# --------------------------------------------------------------------------------------------
# The reply cache
# --------------------------------------------------------------------------------------------


def test_cache_key_is_stable_and_covers_every_part() -> None:
    base = {"audit": "a", "plan": "p", "params": {"temperature": 0, "sample": 0}}
    key = cache_key(**base)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert cache_key(params={"sample": 0, "temperature": 0}, plan="p", audit="a") == key
    assert cache_key(**{**base, "plan": "q"}) != key
    assert cache_key(**{**base, "params": {"temperature": 0, "sample": 1}}) != key


def test_cache_stores_only_cacheable_values_and_counts(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "c")
    try:
        calls = 0

        def compute(status: str) -> dict[str, Any]:
            nonlocal calls
            calls += 1
            return {"status": status, "n": calls}

        def ok(d: Any) -> bool:
            return bool(d.get("status") == "ok")

        assert cache.get_or_compute("k1", lambda: compute("failed"), ok) == (
            {"status": "failed", "n": 1},
            False,
        )
        assert cache.get_or_compute("k1", lambda: compute("ok"), ok) == (
            {"status": "ok", "n": 2},
            False,
        )
        assert cache.get_or_compute("k1", lambda: compute("ok"), ok) == (
            {"status": "ok", "n": 2},
            True,
        )
        assert calls == 2
        stats = cache.stats()
        assert (stats.entries, stats.hits, stats.misses) == (1, 1, 2)
        assert cache.clear() == 1
        assert cache.stats().entries == 0
    finally:
        cache.close()


def _two_callers(cache: JudgeCache, key: str, fail: bool) -> tuple[list[Any], int]:
    """Two threads ask for the same key while the first one's computation is still running."""
    started = threading.Event()
    release = threading.Event()
    calls = 0
    results: list[Any] = []

    def slow() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        started.set()
        release.wait(5)
        if fail:
            raise RuntimeError("provider exploded")
        return {"status": "ok"}

    def ask() -> None:
        try:
            results.append(cache.get_or_compute(key, slow, bool))
        except RuntimeError as exc:
            results.append(exc)

    t1 = threading.Thread(target=ask)
    t1.start()
    assert started.wait(5)
    t2 = threading.Thread(target=ask)
    t2.start()
    time.sleep(0.1)  # t2 is now waiting on t1's computation
    release.set()
    t1.join(5)
    t2.join(5)
    return results, calls


def test_cache_single_flight_shares_results_and_errors(tmp_path: Path) -> None:
    cache = JudgeCache(tmp_path / "c")
    try:
        results, calls = _two_callers(cache, "good", fail=False)
        assert calls == 1
        assert sorted(results, key=lambda r: r[1]) == [
            ({"status": "ok"}, False),
            ({"status": "ok"}, True),
        ]
        results, calls = _two_callers(cache, "bad", fail=True)
        assert calls == 1
        assert len(results) == 2 and all(isinstance(r, RuntimeError) for r in results)
        assert cache.stats().entries == 1  # the failure was not stored
    finally:
        cache.close()


# --------------------------------------------------------------------------------------------
# History: migrating a database created before the LLM usage columns
# --------------------------------------------------------------------------------------------

NEW_JUDGMENT_FIELDS = (
    "provider",
    "model",
    "prompt_version",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "calls",
    "retries",
    "cache_hit",
    "samples",
    "notes",
)


def test_m002_migrates_a_database_that_already_holds_a_run(
    tmp_path: Path, audit: AuditReport, roadmap: Plan, rubric: Rubric
) -> None:
    run = evaluate(audit, [roadmap], [OfflineJudge()], rubric)
    old = run.model_dump(mode="json", exclude={"audit": {"text"}, "plans": {"__all__": {"text"}}})
    del old["stats"]
    for j in old["judgments"]:
        for name in NEW_JUDGMENT_FIELDS:
            j.pop(name, None)
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        name, first = MIGRATIONS[0]
        assert name == "m001_initial"
        with db:
            first(db)
            db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))
        with db:
            for doc, kind in ((audit, "audit"), (roadmap, "plan")):
                db.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        doc.content_hash,
                        kind,
                        doc.source_format,
                        doc.filename,
                        doc.text,
                        doc.model_dump_json(exclude={"text"}),
                    ),
                )
            winner = run.results[0]
            db.execute(
                "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    "old-run",
                    "2025-01-02T03:04:05+00:00",
                    run.status,
                    audit.name,
                    audit.content_hash,
                    len(audit.findings),
                    1,
                    json.dumps(["offline"]),
                    rubric.version,
                    rubric.model_dump_json(),
                    winner.name,
                    winner.score,
                    12.5,
                    None,
                    json.dumps({**old, "run_id": "old-run"}),
                ),
            )
            db.execute(
                "INSERT INTO run_documents VALUES ('old-run', ?, 'audit', ?, 0)",
                (audit.content_hash, audit.name),
            )
            db.execute(
                "INSERT INTO run_documents VALUES ('old-run', ?, 'plan', ?, 0)",
                (roadmap.content_hash, roadmap.name),
            )
            db.execute(
                "INSERT INTO results VALUES ('old-run', ?, 1, ?, 0.5, 1, 1)",
                (winner.name, winner.score),
            )
            db.execute(
                "INSERT INTO judgments (run_id, judge_id, plan_name, status, latency_ms, error,"
                " body_json) VALUES ('old-run', 'offline', ?, 'ok', 3.0, NULL, ?)",
                (roadmap.name, json.dumps(old["judgments"][0])),
            )
    finally:
        db.close()

    store = HistoryStore(path)  # applies m002
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        assert [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name")] == [
            n for n, _ in MIGRATIONS
        ]
        row = db.execute("SELECT * FROM judgments WHERE run_id = 'old-run'").fetchone()
        assert (row["provider"], row["model"], row["prompt_version"]) == ("", None, None)
        assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (0, 0, None)
        assert (row["calls"], row["retries"], row["cache_hit"], row["samples"]) == (0, 0, 0, 1)
        assert (row["status"], row["latency_ms"]) == ("ok", 3.0)  # old values untouched
        totals = db.execute(
            "SELECT llm_calls, cache_hits, cache_misses, input_tokens, output_tokens, cost_usd,"
            " winner FROM runs WHERE run_id = 'old-run'"
        ).fetchone()
        assert tuple(totals) == (0, 0, 0, 0, 0, 0.0, winner.name)
        # m005: each judge's scores filled in from the stored judgments
        scores = {
            r["criterion"]: r["score"]
            for r in db.execute("SELECT * FROM judge_scores WHERE run_id = 'old-run'")
        }
        assert scores == {c: s["score"] for c, s in old["judgments"][0]["scores"].items()}
        assert db.execute("SELECT provisional FROM results").fetchone()[0] == 0
        assert tuple(db.execute("SELECT n_escalated, alpha FROM runs").fetchone()) == (0, None)
        # m007: the run's wall time and judgments in run_metrics (never sampled: no CPU)
        metrics = db.execute("SELECT wall_s, judgments, cpu_pct_mean FROM run_metrics").fetchone()
        duration = db.execute("SELECT duration_ms FROM runs").fetchone()[0]
        assert tuple(metrics) == (duration / 1000, 1, None)
        # m008: the document moved out of the runs table
        columns = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
        assert "document_json" not in columns
        assert db.execute("SELECT COUNT(*) FROM run_bodies").fetchone()[0] == 1
        assert migrate(db) == []  # nothing left to apply
    finally:
        db.close()

    [summary] = store.list_runs()
    assert (summary.run_id, summary.plans, summary.judges) == (
        "old-run",
        [roadmap.name],
        ["offline"],
    )
    reopened = store.get_run("old-run")
    assert reopened.stats.calls == 0 and reopened.stats.cost_usd == 0.0
    assert reopened.judgments[0].provider == "" and reopened.judgments[0].samples == 1
    assert reopened.plans[0].text == roadmap.text
    assert reopened.results[0].score == winner.score
    assert reopened.conflicts == [] and reopened.agreement.overall.alpha is None
    # A new run can be stored next to the old one, with its usage.
    store.save_run(run)
    assert store.count_runs() == 2
    assert HistoryStore(path).count_runs() == 2  # reopening migrates nothing and loses nothing


def test_a_plain_http_endpoint_loads_no_ca_store_and_fails_closed_on_tls(tmp_path: Path) -> None:
    """Local servers (Ollama, vLLM) speak plain http: their client skips loading the CA store
    (~25–70 ms) and, should anything ever make it speak TLS, trusts no certificate at all."""
    import shutil
    import socket
    import ssl
    import subprocess

    from a11y_judge.judges.openai_chat import _tls_for

    https = _tls_for("https://api.openai.com/v1")
    assert https.cert_store_stats()["x509_ca"] > 0 and https.verify_mode == ssl.CERT_REQUIRED
    plain = _tls_for("http://127.0.0.1:11434/v1")
    assert plain.cert_store_stats()["x509_ca"] == 0
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate for the handshake")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def accept() -> None:
            conn, _ = listener.accept()
            with conn, contextlib.suppress(ssl.SSLError, OSError):
                server.wrap_socket(conn, server_side=True).close()

        thread = threading.Thread(target=accept)
        thread.start()
        with (
            socket.create_connection(("127.0.0.1", port)) as raw,
            pytest.raises(ssl.SSLCertVerificationError),
        ):
            plain.wrap_socket(raw, server_hostname="127.0.0.1")
        thread.join(timeout=5)
