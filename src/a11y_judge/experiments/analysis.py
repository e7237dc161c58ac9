"""From an experiment's runs to its results document: paired statistics of every variant
against the first (the baseline), per criterion and on the weighted score; ranking changes per
audit; noise across repeats; agreement with gold labels; cost and latency; a verdict."""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np

from a11y_judge.experiments import stats
from a11y_judge.experiments.gold import Gold
from a11y_judge.experiments.runner import ExperimentData

WEIGHTED = "weighted"
Item = tuple[str, str]  # (set, plan)


def item_scores(data: ExperimentData, variant: str) -> dict[Item, dict[str, float]]:
    """(set, plan) -> {criterion or 'weighted': score}, averaged over repeats; a plan with no
    score in some repeat (its judgment failed) is left out of that figure."""
    collected: dict[Item, dict[str, list[float]]] = {}
    for (name, _k, set_name), run in data.runs.items():
        if name != variant:
            continue
        for r in run.results:
            cell = collected.setdefault((set_name, r.name), {})
            if r.score is not None:
                cell.setdefault(WEIGHTED, []).append(r.score)
            for cid, c in r.criteria.items():
                if c.score is not None:
                    cell.setdefault(cid, []).append(c.score)
    return {
        item: {key: statistics.fmean(v) for key, v in cell.items() if v}
        for item, cell in collected.items()
    }


def _noise(data: ExperimentData, variant: str) -> float | None:
    """Mean over plans of the SD of the weighted score across repeats (None with one)."""
    if data.repeats < 2:
        return None
    per: dict[Item, list[float]] = {}
    for (name, _k, set_name), run in data.runs.items():
        if name == variant:
            for r in run.results:
                if r.score is not None:
                    per.setdefault((set_name, r.name), []).append(r.score)
    sds = [statistics.stdev(v) for v in per.values() if len(v) >= 2]
    return statistics.fmean(sds) if sds else None


def _usage(data: ExperimentData, variant: str) -> dict[str, Any]:
    runs = [run for (name, _k, _s), run in data.runs.items() if name == variant]
    judgments = [j for run in runs for j in run.judgments]
    latencies = [j.latency_ms for j in judgments if not j.cache_hit]
    return {
        "runs": len(runs),
        "judgments": len(judgments),
        "failed": sum(j.status != "ok" for j in judgments),
        "requests": sum(run.stats.calls for run in runs),
        "cache_hits": sum(run.stats.cache_hits for run in runs),
        "input_tokens": sum(run.stats.input_tokens for run in runs),
        "output_tokens": sum(run.stats.output_tokens for run in runs),
        "cost_usd": round(sum(run.stats.cost_usd for run in runs), 6),
        "latency_ms_mean": round(statistics.fmean(latencies), 1) if latencies else None,
        "wall_s": round(sum(run.duration_ms for run in runs) / 1000, 3),
    }


def _paired_on(
    a: dict[Item, dict[str, float]], b: dict[Item, dict[str, float]], key: str
) -> stats.Paired | None:
    items = sorted(i for i in a.keys() & b.keys() if key in a[i] and key in b[i])
    if not items:
        return None
    return stats.paired(
        [a[i][key] for i in items], [b[i][key] for i in items], [s for s, _ in items]
    )


def _ranking(a: dict[Item, dict[str, float]], b: dict[Item, dict[str, float]]) -> dict[str, Any]:
    per_set: list[dict[str, Any]] = []
    for set_name in sorted({s for s, _ in a.keys() & b.keys()}):
        plans = sorted(
            p
            for s, p in a.keys() & b.keys()
            if s == set_name and WEIGHTED in a[(s, p)] and WEIGHTED in b[(s, p)]
        )
        if not plans:
            continue
        xa = [a[(set_name, p)][WEIGHTED] for p in plans]
        xb = [b[(set_name, p)][WEIGHTED] for p in plans]
        win_a, win_b = plans[int(np.argmax(xa))], plans[int(np.argmax(xb))]
        per_set.append(
            {
                "set": set_name,
                "plans": len(plans),
                "kendall_tau": stats.kendall_tau(xa, xb),
                "winner_a": win_a,
                "winner_b": win_b,
                "winner_changed": win_a != win_b,
            }
        )
    taus = [t for s in per_set if isinstance(t := s["kendall_tau"], float)]
    return {
        "sets": per_set,
        "mean_kendall_tau": round(statistics.fmean(taus), 4) if taus else None,
        "winner_changes": sum(s["winner_changed"] for s in per_set),
    }


def _gold_metrics(scores: dict[Item, dict[str, float]], gold: Gold) -> dict[str, Any]:
    pairs = [
        (g, scores[(s, p)][c])
        for (s, p, c), g in gold.items()
        if (s, p) in scores and c in scores[(s, p)]
    ]
    if not pairs:
        return {"n": 0, "mae": None, "spearman": None, "within_1": None}
    expert, ours = np.array([g for g, _ in pairs]), np.array([o for _, o in pairs])
    err = np.abs(ours - expert)
    return {
        "n": len(pairs),
        "mae": round(float(err.mean()), 4),
        "spearman": stats.spearman(expert.tolist(), ours.tolist()),
        "within_1": round(float(np.mean(err <= 1.0)), 4),
    }


def _gold_test(
    a: dict[Item, dict[str, float]], b: dict[Item, dict[str, float]], gold: Gold
) -> stats.Paired | None:
    keys = sorted(
        k for k in gold if k[:2] in a and k[:2] in b and k[2] in a[k[:2]] and k[2] in b[k[:2]]
    )
    if not keys:
        return None
    err_a = [abs(a[k[:2]][k[2]] - gold[k]) for k in keys]
    err_b = [abs(b[k[:2]][k[2]] - gold[k]) for k in keys]
    return stats.paired(err_a, err_b, [k[0] for k in keys])


def _interval(p: stats.Paired) -> str:
    """'95% CI lo to hi' in words, or why there is none."""
    if p.ci is None:
        return "no interval: one plan cannot give one"
    lo, hi = p.ci
    return f"95% CI {lo:+.2f} to {hi:+.2f}"


def power_note(p: stats.Paired) -> str:
    """The power note (normal approximation, two-sided alpha 0.05, 80% power): the smallest
    difference this many plans can detect, and how many plans the observed one would need."""
    if p.mdd is None:
        return "With one plan there is no power figure: the spread of the differences is unknown."
    if p.mdd == 0:
        return (
            "Every plan moved by exactly the same amount, so the power figures (which need "
            "the differences to vary) are not defined."
        )
    note = (
        f"With {p.n} plans, the smallest difference detectable with 80% power is {p.mdd:.2f} points"
    )
    if p.n_needed is not None:
        note += (
            f"; detecting a difference of {p.mean_diff:+.2f} would need about "
            f"{p.n_needed} plan{'s' if p.n_needed != 1 else ''}"
        )
    elif p.mean_diff == 0:
        note += "; the observed difference is exactly 0, which no number of plans detects"
    return note + "."


def verdict(a: str, b: str, overall: stats.Paired | None, criteria: dict[str, stats.Paired]) -> str:
    """What the comparison shows, in words, with its numbers: the mean difference, its
    interval, the test, the conclusion and the power note, whatever the sample size."""
    if overall is None:
        return f"{b} and {a} share no judged plans: nothing to compare."
    n, g = overall.n, overall.clusters
    where = f"{n} plan{'s' if n != 1 else ''} in {g} audit{'s' if g != 1 else ''}"
    p = overall.p_wilcoxon
    figures = f"{_interval(overall)}, {where}" + (
        f", Wilcoxon p = {p:.3g}" if p is not None else ""
    )
    head = (
        f"{b} scores {overall.mean_diff:+.2f} points against {a} on the weighted score ({figures})"
    )
    power = " " + power_note(overall)
    if n < stats.MIN_ITEMS:
        return (
            f"Too few plans to conclude: {head}. At least {stats.MIN_ITEMS} plans are needed "
            "before a difference is called real: with fewer, one plan can swing the tests." + power
        )
    lo, hi = overall.ci or (math.nan, math.nan)
    real = p is not None and p < 0.05 and (lo > 0 or hi < 0)
    if real:
        tail = ": a real difference."
        moved = [cid for cid, c in criteria.items() if c.p_holm is not None and c.p_holm < 0.05]
        if moved:
            tail += (
                " Criteria that moved (Holm-corrected p < 0.05): "
                + ", ".join(f"{cid} {criteria[cid].mean_diff:+.2f}" for cid in moved)
                + "."
            )
        return head + tail + power
    why = (
        "the interval includes 0"
        if not (lo > 0 or hi < 0)
        else f"Wilcoxon p is {p:.3g}, not below 0.05"
        if p is not None
        else "no test is possible"
    )
    return head + f": no detectable difference ({why})." + power


def analyse(data: ExperimentData, gold: Gold | None = None) -> dict[str, Any]:
    """The experiment's results document (README, "A/B experiments")."""
    names = [v.name for v in data.variants]
    scores = {v: item_scores(data, v) for v in names}
    criteria_ids = sorted(
        {k for s in scores.values() for cell in s.values() for k in cell} - {WEIGHTED}
    )
    base = names[0]
    comparisons = []
    for other in names[1:]:
        a, b = scores[base], scores[other]
        per = {cid: p for cid in criteria_ids if (p := _paired_on(a, b, cid)) is not None}
        for cid, adjusted in zip(
            per, stats.holm([p.p_wilcoxon for p in per.values()]), strict=True
        ):
            per[cid] = stats.Paired(**{**per[cid].__dict__, "p_holm": adjusted})
        overall = _paired_on(a, b, WEIGHTED)
        gold_test = _gold_test(a, b, gold) if gold else None
        comparisons.append(
            {
                "a": base,
                "b": other,
                "n_items": overall.n if overall else 0,
                "overall": overall.to_dict() if overall else None,
                "criteria": {cid: p.to_dict() for cid, p in per.items()},
                "ranking": _ranking(a, b),
                "gold_test": gold_test.to_dict() if gold_test else None,
                "verdict": verdict(base, other, overall, per),
            }
        )
    first = comparisons[0]
    return {
        "experiment_id": data.experiment_id,
        "variants": [
            {
                **v.to_dict(),
                "usage": _usage(data, v.name),
                "noise_sd": _noise(data, v.name),
                "gold": _gold_metrics(scores[v.name], gold) if gold else None,
            }
            for v in data.variants
        ],
        "repeats": data.repeats,
        "sets": data.sets,
        "failed_sets": [{"name": n, "error": e} for n, e in data.failed_sets],
        "n_items": first["n_items"],
        "criteria": first["criteria"],
        "overall": first["overall"],
        "ranking": first["ranking"],
        "gold": (
            {
                "variants": {v.name: _gold_metrics(scores[v.name], gold) for v in data.variants},
                "test": first["gold_test"],
            }
            if gold
            else None
        ),
        "verdict": first["verdict"],
        "comparisons": comparisons,
        "items": [
            {"set": s, "plan": p, **{v: scores[v].get((s, p), {}).get(WEIGHTED) for v in names}}
            for s, p in sorted({i for v in names for i in scores[v]})
        ],
    }
