"""Precision and recall of the injection scanner and the PII redactor on their labelled sets
(tests/labelled/injection/cases.yaml, tests/labelled/pii/cases.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from a11y_judge.safety.injection import scan_text
from a11y_judge.safety.redact import find_pii

ROOT = Path(__file__).resolve().parents[2]
INJECTION = ROOT / "tests" / "labelled" / "injection" / "cases.yaml"
PII = ROOT / "tests" / "labelled" / "pii" / "cases.yaml"


@dataclass
class Score:
    """Counts and the mistakes behind them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    items: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, what: str) -> str:
        return (
            f"{what}: precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn}; {self.items} labelled texts)"
        )


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def injection_score(path: Path = INJECTION) -> Score:
    """Per text: a positive is found when any labelled kind is reported; a hard negative
    (or a listed clean file) counts a false positive when anything is reported."""
    doc = _load(path)
    s = Score()
    texts = [(c["id"], c["text"], c.get("role", "plan"), set(c["kinds"])) for c in doc["cases"]]
    for f in doc.get("files", []):
        texts.append((f["path"], (ROOT / f["path"]).read_text(encoding="utf-8"), "plan", set()))
    for name, text, role, kinds in texts:
        s.items += 1
        got = scan_text(text, name, role)
        reported = {g.kind for g in got}
        if kinds:
            if reported & kinds:
                s.tp += 1
            else:
                s.fn += 1
                s.mistakes.append(
                    f"missed {name}: expected {sorted(kinds)}, got {sorted(reported)}"
                )
        elif got:
            s.fp += 1
            s.mistakes.append(
                f"false alarm {name}: " + "; ".join(f"{g.kind} {g.excerpt!r}" for g in got)
            )
    return s


def pii_score(path: Path = PII) -> Score:
    """Per value: found with the right kind (tp), found but not labelled or under another kind
    (fp), labelled but not found (fn)."""
    doc = _load(path)
    s = Score()
    texts = [(c["id"], c["text"], c["values"]) for c in doc["cases"]]
    for f in doc.get("files", []):
        texts.append((f["path"], (ROOT / f["path"]).read_text(encoding="utf-8"), []))
    for name, text, values in texts:
        s.items += 1
        want = {(v["kind"], str(v["value"])) for v in values}
        got = {(m.kind, m.value) for m in find_pii(text)}
        s.tp += len(want & got)
        for kind, value in sorted(got - want):
            s.fp += 1
            s.mistakes.append(f"false alarm {name}: {kind} {value!r}")
        for kind, value in sorted(want - got):
            s.fn += 1
            s.mistakes.append(f"missed {name}: {kind} {value!r}")
    return s
