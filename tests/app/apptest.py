"""What the app tests share: open a page, read its texts, find a table, no exception."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"


def on(page: str, query: dict[str, str] | None = None, timeout: float = 60) -> AppTest:
    """The app, run once on its default page, then switched to `page` (e.g. views/batch.py)."""
    at = AppTest.from_file(str(MAIN), default_timeout=timeout)
    if query:
        at.query_params.update(query)
    at.run()
    return at.switch_page(page).run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def texts(elements: object) -> str:
    return "\n".join(str(e.value) for e in elements)  # type: ignore[attr-defined]


def frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first table (grid or HTML table) that has this column."""
    return next(t for t in frames(at) if column in t.columns)


def frames(at: AppTest) -> list[pd.DataFrame]:
    """Every grid's and every HTML table's data, grids first."""
    return [d.value for d in [*at.dataframe, *at.table]]
