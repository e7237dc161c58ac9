"""Safety of what judges read: prompt-injection flags and PII redaction.

Public face: `scan_documents` (injection findings for a run's audit and plans) and
`Redactor`, `redaction_report`, `is_loopback_url`, `applies` (PII redaction before text goes to
an LLM provider).
"""

from a11y_judge.safety.injection import KINDS as INJECTION_KINDS
from a11y_judge.safety.injection import (
    flagged_documents,
    scan_documents,
    scan_key,
    scan_plans,
    scan_text,
)
from a11y_judge.safety.redact import (
    KINDS as PII_KINDS,
)
from a11y_judge.safety.redact import (
    MODE_LABELS,
    MODES,
    RedactMode,
    Redactor,
    applies,
    find_pii,
    is_loopback_url,
    redaction_report,
)

__all__ = [
    "INJECTION_KINDS",
    "MODES",
    "MODE_LABELS",
    "PII_KINDS",
    "RedactMode",
    "Redactor",
    "applies",
    "find_pii",
    "flagged_documents",
    "is_loopback_url",
    "redaction_report",
    "scan_documents",
    "scan_key",
    "scan_plans",
    "scan_text",
]
