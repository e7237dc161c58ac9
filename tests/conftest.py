"""Shared fixtures: every test gets its own A11Y_JUDGE_HOME, so no test touches real data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
SAMPLES = REPO.parent / "shared" / "samples"
ACCESS_VARS = (
    "A11Y_JUDGE_PASSWORD",
    "A11Y_JUDGE_PASSWORD_HASH",
    "A11Y_JUDGE_READ_ONLY",
    "A11Y_JUDGE_SESSION_QUOTA",
    "A11Y_JUDGE_MAX_RUN_USD",
)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("A11Y_JUDGE_HOME", str(home))
    for name in ACCESS_VARS:  # a deployment's gate in the developer's shell must not leak in
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def demo_dir() -> Path:
    """The shipped demo audit and plans."""
    return DEMO
