"""Coverage measured against labelled data: precision, recall and F1 over finding × plan.

A labelled set is a folder with an audit, a `plans/` folder and a `truth.yaml` that labels every
finding for every plan `addressed`, `mentioned` or `missed`, each with its reason:

    audit: audit.json
    findings: {GR-01: Delivery slot dropdown has no accessible name, …}
    plans:
      phased-roadmap.md:
        GR-01: {label: addressed, reason: "§2 gives the <select> a <label for=slot>"}

The coverage under test is the offline judge's, through the product's own ingestion.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from a11y_judge.ingest import read_audit, read_plan
from a11y_judge.judges.offline import OfflineJudge
from a11y_judge.rubric import load_rubric

STATES = ("addressed", "mentioned", "missed")


@dataclass
class Cell:
    """One finding × plan: the label, the judge's state and the label's reason."""

    audit: str
    plan: str
    finding: str
    truth: str
    predicted: str
    reason: str


@dataclass
class Scores:
    """Agreement over cells; 'positive' means addressed."""

    cells: list[Cell] = field(default_factory=list)

    def _count(self, truth: bool, predicted: bool) -> int:
        return sum(
            1
            for c in self.cells
            if (c.truth == "addressed") == truth and (c.predicted == "addressed") == predicted
        )

    @property
    def precision(self) -> float:
        tp, fp = self._count(True, True), self._count(False, True)
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def recall(self) -> float:
        tp, fn = self._count(True, True), self._count(True, False)
        return tp / (tp + fn) if tp + fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def state_accuracy(self) -> float:
        """Share of cells whose three-way state is right."""
        return sum(c.truth == c.predicted for c in self.cells) / len(self.cells) if self else 0.0

    def confusion(self) -> Counter[tuple[str, str]]:
        """(truth, predicted) → count."""
        return Counter((c.truth, c.predicted) for c in self.cells)

    def errors(self) -> list[Cell]:
        return [c for c in self.cells if c.truth != c.predicted]

    def __bool__(self) -> bool:
        return bool(self.cells)

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.cells + other.cells)


def score_set(folder: Path) -> Scores:
    """Judge every plan of one labelled folder and compare with its truth file."""
    truth = yaml.safe_load((folder / "truth.yaml").read_text(encoding="utf-8"))
    audit = read_audit(folder / truth["audit"])
    known = {f.id for f in audit.findings}
    judge, rubric = OfflineJudge(), load_rubric()
    scores = Scores()
    for plan_file, labels in truth["plans"].items():
        missing = set(labels) ^ known
        if missing:
            raise ValueError(f"{folder.name}/{plan_file}: labels and findings differ: {missing}")
        plan = read_plan(folder / "plans" / plan_file)
        judgment = judge.judge(audit, plan, rubric)
        assert judgment.coverage is not None
        states = judgment.coverage.states()
        for fid, label in labels.items():
            if label["label"] not in STATES:
                raise ValueError(f"{folder.name}/{plan_file}/{fid}: bad label {label['label']}")
            scores.cells.append(
                Cell(folder.name, plan_file, fid, label["label"], states[fid], label["reason"])
            )
    return scores


def score_sets(root: Path) -> dict[str, Scores]:
    """Every labelled folder under root (those holding a truth.yaml), by folder name."""
    return {p.parent.name: score_set(p.parent) for p in sorted(root.glob("*/truth.yaml"))}
