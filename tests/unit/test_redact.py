"""PII redaction: labelled set, placeholders, restoring quotes, masks, endpoints, the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from a11y_judge.ingest import read_audit
from a11y_judge.models import Plan
from a11y_judge.safety.redact import (
    Redactor,
    applies,
    find_pii,
    is_loopback_url,
    mask,
    redaction_report,
)
from labelled.safety_sets import PII, pii_score

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
TEXT = (
    "Contact: Jane Doe, jane.doe@shop.example, +44 20 7946 0958.\n"
    "Staging at 10.20.30.40; again jane.doe@shop.example. Fix 1.4.3 and 2.4.11 first.\n"
)


def plan(text: str, name: str = "vendor") -> Plan:
    return Plan(name=name, source_format="markdown", content_hash="h", text=text)


def test_labelled_set_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    score = pii_score()
    with capsys.disabled():
        print("\n" + score.line("PII redaction"))
    assert score.items >= 40
    assert score.precision >= 0.95 and score.recall >= 0.9, score.mistakes


def test_held_out_set_is_measured(capsys: pytest.CaptureFixture[str]) -> None:
    """Written after tuning and never tuned on: the floor only guards against collapse."""
    score = pii_score(PII.with_name("held-out.yaml"))
    with capsys.disabled():
        print("\n" + score.line("PII redaction, held out"))
        print("\n".join(f"  {m}" for m in score.mistakes))
    assert score.items >= 20
    assert score.precision >= 0.8 and score.recall >= 0.8


def test_each_value_gets_one_numbered_placeholder() -> None:
    r = Redactor()
    out = r.text(TEXT, "vendor")
    assert out == (
        "Contact: [NAME-1], [EMAIL-1], [PHONE-1].\n"
        "Staging at [IP-1]; again [EMAIL-1]. Fix 1.4.3 and 2.4.11 first.\n"
    )
    assert dict(r.counts) == {"name": 1, "email": 2, "phone": 1, "ip": 1}
    assert r.restore(out) == TEXT


def test_documents_are_copied_never_changed() -> None:
    original = plan(TEXT)
    audit = read_audit(DEMO / "northwind-audit.md")
    r = Redactor()
    sent = r.plan(original)
    r.audit(audit)
    assert "jane.doe@shop.example" not in sent.text
    assert original.text == TEXT  # the caller's plan (what history keeps) is untouched


def test_masks_never_show_the_whole_value() -> None:
    assert mask("email", "jane.doe@shop.example") == "j•••@shop.example"
    assert mask("phone", "+44 20 7946 0958") == "+•• •• •••• ••58"
    assert mask("ip", "10.20.30.40") == "10.•.•.•"
    assert mask("name", "Jane Doe") == "J. D."
    assert mask("url_token", "abc123XYZ") == "abc1…"
    for kind, value in [(m.kind, m.value) for m in find_pii(TEXT)]:
        assert value not in mask(kind, value)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8765/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://127.3.4.5/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://10.0.0.5:11434/v1", False),
        ("http://ollama.internal:11434/v1", False),
        (None, False),
    ],
)
def test_loopback_endpoints(url: str | None, local: bool) -> None:
    assert is_loopback_url(url) is local


def test_modes() -> None:
    assert not applies("off", False) and not applies("off", True)
    assert applies("external", False) and not applies("external", True)
    assert applies("all", False) and applies("all", True)


def test_the_report_counts_per_document_and_shows_masked_examples() -> None:
    audit = read_audit(DEMO / "northwind-audit.md")
    report = redaction_report("all", ["openai:gpt-4.1"], audit, [plan(TEXT, "a"), plan(TEXT, "b")])
    assert report.counts == {"email": 4, "phone": 2, "name": 2, "ip": 2}
    assert report.documents == {
        "a": {"name": 1, "email": 2, "phone": 1, "ip": 1},
        "b": {"name": 1, "email": 2, "phone": 1, "ip": 1},
    }
    assert report.total == 10
    shown = " ".join(e.masked for e in report.examples)
    assert "j•••@shop.example" in shown and "jane.doe@" not in shown


def test_a_batch_job_keeps_its_mode_and_old_jobs_load_without_one() -> None:
    from a11y_judge.batch.processor import judge_settings
    from a11y_judge.models import BatchSettings

    assert judge_settings(BatchSettings(redact_pii="all")).redact_pii == "all"
    old = BatchSettings().model_dump(exclude={"redact_pii"})
    assert BatchSettings.model_validate(old).redact_pii == "off"
