"""Stable identifiers for findings that have none of their own."""

from __future__ import annotations

import hashlib
import re


def slugify(text: str, max_len: int = 40) -> str:
    """'Images Missing Alt Text' → 'images-missing-alt-text'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "finding"


def stable_id(prefix: str, *parts: str) -> str:
    """A short id that depends only on the given parts: 'AXE-color-contrast', 'F-3a9c1b'."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:6]
    return f"{prefix}-{digest}"


def unique_ids(ids: list[str]) -> list[str]:
    """Make ids unique by suffixing -2, -3… to repeats, keeping order."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for i in ids:
        if i in seen:
            seen[i] += 1
            candidate = f"{i}-{seen[i]}"
            while candidate in seen:
                seen[i] += 1
                candidate = f"{i}-{seen[i]}"
            seen[candidate] = 1
            out.append(candidate)
        else:
            seen[i] = 1
            out.append(i)
    return out


def content_hash(data: bytes) -> str:
    """sha256 hex of a file's bytes."""
    return hashlib.sha256(data).hexdigest()
