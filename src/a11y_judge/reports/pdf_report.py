"""The run report as an accessible PDF (tagged, PDF/UA-1) through WeasyPrint.

WeasyPrint renders semantic HTML + CSS to PDF and, with `pdf_variant="pdf/ua-1"`, writes the
structure tree from the HTML itself: H1-H3 headings, tables with TH header cells, figures with
the image's alt text, the document title and language, bookmarks from the headings. Charts are
SVG (vector) drawn here, each with alt text and its data as a table next to it; fonts come from
the system (fontconfig) and are embedded, so nothing is fetched. Every text from a document or
a judge is HTML-escaped.

A criterion escalated to a reviewer has no score yet: the report prints, draws and describes
its provisional stand-in (the judges' median, which the plan's weighted score uses) and marks
it provisional in words and, in the charts, by a dashed outline.
"""

from __future__ import annotations

import base64
import gc
import html
from collections.abc import Sequence
from typing import Any

from a11y_judge.batch.summary import BatchSummary
from a11y_judge.models import BatchJob, CriterionResult, Judgment, Run
from a11y_judge.reports.safety_section import injection_html, redaction_html

CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm;
        @bottom-center { content: "Page " counter(page) " of " counter(pages);
                         font-family: "DejaVu Sans", sans-serif; font-size: 9pt; } }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt;
       line-height: 1.4; color: #111; overflow-wrap: break-word; }
h1 { font-size: 20pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 16pt 0 6pt; border-bottom: 1pt solid #444; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: 12pt 0 4pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; page-break-inside: auto; }
caption { text-align: left; font-weight: bold; margin-bottom: 3pt; break-after: avoid; }
th, td { border: 0.6pt solid #666; padding: 2pt 4pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; font-size: 9pt; }
th { background: #e8e8e8; }
thead th { hyphens: auto; }
table.fixed { table-layout: fixed; }
tr { page-break-inside: avoid; }
.mark { text-align: center; padding: 2pt 1pt; }
td.num, th.num { text-align: right; }
figure { margin: 6pt 0; page-break-inside: avoid; }
.lead { break-after: avoid; }
figcaption { font-size: 9pt; color: #333; }
blockquote { margin: 3pt 0 3pt 10pt; padding-left: 6pt; border-left: 2pt solid #888; }
.cover { margin-top: 40mm; }
.note { font-size: 9pt; color: #333; }
.provisional { font-weight: bold; }
.prov { display: block; font-size: 7.5pt; font-style: italic; }
"""

MATRIX_COLUMNS = 10  # plan columns per coverage table; more plans continue in the next

SYMBOLS = {"addressed": "✓", "mentioned": "◐", "missed": "✗"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "—" if value is None else fmt.format(value)


PROVISIONAL = "provisional"


def _value(cr: CriterionResult | None) -> tuple[float | None, bool]:
    """The score a criterion counts with and whether it is provisional (escalated: the jury's
    median stands in until a reviewer resolves it)."""
    if cr is None:
        return None, False
    if cr.score is None and cr.provisional_score is not None:
        return cr.provisional_score, True
    return cr.score, False


def _score_text(cr: CriterionResult | None) -> str:
    """'7.25', '8.00 (provisional)' for an escalated criterion, '—' without a score."""
    value, provisional = _value(cr)
    return _num(value) + (f" ({PROVISIONAL})" if provisional else "")


class _Html(str):
    """A table cell that is markup already (made here from escaped parts)."""


def _score_cell(cr: CriterionResult | None) -> str:
    """A table cell: the number, and for an escalated criterion 'provisional' in small type on
    its own line (so it fits a narrow column)."""
    value, provisional = _value(cr)
    if not provisional:
        return _num(value)
    return _Html(f'{_num(value)} <span class="prov">{PROVISIONAL}</span>')


def _cell(value: object) -> str:
    return value if isinstance(value, _Html) else _e(value)


def _table(
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    numeric: set[int] | None = None,
    widths: Sequence[str] | None = None,
    marks: set[int] | None = None,
) -> str:
    """A table with a caption, column headers and row headers; `widths` (CSS lengths, one per
    column) lays it out fixed, which is faster and keeps wide tables inside the page."""
    numeric = numeric or set()
    marks = marks or set()
    head = "".join(
        f'<th scope="col"{" class=num" if i in numeric else " class=mark" if i in marks else ""}>{_e(h)}</th>'
        for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            (
                f'<th scope="row">{_e(c)}</th>'
                if i == 0
                else f"<td{' class=num' if i in numeric else ' class=mark' if i in marks else ''}>{_cell(c)}</td>"
            )
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    cols = ""
    if widths:
        cols = "<colgroup>" + "".join(f'<col style="width:{w}">' for w in widths) + "</colgroup>"
    fixed = ' class="fixed"' if widths else ""
    return f"<table{fixed}><caption>{_e(caption)}</caption>{cols}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _gutter(labels: Sequence[str]) -> int:
    """Room left of the bars for the labels (WeasyPrint lays SVG text out letter by letter,
    so the run report labels its charts with the short plan keys P1, P2, ...)."""
    return min(200, 14 + 7 * max((len(label) for label in labels), default=1))


# a provisional value (escalated, awaiting a reviewer) keeps its bar, faded, inside a dashed
# outline: told apart by its form, not by colour alone
_DASHED = 'fill="none" stroke="#111" stroke-width="1.2" stroke-dasharray="3 2"'


def _provisional_rect(x: float, y: float, w: float, h: float) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" {_DASHED}/>'


def _bar_svg(
    labels: Sequence[str],
    values: Sequence[float | None],
    maximum: float = 10.0,
    provisional: Sequence[bool] = (),
) -> str:
    """Horizontal bars with their labels and values printed (readable in greyscale); a
    provisional value is faded inside a dashed outline and says so after its number."""
    row, left = 22, _gutter(labels)
    width = 520 - left
    height = row * len(labels) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11">'
    ]
    flags = provisional or [False] * len(labels)
    for k, (label, value, flag) in enumerate(zip(labels, values, flags, strict=True)):
        y = 6 + k * row
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{_e(short)}</text>')
        if value is not None:
            w = max(0.0, min(1.0, value / maximum)) * width
            if flag:
                parts.append(
                    f'<rect x="{left}" y="{y}" width="{w:.1f}" height="16" fill="#0072B2" '
                    f'fill-opacity="0.35"/>{_provisional_rect(left, y + 0.6, w, 14.8)}'
                )
            else:
                parts.append(
                    f'<rect x="{left}" y="{y}" width="{w:.1f}" height="16" fill="#0072B2"/>'
                )
            note = f" ({PROVISIONAL})" if flag else ""
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}">{value:.2f}{note}</text>')
        else:
            parts.append(f'<text x="{left + 4}" y="{y + 13}">no score</text>')
    parts.append(f'<line x1="{left}" y1="2" x2="{left}" y2="{height - 18}" stroke="#111"/>')
    parts.append(
        f'<text x="{left}" y="{height - 4}">0</text><text x="{left + width}" y="{height - 4}" text-anchor="end">{maximum:g}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


# greys with distinct hatching, so the criteria stay apart on paper and without colour
_SERIES = [("#0072B2", ""), ("#E69F00", "h"), ("#56B4E9", "d"), ("#333333", ""), ("#999999", "h")]


Series = tuple[str, Sequence[float | None], Sequence[bool]]  # name, values, provisional


def _grouped_svg(labels: Sequence[str], series: Sequence[Series]) -> str:
    """One group of thin bars per plan, one bar per criterion, a legend on top (values are in
    the ranking table: few text nodes keep the render fast). A provisional value keeps its
    criterion's place and hatching, faded inside a dashed outline; the legend says so."""
    bar, gap, left = 7, 10, _gutter(labels)
    width = 520 - left
    group = bar * len(series) + gap
    dashed = any(any(flags) for _n, _v, flags in series)
    top = 18 * ((len(series) + dashed + 1) // 2) + 6
    height = top + group * len(labels) + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        '<defs><pattern id="h" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0 2h4" stroke="#fff" stroke-width="1"/></pattern>'
        '<pattern id="d" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0 4L4 0" stroke="#fff" stroke-width="1"/></pattern></defs>',
    ]

    def fill(i: int, x: float, y: float, w: float, h: float, faded: bool = False) -> str:
        color, hatch = _SERIES[i % len(_SERIES)]
        fade = ' fill-opacity="0.35"' if faded else ""
        rect = f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" fill="{color}"{fade}/>'
        if hatch:
            rect += (
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" fill="url(#{hatch})"/>'
            )
        if faded:
            rect += _provisional_rect(x + 0.6, y + 0.6, w - 1.2, h - 1.2)
        return rect

    for i, (name, _values, _flags) in enumerate(series):
        x, y = 10 + 270 * (i % 2), 4 + 18 * (i // 2)
        parts.append(fill(i, x, y, 12, 10))
        short = name if len(name) <= 36 else name[:35] + "…"
        parts.append(f'<text x="{x + 16}" y="{y + 9}">{_e(short)}</text>')
    if dashed:
        x, y = 10 + 270 * (len(series) % 2), 4 + 18 * (len(series) // 2)
        parts.append(fill(3, x, y, 12, 10, faded=True))
        parts.append(f'<text x="{x + 16}" y="{y + 9}">Provisional (awaits a reviewer)</text>')
    for k, label in enumerate(labels):
        y = top + k * group
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + group / 2 + 2:.1f}" text-anchor="end">{_e(short)}</text>'
        )
        for i, (_name, values, flags) in enumerate(series):
            value = values[k]
            if value is not None:
                w = max(0.0, min(1.0, value / 10.0)) * width
                parts.append(fill(i, left, y + i * bar, w, bar - 1, faded=flags[k]))
    bottom = top + group * len(labels)
    parts.append(f'<line x1="{left}" y1="{top - 2}" x2="{left}" y2="{bottom}" stroke="#111"/>')
    parts.append(
        f'<text x="{left}" y="{height - 4}">0</text><text x="{left + width}" y="{height - 4}" text-anchor="end">10</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _plan_keys(names: Sequence[str]) -> str:
    return "; ".join(f"P{k} {_e(n)}" for k, n in enumerate(names, 1))


def _figure(svg: str, alt: str, caption: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{_e(alt)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def run_html(run: Run) -> str:
    """The report as one HTML document (what `run_pdf` renders)."""
    crit = run.rubric.criteria
    winner = run.winner
    results = sorted(run.results, key=lambda r: r.rank)
    missed = run.unaddressed()
    title = f"Remediation plan evaluation: {run.audit.name}"
    out = [_head(title)]
    judges = ", ".join(f"{j.id}" + (f" ({j.model})" if j.model else "") for j in run.judges)
    out.append(
        f'<section class="cover"><h1>{_e(title)}</h1>'
        f"<p>Run {_e(run.run_id)}, {_e(f'{run.created_at:%Y-%m-%d %H:%M} UTC')}</p>"
        f"<p>Audit: {_e(run.audit.name)} ({_e(run.audit.source_format)}, {len(run.audit.findings)} findings)</p>"
        f"<p>Plans: {len(run.results)}. Judges: {_e(judges)}. Status: {_e(run.status)}.</p></section>"
    )
    out.append("<h2>Executive summary</h2>")
    if winner is not None:
        gaps = ", ".join(f"{f.id} {f.title}" for f, _ in missed[:3])
        out.append(
            f"<p>The best plan is <strong>{_e(winner.name)}</strong> with a weighted score of "
            f"{winner.score:.2f} out of 10, addressing {round(100 * winner.coverage.ratio)}% of the "
            f"audit's findings. "
            + (
                f"{len(missed)} finding(s) are addressed by no plan: {_e(gaps)}."
                if missed
                else "Every finding is addressed by at least one plan."
            )
            + (
                ""
                if not run.escalated
                else f" {len(run.escalated)} judge conflict(s) await a reviewer: the affected results are provisional."
            )
            + "</p>"
        )
    else:
        out.append(f"<p>No plan could be scored. {_e(run.error or '')}</p>")
    out.append("<h2>Ranking</h2>")
    out.append(
        _table(
            "Plans by weighted score (0-10)",
            [
                "Plan",
                "Rank",
                "Score",
                *[f"{c.name} ({round(100 * c.weight)}%)" for c in crit],
                "Findings addressed",
            ],
            [
                [
                    f"P{k} {r.name}" + (" (provisional)" if r.provisional else ""),
                    r.rank,
                    _num(r.score),
                    *[_score_cell(r.criteria.get(c.id)) for c in crit],
                    f"{round(100 * r.coverage.ratio)}%",
                ]
                for k, r in enumerate(results, 1)
            ],
            numeric=set(range(1, 4 + len(crit))),
            widths=[
                "22%",
                "7%",
                "11%",
                *[f"{48 / max(1, len(crit)):.1f}%"] * len(crit),
                "12%",
            ],
        )
    )
    if any(r.provisional for r in results):
        out.append(
            '<p class="note">Provisional: the judges disagree too much on that criterion for '
            "any rule to decide; it counts with the judges' median until a reviewer resolves it "
            f"(see Judge conflicts; <code>a11y-judge conflicts {_e(run.run_id)} --status "
            "escalated</code>).</p>"
        )
    out.append(injection_html(run) + redaction_html(run))
    out.append("<h2>Charts</h2>")
    names = [r.name for r in results]
    keys = [f"P{k}" for k in range(1, len(results) + 1)]
    out.append(f'<p class="note">Plans are keyed by rank: {_plan_keys(names)}.</p>')
    scores = [r.score for r in results]
    marked = [r.provisional for r in results]
    dashed = " Dashed outlines are provisional." if any(marked) else ""
    alt = "Bar chart of weighted scores: " + "; ".join(
        f"{n} {_num(r.score)}" + (f" ({PROVISIONAL})" if r.provisional else "")
        for n, r in zip(names, results, strict=True)
    )
    out.append(
        _figure(
            _bar_svg(keys, scores, provisional=marked),
            alt,
            f"Weighted score per plan (data in the ranking table).{dashed}",
        )
    )
    values = [[_value(r.criteria.get(c.id)) for r in results] for c in crit]
    series = [
        (c.name, [v for v, _ in column], [p for _, p in column])
        for c, column in zip(crit, values, strict=True)
    ]
    provisional = sum(p for column in values for _, p in column)
    alt = (
        "Grouped bar chart of criterion scores per plan"
        + (
            f" ({provisional} provisional score(s), drawn as dashed outlines, await a reviewer)"
            if provisional
            else ""
        )
        + ": "
        + "; ".join(
            f"{n}: " + ", ".join(f"{c.name} {_score_text(r.criteria.get(c.id))}" for c in crit)
            for n, r in zip(names, results, strict=True)
        )
    )
    out.append(
        _figure(
            _grouped_svg(keys, series),
            alt,
            "Criterion scores per plan, one bar per criterion in legend order (data in the "
            f"ranking table).{dashed}",
        )
    )
    out.append("<h2>Coverage matrix</h2>")
    out.append(
        '<p class="note">For each finding and plan: ✓ addressed (a fix is proposed), ◐ mentioned only (tested, monitored or deferred), ✗ missed.</p>'
    )
    out.append(f'<p class="note">Plans by rank: {_plan_keys(names)}.</p>')
    states = {}
    for r in results:
        for fid in r.coverage.covered:
            states[r.name, fid] = "addressed"
        for fid in r.coverage.mentioned:
            states.setdefault((r.name, fid), "mentioned")
    for start in range(0, len(names), MATRIX_COLUMNS):
        shown = names[start : start + MATRIX_COLUMNS]
        rows = [
            [
                f"{f.id} {f.title}",
                f.severity.value,
                ", ".join(f.wcag),
                *[SYMBOLS[states.get((n, f.id), "missed")] for n in shown],
            ]
            for f in run.audit.findings
        ]
        first = start + 1
        label = f" (plans P{first}-P{start + len(shown)})" if len(names) > MATRIX_COLUMNS else ""
        mark = f"{48.0 / len(shown):.1f}%"
        out.append(
            _table(
                f"Findings by plan{label}",
                ["Finding", "Severity", "WCAG", *[f"P{first + k}" for k in range(len(shown))]],
                rows,
                marks=set(range(3, 3 + len(shown))),
                widths=["30%", "12%", "10%", *[mark] * len(shown)],
            )
        )
    out.append("<h2>What the ideal plan would add</h2>")
    if missed:
        out.append(
            "<ul>"
            + "".join(
                f"<li>{_e(f.id)} {_e(f.title)} ({_e(f.severity.value)}, WCAG {_e(', '.join(f.wcag))})"
                + (f" — only mentioned by {_e(', '.join(by))}" if by else "")
                + "</li>"
                for f, by in missed
            )
            + "</ul>"
        )
    else:
        out.append("<p>Every finding is addressed by at least one plan.</p>")
    out.append("<h2>Plan by plan</h2>")
    jury = len(run.judges) > 1
    for r in results:
        out.append(
            f"<h3>{_e(r.rank)}. {_e(r.name)} — {_num(r.score)} / 10{' (provisional)' if r.provisional else ''}</h3>"
        )
        own = {j.judge_id: j for j in run.judgments if j.plan_name == r.name}
        quoted: set[str] = set()  # a quote that backs several criteria is printed once
        for c in crit:
            cr = r.criteria.get(c.id)
            if cr is None:
                continue
            fresh = [ev.quote for ev in cr.evidence[:3] if ev.quote not in quoted]
            again = len(cr.evidence[:3]) - len(fresh)
            quoted.update(fresh)
            value, stand_in = _value(cr)
            score = (
                f"escalated, {_num(value)} {PROVISIONAL} until a reviewer resolves it"
                if stand_in
                else _num(value)
            )
            each = f" (judges: {_e(_by_judge(run, own, c.id))})" if jury else ""
            out.append(
                f"<p><strong>{_e(c.name)}: {score}</strong>{each}. {_e(cr.rationale)}"
                + (f" (Also backed by {again} quote(s) shown above.)" if again else "")
                + "</p>"
            )
            out.extend(f"<blockquote>“{_e(q)}”</blockquote>" for q in fresh)
        flags = [a for j in run.judgments if j.plan_name == r.name for a in j.anti_patterns]
        if flags:
            out.append(
                "<p><strong>Anti-patterns:</strong></p><ul>"
                + "".join(f"<li>{_e(a.name)}: “{_e(a.quote)}” — {_e(a.why)}</li>" for a in flags)
                + "</ul>"
            )
        out.append(
            f"<p>Coverage: {len(r.coverage.covered)} addressed, {len(r.coverage.mentioned)} mentioned, "
            f"{len(r.coverage.missed)} missed.</p>"
        )
    if run.conflicts:
        waiting = len(run.escalated)
        # the heading, the note and the caption stay on the page of the table's first rows
        out.append(
            "<h2>Judge conflicts</h2>"
            f'<p class="lead">{len(run.conflicts)} plan × criterion item(s) had two or more '
            "scores; "
            + (
                f"{waiting} await a reviewer: their score used is provisional."
                if waiting
                else "none awaits a reviewer."
            )
            + "</p>"
        )
        out.append(
            _table(
                "Where the judges disagreed",
                [
                    "Plan",
                    "Criterion",
                    "Severity (spread)",
                    "Status",
                    "Score used",
                    "How it was settled",
                ],
                _conflict_rows(run),
                widths=["15%", "15%", "11%", "11%", "10%", "38%"],
            )
        )
    else:
        out.append("<h2>Judge conflicts</h2>")
        out.append("<p>One judge, or judges that agreed: no conflicts.</p>")
    out.append("<h2>Methodology</h2>")
    out.append(
        _table(
            "Rubric",
            ["Criterion", "Weight", "What is judged"],
            [[c.name, f"{round(100 * c.weight)}%", c.description] for c in crit],
        )
    )
    agreement = run.agreement.overall
    out.append(
        f"<p>Rubric version {_e(run.rubric.version)}; judges {_e(judges)}; prompt versions "
        f"{_e(', '.join(sorted({j.prompt_version for j in run.judgments if j.prompt_version})) or 'none (offline judge)')}. "
        f"Agreement between judges: Krippendorff's alpha {_num(agreement.alpha)}, ICC(2,1) {_num(agreement.icc)}"
        f"{' (' + _e(agreement.note) + ')' if agreement.note else ''}. "
        f"LLM requests {run.stats.calls}, cache hits {run.stats.cache_hits}, cost ${run.stats.cost_usd:.4f}.</p>"
    )
    out.append("</body></html>")
    return "".join(out)


def _conflict_rows(run: Run) -> list[list[object]]:
    """The conflicts table: plan, criterion name, severity (spread), status, the score used (an
    escalated one's provisional stand-in, marked) and how it was settled."""
    names = {c.id: c.name for c in run.rubric.criteria}
    plans = {r.name: r for r in run.results}
    rows: list[list[object]] = []
    for x in run.conflicts:
        plan = plans.get(x.plan)
        used = (
            _num(x.resolved_score)
            if x.resolved_score is not None or plan is None
            else _score_cell(plan.criteria.get(x.criterion))
        )
        settled = (
            f"{x.resolution.reviewer}: {x.resolution.note}"
            if x.resolution
            else x.reasoning or x.strategy
        )
        rows.append(
            [
                x.plan,
                names.get(x.criterion, x.criterion),
                f"{x.severity} ({x.spread:.2f})",
                x.status,
                used,
                settled,
            ]
        )
    return rows


def _by_judge(run: Run, judgments: dict[str, Judgment], criterion: str) -> str:
    """'offline 7.36, strict 6.00, lenient failed': each judge's own score of one criterion
    (from its judgment), in the run's judge order."""
    parts = []
    for info in run.judges:
        j = judgments.get(info.id)
        if j is None:
            parts.append(f"{info.id} no judgment")
        elif j.status != "ok":
            parts.append(f"{info.id} failed")
        else:
            cs = j.scores.get(criterion)
            parts.append(f"{info.id} {_num(cs.score if cs else None)}")
    return ", ".join(parts)


def _head(title: str) -> str:
    return f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{CSS}</style></head><body>'


def render_pdf(document: str) -> bytes:
    """An HTML document as a tagged PDF/UA-1 file."""
    from weasyprint import HTML

    # WeasyPrint allocates a large box tree in a burst; the cyclic collector walking it again and
    # again costs 10-30% of the render. Its garbage is collected when the collector resumes.
    paused = gc.isenabled()
    gc.disable()
    try:
        pdf = HTML(string=document).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        if paused:
            gc.enable()
    assert pdf is not None
    return bytes(pdf)


def run_pdf(run: Run) -> bytes:
    """The run report as a tagged PDF/UA-1 document."""
    return render_pdf(run_html(run))


def batch_html(job: BatchJob, summary: BatchSummary) -> str:
    """The batch summary: plans across sets, consistency, agreement, every set's outcome."""
    title = f"Batch {job.job_id}"
    a = summary.agreement
    out = [_head(title), f"<h1>{_e(title)}</h1>"]
    out.append(
        f"<p>Source: {_e(job.source)}. Judges: {_e(', '.join(job.settings.judges))}. "
        f"Status: {_e(job.status)}: {summary.completed} of {summary.total} sets completed, "
        f"{len(summary.failed)} failed, {summary.cancelled} cancelled or interrupted.</p>"
        f"<p>Best plan overall (highest mean weighted score): <strong>{_e(summary.best or 'none')}</strong>.</p>"
    )
    out.append("<h2>Plans across sets</h2>")
    out.append(
        _table(
            "Weighted score per plan name across the sets that judged it",
            ["Plan", "Sets", "Mean", "Min", "Max", "Std"],
            [
                [
                    p.plan,
                    p.sets,
                    f"{p.mean:.2f}",
                    f"{p.low:.2f}",
                    f"{p.high:.2f}",
                    _num(p.std, "{:.3f}"),
                ]
                for p in summary.plans
            ],
            numeric={1, 2, 3, 4, 5},
        )
    )
    out.append("<h2>Consistency and agreement</h2>")
    w = (
        f"Kendall's W {summary.kendall_w:.3f} over {summary.w_sets} sets (1 = every set ranks the shared plans alike)"
        if summary.kendall_w is not None
        else f"Kendall's W is undefined: {summary.w_note}"
    )
    out.append(
        f"<p>{_e(w)}. Judge agreement over {a.items} set × plan × criterion items: Krippendorff's alpha "
        f"{_num(a.alpha, '{:.3f}')}, ICC(2,1) {_num(a.icc, '{:.3f}')}{' (' + _e(a.note) + ')' if a.note else ''}.</p>"
    )
    out.append("<h2>Sets</h2>")
    out.append(
        _table(
            "Every set of the batch",
            ["Set", "Status", "Plans", "Run", "Problem"],
            [[i.name, i.status, len(i.plans), i.run_id or "—", i.error or ""] for i in job.items],
            numeric={2},
        )
    )
    out.append("</body></html>")
    return "".join(out)


def experiment_html(doc: dict[str, Any]) -> str:
    """An A/B experiment: variants, each comparison's verdict and statistics, cost."""
    title = f"A/B experiment {doc['experiment_id']}"
    out = [_head(title), f"<h1>{_e(title)}</h1>"]
    out.append(
        "<ul>"
        + "".join(
            f"<li><strong>{_e(v['name'])}</strong>: {_e(v['spec'])}</li>" for v in doc["variants"]
        )
        + "</ul>"
    )
    out.append(f"<p>Sets: {_e(', '.join(doc['sets']))}; repeats: {doc['repeats']}.</p>")
    for comp in doc["comparisons"]:
        out.append(f"<h2>{_e(comp['b'])} against {_e(comp['a'])}</h2><p>{_e(comp['verdict'])}</p>")
        rows = [("Weighted score", comp["overall"]), *comp["criteria"].items()]
        out.append(
            _table(
                "Paired differences (B − A)",
                [
                    "Figure",
                    "n",
                    "Mean difference",
                    "95% CI",
                    "Cluster SE",
                    "Wilcoxon p",
                    "t-test p",
                    "Holm p",
                    "d_z",
                ],
                [
                    [
                        label,
                        p["n"],
                        f"{p['mean_diff']:+.3f}",
                        "—" if p["ci"] is None else f"{p['ci'][0]:+.2f} to {p['ci'][1]:+.2f}",
                        _num(p["se_cluster"], "{:.3f}"),
                        _num(p["p_wilcoxon"], "{:.3g}"),
                        _num(p["p_ttest"], "{:.3g}"),
                        _num(p.get("p_holm"), "{:.3g}"),
                        _num(p["effect_size"], "{:.2f}"),
                    ]
                    for label, p in rows
                    if p is not None
                ],
            )
        )
        rank = comp["ranking"]
        out.append(
            _table(
                "Rankings per audit",
                ["Set", "Plans", "Kendall's tau", "Winner A", "Winner B", "Winner changed"],
                [
                    [
                        r["set"],
                        r["plans"],
                        _num(r["kendall_tau"]),
                        r["winner_a"],
                        r["winner_b"],
                        "yes" if r["winner_changed"] else "no",
                    ]
                    for r in rank["sets"]
                ],
            )
        )
    out.append("<h2>Cost and latency</h2>")
    out.append(
        _table(
            "Per variant",
            [
                "Variant",
                "Judgments",
                "Failed",
                "Requests",
                "Cache hits",
                "Cost (USD)",
                "Mean latency (ms)",
            ],
            [
                [
                    v["name"],
                    v["usage"]["judgments"],
                    v["usage"]["failed"],
                    v["usage"]["requests"],
                    v["usage"]["cache_hits"],
                    f"{v['usage']['cost_usd']:.4f}",
                    _num(v["usage"]["latency_ms_mean"], "{:.0f}"),
                ]
                for v in doc["variants"]
            ],
        )
    )
    out.append("</body></html>")
    return "".join(out)
