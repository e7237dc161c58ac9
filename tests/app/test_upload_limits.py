"""The Evaluate page's uploads against the limits: one st.error naming the limit, never a
traceback; the page keeps working and nothing is saved."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from apptest import no_exception, texts
from streamlit.testing.v1 import AppTest

from a11y_judge.history.store import HistoryStore

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


def _pdf(pages: int) -> bytes:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(50, 800, f"1.{n} Page {n}: the contrast of the buttons is too low (1.4.3).")
        c.showPage()
    c.save()
    return buf.getvalue()


def _docx_bomb() -> bytes:
    d = docx.Document()
    d.add_paragraph("We will fix the contrast of every button and label all form fields.")
    buf = io.BytesIO()
    d.save(buf)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/padding.bin", b"\0" * (3 * 1024 * 1024))
    return buf.getvalue()


def _upload(audit: tuple[str, bytes], plan: tuple[str, bytes]) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    at.file_uploader(key="evaluate.audit").upload(*audit).run()
    at.file_uploader(key="evaluate.plans").upload(*plan).run()
    return at


def _one_error(at: AppTest, *parts: str) -> None:
    no_exception(at)
    assert len(at.error) == 1, texts(at.error)
    message = at.error[0].value
    for part in parts:
        assert part in message, message
    assert "Traceback" not in message and "\n" not in message
    assert at.button(key="evaluate.run_button").disabled
    assert HistoryStore().count_runs() == 0


@pytest.fixture
def plan(demo_dir: Path) -> tuple[str, bytes]:
    p = demo_dir / "plans" / "agency-quick-wins.md"
    return p.name, p.read_bytes()


@pytest.fixture
def audit(demo_dir: Path) -> tuple[str, bytes]:
    p = demo_dir / "northwind-audit.md"
    return p.name, p.read_bytes()


def test_too_many_pdf_pages(
    monkeypatch: pytest.MonkeyPatch, plan: tuple[str, bytes], audit: tuple[str, bytes]
) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_PDF_PAGES", "2")
    at = _upload(("report.pdf", _pdf(3)), plan)
    _one_error(at, "report.pdf: the PDF has 3 pages (at most 2)", "A11Y_JUDGE_MAX_PDF_PAGES")
    # the page keeps working: a good audit clears the error
    at.file_uploader(key="evaluate.audit").set_value((*audit, "text/markdown")).run()
    no_exception(at)
    assert not at.error and not at.button(key="evaluate.run_button").disabled


def test_docx_zip_bomb_plan(monkeypatch: pytest.MonkeyPatch, audit: tuple[str, bytes]) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_UNPACKED_MB", "1")
    at = _upload(audit, ("plan.docx", _docx_bomb()))
    _one_error(at, "plan.docx: the Word document holds", "A11Y_JUDGE_MAX_UNPACKED_MB")


def test_oversized_upload(monkeypatch: pytest.MonkeyPatch, plan: tuple[str, bytes]) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_UPLOAD_MB", "0.001")
    at = _upload(("audit.md", b"# Audit\n\n" + b"x" * 5000), plan)
    _one_error(at, "audit.md: the file is", "(at most 0.001 MB)", "A11Y_JUDGE_MAX_UPLOAD_MB")


def test_deeply_nested_json(plan: tuple[str, bytes]) -> None:
    at = _upload(("axe.json", b"[" * 50_000 + b"]" * 50_000), plan)
    _one_error(at, "axe.json: the document nests deeper than 64 levels")


def test_utf16_audit_is_understood(plan: tuple[str, bytes], audit: tuple[str, bytes]) -> None:
    name, data = audit
    at = _upload((name, data.decode("utf-8").encode("utf-16")), plan)
    no_exception(at)
    assert not at.error
    assert not at.button(key="evaluate.run_button").disabled


def test_a_parser_bug_is_one_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, plan: tuple[str, bytes], audit: tuple[str, bytes]
) -> None:
    import app.components.inputs as inputs

    def broken(*_args: object, **_kwargs: object) -> None:
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(inputs, "read_audit", broken)
    at = _upload(audit, plan)
    _one_error(at, f"{audit[0]}: could not be read (internal error TypeError)")
