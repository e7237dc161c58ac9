"""The limits of ingest/limits.py: each bad file is one IngestError naming the limit to raise."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest

from a11y_judge.batch import sets
from a11y_judge.batch.sets import BatchInputError, extract_zip
from a11y_judge.errors import IngestError, RubricError
from a11y_judge.ingest import read_audit, read_file, read_plan
from a11y_judge.ingest.detect import decode_text, sniff
from a11y_judge.ingest.guards import Unpacking
from a11y_judge.ingest.limits import Limits, LimitsError, current_limits, describe, env_name
from a11y_judge.rubric import load_rubric

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tests" / "fixtures" / "tools"
PLAN = b"# Plan\n\nWe will fix the contrast of every button and label every form field first.\n"


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    d = docx.Document()
    d.add_heading("Remediation plan", level=1)
    d.add_paragraph("We will fix the contrast of every button and label all form fields.")
    buf = io.BytesIO()
    d.save(buf)
    if not extra:
        return buf.getvalue()
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in extra.items():
            z.writestr(name, data)
    return buf.getvalue()


def _pdf(pages: int) -> bytes:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(50, 800, f"Page {n + 1}: we will fix the contrast of every button first.")
        c.showPage()
    c.save()
    return buf.getvalue()


def _lie_about_sizes(data: bytes, declared: int) -> bytes:
    """The ZIP with every entry's uncompressed size rewritten (local and central headers)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    for info in infos:
        out[info.header_offset + 22 : info.header_offset + 26] = declared.to_bytes(4, "little")
    start = out.rfind(b"PK\x05\x06")
    cd = int.from_bytes(out[start + 16 : start + 20], "little")
    for _ in infos:
        assert out[cd : cd + 4] == b"PK\x01\x02"
        out[cd + 24 : cd + 28] = declared.to_bytes(4, "little")
        name_len, extra_len, comment_len = (
            int.from_bytes(out[cd + k : cd + k + 2], "little") for k in (28, 30, 32)
        )
        cd += 46 + name_len + extra_len + comment_len
    return bytes(out)


# ------------------------------------------------------------------ the limits themselves


def test_defaults_and_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    assert current_limits() == Limits()
    monkeypatch.setenv("A11Y_JUDGE_MAX_PDF_PAGES", "1_000")
    monkeypatch.setenv("A11Y_JUDGE_MAX_UPLOAD_MB", "2.5")
    limits = current_limits()
    assert limits.pdf_pages == 1000 and limits.upload_mb == 2.5
    assert limits.bytes("upload_mb") == int(2.5 * 1024 * 1024)
    assert env_name("json_depth") == "A11Y_JUDGE_MAX_JSON_DEPTH"
    assert len(describe()) == len(Limits.__dataclass_fields__)


@pytest.mark.parametrize("value", ["lots", "-3", "0", "nan", "1.5"])
def test_a_bad_limit_variable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_PDF_PAGES", value)
    with pytest.raises(LimitsError, match=r"A11Y_JUDGE_MAX_PDF_PAGES=.* is not a positive"):
        current_limits()


def test_readme_documents_every_limit() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for variable, value, _meaning in describe():
        assert f"`{variable}`" in readme and value in readme


# ------------------------------------------------------------------ one error per bad file


def _error(name: str, data: bytes, plan: bool = False) -> str:
    with pytest.raises(IngestError) as info:
        (read_plan if plan else read_audit)(name, data=data)
    message = str(info.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    return message


def test_file_size(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_UPLOAD_MB", "0.01")
    message = _error("big.md", PLAN * 200, plan=True)
    assert "the file is 0.0 MB (at most 0.01 MB)" in message
    assert "raise A11Y_JUDGE_MAX_UPLOAD_MB" in message
    big = tmp_path / "big.md"
    big.write_bytes(PLAN * 200)
    with pytest.raises(IngestError, match=r"at most 0\.01 MB"):
        read_file(big)  # refused from its size on disk, before reading


def test_pdf_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _pdf(3)
    monkeypatch.setenv("A11Y_JUDGE_MAX_PDF_PAGES", "2")
    message = _error("report.pdf", data, plan=True)
    assert "the PDF has 3 pages (at most 2)" in message
    assert "Split it or raise A11Y_JUDGE_MAX_PDF_PAGES" in message
    monkeypatch.setenv("A11Y_JUDGE_MAX_PDF_PAGES", "3")
    assert "Page 3" in read_plan("report.pdf", data=data).text


def test_pdf_text_length_stops_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_TEXT_CHARS", "100")
    message = _error("report.pdf", _pdf(5), plan=True)
    assert "(at most 100)" in message and "A11Y_JUDGE_MAX_TEXT_CHARS" in message


def test_docx_declared_unpacked_size(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = _docx({"word/media/padding.bin": b"\0" * (3 * 1024 * 1024)})
    assert len(bomb) < 100_000  # zeros compress ~1000:1
    monkeypatch.setenv("A11Y_JUDGE_MAX_UNPACKED_MB", "2")
    message = _error("plan.docx", bomb, plan=True)
    assert re.search(r"the Word document holds 3\.\d MB once extracted \(at most 2 MB", message)
    assert "A11Y_JUDGE_MAX_UNPACKED_MB" in message


def test_docx_entry_count(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _docx({f"customXml/extra{i}.xml": b"<x/>" for i in range(30)})
    monkeypatch.setenv("A11Y_JUDGE_MAX_ZIP_ENTRIES", "20")
    assert "entries (at most 20)" in _error("plan.docx", data, plan=True)


def test_docx_that_lies_about_its_sizes_is_refused() -> None:
    honest = _docx({"word/media/padding.bin": b"\0" * (2 * 1024 * 1024)})
    liar = _lie_about_sizes(honest, declared=10)
    message = _error("plan.docx", liar, plan=True)
    assert "cannot be unpacked" in message or "not a readable Word document" in message


def test_unpacking_stops_at_the_limit_on_real_bytes() -> None:
    """The second line of defence: actual decompressed bytes are counted across entries."""
    data = _zip({"a.bin": b"\0" * (600 * 1024), "b.bin": b"\0" * (600 * 1024)})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        unpacking = Unpacking(z, "x.zip", total_limit="unpacked_mb", limits=Limits(unpacked_mb=1))
        assert len(unpacking.read(z.infolist()[0])) == 600 * 1024
        with pytest.raises(IngestError, match="decompresses to more than 1 MB"):
            unpacking.read(z.infolist()[1])
        assert unpacking.total <= 2 * 1024 * 1024  # stopped within a chunk of the limit


@pytest.mark.parametrize("depth", [100, 100_000])
def test_json_depth(depth: int) -> None:
    message = _error("axe.json", b"[" * depth + b"]" * depth)
    assert "nests deeper than 64 levels" in message and "A11Y_JUDGE_MAX_JSON_DEPTH" in message


def test_json_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_JSON_MB", "0.001")
    message = _error("axe.json", (TOOLS / "axe4_result.json").read_bytes())
    assert "the JSON is 0.0 MB (at most 0.001 MB)" in message


def test_json_huge_integer_is_a_clear_error() -> None:
    assert "cannot read" in _error("axe.json", b"[" + b"9" * 5000 + b"]")


def test_yaml_billion_laughs() -> None:
    lines = ["title: x", "product: {name: x}", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines += ["chapters:", "  c: {criteria: *a8}"]
    message = _error("acr.yaml", "\n".join(lines).encode())
    assert "expands to far more values than its size" in message


def test_text_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_TEXT_CHARS", "500")
    message = _error("plan.md", PLAN * 10, plan=True)
    assert f"the text is {len(PLAN * 10):,} characters long (at most 500)" in message


def test_docx_text_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("A11Y_JUDGE_MAX_TEXT_CHARS", "50")
    assert "characters long (at most 50)" in _error("plan.docx", _docx(), plan=True)


# ------------------------------------------------------------------ encodings


TEXT = "Café – naïve “quotes” and € prices: the plan fixes 1.4.3 first.\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        b"\xff\xfe" + TEXT.encode("utf-16-le"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # Notepad's "Unicode" without its BOM
        TEXT.encode("utf-16-be"),
        b"\xff\xfe\x00\x00" + TEXT.encode("utf-32-le"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "utf32", "1252"],
)
def test_text_encodings(data: bytes) -> None:
    assert decode_text(data) == TEXT
    assert sniff(data, "plan.txt").content == TEXT


def test_a_bom_that_lies_is_a_clear_error() -> None:
    message = _error("plan.txt", b"\xff\xfe" + TEXT.encode("utf-16-le")[:-1], plan=True)
    assert "UTF-16 byte-order mark but is not valid UTF-16" in message


# ------------------------------------------------------------------ batch ZIPs


def test_batch_zip_limits_come_from_the_same_place(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sets.MAX_ENTRIES == 5000 and sets.MAX_TOTAL_BYTES == 500 * 1024 * 1024
    monkeypatch.setenv("A11Y_JUDGE_MAX_ZIP_ENTRIES", "7")
    monkeypatch.setenv("A11Y_JUDGE_MAX_UPLOAD_MB", "3")
    assert sets.MAX_ENTRIES == 7 and sets.MAX_FILE_BYTES == 3 * 1024 * 1024


@pytest.mark.parametrize(
    ("env", "entries", "message"),
    [
        ("A11Y_JUDGE_MAX_ZIP_ENTRIES=3", {f"s/{i}.md": PLAN for i in range(4)}, "4 entries"),
        ("A11Y_JUDGE_MAX_UPLOAD_MB=1", {"s/audit.md": b"a" * (2 * 1024 * 1024)}, "s/audit.md is"),
        ("A11Y_JUDGE_MAX_BATCH_MB=1", {f"s/{i}.md": b"a" * 400_000 for i in range(3)}, "holds"),
    ],
)
def test_batch_zip_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: str, entries: dict, message: str
) -> None:
    name, value = env.split("=")
    monkeypatch.setenv(name, value)
    dest = tmp_path / "unpacked"
    with pytest.raises(BatchInputError, match=message) as info:
        extract_zip(_zip(entries), dest)
    assert name in str(info.value)
    assert not dest.exists() and list(tmp_path.iterdir()) == []  # nothing half-written


def test_batch_zip_that_lies_leaves_nothing_behind(tmp_path: Path) -> None:
    honest = _zip({"s/audit.md": PLAN, "s/plans/p.md": b"\0" * (1024 * 1024)})
    dest = tmp_path / "unpacked"
    with pytest.raises(BatchInputError, match="cannot be unpacked"):
        extract_zip(_lie_about_sizes(honest, declared=len(PLAN)), dest)
    assert list(tmp_path.iterdir()) == []


def test_batch_zip_unpacks_into_an_empty_folder(tmp_path: Path) -> None:
    dest = tmp_path / "unpacked"
    dest.mkdir()
    root = extract_zip(_zip({"s/audit.md": PLAN, "t/audit.md": PLAN, "s/plans/p.md": PLAN}), dest)
    assert root == dest and (dest / "s" / "plans" / "p.md").read_bytes() == PLAN
    assert [p.name for p in tmp_path.iterdir()] == ["unpacked"]


# ------------------------------------------------------------------ rubric


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"criteria: " + b"[" * 200 + b"]" * 200, "nests deeper than 64"),
        (b"name: caf\xe9\ncriteria: []\n", "not UTF-8"),
        (b"criteria: !!int 1" + b"0" * 5000, "cannot be read"),
    ],
)
def test_rubric_limits(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_bytes(content)
    with pytest.raises(RubricError, match=message):
        load_rubric(path)
