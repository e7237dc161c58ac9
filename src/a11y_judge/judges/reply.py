"""The structured reply LLM judges must give: its JSON schema, validation and quote checks."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from a11y_judge.models import Rubric

Score = Annotated[float, Field(ge=0, le=10, strict=True)]
Unit = Annotated[float, Field(ge=0, le=1, strict=True)]


class EvidenceReply(BaseModel):
    """A verbatim quote from the plan and the finding it relates to ('' for none)."""

    model_config = ConfigDict(extra="forbid")
    quote: str = Field(min_length=1)
    finding_id: str


class CriterionReply(BaseModel):
    """One criterion's score with its reasoning."""

    model_config = ConfigDict(extra="forbid")
    score: Score
    rationale: str = Field(min_length=1)
    evidence: list[EvidenceReply]
    confidence: Unit


class JudgeReply(BaseModel):
    """The whole reply for one plan."""

    model_config = ConfigDict(extra="forbid")
    criteria: dict[str, CriterionReply]
    covered_findings: list[str]
    summary: str


class InvalidReplyError(ValueError):
    """The reply is not JSON or does not match the schema; `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def reply_schema(rubric: Rubric) -> dict[str, Any]:
    """JSON schema for a reply to this rubric (strict-mode compatible: all fields required)."""
    criterion = {
        "type": "object",
        "additionalProperties": False,
        "required": ["score", "rationale", "evidence", "confidence"],
        "properties": {
            "score": {"type": "number", "minimum": 0, "maximum": 10},
            "rationale": {"type": "string"},
            "evidence": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["quote", "finding_id"],
                    "properties": {
                        "quote": {"type": "string"},
                        "finding_id": {"type": "string"},
                    },
                },
            },
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
    }
    ids = [c.id for c in rubric.criteria]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["criteria", "covered_findings", "summary"],
        "properties": {
            "criteria": {
                "type": "object",
                "additionalProperties": False,
                "required": ids,
                "properties": {cid: criterion for cid in ids},
            },
            "covered_findings": {"type": "array", "items": {"type": "string"}},
            "summary": {"type": "string"},
        },
    }


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def _body(text: str) -> str:
    body = text.strip()
    fenced = _FENCE.match(body)
    return fenced.group(1) if fenced else body  # some local models fence JSON despite the schema


def json_problem(text: str) -> str | None:
    """Why a reply is not parseable JSON ('the reply is empty', 'not valid JSON …'), or None."""
    body = _body(text)
    if not body:
        return "the reply is empty"
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at line {exc.lineno})"
    return None


def parse_reply(text: str, rubric: Rubric) -> JudgeReply:
    """Validate a raw reply; raises InvalidReplyError listing what is wrong."""
    body = _body(text)
    if not body:
        raise InvalidReplyError(["the reply is empty"])
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidReplyError([f"not valid JSON ({exc.msg} at line {exc.lineno})"]) from exc
    try:
        reply = JudgeReply.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()[:8]
        ]
        raise InvalidReplyError(problems) from exc
    expected = [c.id for c in rubric.criteria]
    missing = [c for c in expected if c not in reply.criteria]
    extra = [c for c in reply.criteria if c not in expected]
    problems = [f"criteria.{c}: missing" for c in missing]
    problems += [f"criteria.{c}: not a rubric criterion" for c in extra]
    if problems:
        raise InvalidReplyError(problems)
    return reply


_PLAIN = (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"))
_MARKUP_SPACE = re.compile(r"[\s*_`#>|]+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")


def normalize(text: str) -> str:
    """Lower case, plain quotes and dashes, Markdown marks and extra spaces removed."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        for fancy, plain in _PLAIN:
            if fancy in text:
                text = text.replace(fancy, plain)
    return _MARKUP_SPACE.sub(" ", text).strip().lower()


@lru_cache(maxsize=512)
def normalized_plan(text: str) -> str:
    """normalize(), remembered for a run's plans (every judge checks the same plan, and the
    consensus engine again)."""
    return normalize(text)


def quote_in(quote: str, normalized_plan: str) -> bool:
    """Whether every part of the quote (split at ellipses) appears in the normalized plan."""
    parts = [normalize(p) for p in _ELLIPSIS.split(quote)]
    parts = [p.strip(" \"'.,;:") for p in parts]
    parts = [p for p in parts if p]
    return bool(parts) and all(p in normalized_plan for p in parts)
