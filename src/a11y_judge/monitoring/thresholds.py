"""The Performance page's thresholds: shipped defaults (data/monitoring.yaml), overridden by
the user's $A11Y_JUDGE_HOME/thresholds.yaml (what the page saves; a different name, since the
home defaults to ./data, where the shipped file lives)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from a11y_judge.errors import A11yJudgeError
from a11y_judge.paths import data_dir, home_dir

FILE = "monitoring.yaml"
USER_FILE = "thresholds.yaml"


class Thresholds(BaseModel):
    """When the Performance page warns, and how it flags anomalies."""

    p95_latency_s: float = Field(default=30.0, gt=0)
    error_rate: float = Field(default=0.05, ge=0, le=1)
    min_cache_hit_rate: float = Field(default=0.0, ge=0, le=1)
    max_rss_mb: float = Field(default=1024.0, gt=0)
    cost_per_day_usd: float = Field(default=20.0, ge=0)
    anomaly_window: int = Field(default=20, ge=5, le=500)
    anomaly_z: float = Field(default=3.5, gt=0)


def user_file() -> Path:
    return home_dir() / USER_FILE


def _read(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise A11yJudgeError(
            f"{path} cannot be read as YAML ({exc})", hint="Fix or delete the file"
        ) from exc
    if not isinstance(data, dict):
        raise A11yJudgeError(f"{path} is not a mapping of thresholds", hint="Fix the file")
    return data


def load_thresholds() -> Thresholds:
    """Defaults, then the user's overrides."""
    merged: dict[str, object] = {}
    for path in (data_dir() / FILE, user_file()):
        if path.exists():
            merged |= _read(path)
    try:
        return Thresholds.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise A11yJudgeError(
            f"threshold {'.'.join(map(str, first['loc']))}: {first['msg']}",
            hint=f"Fix {user_file()} or save the thresholds again on the Performance page",
        ) from exc


def save_thresholds(values: Thresholds) -> Path:
    """Write the user's thresholds (all of them) atomically; returns the file."""
    path = user_file()
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump(values.model_dump(), sort_keys=False), encoding="utf-8")
    tmp.replace(path)
    return path
