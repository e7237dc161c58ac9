"""Where things live: the home directory (history, cache) and shipped resources."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the package is installed in editable mode from src/).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def resources_dir(name: str) -> Path:
    """A shipped resource folder (`data` or `prompts`), overridable by A11Y_JUDGE_RESOURCES."""
    base = os.environ.get("A11Y_JUDGE_RESOURCES")
    return (Path(base) if base else PROJECT_ROOT) / name


def data_dir() -> Path:
    """Shipped data: WCAG catalog, axe rule map, demo set."""
    return resources_dir("data")


def prompts_dir() -> Path:
    """Rubric and prompt templates."""
    return resources_dir("prompts")


def home_dir() -> Path:
    """User state (history, cache): $A11Y_JUDGE_HOME, default ./data. Created on demand."""
    home = Path(os.environ.get("A11Y_JUDGE_HOME") or Path.cwd() / "data")
    home.mkdir(parents=True, exist_ok=True)
    return home


def history_path() -> Path:
    """The SQLite history file."""
    return home_dir() / "history.sqlite"
