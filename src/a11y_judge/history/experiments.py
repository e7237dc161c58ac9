"""A/B experiments in history: definition, results and the runs behind them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from a11y_judge.errors import A11yJudgeError
from a11y_judge.experiments.runner import ExperimentData
from a11y_judge.history.store import HistoryStore
from a11y_judge.models import utcnow


@dataclass(frozen=True)
class ExperimentSummary:
    experiment_id: str
    created_at: str
    variants: list[str]
    n_items: int
    verdict: str


class ExperimentStore:
    def __init__(self, history: HistoryStore | None = None) -> None:
        self.history = history or HistoryStore()

    def save(
        self, data: ExperimentData, definition: dict[str, Any], result: dict[str, Any]
    ) -> None:
        """The experiment and its runs' ids, in one transaction (the runs are saved already)."""
        with self.history._connect() as db, db:
            db.execute(
                "INSERT INTO experiments VALUES (?, ?, ?, ?)",
                (
                    data.experiment_id,
                    utcnow().isoformat(),
                    json.dumps(definition),
                    json.dumps(result),
                ),
            )
            db.executemany(
                "INSERT INTO experiment_runs VALUES (?, ?, ?, ?, ?)",
                [(data.experiment_id, v, k, s, run.run_id) for (v, k, s), run in data.runs.items()],
            )

    def result(self, experiment_id: str) -> dict[str, Any]:
        with self.history._connect() as db:
            row = db.execute(
                "SELECT result_json FROM experiments WHERE experiment_id = ?", (experiment_id,)
            ).fetchone()
        if row is None:
            raise A11yJudgeError(
                f"no experiment {experiment_id!r} in {self.history.path}",
                hint="List them with `a11y-judge ab --list`",
            )
        return json.loads(row[0])  # type: ignore[no-any-return]

    def list(self) -> list[ExperimentSummary]:
        with self.history._connect() as db:
            rows = db.execute(
                "SELECT experiment_id, created_at, result_json FROM experiments"
                " ORDER BY created_at DESC"
            ).fetchall()
        out = []
        for experiment_id, created, body in rows:
            doc = json.loads(body)
            out.append(
                ExperimentSummary(
                    experiment_id,
                    created,
                    [v["name"] for v in doc["variants"]],
                    doc["n_items"],
                    doc["verdict"],
                )
            )
        return out
