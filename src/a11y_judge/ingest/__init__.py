"""Ingestion: audit files → AuditReport, plan files → Plan. Formats are sniffed by content."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import overload

from a11y_judge.errors import IngestError
from a11y_judge.ingest import axe, csvtable, lighthouse, openacr, pa11y
from a11y_judge.ingest.blocks import Block, blocks_to_text, markdown_blocks, text_blocks
from a11y_judge.ingest.detect import SUPPORTED, Sniffed, sniff
from a11y_judge.ingest.documents import docx_blocks, html_blocks, pdf_blocks
from a11y_judge.ingest.guards import check_size, check_text
from a11y_judge.ingest.ids import content_hash
from a11y_judge.ingest.limits import Limits, current_limits
from a11y_judge.ingest.report import findings_from_blocks
from a11y_judge.models import AuditReport, Finding, Plan

__all__ = [
    "SUPPORTED",
    "Limits",
    "PlanFiles",
    "current_limits",
    "plan_files",
    "read_audit",
    "read_file",
    "read_plan",
    "read_plans",
]

PLAN_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf", ".text")


def read_file(path: str | Path) -> bytes:
    """A file's bytes (at most `upload_mb`, checked before reading), or an IngestError that says
    what to do."""
    p = Path(path)
    if not p.exists():
        raise IngestError(str(p), "file not found", hint="Check the path and try again")
    if p.is_dir():
        raise IngestError(str(p), "is a folder, not a file", hint="Choose a file inside it")
    try:
        check_size(str(p), p.stat().st_size)
        with p.open("rb") as f:  # never more than the limit, even if the file grows meanwhile
            return f.read(current_limits().bytes("upload_mb") + 1)
    except OSError as exc:
        raise IngestError(
            str(p), f"cannot be read ({exc.strerror})", hint="Check its permissions"
        ) from exc


def _document_text(sniffed: Sniffed, filename: str) -> tuple[list[Block], str]:
    """The blocks of a document and their text (within the text limit)."""
    blocks = _document_blocks(sniffed, filename)
    text = blocks_to_text(blocks)
    check_text(filename, text)
    return blocks, text


def _document_blocks(sniffed: Sniffed, filename: str) -> list[Block]:
    if sniffed.format == "docx":
        return docx_blocks(sniffed.content, filename)
    if sniffed.format == "pdf":
        return pdf_blocks(sniffed.content, filename)
    if sniffed.format == "html":
        return html_blocks(sniffed.content)
    if sniffed.format == "markdown":
        return markdown_blocks(sniffed.content)
    return text_blocks(sniffed.content)


def _tool_findings(sniffed: Sniffed, filename: str) -> list[Finding]:
    parser = {
        "axe": axe.parse,
        "lighthouse": lighthouse.parse,
        "pa11y": pa11y.parse,
        "pa11y-ci": pa11y.parse_ci,
        "openacr": openacr.parse,
        "csv": csvtable.parse,
    }[sniffed.format]
    return parser(sniffed.content, filename)


def _load(path: str | Path, data: bytes | None) -> tuple[str, bytes, Sniffed]:
    """(file name, bytes, detected format) of a path, or of bytes named by it."""
    filename = Path(path).name
    raw = read_file(path) if data is None else data
    return filename, raw, sniff(raw, filename)


def read_audit(path: str | Path, data: bytes | None = None, name: str | None = None) -> AuditReport:
    """Parse an audit from a path (or from bytes named by path) into findings."""
    filename, raw, sniffed = _load(path, data)
    if sniffed.format in ("docx", "pdf", "html", "markdown", "text"):
        blocks, text = _document_text(sniffed, filename)
        title = plan_title(text)
        if title is not None:
            raise IngestError(
                filename,
                f"this looks like a remediation plan (titled “{title[:80]}”), not an audit",
                hint="Add it as a plan; the audit is the report that lists the findings",
            )
        findings = findings_from_blocks(blocks, filename)
    else:
        findings = _tool_findings(sniffed, filename)
        text = raw.decode("utf-8", errors="replace") if sniffed.format == "csv" else ""
    if not findings:
        raise IngestError(
            filename,
            f"no findings found in this {sniffed.format} file",
            hint="Check that it is the audit (not a plan) and that it lists failures; "
            "for reports, give each issue a heading or a table row",
        )
    return AuditReport(
        name=name or Path(filename).stem,
        filename=filename,
        source_format=sniffed.format,
        content_hash=content_hash(raw),
        text=text,
        findings=findings,
    )


def read_plan(path: str | Path, data: bytes | None = None, name: str | None = None) -> Plan:
    """Read a remediation plan (PDF, DOCX, Markdown, text or HTML) as text."""
    filename, raw, sniffed = _load(path, data)
    if sniffed.format not in ("docx", "pdf", "html", "markdown", "text", "csv"):
        raise IngestError(
            filename,
            f"this looks like a {sniffed.format} audit, not a remediation plan",
            hint="Use it as the audit; plans are documents (PDF, DOCX, Markdown, text or HTML)",
        )
    if sniffed.format == "csv" or sniffed.format in ("markdown", "text"):
        text = sniffed.content
    else:
        text = _document_text(sniffed, filename)[1]
    if len(text.split(maxsplit=5)) < 5:  # fewer than 5 words (without splitting them all)
        raise IngestError(
            filename, "the plan has almost no text", hint="Check that the right file was chosen"
        )
    return Plan(
        name=name or Path(filename).stem,
        filename=filename,
        source_format=sniffed.format,
        content_hash=content_hash(raw),
        text=text,
    )


_PLAN_TITLE = re.compile(
    r"\b(?:remediation|roadmap|plan|proposal|strategy|response|action items|fix list|"
    r"checklist)\b",
    re.I,
)
_AUDIT_TITLE = re.compile(r"\b(?:audit|report|assessment|evaluation|findings|review|test)", re.I)


def plan_title(text: str) -> str | None:
    """The title of a human document if it announces a plan ('Remediation Roadmap') and not an
    audit ('Audit report'), else None."""
    for block in markdown_blocks(text[:5000])[:3]:
        if block.kind in ("heading", "para"):
            title = block.text
            if _PLAN_TITLE.search(title) and not _AUDIT_TITLE.search(title):
                return title
            return None
    return None


def unique_names(names: Iterable[str]) -> list[str]:
    """Plan names made unique: 'plan', 'plan-2', …"""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}-{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def read_plans(files: Iterable[tuple[str, bytes | None]]) -> list[Plan]:
    """Plans from (path or filename, bytes or None) pairs; names are file stems made unique."""
    items = list(files)
    names = unique_names(Path(f).stem for f, _ in items)
    return [read_plan(f, data, name) for (f, data), name in zip(items, names, strict=True)]


class PlanFiles(Sequence[Plan]):
    """The plans of these files, each read when it is first asked for (names are the file stems
    made unique, as `read_plans` gives them): `engine.evaluate` judges the first plans while it
    reads the others. A file that cannot be read raises its IngestError when it is reached."""

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self._paths = [str(p) for p in paths]
        self._names = unique_names(Path(p).stem for p in self._paths)
        self._plans: dict[int, Plan] = {}

    def __len__(self) -> int:
        return len(self._paths)

    @overload
    def __getitem__(self, i: int) -> Plan: ...
    @overload
    def __getitem__(self, i: slice) -> list[Plan]: ...
    def __getitem__(self, i: int | slice) -> Plan | list[Plan]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        path = self._paths[i]  # IndexError past the end, as a sequence must
        k = i % len(self._paths)
        if k not in self._plans:
            self._plans[k] = read_plan(path, None, self._names[k])
        return self._plans[k]


def plan_files(directory: str | Path) -> list[Path]:
    """The plan documents in a folder, sorted by name."""
    d = Path(directory)
    if not d.is_dir():
        raise IngestError(str(d), "is not a folder", hint="Pass the folder that holds the plans")
    files = sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in PLAN_SUFFIXES)
    if not files:
        raise IngestError(
            str(d),
            "holds no plan documents",
            hint=f"Put plans there as {', '.join(PLAN_SUFFIXES)}",
        )
    return files
