"""Load and validate the rubric from prompts/ (versioned by content hash)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import ValidationError

from a11y_judge.errors import IngestError, RubricError
from a11y_judge.ingest.guards import load_yaml
from a11y_judge.models import Rubric
from a11y_judge.paths import prompts_dir


def default_rubric_path() -> Path:
    """prompts/rubric.yaml."""
    return prompts_dir() / "rubric.yaml"


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Parse and validate a rubric file; its version is the first 12 hex of its sha256."""
    p = Path(path) if path else default_rubric_path()
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RubricError(f"rubric file {p} cannot be read", hint="Check the path") from exc
    try:
        doc = load_yaml(raw.decode("utf-8-sig"), p.name)
        if not isinstance(doc, dict):
            raise RubricError(f"{p.name}: expected a mapping with 'criteria'")
        return Rubric(
            name=str(doc.get("name", p.stem)),
            version=hashlib.sha256(raw).hexdigest()[:12],
            criteria=doc.get("criteria", []),
            consensus=doc.get("consensus") or {},
        )
    except IngestError as exc:  # the limits (size, nesting), or a value YAML cannot build
        raise RubricError(exc.message, hint=exc.hint) from exc
    except UnicodeDecodeError as exc:
        raise RubricError(f"{p.name} is not UTF-8 text", hint="Save it as UTF-8") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()
        raise RubricError(
            f"{p.name} is not a valid rubric ({' '.join(first[:3])})",
            hint="Each criterion needs id, name, weight, description and anchors; weights sum "
            "to 1; consensus thresholds rise (medium < high < critical) and name known "
            "strategies",
        ) from exc


def weighted_score(scores: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Weighted mean over the criteria that have a score (weights renormalised); None if none."""
    present = {k: v for k, v in scores.items() if v is not None and k in weights}
    total = sum(weights[k] for k in present)
    if not present or total <= 0:
        return None
    return sum(weights[k] * v for k, v in present.items()) / total
