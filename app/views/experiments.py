"""A/B: define an experiment (variants, items, repeats, gold labels), run it with progress,
and read the paired comparison; reopen and export past experiments."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from app.components import ab_figures
from app.components.access import blocked, log_export
from app.components.layout import page_intro
from app.components.llm_settings import session_judge_settings, session_judge_specs
from app.components.results import data_table, pdf_download
from app.components.text import md_code, md_escape

from a11y_judge.errors import A11yJudgeError
from a11y_judge.experiments import service
from a11y_judge.paths import data_dir
from a11y_judge.reports.experiment_report import (
    experiment_csv,
    experiment_json,
    experiment_markdown,
)
from a11y_judge.reports.pdf_report import experiment_html, render_pdf

KEY = "ab"
FLASH = f"{KEY}.flash"
SHOWN = f"{KEY}.shown"
TECHNICAL_FIRST = (
    "offline+weights=strategic_prioritization:0.2,technical_specificity:0.5,"
    "comprehensiveness:0.2,long_term_vision:0.1"
)
SYNTAX = """
`NAME=SPEC`, where SPEC is a judge (`offline`, `openai:MODEL`, `gemini:MODEL`,
`openai-compatible:MODEL@URL`) plus overrides joined by `+`:

- `rubric=FILE` — another rubric YAML; `weights=ID:W,…` — criterion weights summing to 1
- `prompt=DIR` — a folder with `judge_system.md` and `judge_user.md` (LLM judges)
- `temperature=T`, `samples=K` (LLM judges)

The first variant is the baseline; every other is compared with it, plan by plan.
"""


def _define() -> None:
    where = st.radio(
        "Plans to judge",
        ["The demo set", "A folder or manifest on the server"],
        horizontal=True,
        key=f"{KEY}.where",
    )
    if where == "The demo set":
        items = str(data_dir() / "demo")
        st.caption("The Northwind audit and its 4 plans: enough to try, too few to conclude.")
    else:
        items = st.text_input(
            "Set folder, folder of sets, or manifest",
            key=f"{KEY}.items",
            placeholder="/srv/audits/2026-q4",
        ).strip()
    llm = session_judge_specs()
    st.markdown("**Variants**")
    with st.expander("Variant syntax"):
        st.markdown(SYNTAX)
        if llm:
            st.markdown("LLM judges enabled in Settings: " + ", ".join(f"`{s}`" for s in llm))
    count = int(st.number_input("Number of variants", 2, 6, 2, key=f"{KEY}.count"))
    defaults = ["base=offline", f"technical-first={TECHNICAL_FIRST}"]
    texts = [
        st.text_input(
            f"Variant {k + 1}" + (" (baseline)" if k == 0 else ""),
            value=defaults[k] if k < len(defaults) else "",
            key=f"{KEY}.variant.{k}",
        ).strip()
        for k in range(count)
    ]
    left, right = st.columns(2)
    repeats = int(left.number_input("Repeats per variant (K)", 1, 10, 1, key=f"{KEY}.repeats"))
    gold = right.file_uploader(
        "Gold labels (optional CSV: plan, criterion, score, set)",
        type=["csv"],
        key=f"{KEY}.gold",
    )
    ready = bool(items) and all(texts)
    locked = blocked("running an experiment")
    if not st.button(
        "Run experiment",
        type="primary",
        icon=":material/science:",
        key=f"{KEY}.run",
        disabled=not ready or locked,
    ):
        if not ready:
            st.caption("To run, this needs the plans to judge and every variant filled in.")
        return
    # the keys typed in Settings, for this run's judges
    snapshot: dict[str, Any] = {str(k): v for k, v in st.session_state.items()}
    with st.status("Running the experiment…", expanded=True) as status:
        bar = st.progress(0.0)

        def progress(done: int, total: int, what: str) -> None:
            bar.progress(done / total, text=f"{done} of {total} runs · {what}")

        try:
            doc = service.run(
                texts,
                items,
                repeats=repeats,
                gold=gold.getvalue() if gold else None,
                settings=lambda: session_judge_settings(snapshot),
                progress=progress,
            )
        except A11yJudgeError as exc:
            status.update(label="The experiment did not run", state="error", expanded=False)
            st.error(str(exc))
            return
        status.update(label=f"Done: experiment {doc['experiment_id']}", state="complete")
    st.session_state[SHOWN] = doc["experiment_id"]
    st.rerun()


def _stats_frame(comp: dict[str, Any]) -> pd.DataFrame:
    rows = [("Weighted score", comp["overall"]), *comp["criteria"].items()]
    return pd.DataFrame(
        [
            {
                "Figure": label,
                "n": p["n"],
                "Mean A": p["mean_a"],
                "Mean B": p["mean_b"],
                "B − A": p["mean_diff"],
                "95% CI": "—" if p["ci"] is None else f"{p['ci'][0]:+.2f} to {p['ci'][1]:+.2f}",
                "Cluster SE": p["se_cluster"],
                "Wilcoxon p": p["p_wilcoxon"],
                "t-test p": p["p_ttest"],
                "Holm p": p.get("p_holm"),
                "d_z": p["effect_size"],
                "Rank-biserial": p["rank_biserial"],
            }
            for label, p in rows
            if p is not None
        ]
    )


def _results(doc: dict[str, Any]) -> None:
    st.subheader(f"Experiment {doc['experiment_id']}")
    st.markdown(
        " · ".join(f"**{md_escape(v['name'])}** {md_code(v['spec'])}" for v in doc["variants"])
        + f"  \nSets: {md_escape(', '.join(doc['sets']))}; repeats: {doc['repeats']}"
    )
    for failed in doc["failed_sets"]:
        st.warning(f"Set {md_escape(failed['name'])} was left out: {md_escape(failed['error'])}")
    for k, comp in enumerate(doc["comparisons"]):
        a, b = comp["a"], comp["b"]
        st.markdown(f"### {md_escape(b)} against {md_escape(a)}")
        real = "a real difference" in comp["verdict"]
        (st.success if real else st.info)(comp["verdict"], icon=":material/science:")
        if comp["overall"] is None:
            continue
        cols = st.columns(2)
        with cols[0]:
            st.markdown("**Each plan under both variants**")
            st.plotly_chart(ab_figures.paired_dots(doc["items"], a, b), key=f"{KEY}.dots.{k}")
        with cols[1]:
            st.markdown("**Differences, plan by plan**")
            st.plotly_chart(ab_figures.differences(doc["items"], a, b), key=f"{KEY}.diff.{k}")
        st.markdown("**Mean difference with 95% intervals** (weighted score, then each criterion)")
        rows = [("Weighted score", comp["overall"]), *comp["criteria"].items()]
        st.plotly_chart(ab_figures.forest([(n, p) for n, p in rows if p]), key=f"{KEY}.forest.{k}")
        st.dataframe(_stats_frame(comp), hide_index=True, key=f"{KEY}.stats.{k}")
        rank = comp["ranking"]
        tau = rank["mean_kendall_tau"]
        st.markdown(
            f"**Rankings per audit** — mean Kendall's τ {'—' if tau is None else f'{tau:.2f}'}; "
            f"the winner changed in {rank['winner_changes']} of {len(rank['sets'])} sets"
        )
        st.dataframe(pd.DataFrame(rank["sets"]), hide_index=True, key=f"{KEY}.rank.{k}")
    st.markdown("**Cost, tokens and latency per variant**")
    usage = pd.DataFrame(
        [{"Variant": v["name"], **v["usage"], "noise SD": v["noise_sd"]} for v in doc["variants"]]
    ).rename(columns={"wall_s": "run_s"})
    st.dataframe(usage, hide_index=True, key=f"{KEY}.usage")
    if doc["gold"]:
        st.markdown("**Against the gold labels**")
        gold = pd.DataFrame([{"Variant": n, **g} for n, g in doc["gold"]["variants"].items()])
        st.dataframe(gold, hide_index=True, key=f"{KEY}.goldtable")
    data_table(pd.DataFrame(doc["items"]), "Every plan's weighted score per variant")
    columns = st.columns(3)
    stem = doc["experiment_id"]
    for col, (label, text, ext, mime) in zip(
        columns,
        (
            ("Results (JSON)", experiment_json(doc), "json", "application/json"),
            ("Scores (CSV)", experiment_csv(doc), "csv", "text/csv"),
            ("Report (Markdown)", experiment_markdown(doc), "md", "text/markdown"),
        ),
        strict=True,
    ):
        col.download_button(
            label,
            text,
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"{KEY}.dl.{ext}",
            on_click=log_export(stem, f"{stem}.{ext}"),
            icon=":material/download:",
        )
    pdf_download(lambda: render_pdf(experiment_html(doc)), f"{stem}.pdf", f"{KEY}.pdf.{stem}")


page_intro(
    "A/B experiments",
    "Compare variants of a judge, prompt or rubric on the same plans, with paired statistics: "
    "intervals that respect plans nested in audits, tests, effect sizes, and an honest note "
    "when the sample is too small. The offline judge and rubric weights need no key.",
    FLASH,
)
try:
    past = service.past()
except A11yJudgeError as exc:
    st.error(str(exc))
    st.stop()
with st.expander("New experiment", expanded=not past, icon=":material/add:"):
    _define()
if not past:
    st.info("No experiment yet: the defaults above compare two rubric weightings on the demo set.")
    st.stop()
ids = [e.experiment_id for e in past]
by_id = {e.experiment_id: e for e in past}
if st.session_state.get(SHOWN) in by_id:
    st.session_state[f"{KEY}.pick"] = st.session_state.pop(SHOWN)
chosen = st.selectbox(
    "Experiment",
    ids,
    format_func=lambda i: f"{i} · {' vs '.join(by_id[i].variants)} · n={by_id[i].n_items}",
    key=f"{KEY}.pick",
)
if chosen:
    try:
        _results(service.load(chosen))
    except A11yJudgeError as exc:
        st.error(str(exc))
