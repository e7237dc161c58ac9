"""A variant: a judge spec plus overrides, written NAME=SPEC on the command line.

    strict=offline+rubric=prompts/strict.yaml
    weighted=offline+weights=strategic_prioritization:0.6,technical_specificity:0.2,comprehensiveness:0.1,long_term_vision:0.1
    v2=openai:gpt-4.1+prompt=prompts/v2/+temperature=0.2
    local=openai-compatible:llama3.1@http://localhost:11434/v1+samples=3

Overrides: `rubric=FILE` (another rubric YAML), `weights=ID:W,...` (criterion weights, summing
to 1), `prompt=DIR` (a folder with judge_system.md and judge_user.md; LLM judges),
`temperature=T` and `samples=K` (LLM judges). The offline judge has no settings of its own:
its variants differ by rubric or weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from a11y_judge.errors import A11yJudgeError
from a11y_judge.judges import create_judge
from a11y_judge.judges.base import Judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import Rubric
from a11y_judge.rubric import load_rubric

KEYS = ("rubric", "weights", "prompt", "temperature", "samples")


class VariantError(A11yJudgeError):
    """A variant that cannot be read or built."""


@dataclass(frozen=True)
class Variant:
    """One arm of an experiment."""

    name: str
    judge: str
    rubric: str | None = None
    weights: dict[str, float] = field(default_factory=dict)
    prompt: str | None = None
    temperature: float | None = None
    samples: int | None = None

    @property
    def spec(self) -> str:
        """The variant written back as SPEC (what `parse` reads)."""
        parts = [self.judge]
        if self.rubric:
            parts.append(f"rubric={self.rubric}")
        if self.weights:
            parts.append("weights=" + ",".join(f"{k}:{v:g}" for k, v in self.weights.items()))
        if self.prompt:
            parts.append(f"prompt={self.prompt}")
        if self.temperature is not None:
            parts.append(f"temperature={self.temperature:g}")
        if self.samples is not None:
            parts.append(f"samples={self.samples}")
        return "+".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "spec": self.spec}

    def rubric_for(self) -> Rubric:
        """The rubric this variant judges with (its file, then its weights)."""
        rubric = load_rubric(self.rubric)
        if not self.weights:
            return rubric
        ids = [c.id for c in rubric.criteria]
        if sorted(self.weights) != sorted(ids):
            raise VariantError(
                f"variant {self.name}: weights must name each criterion once ({', '.join(ids)})",
                hint="e.g. weights="
                + ",".join(f"{i}:{c.weight:g}" for i, c in zip(ids, rubric.criteria, strict=True)),
            )
        try:
            return rubric.with_weights(self.weights)
        except ValueError as exc:  # pydantic: they do not sum to 1, or one is out of range
            raise VariantError(
                f"variant {self.name}: these weights are not valid ({str(exc).splitlines()[-1]})",
                hint="Weights are between 0 and 1 and sum to 1",
            ) from exc

    def judges(self, settings: JudgeSettings) -> list[Judge]:
        """The variant's judge, its overrides applied."""
        judge = create_judge(self.judge, settings)
        llm_only = (self.prompt, self.temperature, self.samples)
        if any(x is not None for x in llm_only) and not hasattr(judge, "prompt_dir"):
            raise VariantError(
                f"variant {self.name}: prompt, temperature and samples apply to LLM judges, "
                f"not to {self.judge}",
                hint="Vary the offline judge by rubric= or weights=",
            )
        if self.prompt is not None:
            folder = Path(self.prompt)
            if not folder.is_dir():
                raise VariantError(
                    f"variant {self.name}: prompt folder {folder} does not exist",
                    hint="Give a folder holding judge_system.md and judge_user.md",
                )
            judge.prompt_dir = folder  # type: ignore[attr-defined]
        return [judge]

    def settings(self, base: JudgeSettings) -> JudgeSettings:
        """Judge settings for this variant: the base's, with its temperature and samples."""
        from dataclasses import replace

        changes: dict[str, object] = {}
        if self.temperature is not None:
            changes["temperature"] = self.temperature
        if self.samples is not None:
            changes["samples"] = self.samples
        return replace(base, **changes)  # type: ignore[arg-type]


def parse(text: str) -> Variant:
    """'NAME=SPEC' → Variant (see the module docstring); one clear error when malformed."""
    name, eq, spec = text.partition("=")
    name = name.strip()
    if not eq or not name or not spec.strip():
        raise VariantError(
            f"variant {text!r} is not NAME=SPEC",
            hint="e.g. --variant base=offline --variant strict=offline+rubric=prompts/strict.yaml",
        )
    judge, *overrides = spec.strip().split("+")
    found: dict[str, object] = {}
    for item in overrides:
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or key not in KEYS:
            raise VariantError(
                f"variant {name}: unknown override {item!r}",
                hint="Overrides are " + ", ".join(f"{k}=..." for k in KEYS),
            )
        found[key] = _value(name, key, value.strip())
    variant = Variant(name=name, judge=judge.strip(), **found)  # type: ignore[arg-type]
    variant.rubric_for()  # a bad rubric file or weights fail here, before anything runs
    return variant


def _value(name: str, key: str, value: str) -> object:
    try:
        if key == "weights":
            pairs = [p.split(":") for p in value.split(",") if p.strip()]
            return {k.strip(): float(v) for k, v in pairs}
        if key == "temperature":
            return float(value)
        if key == "samples":
            return int(value)
    except ValueError as exc:
        raise VariantError(
            f"variant {name}: {key}={value!r} cannot be read",
            hint="weights=ID:W,ID:W,…; temperature=0.2; samples=3",
        ) from exc
    return value


def check_names(variants: list[Variant]) -> None:
    """Two variants at least, each name once."""
    if len(variants) < 2:
        raise VariantError("an experiment needs two variants or more", hint="Add --variant")
    names = [v.name for v in variants]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise VariantError(f"variant name {', '.join(twice)} is used twice", hint="Rename one")
