"""The Judge protocol and the registry that builds judges from specs ('offline', 'openai:MODEL')."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from a11y_judge.errors import JudgeConfigError
from a11y_judge.models import AuditReport, Judgment, Plan, Rubric

if TYPE_CHECKING:
    from a11y_judge.judges.settings import JudgeSettings


@runtime_checkable
class Judge(Protocol):
    """Scores one plan against an audit on every rubric criterion."""

    id: str
    provider: str
    model: str | None

    def judge(self, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
        """Judge one plan on its own (never alongside the other plans)."""
        ...


#: Builds a judge from the part of the spec after 'provider:' and the run's settings.
JudgeFactory = Callable[[str, "JudgeSettings"], Judge]
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
    from a11y_judge.judges import gemini, offline, openai_chat  # noqa: F401  (register)


#: Spec syntax per provider, for messages and help texts.
SPEC_EXAMPLES = {
    "offline": "offline",
    "openai": "openai:MODEL (e.g. openai:gpt-4.1)",
    "gemini": "gemini:MODEL (e.g. gemini:gemini-2.5-pro)",
    "openai-compatible": "openai-compatible:MODEL@BASE_URL "
    "(e.g. openai-compatible:llama3.1@http://localhost:11434/v1)",
}


def create_judge(spec: str, settings: JudgeSettings | None = None) -> Judge:
    """Build a judge from a spec such as 'offline' or 'openai:gpt-4.1'."""
    from a11y_judge.judges.settings import JudgeSettings

    _load_builtin()
    provider, _, rest = spec.strip().partition(":")
    factory = _REGISTRY.get(provider.lower())
    if factory is None:
        raise JudgeConfigError(
            f"unknown judge '{spec}'",
            hint="Use one of: " + "; ".join(SPEC_EXAMPLES.get(p, p) for p in available_providers()),
        )
    return factory(rest, settings or JudgeSettings())
