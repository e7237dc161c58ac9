"""The run document: the JSON printed by `evaluate --json` and `history show --json`."""

from __future__ import annotations

from typing import Any

import orjson

from a11y_judge.models import Run


def run_document(run: Run) -> dict[str, Any]:
    """The run in the documented JSON shape (README, "JSON output"); exactly these keys."""
    return {
        "run_id": run.run_id,
        "status": run.status,
        "rubric": {
            "criteria": [
                {"id": c.id, "name": c.name, "weight": c.weight} for c in run.rubric.criteria
            ],
        },
        "audit": {
            "name": run.audit.name,
            "source_format": run.audit.source_format,
            "findings": [
                {"id": f.id, "wcag": f.wcag, "severity": f.severity.value, "title": f.title}
                for f in run.audit.findings
            ],
        },
        "judges": [j.model_dump(mode="json") for j in run.judges],
        "plans": [
            {
                "name": r.name,
                "rank": r.rank,
                "score": r.score,
                "provisional": r.provisional,
                "criteria": {
                    cid: {
                        "score": c.score,
                        "provisional_score": c.provisional_score,
                        "rationale": c.rationale,
                        "evidence": [e.model_dump(mode="json") for e in c.evidence],
                        "judges": c.judges,
                    }
                    for cid, c in r.criteria.items()
                },
                "coverage": {
                    "covered": r.coverage.covered,
                    "mentioned": r.coverage.mentioned,
                    "missed": r.coverage.missed,
                    "ratio": r.coverage.ratio,
                    "evidence": r.coverage.evidence,
                },
            }
            for r in run.results
        ],
        "conflicts": [c.model_dump(mode="json") for c in run.conflicts],
        "plan_conflicts": [c.model_dump(mode="json") for c in run.plan_conflicts],
        "rank_conflict": run.rank_conflict.model_dump(mode="json") if run.rank_conflict else None,
        "agreement": run.agreement.model_dump(mode="json"),
        "resources": run.resources.model_dump(mode="json") if run.resources else None,
        "injection": [f.model_dump(mode="json") for f in run.injection],
        "redaction": run.redaction.model_dump(mode="json") if run.redaction else None,
    }


def to_json(run: Run) -> str:
    """The run document as indented JSON text (orjson: the standard library's encoder is
    pure Python once it indents, and a run of hundreds of plans took it most of a second)."""
    return orjson.dumps(run_document(run), option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
