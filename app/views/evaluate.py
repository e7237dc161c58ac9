"""Evaluate: pick an audit and plans, check what was understood, set the jury, run, see results."""

from __future__ import annotations

import streamlit as st
from app.components.access import blocked, spend_quota
from app.components.inputs import Inputs, NamedBytes, demo_files, read_inputs_cached
from app.components.jury import Jury, choose_judges, choose_weights
from app.components.results import render_results
from app.components.safety import choose_redaction
from app.components.text import md_escape
from app.components.understood import render_understood

from a11y_judge.consensus.review import record_run, reliability_weights
from a11y_judge.engine import evaluate
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import SUPPORTED
from a11y_judge.judges.base import Judge
from a11y_judge.models import Judgment, Rubric
from a11y_judge.rubric import load_rubric

KEY = "evaluate"
RUN = f"{KEY}.run"
RUN_SIGNATURE = f"{KEY}.run_signature"


def _chosen_files() -> tuple[NamedBytes | None, list[NamedBytes]]:
    """The demo set, or whatever this session uploaded."""
    if st.checkbox(
        "Use the demo set",
        key=f"{KEY}.demo",
        help="The shipped Northwind shop audit (15 findings) and 4 candidate plans.",
    ):
        demo_audit, demo_plans = demo_files()
        st.caption(
            f"Demo set: audit **{md_escape(demo_audit[0])}** and plans "
            + ", ".join(f"**{md_escape(name)}**" for name, _ in demo_plans)
        )
        return demo_audit, demo_plans
    left, right = st.columns(2, gap="large")
    audit_file = left.file_uploader(
        "Audit (one file)", key=f"{KEY}.audit", help=f"Any of: {SUPPORTED}."
    )
    plan_files = right.file_uploader(
        "Remediation plans (one or more files)",
        accept_multiple_files=True,
        key=f"{KEY}.plans",
        help="PDF, DOCX, Markdown, HTML or plain text; each file is one plan, named after it.",
    )
    audit = (audit_file.name, audit_file.getvalue()) if audit_file else None
    return audit, [(f.name, f.getvalue()) for f in plan_files or []]


def _run_signature(inputs: Inputs, jury: Jury, rubric: Rubric | None) -> str:
    version = rubric.version if rubric else "invalid-weights"
    samples = jury.settings.samples if any(j.provider != "offline" for j in jury.judges) else 1
    return f"{inputs.signature}#{version}#{','.join(j.id for j in jury.judges)}#k{samples}"


def _run(inputs: Inputs, jury: Jury, rubric: Rubric, signature: str) -> None:
    """Judge with live progress, save to history, keep the run in this session."""
    try:
        _judge_and_save(inputs, jury.judges, rubric, signature)
    finally:
        jury.settings.close()  # the run's reply cache; budgets and gates end with the run


def _judge_and_save(inputs: Inputs, judges: list[Judge], rubric: Rubric, signature: str) -> None:
    assert inputs.audit is not None
    total = len(inputs.plans) * len(judges)
    with st.status(
        f"Judging {len(inputs.plans)} plans with {len(judges)} judge(s)…", expanded=True
    ) as status:
        bar = st.progress(0.0, text=f"0 of {total} judgments")
        waiting = st.empty()

        def notice(text: str) -> None:
            if text:
                waiting.warning(md_escape(text), icon=":material/hourglass_top:")
            else:
                waiting.empty()

        def progress(done: int, total: int, judgment: Judgment) -> None:
            bar.progress(done / total, text=f"{done} of {total} judgments")
            if judgment.status == "ok":
                st.write(f"✓ {judgment.judge_id} judged **{md_escape(judgment.plan_name)}**")
            else:
                st.write(
                    f"✗ {judgment.judge_id} failed on **{md_escape(judgment.plan_name)}**: "
                    f"{md_escape(judgment.error or 'unknown error')}"
                )

        try:
            store = HistoryStore()
            run = evaluate(
                inputs.audit,
                inputs.plans,
                judges,
                rubric,
                progress=progress,
                notice=notice,
                reliability=reliability_weights(store),
            )
            record_run(store, run)
        except A11yJudgeError as exc:
            status.update(label="The run did not complete", state="error", expanded=False)
            st.error(str(exc))
            return
        status.update(
            label=f"Done: {total} judgments, saved to history as run {run.run_id}",
            state="complete" if run.status == "ok" else "error",
            expanded=False,
        )
    st.session_state[RUN] = run
    st.session_state[RUN_SIGNATURE] = signature


st.header("Evaluate remediation plans")
st.markdown(
    "Upload an audit and the plans that answer it (or use the demo set), check what was "
    "understood, then run the jury."
)

audit_file, plan_files = _chosen_files()
inputs = read_inputs_cached(audit_file, plan_files)
if inputs.error:
    st.error(inputs.error)
elif audit_file is None and not plan_files:
    st.info("Upload an audit and at least one plan, or tick **Use the demo set**.")
else:
    render_understood(inputs)

st.subheader("Jury and rubric")
try:
    base_rubric = load_rubric()
except A11yJudgeError as exc:
    st.error(str(exc))
    st.stop()
jury = choose_judges(KEY)
jury.settings.redact_pii = choose_redaction(KEY)
judges = jury.judges
if not judges and not jury.failed:
    st.error("Choose at least one judge.")
st.markdown("**Criterion weights for this run**")
rubric = choose_weights(base_rubric, KEY)

signature = f"{_run_signature(inputs, jury, rubric)}#pii-{jury.settings.redact_pii}"
files_ok = (
    (("files it can read (see the error above)", False),)
    if inputs.error
    else (("an audit", inputs.audit is not None), ("at least one plan", bool(inputs.plans)))
)
checks = (
    *files_ok,
    ("a judge", bool(judges)),
    ("every chosen judge ready (see the errors above)", not jury.failed),
    ("weights totalling 100%", rubric is not None),
)
missing = [label for label, ok in checks if not ok]
locked = blocked("running an evaluation")
clicked = st.button(
    "Run evaluation",
    type="primary",
    key=f"{KEY}.run_button",
    icon=":material/play_arrow:",
    disabled=bool(missing) or locked,
)
if missing:
    st.caption("To run, this needs " + ", ".join(missing) + ".")
if clicked and spend_quota(len(inputs.plans) * len(judges)):
    assert rubric is not None
    _run(inputs, jury, rubric, signature)
else:
    jury.settings.close()

run = st.session_state.get(RUN)
if run is not None:
    st.divider()
    try:  # a reviewer may have resolved its conflicts since (Conflicts page or CLI)
        run = HistoryStore().get_run(run.run_id)
    except A11yJudgeError:
        st.caption("This run is no longer in history; showing the copy judged in this session.")
    if st.session_state.get(RUN_SIGNATURE) == signature:
        st.header("Results")
        render_results(run, key=KEY)
    else:
        st.info(
            f"The inputs, judges or weights changed since the last run ({run.run_id}, kept in "
            "History). Press **Run evaluation** to judge these."
        )
