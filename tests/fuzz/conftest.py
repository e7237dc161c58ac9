"""Print how many inputs each fuzz target tried (the README's figure comes from a long run)."""

from __future__ import annotations

import pytest
from corpus import EXAMPLES, TIME_BOUND, TRIED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TRIED:
        return
    terminalreporter.section("fuzz inputs tried")
    for target, n in sorted(TRIED.items()):
        terminalreporter.write_line(f"{n:>8,}  {target}")
    terminalreporter.write_line(
        f"{sum(TRIED.values()):>8,}  in all ({EXAMPLES} examples per test, "
        f"at most {TIME_BOUND:g} s of CPU each)"
    )
