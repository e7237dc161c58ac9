"""CSV that is safe to open in a spreadsheet: a text cell that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return is prefixed with `'`, so it is shown, never run as a formula (CSV
injection). Numbers, -0.25 included, are written as they are."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutral(cell: Any) -> Any:
    """The cell, with a leading formula trigger neutralised when it is text."""
    if isinstance(cell, str) and cell.startswith(TRIGGERS) and not _number(cell):
        return "'" + cell
    return cell


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class SafeWriter:
    """csv.writer whose text cells are neutralised."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutral(c) for c in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
