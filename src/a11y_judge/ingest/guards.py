"""Checks that keep hostile or broken files within the limits (see limits.py).

Each check raises one IngestError that names the file, the limit, and the variable that raises it.
"""

from __future__ import annotations

import json
import lzma
import zipfile
import zlib
from typing import Any

import yaml

from a11y_judge.errors import IngestError
from a11y_judge.ingest.limits import MB, Limits, current_limits, env_name

_CHUNK = 1 << 20


def _mb(n: float) -> str:
    return f"{n / MB:,.1f} MB" if n < 10 * MB else f"{n / MB:,.0f} MB"


def brief(exc: BaseException, limit: int = 160) -> str:
    """A library's error message on one line, cut to `limit` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def raise_hint(name: str) -> str:
    """'or raise A11Y_JUDGE_MAX_PDF_PAGES' — the end of every limit's hint."""
    return f"or raise {env_name(name)}"


def check_size(filename: str, size: int, limits: Limits | None = None) -> None:
    """A file is at most `upload_mb`."""
    limits = limits or current_limits()
    if size > limits.bytes("upload_mb"):
        raise IngestError(
            filename,
            f"the file is {_mb(size)} (at most {limits.upload_mb:g} MB)",
            hint=f"Export a smaller file (e.g. without images) {raise_hint('upload_mb')}",
        )


def check_text(filename: str, text: str, limits: Limits | None = None) -> None:
    """A document's text is at most `text_chars` characters."""
    limits = limits or current_limits()
    if len(text) > limits.text_chars:
        raise IngestError(
            filename,
            f"the text is {len(text):,} characters long (at most {limits.text_chars:,})",
            hint=f"Split the document {raise_hint('text_chars')}",
        )


def zip_entries(
    archive: zipfile.ZipFile,
    filename: str,
    *,
    what: str,
    total_limit: str,
    entry_limit: str | None = None,
    limits: Limits | None = None,
) -> list[zipfile.ZipInfo]:
    """The archive's entries, refused when the central directory declares too many or too much.

    `total_limit` (and `entry_limit`, for one entry) name the size limits in `Limits`.
    """
    limits = limits or current_limits()
    entries = archive.infolist()
    if len(entries) > limits.zip_entries:
        raise IngestError(
            filename,
            f"the {what} has {len(entries):,} entries (at most {limits.zip_entries:,})",
            hint=f"Split it {raise_hint('zip_entries')}",
        )
    if entry_limit is not None:
        for e in entries:
            if e.file_size > limits.bytes(entry_limit):
                raise IngestError(
                    filename,
                    f"{e.filename} is {_mb(e.file_size)} once extracted "
                    f"(at most {getattr(limits, entry_limit):g} MB)",
                    hint=f"Leave large files out {raise_hint(entry_limit)}",
                )
    declared = sum(e.file_size for e in entries)
    if declared > limits.bytes(total_limit):
        raise IngestError(
            filename,
            f"the {what} holds {_mb(declared)} once extracted "
            f"(at most {getattr(limits, total_limit):g} MB; a ZIP bomb?)",
            hint=f"Split it {raise_hint(total_limit)}",
        )
    return entries


class Unpacking:
    """Reads ZIP entries while counting the bytes actually decompressed, across all of them.

    The central directory's sizes are checked first (`zip_entries`); this stops a lying archive
    the moment its real output passes the same limits.
    """

    def __init__(
        self,
        archive: zipfile.ZipFile,
        filename: str,
        *,
        total_limit: str,
        entry_limit: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.archive, self.filename = archive, filename
        self.limits = limits or current_limits()
        self.total_limit, self.entry_limit = total_limit, entry_limit
        self.total = 0

    def read(self, entry: zipfile.ZipInfo, keep: bool = True) -> bytes:
        """The entry's bytes (b"" unless keep), or IngestError as soon as a limit is passed or
        the data is bad."""
        chunks: list[bytes] = []
        size = 0
        cap_total = self.limits.bytes(self.total_limit)
        cap_entry = self.limits.bytes(self.entry_limit) if self.entry_limit else None
        try:
            with self.archive.open(entry) as src:
                while chunk := src.read(_CHUNK):
                    size += len(chunk)
                    self.total += len(chunk)
                    if cap_entry is not None and size > cap_entry:
                        assert self.entry_limit is not None
                        self._over(f"{entry.filename} decompresses to more than", self.entry_limit)
                    if self.total > cap_total:
                        self._over("the archive decompresses to more than", self.total_limit)
                    if keep:
                        chunks.append(chunk)
        except IngestError:
            raise
        except (
            zipfile.BadZipFile,
            zlib.error,
            lzma.LZMAError,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise IngestError(
                self.filename,
                f"the archive entry {entry.filename} cannot be unpacked ({brief(exc)})",
                hint="Re-create the archive (plain ZIP, no password) and retry",
            ) from exc
        except RuntimeError as exc:  # zipfile: "File … is encrypted, password required"
            raise IngestError(
                self.filename,
                f"the archive entry {entry.filename} is encrypted",
                hint="Re-create the archive without a password",
            ) from exc
        return b"".join(chunks)

    def _over(self, what: str, limit: str) -> None:
        raise IngestError(
            self.filename,
            f"{what} {getattr(self.limits, limit):g} MB (a ZIP bomb?)",
            hint=f"Re-create the archive {raise_hint(limit)}",
        )


def check_tree(value: Any, filename: str, budget: int, limits: Limits | None = None) -> None:
    """A parsed JSON/YAML value nests at most `json_depth` levels and expands to at most `budget`
    nodes (YAML aliases can make a small file a huge tree: the 'billion laughs')."""
    limits = limits or current_limits()
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > budget:
            raise IngestError(
                filename,
                "the document expands to far more values than its size (YAML aliases?)",
                hint="Write the values out instead of repeating anchors",
            )
        if depth > limits.json_depth:
            raise _too_deep(filename, limits)
        if isinstance(node, dict):
            stack.extend((k, depth + 1) for k in node)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _too_deep(filename: str, limits: Limits) -> IngestError:
    return IngestError(
        filename,
        f"the document nests deeper than {limits.json_depth} levels",
        hint="Check that it is the right file (tool reports nest 3-14 levels) "
        + raise_hint("json_depth"),
    )


def _check_structured_size(filename: str, text: str, kind: str, limits: Limits) -> None:
    if len(text) > limits.bytes("json_mb"):
        raise IngestError(
            filename,
            f"the {kind} is {_mb(len(text))} (at most {limits.json_mb:g} MB)",
            hint=f"Export one page or one run per file {raise_hint('json_mb')}",
        )


def load_json(text: str, filename: str, limits: Limits | None = None) -> Any:
    """json.loads within the limits; json.JSONDecodeError passes through for the caller."""
    limits = limits or current_limits()
    _check_structured_size(filename, text, "JSON", limits)
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise _too_deep(filename, limits) from exc
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise IngestError(
            filename,
            f"the JSON holds a value Python cannot read ({brief(exc)})",
            hint="Re-export it",
        ) from exc
    check_tree(value, filename, budget=len(text) + 16, limits=limits)
    return value


class _TooDeep(Exception):
    """Raised by _Loader past its depth (before the recursive composer gets slow)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates and times as strings (no datetime errors, JSON-friendly) and
    stops composing past `max_depth` levels."""

    max_depth = 64
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise _TooDeep
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, filename: str, limits: Limits | None = None) -> Any:
    """yaml.safe_load within the limits (timestamps kept as strings).

    Raises yaml.YAMLError for malformed YAML (the caller words it), IngestError for the limits
    and for values YAML itself cannot build.
    """
    limits = limits or current_limits()
    _check_structured_size(filename, text, "YAML", limits)
    loader = _Loader(text)  # a SafeLoader subclass: no Python objects
    loader.max_depth = limits.json_depth
    try:
        value = loader.get_single_data()
    except (_TooDeep, RecursionError) as exc:
        raise _too_deep(filename, limits) from exc
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # '!!int 1e9999', bad !!binary …
        raise IngestError(
            filename,
            f"the YAML holds a value that cannot be read ({brief(exc)})",
            hint="Fix that value",
        ) from exc
    finally:
        loader.dispose()
    check_tree(value, filename, budget=2 * len(text) + 64, limits=limits)
    return value
