"""The run reports' safety sections: instructions aimed at the judge, and PII redaction.

Each is written only when there is something to say (findings, or redaction was on).
"""

from __future__ import annotations

import html

from a11y_judge.models import Run
from a11y_judge.reports.text import md_line
from a11y_judge.safety.injection import KINDS

INJECTION_HEADING = "Instructions aimed at the judge"
INJECTION_NOTE = (
    "These passages of the documents look like instructions to the judges rather than content "
    "for the reader. They were sent to LLM judges inside delimited untrusted-content blocks "
    "and do not change the offline judge's scores; read them before trusting the ranking."
)


def _where(doc: str, role: str, where: str) -> str:
    return f"{role} {doc}, {where}" if where else f"{role} {doc}"


def injection_markdown(run: Run) -> list[str]:
    """Markdown lines for the injection section ([] when nothing was flagged)."""
    if not run.injection:
        return []
    lines = ["", f"## {INJECTION_HEADING}", "", INJECTION_NOTE, ""]
    lines += ["| Document | Where | Kind | Excerpt |", "|---|---|---|---|"]
    for f in run.injection:
        excerpt = " ".join(f.excerpt.split()).replace("|", "\\|").replace("`", "'")
        lines.append(
            f"| {f.role} {md_line(f.document)} | {md_line(f.where)} | {f.kind} | `{excerpt}` |"
        )
    return lines


def redaction_markdown(run: Run) -> list[str]:
    """Markdown lines saying what PII redaction removed ([] when it was off)."""
    r = run.redaction
    if r is None:
        return []
    counts = ", ".join(f"{n} {kind}" for kind, n in r.counts.items()) or "nothing found"
    lines = [
        "",
        "## PII redacted before sending",
        "",
        f"Mode {r.mode}; judges sent redacted text: {', '.join(r.judges)}. Removed: {counts}.",
    ]
    if r.examples:
        lines.append(
            "Examples (masked): "
            + "; ".join(f"{e.kind} {e.masked} → {e.placeholder}" for e in r.examples)
        )
    return lines


def injection_html(run: Run) -> str:
    """An HTML section for the PDF report ('' when nothing was flagged)."""
    if not run.injection:
        return ""
    rows = "".join(
        "<tr>"
        f'<th scope="row">{html.escape(_where(f.document, f.role, f.where))}</th>'
        f"<td>{html.escape(f.kind)}: {html.escape(KINDS.get(f.kind, ''))}</td>"
        f"<td><code>{html.escape(f.excerpt)}</code></td>"
        "</tr>"
        for f in run.injection
    )
    return (
        f"<h2>{INJECTION_HEADING}</h2><p>{html.escape(INJECTION_NOTE)}</p>"
        '<table class="fixed"><caption>Flagged passages</caption>'
        '<colgroup><col style="width:28%"><col style="width:24%"><col style="width:48%">'
        "</colgroup><thead><tr>"
        '<th scope="col">Document and place</th><th scope="col">Kind</th>'
        f'<th scope="col">Excerpt</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def redaction_html(run: Run) -> str:
    """An HTML paragraph for the PDF report ('' when redaction was off)."""
    lines = redaction_markdown(run)
    if not lines:
        return ""
    return "<h2>PII redacted before sending</h2>" + "".join(
        f"<p>{html.escape(x)}</p>" for x in lines[3:]
    )


def console_lines(run: Run) -> list[str]:
    """The CLI's lines about flagged text and redaction ([] when there is neither)."""
    lines: list[str] = []
    if run.injection:
        lines.append(f"instructions aimed at the judge ({len(run.injection)} passages):")
        lines += [
            f"  {f.role} {f.document}, {f.where}, {f.kind}: {f.excerpt}" for f in run.injection
        ]
    lines += [f"PII redacted: {x}" for x in redaction_markdown(run)[3:]]
    return lines
