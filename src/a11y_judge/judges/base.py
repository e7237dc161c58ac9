"""The Judge protocol and the registry that builds judges from specs ('offline', 'openai:MODEL')."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from a11y_judge.errors import JudgeConfigError
from a11y_judge.models import AuditReport, Judgment, Plan, Rubric


@runtime_checkable
class Judge(Protocol):
    """Scores one plan against an audit on every rubric criterion."""

    id: str
    provider: str
    model: str | None

    def judge(self, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
        """Judge one plan on its own (never alongside the other plans)."""
        ...


JudgeFactory = Callable[[str], Judge]
_REGISTRY: dict[str, JudgeFactory] = {}


def register(provider: str) -> Callable[[JudgeFactory], JudgeFactory]:
    """Register a factory that builds a judge from the part of the spec after 'provider:'."""

    def deco(factory: JudgeFactory) -> JudgeFactory:
        _REGISTRY[provider] = factory
        return factory

    return deco


def available_providers() -> list[str]:
    """Providers that can be named in a judge spec."""
    _load_builtin()
    return sorted(_REGISTRY)


def _load_builtin() -> None:
    from a11y_judge.judges import offline  # noqa: F401  (registers itself)


def create_judge(spec: str) -> Judge:
    """Build a judge from a spec such as 'offline'."""
    _load_builtin()
    provider, _, rest = spec.strip().partition(":")
    factory = _REGISTRY.get(provider.lower())
    if factory is None:
        raise JudgeConfigError(
            f"unknown judge '{spec}'",
            hint=f"Available judges: {', '.join(available_providers())}. LLM judges (openai, "
            "gemini, openai-compatible) are not built yet",
        )
    return factory(rest)
