"""Expert scores to measure variants against: a CSV with columns `plan`, `criterion`, `score`
(0-10) and optionally `set` (needed when plan names recur across sets). `criterion` is a
rubric criterion id, or `weighted` for the plan's weighted score."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from a11y_judge.errors import A11yJudgeError

REQUIRED = ("plan", "criterion", "score")

Gold = dict[tuple[str, str, str], float]  # (set or "", plan, criterion) -> expert score


class GoldError(A11yJudgeError):
    """A gold CSV that cannot be used."""


def read_gold(source: str | Path | bytes, plans: set[tuple[str, str]], criteria: set[str]) -> Gold:
    """Read and check a gold CSV against the experiment's items ((set, plan)) and criteria."""
    name = "the gold CSV" if isinstance(source, bytes) else str(source)
    try:
        text = (
            source.decode("utf-8-sig")
            if isinstance(source, bytes)
            else Path(source).read_text(encoding="utf-8-sig")
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{name} cannot be read ({exc})", hint="Give a UTF-8 CSV file") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise GoldError(
            f"{name} has no {', '.join(missing)} column",
            hint="Columns: plan, criterion, score (and set when plan names recur)",
        )
    by_plan: dict[str, list[str]] = {}
    for s, p in plans:
        by_plan.setdefault(p, []).append(s)
    gold: Gold = {}
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        plan, criterion, raw = row["plan"], row["criterion"], row["score"]
        try:
            score = float(raw)
        except ValueError:
            score = math.nan
        if not math.isfinite(score) or not 0 <= score <= 10:
            raise GoldError(
                f"{name} line {line}: score {raw!r} is not a number from 0 to 10",
                hint="Scores are on the rubric's 0-10 scale",
            )
        if criterion not in criteria and criterion != "weighted":
            raise GoldError(
                f"{name} line {line}: unknown criterion {criterion!r}",
                hint="Use one of: " + ", ".join(sorted(criteria)) + ", weighted",
            )
        sets = by_plan.get(plan)
        if not sets:
            raise GoldError(
                f"{name} line {line}: no plan named {plan!r} in the experiment",
                hint="Plan names are the file names without their extension",
            )
        chosen = row.get("set", "")
        if chosen and chosen not in sets:
            raise GoldError(
                f"{name} line {line}: set {chosen!r} has no plan {plan!r}",
                hint="Check the set column",
            )
        if not chosen and len(sets) > 1:
            raise GoldError(
                f"{name} line {line}: plan {plan!r} is in several sets",
                hint="Add a set column to say which",
            )
        gold[(chosen or sets[0], plan, criterion)] = score
    if not gold:
        raise GoldError(f"{name} has no scores", hint="One row per plan and criterion")
    return gold
