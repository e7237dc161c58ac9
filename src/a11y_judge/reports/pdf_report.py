"""The run report as an accessible PDF (tagged, PDF/UA-1) through WeasyPrint.

WeasyPrint renders semantic HTML + CSS to PDF and, with `pdf_variant="pdf/ua-1"`, writes the
structure tree from the HTML itself: H1-H3 headings, tables with TH header cells, figures with
the image's alt text, the document title and language, bookmarks from the headings. Charts are
SVG (vector) drawn here, each with alt text and its data as a table next to it; fonts come from
the system (fontconfig) and are embedded, so nothing is fetched. Every text from a document or
a judge is HTML-escaped.
"""

from __future__ import annotations

import base64
import gc
import html
from collections.abc import Sequence
from typing import Any

from a11y_judge.batch.summary import BatchSummary
from a11y_judge.models import BatchJob, Run
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
caption { text-align: left; font-weight: bold; margin-bottom: 3pt; }
th, td { border: 0.6pt solid #666; padding: 2pt 4pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; font-size: 9pt; }
th { background: #e8e8e8; }
thead th { hyphens: auto; }
table.fixed { table-layout: fixed; }
tr { page-break-inside: avoid; }
.mark { text-align: center; padding: 2pt 1pt; }
td.num, th.num { text-align: right; }
figure { margin: 6pt 0; page-break-inside: avoid; }
figcaption { font-size: 9pt; color: #333; }
blockquote { margin: 3pt 0 3pt 10pt; padding-left: 6pt; border-left: 2pt solid #888; }
.cover { margin-top: 40mm; }
.note { font-size: 9pt; color: #333; }
.provisional { font-weight: bold; }
"""

MATRIX_COLUMNS = 10  # plan columns per coverage table; more plans continue in the next

SYMBOLS = {"addressed": "✓", "mentioned": "◐", "missed": "✗"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "—" if value is None else fmt.format(value)


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
                else f"<td{' class=num' if i in numeric else ' class=mark' if i in marks else ''}>{_e(c)}</td>"
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


def _bar_svg(labels: Sequence[str], values: Sequence[float | None], maximum: float = 10.0) -> str:
    """Horizontal bars with their labels and values printed (readable in greyscale)."""
    row, left = 22, _gutter(labels)
    width = 520 - left
    height = row * len(labels) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11">'
    ]
    for k, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 6 + k * row
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{_e(short)}</text>')
        if value is not None:
            w = max(0.0, min(1.0, value / maximum)) * width
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="16" fill="#0072B2"/>')
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}">{value:.2f}</text>')
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


def _grouped_svg(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """One group of thin bars per plan, one bar per criterion, a legend on top (values are in
    the ranking table: few text nodes keep the render fast)."""
    bar, gap, left = 7, 10, _gutter(labels)
    width = 520 - left
    group = bar * len(series) + gap
    top = 18 * ((len(series) + 1) // 2) + 6
    height = top + group * len(labels) + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{height}" font-family="DejaVu Sans, sans-serif" font-size="11">',
        '<defs><pattern id="h" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0 2h4" stroke="#fff" stroke-width="1"/></pattern>'
        '<pattern id="d" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0 4L4 0" stroke="#fff" stroke-width="1"/></pattern></defs>',
    ]

    def fill(i: int, x: float, y: float, w: float, h: float) -> str:
        color, hatch = _SERIES[i % len(_SERIES)]
        rect = f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" fill="{color}"/>'
        if hatch:
            rect += (
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" fill="url(#{hatch})"/>'
            )
        return rect

    for i, (name, _values) in enumerate(series):
        x, y = 10 + 270 * (i % 2), 4 + 18 * (i // 2)
        parts.append(fill(i, x, y, 12, 10))
        short = name if len(name) <= 36 else name[:35] + "…"
        parts.append(f'<text x="{x + 16}" y="{y + 9}">{_e(short)}</text>')
    for k, label in enumerate(labels):
        y = top + k * group
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + group / 2 + 2:.1f}" text-anchor="end">{_e(short)}</text>'
        )
        for i, (_name, values) in enumerate(series):
            value = values[k]
            if value is not None:
                w = max(0.0, min(1.0, value / 10.0)) * width
                parts.append(fill(i, left, y + i * bar, w, bar - 1))
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
                    *[_num(r.criteria[c.id].score) if c.id in r.criteria else "—" for c in crit],
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
    out.append(injection_html(run) + redaction_html(run))
    out.append("<h2>Charts</h2>")
    names = [r.name for r in results]
    keys = [f"P{k}" for k in range(1, len(results) + 1)]
    out.append(f'<p class="note">Plans are keyed by rank: {_plan_keys(names)}.</p>')
    scores = [r.score for r in results]
    alt = "Bar chart of weighted scores: " + "; ".join(
        f"{n} {_num(s)}" for n, s in zip(names, scores, strict=True)
    )
    out.append(
        _figure(_bar_svg(keys, scores), alt, "Weighted score per plan (data in the ranking table)")
    )
    series = [
        (c.name, [r.criteria[c.id].score if c.id in r.criteria else None for r in results])
        for c in crit
    ]
    alt = "Grouped bar chart of criterion scores per plan: " + "; ".join(
        f"{n}: " + ", ".join(f"{label} {_num(v[k])}" for label, v in series)
        for k, n in enumerate(names)
    )
    out.append(
        _figure(
            _grouped_svg(keys, series),
            alt,
            "Criterion scores per plan, one bar per criterion in legend order (data in the "
            "ranking table)",
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
    for r in results:
        out.append(
            f"<h3>{_e(r.rank)}. {_e(r.name)} — {_num(r.score)} / 10{' (provisional)' if r.provisional else ''}</h3>"
        )
        quoted: set[str] = set()  # a quote that backs several criteria is printed once
        for c in crit:
            cr = r.criteria.get(c.id)
            if cr is None:
                continue
            fresh = [ev.quote for ev in cr.evidence[:3] if ev.quote not in quoted]
            again = len(cr.evidence[:3]) - len(fresh)
            quoted.update(fresh)
            out.append(
                f"<p><strong>{_e(c.name)}: {_num(cr.score)}</strong>. {_e(cr.rationale)}"
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
    out.append("<h2>Judge conflicts</h2>")
    if run.conflicts:
        out.append(
            _table(
                "Where the judges disagreed",
                [
                    "Plan and criterion",
                    "Severity",
                    "Spread",
                    "Status",
                    "Score used",
                    "How it was settled",
                ],
                [
                    [
                        f"{c.plan} / {c.criterion}",
                        c.severity,
                        f"{c.spread:.2f}",
                        c.status,
                        _num(c.resolved_score),
                        (
                            f"{c.resolution.reviewer}: {c.resolution.note}"
                            if c.resolution
                            else c.reasoning or c.strategy
                        ),
                    ]
                    for c in run.conflicts
                ],
            )
        )
    else:
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
