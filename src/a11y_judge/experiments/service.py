"""What the CLI and the A/B page call: parse the variants, run, analyse, record, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from a11y_judge.experiments.analysis import analyse
from a11y_judge.experiments.gold import read_gold
from a11y_judge.experiments.runner import Progress, item_sets, run_experiment
from a11y_judge.experiments.variants import Variant, check_names, parse
from a11y_judge.history.experiments import ExperimentStore, ExperimentSummary
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import read_plans
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.reports.experiment_report import (
    experiment_csv,
    experiment_json,
    experiment_markdown,
)
from a11y_judge.reports.files import write_report
from a11y_judge.reports.pdf_report import experiment_html, render_pdf


def variants_from(texts: Sequence[str | Variant]) -> list[Variant]:
    """Variants from NAME=SPEC texts (or Variants), checked before anything runs."""
    variants = [t if isinstance(t, Variant) else parse(t) for t in texts]
    check_names(variants)
    return variants


def run(
    variants: Sequence[str | Variant],
    items: str | Path,
    *,
    repeats: int = 1,
    gold: str | Path | bytes | None = None,
    settings: Callable[[], JudgeSettings] = JudgeSettings,
    progress: Progress | None = None,
    store: HistoryStore | None = None,
) -> dict[str, Any]:
    """Run an experiment and record it; returns its results document. The variants, the
    items and the gold CSV are all checked before the first judgment."""
    chosen = variants_from(variants)
    sets = item_sets(items)
    labels = None
    if gold is not None:
        plans = {
            (s.name, p.name)
            for s in sets
            if s.problem is None
            for p in read_plans((x, None) for x in s.plans)
        }
        criteria = {c.id for v in chosen for c in v.rubric_for().criteria}
        labels = read_gold(gold, plans, criteria)
    store = store or HistoryStore()
    data = run_experiment(chosen, sets, repeats, base=settings, store=store, progress=progress)
    doc = analyse(data, labels)
    definition = {
        "variants": [v.to_dict() for v in chosen],
        "items": str(items),
        "repeats": repeats,
        "gold": len(labels) if labels else None,
    }
    ExperimentStore(store).save(data, definition, doc)
    return doc


def load(experiment_id: str) -> dict[str, Any]:
    return ExperimentStore().result(experiment_id)


def past() -> list[ExperimentSummary]:
    return ExperimentStore().list()


def write_reports(doc: dict[str, Any], folder: Path) -> list[Path]:
    """JSON, CSV, Markdown and (tagged) PDF of the experiment in `folder`."""
    stem = doc["experiment_id"]
    bodies: tuple[tuple[str, str | bytes], ...] = (
        ("json", experiment_json(doc)),
        ("csv", experiment_csv(doc)),
        ("md", experiment_markdown(doc)),
        ("pdf", render_pdf(experiment_html(doc))),
    )
    out = [write_report(folder / f"{stem}.{ext}", body) for ext, body in bodies]
    return out
