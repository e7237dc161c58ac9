"""The judge reply cache: diskcache with the JSON serializer, in a private directory.

Pickle is never used (diskcache's default pickle serializer has an unfixed CVE). Keys are
sha256 hashes of everything that changes an answer, never of a key or secret. Identical
requests made at the same time share one call (single flight).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diskcache

from a11y_judge.errors import A11yJudgeError
from a11y_judge.paths import home_dir

#: Default size cap; the oldest stored entries are evicted beyond it.
DEFAULT_SIZE_LIMIT = 256 * 1024 * 1024


def cache_dir() -> Path:
    """$A11Y_JUDGE_HOME/cache."""
    return home_dir() / "cache"


def cache_key(**parts: Any) -> str:
    """A stable hash of the named parts (JSON-encoded with sorted keys)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    """What `a11y-judge cache stats` prints."""

    directory: str
    entries: int
    volume_bytes: int
    size_limit_bytes: int
    hits: int
    misses: int


class JudgeCache:
    """Cached judge replies (JSON values); beyond `size_limit` bytes the oldest stored go first
    (least recently stored: a hit is a pure read, where least-recently-used wrote the access
    time on every hit, and those writes made the slowest hits several milliseconds)."""

    def __init__(self, directory: Path | None = None, size_limit: int = DEFAULT_SIZE_LIMIT) -> None:
        self.directory = directory or cache_dir()
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.directory, 0o700)  # private even if it existed with wider rights
            self._cache = diskcache.Cache(
                str(self.directory),
                disk=diskcache.JSONDisk,
                size_limit=size_limit,
                eviction_policy="least-recently-stored",
            )
            self._cache.stats(enable=True)
        except (OSError, diskcache.Timeout) as exc:
            raise A11yJudgeError(
                f"the cache in {self.directory} cannot be opened ({exc})",
                hint="Run with --no-cache, or fix the folder's permissions",
            ) from exc
        self._inflight: dict[str, Future[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._disk = threading.Lock()

    def get_or_compute(
        self, key: str, compute: Callable[[], dict[str, Any]], cacheable: Callable[[Any], bool]
    ) -> tuple[dict[str, Any], bool]:
        """(value, True) from the cache or a concurrent identical call; else compute it.

        The computed value is stored only if `cacheable(value)`; exceptions propagate to every
        caller waiting on the same key and nothing is stored.
        """
        with self._lock:  # claim the key; the disk is read outside the lock
            waiting = self._inflight.get(key)
            if waiting is None:
                mine: Future[dict[str, Any]] = Future()
                self._inflight[key] = mine
        if waiting is not None:  # an identical call is in flight: share its result
            shared = waiting.result()
            return shared, cacheable(shared)
        hit = False
        try:
            with self._disk:  # one writer at a time: no SQLite busy-wait sleeps
                found = self._cache.get(key, default=None, retry=True)
            hit = isinstance(found, dict)
            value = found if hit else compute()
            if not hit and cacheable(value):
                with self._disk:
                    self._cache.set(key, value, retry=True)
            mine.set_result(value)
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._inflight.pop(key, None)
        return value, hit

    def stats(self) -> CacheStats:
        """Entries, bytes on disk, the cap and lifetime hits/misses."""
        hits, misses = self._cache.stats()
        return CacheStats(
            directory=str(self.directory),
            entries=len(self._cache),
            volume_bytes=int(self._cache.volume()),
            size_limit_bytes=int(self._cache.size_limit),
            hits=hits,
            misses=misses,
        )

    def clear(self) -> int:
        """Remove every entry; returns how many were removed."""
        removed = int(self._cache.clear(retry=True))
        self._cache.stats(enable=True, reset=True)
        return removed

    def close(self) -> None:
        """Close the underlying database."""
        self._cache.close()
