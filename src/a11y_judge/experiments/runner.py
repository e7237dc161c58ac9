"""Running an experiment: every variant, K times, on every set's plans — each run recorded in
history and through the reply cache (a re-run of an unchanged variant costs no request)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from a11y_judge.batch.sets import SetSource, discover
from a11y_judge.engine import evaluate
from a11y_judge.errors import A11yJudgeError
from a11y_judge.experiments.variants import Variant, check_names
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import read_audit, read_plans
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import Run, utcnow

Progress = Callable[[int, int, str], None]  # (done, total, what just finished)


@dataclass
class ExperimentData:
    """Every run of an experiment, by (variant, repeat, set)."""

    experiment_id: str
    variants: list[Variant]
    repeats: int
    sets: list[str]
    runs: dict[tuple[str, int, str], Run] = field(default_factory=dict)
    failed_sets: list[tuple[str, str]] = field(default_factory=list)


def new_experiment_id() -> str:
    return f"ab-{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"


def item_sets(path: str | Path) -> list[SetSource]:
    """The sets of a set folder, a folder of sets or a manifest; unusable sets are dropped
    with their reason (reported), and no usable set is one clear error."""
    sets = discover(path)
    if not any(s.problem is None for s in sets):
        reasons = "; ".join(f"{s.name}: {s.problem}" for s in sets)
        raise A11yJudgeError(f"no usable set in {path} ({reasons})", hint="Give a set folder")
    return sets


def run_experiment(
    variants: list[Variant],
    sets: list[SetSource],
    repeats: int = 1,
    *,
    base: Callable[[], JudgeSettings] = JudgeSettings,
    store: HistoryStore | None = None,
    progress: Progress | None = None,
) -> ExperimentData:
    """Judge every set with every variant `repeats` times; each run saved in history."""
    check_names(variants)
    if repeats < 1:
        raise A11yJudgeError("repeats must be 1 or more", hint="--repeats 1")
    store = store or HistoryStore()
    failed = [(s.name, s.problem) for s in sets if s.problem is not None]
    inputs = {}
    for s in sets:
        if s.problem is not None or s.audit is None:
            continue
        try:  # a set whose audit or plans cannot be read is left out, with its reason
            inputs[s.name] = (read_audit(s.audit), read_plans((p, None) for p in s.plans))
        except A11yJudgeError as exc:
            failed.append((s.name, str(exc)))
    if not inputs:
        reasons = "; ".join(f"{n}: {why}" for n, why in failed)
        raise A11yJudgeError(f"no set could be read ({reasons})", hint="Check the items")
    data = ExperimentData(new_experiment_id(), variants, repeats, list(inputs))
    data.failed_sets = failed
    total, done = len(variants) * repeats * len(inputs), 0
    for variant in variants:
        rubric = variant.rubric_for()
        for k in range(repeats):
            settings = variant.settings(base())
            settings.repeat = k
            try:
                judges = variant.judges(settings)
                for name, (audit, plans) in inputs.items():
                    run = evaluate(audit, plans, judges, rubric)
                    store.save_run(run)
                    data.runs[(variant.name, k, name)] = run
                    done += 1
                    if progress is not None:
                        progress(done, total, f"{variant.name} #{k + 1} on {name}")
            finally:
                settings.close()
    return data
