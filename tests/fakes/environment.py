"""Test isolation from the developer's own credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from a11y_judge.credentials import BASE_URL_VARS, KEY_VARS


def without_outside_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No key or base URL from the environment, and a fresh working directory (credentials
    read ./.env; Streamlit reads ./.streamlit/secrets.toml); returns that directory."""
    for names in KEY_VARS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    for name in BASE_URL_VARS.values():
        monkeypatch.delenv(name, raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return work
