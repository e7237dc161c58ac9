"""Size limits for every file A11y Judge reads, in one place.

Each limit has a default below and an environment variable `A11Y_JUDGE_MAX_<FIELD>` (e.g.
`A11Y_JUDGE_MAX_PDF_PAGES=1000`), read each time `current_limits()` is called, so a deployment
sets them once (shell, Docker `-e`, systemd) and tests can change them per test.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields
from functools import lru_cache

from a11y_judge.errors import A11yJudgeError

MB = 1024 * 1024


class LimitsError(A11yJudgeError):
    """A limit's environment variable is not a positive number."""


@dataclass(frozen=True)
class Limits:
    """What one file (or one batch ZIP) may hold. Sizes in MB (1 MB = 1,048,576 bytes)."""

    #: Any one file as read: an upload, a file on disk, one entry of a batch ZIP.
    upload_mb: float = 50.0
    #: Pages of a PDF.
    pdf_pages: int = 500
    #: A DOCX's parts, all together, once decompressed.
    unpacked_mb: float = 100.0
    #: Entries of a DOCX or of a batch ZIP.
    zip_entries: int = 5000
    #: A batch ZIP's files, all together, once extracted.
    batch_mb: float = 500.0
    #: A JSON or YAML audit file.
    json_mb: float = 20.0
    #: Nesting of a JSON or YAML document (real tool reports nest 3-14 levels).
    json_depth: int = 64
    #: Characters of a document's text (decoded text file, or text extracted from PDF/DOCX).
    text_chars: int = 2_000_000

    def bytes(self, name: str) -> int:
        """A size limit (a field ending in `_mb`) in bytes."""
        return int(getattr(self, name) * MB)


def env_name(name: str) -> str:
    """The environment variable of a limit: 'pdf_pages' → 'A11Y_JUDGE_MAX_PDF_PAGES'."""
    return f"A11Y_JUDGE_MAX_{name.upper()}"


def current_limits() -> Limits:
    """The defaults, overridden by any `A11Y_JUDGE_MAX_*` variable set in the environment."""
    return _limits_from(tuple(os.environ.get(var, "") for _name, var, _type in _FIELDS))


#: Each limit's field name, environment variable and type.
_FIELDS = tuple((f.name, env_name(f.name), f.type) for f in fields(Limits))


@lru_cache(maxsize=16)
def _limits_from(raws: tuple[str, ...]) -> Limits:
    """The limits for these values of the variables (read once per set of values: a file is
    checked against the limits several times while it is read)."""
    values: dict[str, float | int] = {}
    for (name, var, kind), given in zip(_FIELDS, raws, strict=True):
        raw = given.strip().replace("_", "")
        if not raw:
            continue
        try:
            value = float(raw) if kind == "float" else int(raw)
        except ValueError:
            value = -1
        if not math.isfinite(value) or value <= 0:
            raise LimitsError(
                f"{var}={raw!r} is not a positive "
                + ("number" if kind == "float" else "whole number"),
                hint=f"Set it to a value such as {getattr(Limits, name)} or unset it",
            )
        values[name] = value
    return Limits(**values)  # type: ignore[arg-type]


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, current value, meaning) of every limit."""
    limits = current_limits()
    meanings = {
        "upload_mb": "MB per file (upload, file on disk, entry of a batch ZIP)",
        "pdf_pages": "pages per PDF",
        "unpacked_mb": "MB of a DOCX once decompressed",
        "zip_entries": "entries per DOCX or batch ZIP",
        "batch_mb": "MB of a batch ZIP once extracted",
        "json_mb": "MB per JSON or YAML audit",
        "json_depth": "nesting levels of JSON or YAML",
        "text_chars": "characters of a document's text",
    }
    return [
        (env_name(f.name), _shown(getattr(limits, f.name)), meanings[f.name])
        for f in fields(limits)
    ]


def _shown(value: float) -> str:
    """5000 → '5,000', 2.5 → '2.5'."""
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"
