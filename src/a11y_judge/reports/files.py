"""Writing a report file so that nothing half-written is ever left behind."""

from __future__ import annotations

from pathlib import Path


def write_report(path: Path, body: str | bytes) -> Path:
    """Write `body` (text as UTF-8) to a temporary file beside `path`, then move it in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    if isinstance(body, bytes):
        tmp.write_bytes(body)
    else:
        tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
    return path
