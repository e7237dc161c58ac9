"""Tries as flat tables for the compiled scanner (`_termscan.c`), and whether it was built.

`pip install` compiles the scanner when a C compiler and the Python headers are there
(hatch_build.py); without it `termscan` is None and its callers use regular expressions, which
give the same results more slowly.
"""

from __future__ import annotations

from array import array
from typing import Any

try:
    from a11y_judge import _termscan as termscan  # type: ignore[attr-defined]
except ImportError:
    termscan = None
#: Which scanner finds terms (`a11y-judge --version` says it).
SCANNER = "compiled C" if termscan is not None else "pure Python (no C compiler at install)"

Tables = tuple[bytes, bytes, bytes, bytes, bytes]


def trie_tables(trie: dict[str, Any], ending: bool = True) -> tuple[Tables, list[str]]:
    """A trie (nested dicts, "" marking where a string ends) as flat tables, nodes numbered
    breadth first: per node its first edge, number of edges and whether a string ends there
    (1: ends; 2: ends when the word ends or goes on with a known ending, for a string ending in
    a letter or digit when `ending`); per edge its character and target node (a node's edges
    sorted by character). Also each node's path from the root."""
    first: list[int] = []
    count: list[int] = []
    ends = bytearray()
    chars: list[int] = []
    targets: list[int] = []
    queue: list[tuple[dict[str, Any], str]] = [(trie, "")]
    for node, path in queue:  # the queue grows while it is read
        kids = sorted(k for k in node if k)
        ends.append(0 if "" not in node else 2 if ending and path[-1:].isalnum() else 1)
        first.append(len(chars))
        count.append(len(kids))
        for ch in kids:
            chars.append(ord(ch))
            targets.append(len(queue))
            queue.append((node[ch], path + ch))
    tables = (
        array("i", first).tobytes(),
        array("i", count).tobytes(),
        bytes(ends),
        array("i", chars).tobytes(),
        array("i", targets).tobytes(),
    )
    return tables, [path for _node, path in queue]
