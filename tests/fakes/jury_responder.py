"""A FakeLLMServer responder for two judges that disagree, by model name and plan.

Each model scores every criterion of a plan as `base(plan) + lean(model) * spread / 2`, where
the spread cycles through low, medium, high and critical sizes across plans and criteria, so
one run shows every severity. Its quotes are invented, so they are flagged as not found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from fakes.llm_server import RecordedRequest, Reply, gemini_schema, openai_schema, schema_instance

#: Spreads that fall in the low, medium, high and critical bands of the default rubric.
SPREADS = (0.3, 0.8, 1.5, 3.0)


def prompt_text(req: RecordedRequest) -> str:
    """The user turn of an OpenAI or Gemini request."""
    body = req.body or {}
    if req.api == "openai":
        return "".join(
            m.get("content", "") for m in body.get("messages", []) if m["role"] == "user"
        )
    return "".join(p.get("text", "") for c in body.get("contents", []) for p in c.get("parts", []))


def plan_name(req: RecordedRequest) -> str | None:
    """The plan in the prompt's '# Remediation plan: NAME' heading."""
    found = re.search(r"^# Remediation plan: (.+)$", prompt_text(req), re.M)
    return found.group(1).strip() if found else None


class DisagreeingJury:
    """`leans` maps a model name to -1 (strict), +1 (lenient) or anything between."""

    def __init__(self, leans: Mapping[str, float], base: Mapping[str, float] | None = None) -> None:
        self.leans = dict(leans)
        self.base = dict(base or {})

    def __call__(self, req: RecordedRequest) -> Reply:
        schema = openai_schema(req.body) or gemini_schema(req.body) or {"type": "object"}
        doc = schema_instance(schema, number=6.0)
        plan = plan_name(req) or ""
        criteria = doc.get("criteria") if isinstance(doc, dict) else None
        if isinstance(criteria, dict):
            lean = self.leans.get(req.model or "", 0.0)
            base = self.base.get(plan, 6.0)
            offset = sum(map(ord, plan)) % len(SPREADS)
            for i, (cid, crit) in enumerate(sorted(criteria.items())):
                spread = SPREADS[(i + offset) % len(SPREADS)]
                crit["score"] = round(min(10.0, max(0.0, base + lean * spread / 2)), 2)
                crit["rationale"] = f"{req.model} on {cid}: spread {spread} around {base}"
                crit["evidence"] = [
                    {"quote": f"{req.model} paraphrase of {plan}", "finding_id": ""}
                ]
                crit["confidence"] = 0.7
            doc["summary"] = f"{req.model} on {plan}"
        return Reply(json.dumps(doc))
