"""The inputs the fuzzer found that broke a parser, kept as plain tests so they stay fixed."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from corpus import checked, json_seeds, made_docx, report_seeds

from a11y_judge.batch.sets import BatchInputError, extract_zip
from a11y_judge.errors import A11yJudgeError, IngestError, RubricError
from a11y_judge.ingest import read_audit, read_plan
from a11y_judge.ingest.detect import decode_text
from a11y_judge.rubric import load_rubric


def _lighthouse(change: Any) -> bytes:
    doc = copy.deepcopy(json_seeds()["lighthouse_a11y.json"])
    change(doc["audits"]["color-contrast"])
    return json.dumps(doc).encode()


def _axe(change: Any) -> bytes:
    doc = copy.deepcopy(json_seeds()["axe4_result.json"])
    change(doc["violations"][0])
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "data",
    [
        _lighthouse(lambda a: a["details"].update(items=True)),  # TypeError: bool not iterable
        _lighthouse(lambda a: a.update(scoreDisplayMode=["binary"])),  # unhashable list
        _axe(lambda r: r.update(nodes=5)),  # TypeError: int not iterable
        _axe(lambda r: r.update(tags=7)),
        _axe(lambda r: r["nodes"][0].update(any=3, failureSummary="")),
    ],
    ids=["lh-items-bool", "lh-mode-list", "axe-nodes-int", "axe-tags-int", "axe-checks-int"],
)
def test_tool_values_of_the_wrong_type(data: bytes) -> None:
    checked(read_audit, "audit.json", data)


def test_openacr_chapter_key_that_is_not_text() -> None:
    acr = b"title: x\nproduct: {name: x}\nchapters:\n  1: {criteria: []}\n  2: [a]\n"
    with pytest.raises(IngestError):  # AttributeError: 'int' object has no attribute 'startswith'
        read_audit("acr.yaml", data=acr)


def test_docx_library_message_is_one_line() -> None:
    with zipfile.ZipFile(io.BytesIO(made_docx())) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["word/document.xml"] = b"<\x00" + parts["word/document.xml"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    with pytest.raises(IngestError) as info:
        read_audit("a.docx", data=buf.getvalue())
    assert "\n" not in str(info.value) and "not a readable Word document" in str(info.value)


def test_deep_flow_yaml_rubric_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_bytes(b"[" * 1500 + (Path("prompts") / "rubric.yaml").read_bytes() + b"]" * 1500)
    checked(load_rubric, path)  # 1.1 s of RecursionError before; the composer now stops at 64
    with pytest.raises(RubricError, match="nests deeper than 64 levels"):
        load_rubric(path)


def test_batch_zip_with_a_corrupt_deflate_stream(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("set/audit.md", report_seeds()["consultant-report.md"])
    data = bytearray(buf.getvalue())
    data[50:54] = b"\xff\xff\xff\xff"  # inside the deflated data: zlib.error, not BadZipFile
    with pytest.raises(BatchInputError, match="cannot be unpacked"):
        extract_zip(bytes(data), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_bad_byte_after_a_utf8_bom_is_replaced() -> None:
    assert decode_text(b"\xef\xbb\xbfcaf\xe9 menu") == "caf\ufffd menu"


def test_only_project_errors_count_as_clear() -> None:
    """The checker itself: anything but A11yJudgeError fails, so the tests above mean something."""
    with pytest.raises(TypeError):
        checked(lambda: [] + 1)  # type: ignore[operator]
    checked(lambda: (_ for _ in ()).throw(A11yJudgeError("clear", hint="do this")))


@pytest.mark.parametrize(
    "text",
    [
        "\n" * 60_000 + "x",  # detect._MARKDOWN and the OpenACR probe: 72 s before (\s* over lines)
        " \n" * 30_000 + "x",
        "# Title" + " " * 20_000 + "x",  # blocks._ATX: minutes before (lazy group + \s*#*\s*$)
        "# Findings\n\n**A" + " " * 20_000 + "x",  # report._LABEL: two \s* around an optional **
        "# Findings\n\n## Issue" + "\t" * 20_000 + ":",  # report._SEVERITY_SUFFIX
        "# Findings\n\nIssue" + " " * 20_000 + "x",  # report._FIELD_SEPARATOR
        "# Findings\n\n" + "[" * 20_000,  # _tools._MD_LINK_RE
        "| a | b |\n|" + " " * 20_000 + "x",  # blocks._TABLE_SEP
    ],
    ids=["newlines", "blank-lines", "atx", "label", "severity", "separator", "links", "table"],
)
def test_pathological_text_is_linear(text: str) -> None:
    """Regular expressions that backtracked quadratically (or worse) on long runs of one char."""
    for reader in (read_audit, read_plan):
        checked(reader, "report.md", text.encode())


def test_yaml_dates_that_are_not_dates(tmp_path: Path) -> None:
    """PyYAML's safe_load raised ValueError ('month must be in 1..12'): dates now stay text."""
    data = (
        b"title: x\nproduct: {name: x}\nreport_date: 2001-13-01\nchapters:\n"
        b"  success_criteria_level_a:\n    criteria:\n      - num: 1.1.1\n        components:\n"
        b"          - name: web\n            adherence: {level: does-not-support, notes: n}\n"
    )
    (finding,) = read_audit("acr.yaml", data=data).findings
    assert finding.wcag == ["1.1.1"]
    rubric = tmp_path / "rubric.yaml"
    rubric.write_bytes(b"name: 2001-02-30\ncriteria: []\n")
    with pytest.raises(RubricError, match="not a valid rubric"):  # no criteria, not a ValueError
        load_rubric(rubric)
