"""CSV exports are safe to open in a spreadsheet (CSV injection)."""

from __future__ import annotations

import csv
import io

from a11y_judge.reports.spreadsheet import SafeWriter, neutral


def test_formula_triggers_are_neutralised_and_numbers_kept() -> None:
    assert neutral('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for text in ("+1+2", "-cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"):
        assert neutral(text).startswith("'")
    assert neutral("-0.25") == "-0.25" and neutral(-3) == -3 and neutral("plan-a") == "plan-a"


def test_the_writer_round_trips_as_text() -> None:
    out = io.StringIO()
    SafeWriter(out).writerows([["plan", "score"], ["=1+1", -1.5]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["plan", "score"], ["'=1+1", "-1.5"]]
