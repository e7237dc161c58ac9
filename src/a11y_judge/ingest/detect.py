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
from a11y_judge.ingest.guards import check_size, check_text, load_json, load_yaml, zip_entries
from a11y_judge.ingest.limits import Limits, current_limits

SUPPORTED = (
    "axe-core JSON, Lighthouse JSON, Pa11y / pa11y-ci JSON, OpenACR YAML, CSV findings table, "
    "or a report in DOCX, PDF, HTML, Markdown or plain text"
)


@dataclass
class Sniffed:
    """A file's detected format and its decoded content (JSON/YAML value, text or bytes)."""

    format: str
    content: Any


#: Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


def _strict(data: bytes, codec: str) -> str | None:
    """The data decoded with codec, or None when it is not valid in it."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for mostly-ASCII UTF-16 text saved without a BOM, else None."""
    head = data[:4096]
    if len(head) < 8 or len(data) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    codec = None
    if zeros_odd > 0.4 and zeros_even < 0.05:
        codec = "utf-16-le"
    elif zeros_even > 0.4 and zeros_odd < 0.05:
        codec = "utf-16-be"
    return codec if codec and _strict(data, codec) is not None else None


def text_codec(data: bytes) -> str | None:
    """The codec a byte-order mark (or BOM-less UTF-16's zero bytes) announces, else None."""
    for bom, codec, _label in _BOMS:
        if data.startswith(bom):
            return codec
    return _utf16_without_bom(data)


def decode_text(data: bytes, filename: str = "the file") -> str:
    """Bytes → str: by BOM (UTF-8, UTF-16 LE/BE, UTF-32), BOM-less UTF-16, UTF-8, else cp1252.

    A file whose UTF-16/32 BOM announces an encoding it does not follow is an IngestError.
    """
    if data.startswith(b"\xef\xbb\xbf"):  # a stray bad byte after a UTF-8 BOM becomes U+FFFD
        return data[3:].decode("utf-8", errors="replace")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], codec)
            if text is None:
                raise IngestError(
                    filename,
                    f"the file starts with a {label} byte-order mark but is not valid {label}",
                    hint="Save it again as UTF-8 and retry",
                )
            return text
    guessed = _utf16_without_bom(data)
    text = _strict(data, guessed or "utf-8")
    if text is None:
        text = data.decode("cp1252", errors="replace")  # 5 bytes undefined in cp1252 → U+FFFD
    return text


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:4096] and text_codec(data) is None


_HTML_START = re.compile(
    r"^\s*(?:<!doctype html|<html|<head|<body|<(?:h[1-6]|p|div|main|section|table|ul)[\s>])",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"^(?:#{1,6}\s|[ \t]*[-*+]\s|[ \t]*\d+\.\s|\|.+\|)", re.MULTILINE)


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


def _sniff_zip(data: bytes, filename: str, limits: Limits) -> Sniffed:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise IngestError(
            filename, "the file looks like a damaged Word/ZIP file", hint="Re-export it"
        ) from exc
    with archive:
        if "word/document.xml" not in archive.namelist():
            raise IngestError(
                filename,
                "ZIP archives other than .docx are not supported",
                hint=f"Upload one of: {SUPPORTED}",
            )
        zip_entries(
            archive, filename, what="Word document", total_limit="unpacked_mb", limits=limits
        )
    return Sniffed("docx", data)


def _sniff_text(text: str, filename: str, limits: Limits) -> Sniffed:
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        try:
            value = load_json(text, filename, limits)
        except json.JSONDecodeError as exc:
            if filename.lower().endswith(".json") or stripped[:1] == "{":
                raise IngestError(
                    filename,
                    f"the JSON is malformed (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                    hint="Re-export the tool's JSON report; the file may be truncated",
                ) from exc
        else:
            return _sniff_json(value, filename)
    check_text(filename, text, limits)
    if _HTML_START.match(text):
        return Sniffed("html", text)
    if ("chapters:" in text and re.search(r"^chapters:[ \t]*$", text, re.MULTILINE)) or (
        "criteria:" in text and re.search(r"^[ \t]*criteria:[ \t]*$", text, re.MULTILINE)
    ):  # an OpenACR file (the patterns are tried only where their word is)
        try:
            value = load_yaml(text, filename, limits)
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


def sniff(data: bytes, filename: str) -> Sniffed:
    """Detect the format of a file's bytes (within the limits of `current_limits()`)."""
    limits = current_limits()
    check_size(filename, len(data), limits)
    if not data.strip():
        raise IngestError(filename, "the file is empty", hint="Choose the exported report file")
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, filename, limits)
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
    return _sniff_text(decode_text(data, filename), filename, limits)
