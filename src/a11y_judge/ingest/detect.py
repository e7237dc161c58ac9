"""Recognise a file's format by its content, never by its extension."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import yaml

from a11y_judge.errors import IngestError
from a11y_judge.ingest import axe, csvtable, lighthouse, openacr, pa11y

SUPPORTED = (
    "axe-core JSON, Lighthouse JSON, Pa11y / pa11y-ci JSON, OpenACR YAML, CSV findings table, "
    "or a report in DOCX, PDF, HTML, Markdown or plain text"
)


@dataclass
class Sniffed:
    """A file's detected format and its decoded content (JSON/YAML value, text or bytes)."""

    format: str
    content: Any


def decode_text(data: bytes) -> str:
    """Bytes → str: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


_HTML_START = re.compile(
    r"^\s*(?:<!doctype html|<html|<head|<body|<(?:h[1-6]|p|div|main|section|table|ul)[\s>])",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"^(?:#{1,6}\s|\s*[-*+]\s|\s*\d+\.\s|\|.+\|)", re.MULTILINE)


def _sniff_json(value: Any, filename: str) -> Sniffed:
    for fmt, module_check in (
        ("lighthouse", lighthouse.looks_like),
        ("axe", axe.looks_like),
        ("pa11y-ci", pa11y.looks_like_ci),
        ("pa11y", pa11y.looks_like),
        ("openacr", openacr.looks_like),
    ):
        if module_check(value):
            return Sniffed(fmt, value)
    raise IngestError(
        filename,
        "this JSON is not an audit format A11y Judge knows",
        hint="Use the JSON printed by axe-core, Lighthouse, Pa11y or pa11y-ci",
    )


def sniff(data: bytes, filename: str) -> Sniffed:
    """Detect the format of a file's bytes."""
    if not data.strip():
        raise IngestError(filename, "the file is empty", hint="Choose the exported report file")
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise IngestError(
                filename, "the file looks like a damaged Word/ZIP file", hint="Re-export it"
            ) from exc
        if "word/document.xml" in names:
            return Sniffed("docx", data)
        raise IngestError(
            filename,
            "ZIP archives other than .docx are not supported",
            hint=f"Upload one of: {SUPPORTED}",
        )
    if data.lstrip().startswith(b"%PDF"):
        return Sniffed("pdf", data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            filename,
            "old binary .doc files are not supported",
            hint="Save the document as .docx or PDF",
        )
    if _looks_binary(data):
        raise IngestError(
            filename,
            "this is a binary file of an unsupported kind",
            hint=f"Upload one of: {SUPPORTED}",
        )
    text = decode_text(data)
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            if filename.lower().endswith(".json") or stripped[:1] == "{":
                raise IngestError(
                    filename,
                    f"the JSON is malformed (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                    hint="Re-export the tool's JSON report; the file may be truncated",
                ) from exc
        else:
            return _sniff_json(value, filename)
    if _HTML_START.match(text):
        return Sniffed("html", text)
    if re.search(r"^chapters:\s*$", text, re.MULTILINE) or re.search(
        r"^\s*criteria:\s*$", text, re.MULTILINE
    ):
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise IngestError(
                filename,
                f"the YAML is malformed ({exc.__class__.__name__})",
                hint="Validate the OpenACR file and retry",
            ) from exc
        if openacr.looks_like(value):
            return Sniffed("openacr", value)
    if csvtable.looks_like(text):
        return Sniffed("csv", text)
    if _MARKDOWN.search(text):
        return Sniffed("markdown", text)
    return Sniffed("text", text)
