"""An experiment's reports: the JSON document, a tidy CSV of per-plan scores, Markdown."""

from __future__ import annotations

import io
from typing import Any

import orjson

from a11y_judge.reports.spreadsheet import SafeWriter


def experiment_json(doc: dict[str, Any]) -> str:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def experiment_csv(doc: dict[str, Any]) -> str:
    """One row per set x plan x variant: the weighted score (mean over repeats)."""
    out = io.StringIO()
    w = SafeWriter(out)
    w.writerow(["experiment_id", "set", "plan", "variant", "weighted_score"])
    names = [v["name"] for v in doc["variants"]]
    for item in doc["items"]:
        for name in names:
            score = item.get(name)
            w.writerow(
                [
                    doc["experiment_id"],
                    item["set"],
                    item["plan"],
                    name,
                    "" if score is None else f"{score:.4f}",
                ]
            )
    return out.getvalue()


STATS_HEADER = ["Figure", "Mean difference", "95% CI", "Cluster SE", "Wilcoxon p", "t-test p"]
STATS_HEADER += ["Holm p", "d_z"]
USAGE_HEADER = ["Variant", "Judgments", "Failed", "Requests", "Cache hits", "Tokens in/out"]
USAGE_HEADER += ["Cost (USD)", "Mean latency (ms)"]


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _num(value: object, fmt: str = "{:+.2f}") -> str:
    return "—" if value is None else fmt.format(value)


def experiment_markdown(doc: dict[str, Any]) -> str:
    lines = [f"# A/B experiment {doc['experiment_id']}", ""]
    lines += [f"- **{v['name']}**: `{v['spec']}`" for v in doc["variants"]]
    lines += ["", f"Sets: {', '.join(doc['sets'])}; repeats: {doc['repeats']}.", ""]
    for comp in doc["comparisons"]:
        lines += [f"## {comp['b']} against {comp['a']}", "", comp["verdict"], ""]
        lines += [_row(STATS_HEADER), "|---|---:|---|---:|---:|---:|---:|---:|"]
        rows = [("weighted score", comp["overall"]), *comp["criteria"].items()]
        for label, p in rows:
            if p is None:
                continue
            ci = "—" if p["ci"] is None else f"{p['ci'][0]:+.2f} to {p['ci'][1]:+.2f}"
            lines.append(
                f"| {label} | {_num(p['mean_diff'])} | {ci} | {_num(p['se_cluster'], '{:.3f}')} | "
                f"{_num(p['p_wilcoxon'], '{:.3g}')} | {_num(p['p_ttest'], '{:.3g}')} | "
                f"{_num(p.get('p_holm'), '{:.3g}')} | {_num(p['effect_size'], '{:.2f}')} |"
            )
        rank = comp["ranking"]
        lines += [
            "",
            f"Ranking: mean Kendall's τ {_num(rank['mean_kendall_tau'], '{:.2f}')}; "
            f"the winner changed in {rank['winner_changes']} of {len(rank['sets'])} sets.",
            "",
        ]
    lines += [
        "## Cost and latency",
        "",
        _row(USAGE_HEADER),
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for v in doc["variants"]:
        u = v["usage"]
        lines.append(
            _row(
                [
                    v["name"],
                    u["judgments"],
                    u["failed"],
                    u["requests"],
                    u["cache_hits"],
                    f"{u['input_tokens']}/{u['output_tokens']}",
                    f"{u['cost_usd']:.4f}",
                    _num(u["latency_ms_mean"], "{:.0f}"),
                ]
            )
        )
    if doc["gold"]:
        lines += [
            "",
            "## Against the gold labels",
            "",
            "| Variant | n | MAE | Spearman | Within 1 point |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, g in doc["gold"]["variants"].items():
            lines.append(
                _row(
                    [
                        name,
                        g["n"],
                        _num(g["mae"], "{:.3f}"),
                        _num(g["spearman"], "{:.3f}"),
                        _num(g["within_1"], "{:.0%}"),
                    ]
                )
            )
    return "\n".join(lines) + "\n"
