"""Batch: many audits × plan sets judged in the background of the server, watched live from any
browser session, cancelled, resumed, summarised and opened set by set."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import streamlit as st
from app.components import batch_tables
from app.components.access import blocked, log_export, read_only
from app.components.jury import choose_judges, choose_weights
from app.components.layout import page_intro
from app.components.llm_settings import session_batch
from app.components.results import pdf_download, render_results
from app.components.tables import agreement_frame
from app.components.text import md_escape

from a11y_judge.batch import service
from a11y_judge.batch.sets import MAX_ENTRIES, MAX_FILE_BYTES, MAX_TOTAL_BYTES, extract_zip
from a11y_judge.batch.summary import BatchSummary, summarize
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.jobs import JobStore
from a11y_judge.models import BatchJob, Run, utcnow
from a11y_judge.paths import home_dir
from a11y_judge.reports.batch_report import batch_csv, batch_json, batch_markdown
from a11y_judge.reports.pdf_report import batch_html, render_pdf
from a11y_judge.rubric import load_rubric

KEY = "batch"
FLASH = f"{KEY}.flash"
JOB = f"{KEY}.job"
LIVE = ("queued", "running")
#: Seconds between refreshes of a live job's progress.
REFRESH_S = 1.5

LAYOUT_HELP = """
```
sets/
  acme-shop/
    audit.json          any audit format (axe-core, Lighthouse, Pa11y, DOCX, PDF, Markdown…)
    plans/
      vendor-a.md
      vendor-b.docx
  city-portal/
    city-portal-audit.pdf   or side by side: the file with "audit" in its name is the audit
    plan-gpt.md
    plan-gemini.md
```
A manifest instead (CSV with columns `set,audit,plans`, plans separated by `;`, or JSON / YAML
`[{"name", "audit", "plans": [...]}]`) names each set's files, relative to the manifest.
"""


def _submit_form() -> None:
    """Choose the sets and the jury, and start a job in the server's background."""
    how = st.radio(
        "Sets",
        ["Upload a ZIP", "A folder or manifest on the server"],
        horizontal=True,
        key=f"{KEY}.how",
    )
    upload = None
    path = ""
    if how == "Upload a ZIP":
        upload = st.file_uploader(
            "ZIP of the folder of sets",
            type=["zip"],
            key=f"{KEY}.zip",
            help=f"At most {MAX_ENTRIES} entries, {MAX_FILE_BYTES // 2**20} MiB per file and "
            f"{MAX_TOTAL_BYTES // 2**20} MiB in all once extracted; paths outside the archive "
            "and links are refused.",
        )
    else:
        path = st.text_input(
            "Folder or manifest path on the server",
            key=f"{KEY}.path",
            placeholder="/srv/audits/2026-q4 or /srv/audits/batch.yaml",
        ).strip()
    with st.expander("Folder layout and manifest format"):
        st.markdown(LAYOUT_HELP)

    try:
        base = load_rubric()
    except A11yJudgeError as exc:
        st.error(str(exc))
        return
    jury = choose_judges(KEY)
    jury.settings.close()  # the job builds its own settings for its worker
    st.markdown("**Criterion weights for every set**")
    rubric = choose_weights(base, KEY)
    checks = (
        ("a ZIP or a path", bool(upload) or bool(path)),
        ("a judge", bool(jury.judges)),
        ("every chosen judge ready (see the errors above)", not jury.failed),
        ("weights totalling 100%", rubric is not None),
    )
    missing = [label for label, ok in checks if not ok]
    locked = blocked("starting a batch")
    if not st.button(
        "Start batch",
        type="primary",
        icon=":material/play_arrow:",
        key=f"{KEY}.start",
        disabled=bool(missing) or locked,
    ):
        if missing:
            st.caption("To start, this needs " + ", ".join(missing) + ".")
        return
    assert rubric is not None
    weights = None if rubric is base else {c.id: c.weight for c in rubric.criteria}
    cfg, factory = session_batch([j.id for j in jury.judges], weights)
    folder: Path | None = None
    try:
        if upload is not None:
            folder = home_dir() / "batches" / uuid.uuid4().hex[:12]
            source = extract_zip(upload.getvalue(), folder)
            job = service.submit(source, cfg, factory=factory, label=upload.name)
        else:
            job = service.submit(path, cfg, factory=factory)
    except A11yJudgeError as exc:
        if folder is not None:  # nothing half-written stays behind
            shutil.rmtree(folder, ignore_errors=True)
        st.error(str(exc))
        return
    service.start_background(job.job_id, factory=factory)
    st.session_state[JOB] = job.job_id
    st.session_state[FLASH] = (
        f"Started batch {job.job_id}: {job.total} sets. It runs in the server's background; "
        "closing this tab does not stop it."
    )
    st.rerun()


def _controls(job: BatchJob) -> None:
    """Cancel a live job; resume one that stopped before every set completed."""
    left, right = st.columns(2)
    if job.status in LIVE:
        if left.button(
            "Cancel batch",
            key=f"{KEY}.cancel.{job.job_id}",
            icon=":material/stop:",
            disabled=read_only(),
        ):
            service.cancel(job.job_id)
            st.session_state[FLASH] = (
                f"Cancelled {job.job_id}: finished sets are kept; resume it any time."
            )
            st.rerun(scope="app")
        return
    stopped = sum(i.status in ("queued", "cancelled", "interrupted") for i in job.items)
    failed = sum(i.status == "failed" and i.audit is not None for i in job.items)
    count = stopped + failed
    label = f"Resume ({count} set{'s' if count != 1 else ''})"
    if not stopped:
        label = f"Retry the failed set{'s' if failed != 1 else ''} ({failed})"
    if count and right.button(
        label,
        key=f"{KEY}.resume.{job.job_id}",
        icon=":material/replay:",
        disabled=read_only(),
        help="Every completed judgment is reused from history and the reply cache: "
        "no provider is asked twice.",
    ):
        _, factory = session_batch(job.settings.judges, job.settings.weights)
        queued = service.resume(job.job_id)
        service.start_background(job.job_id, factory=factory)
        st.session_state[FLASH] = f"Resumed {job.job_id}: {queued} sets queued again."
        st.rerun(scope="app")


def _progress(job_id: str) -> None:
    """The job's progress, sets and controls; refreshed while the job is live."""
    try:
        job = JobStore().job(job_id)
    except A11yJudgeError as exc:
        st.error(str(exc))
        return
    st.progress(
        job.finished / job.total if job.total else 1.0,
        text=f"{batch_tables.STATUS_WORDS[job.status]}: "
        + job.progress_text(utcnow() if job.status in LIVE else None),
    )
    if job.status == "running" and not service.in_background(job_id):
        st.caption("Running in another process (for example `a11y-judge batch worker`).")
    st.dataframe(
        batch_tables.sets_frame(job),
        hide_index=True,
        key=f"{KEY}.sets.{job_id}",
        column_config={"Problem": st.column_config.TextColumn(width="large")},
    )
    _controls(job)
    was_live = st.session_state.get(f"{KEY}.live.{job_id}")
    st.session_state[f"{KEY}.live.{job_id}"] = job.status in LIVE
    if was_live and job.status not in LIVE:
        st.rerun(scope="app")  # the job ended: show its summary


def _summary(job: BatchJob, summary: BatchSummary, runs: dict[str, Run]) -> None:
    st.subheader("Summary")
    if not summary.completed:
        st.info("The summary appears once a set has completed.")
    else:
        best = f"**{md_escape(summary.best)}**" if summary.best else "none"
        st.markdown(f"Best plan across the batch (highest mean weighted score): {best}")
        frame = batch_tables.plan_stats_frame(summary)
        number = st.column_config.NumberColumn(format="%.2f")
        st.dataframe(
            frame,
            hide_index=True,
            key=f"{KEY}.plans.{job.job_id}",
            column_config={c: number for c in ("Mean", "Min", "Max", "Std")},
        )
        if summary.kendall_w is not None:
            st.markdown(
                f"Ranking consistency across {summary.w_sets} sets (Kendall's W over "
                f"{len(summary.w_plans)} shared plan names): **{summary.kendall_w:.2f}** "
                "(1 = every set ranks them the same, 0 = no agreement)."
            )
        else:
            st.caption(f"Ranking consistency (Kendall's W) is undefined: {summary.w_note}.")
        st.markdown("**Judge agreement across the batch**")
        if summary.agreement.judges < 2:
            st.caption(f"Undefined: {summary.agreement.note or 'one judge'}.")
        else:
            st.dataframe(
                agreement_frame(summary.agreement, {}, {}),
                hide_index=True,
                key=f"{KEY}.agreement.{job.job_id}",
            )
        if summary.provisional:
            st.warning(
                f"{len(summary.provisional)} plan results are provisional (a judge conflict "
                "awaits review on the Conflicts page).",
                icon=":material/balance:",
            )
    if summary.failed:
        st.markdown("**Sets that failed**")
        for name, error in summary.failed:
            st.markdown(f"- **{md_escape(name)}**: {md_escape(error)}")
    if summary.partial:
        st.warning(
            f"{len(summary.partial)} completed sets have failed judgments; their scores use the "
            "judgments that succeeded:\n\n"
            + "\n".join(f"- **{md_escape(n)}**: {md_escape(e)}" for n, e in summary.partial),
            icon=":material/warning:",
        )
    downloads = (
        ("Summary (JSON)", batch_json(job, summary), "json", "application/json"),
        ("Scores (CSV)", batch_csv(job, runs), "csv", "text/csv"),
        ("Summary (Markdown)", batch_markdown(job, summary, runs), "md", "text/markdown"),
    )
    for col, (label, data, ext, mime) in zip(st.columns(3), downloads, strict=True):
        col.download_button(
            label,
            data,
            file_name=f"{job.job_id}.{ext}",
            mime=mime,
            key=f"{KEY}.dl.{ext}",
            on_click=log_export(job.job_id, f"{job.job_id}.{ext}"),
            icon=":material/download:",
        )
    pdf_download(
        lambda: render_pdf(batch_html(job, summary)),
        f"{job.job_id}.pdf",
        f"{KEY}.pdf.{job.job_id}.{summary.completed}",
    )


def _open_set(job: BatchJob, runs: dict[str, Run]) -> None:
    done = [i for i in job.items if i.run_id and i.run_id in runs]
    if not done:
        return
    st.subheader("Open a set's run")
    names = {i.run_id: i.name for i in done if i.run_id}
    run_id = st.selectbox(
        "Set", list(names), format_func=lambda r: names[r], key=f"{KEY}.open.{job.job_id}"
    )
    if run_id:
        render_results(runs[run_id], key=f"{KEY}.run.{run_id}")


def _job(job_id: str) -> None:
    live = JobStore().job(job_id).status in LIVE
    st.fragment(_progress, run_every=REFRESH_S if live else None)(job_id)
    job, runs = service.results(job_id)
    if job.status in LIVE:
        st.caption(
            "The summary below covers the sets completed when this page loaded; it is "
            "redrawn when the batch ends."
        )
    _summary(job, summarize(job, runs), runs)
    _open_set(job, runs)


page_intro(
    "Batch",
    "Judge many audits, each with its plans, in the background of this server: closing the tab "
    "does not stop a batch, any browser session sees its progress, and a batch cut short "
    "(cancelled, or the server restarted) resumes without asking any provider twice.",
    FLASH,
)

try:
    jobs = JobStore().jobs()
except A11yJudgeError as exc:
    st.error(str(exc))
    st.stop()

with st.expander("New batch", expanded=not jobs, icon=":material/add:"):
    _submit_form()

st.subheader("Jobs")
if not jobs:
    st.info("No batch yet. Start one above; jobs started from the CLI show here too.")
    st.stop()
st.dataframe(
    batch_tables.jobs_frame(jobs),
    hide_index=True,
    key=f"{KEY}.jobs",
    column_config={"Sets/min": st.column_config.NumberColumn(format="%.1f")},
)
by_id = {j.job_id: j for j in jobs}
if st.session_state.get(JOB) not in by_id:
    st.session_state.pop(JOB, None)  # deleted since, or from another history
job_id = st.selectbox(
    "Job",
    list(by_id),
    format_func=lambda j: f"{j} · {by_id[j].source}",
    key=JOB,
)
if job_id:
    _job(job_id)
