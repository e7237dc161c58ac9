"""The `a11y-judge` command line: evaluate, parse, history, conflicts, resolve, judges, batch,
demo, cache."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from a11y_judge import __version__
from a11y_judge.access import hash_password
from a11y_judge.batch import service as batch_service
from a11y_judge.batch.summary import summarize
from a11y_judge.cache import JudgeCache
from a11y_judge.consensus.review import judges_report, record_run, reliability_weights, resolve
from a11y_judge.engine import RunCancelledError, evaluate, prepare
from a11y_judge.errors import A11yJudgeError, IngestError
from a11y_judge.history.audit import ACTIONS, AuditLog
from a11y_judge.history.backup import backup, restore
from a11y_judge.history.jobs import JobStore
from a11y_judge.history.store import HistoryStore
from a11y_judge.ingest import (
    PlanFiles,
    plan_files,
    read_audit,
    read_file,
    read_plan,
    read_plans,
)
from a11y_judge.ingest.detect import sniff
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import (
    SEVERITIES,
    BatchJob,
    BatchSettings,
    CriterionResult,
    Plan,
    Run,
    utcnow,
)
from a11y_judge.monitoring import exporter
from a11y_judge.paths import data_dir
from a11y_judge.reports.batch_report import batch_json
from a11y_judge.reports.bundle import DEFAULT_FORMATS, batch_files, parse_formats, run_files
from a11y_judge.reports.experiment_report import experiment_json
from a11y_judge.reports.files import write_report
from a11y_judge.reports.json_report import to_json
from a11y_judge.reports.safety_section import console_lines
from a11y_judge.resilience import RetryPolicy
from a11y_judge.rubric import load_rubric
from a11y_judge.tries import SCANNER

FORMAT_HELP = (
    "report formats for --out, comma-separated: json,csv,md,pdf (default json,csv,md; csv is "
    "the tidy long table plus a one-row-per-plan summary, pdf a tagged PDF/UA-1 report)"
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="a11y-judge",
        description="Score accessibility remediation plans against an audit.",
    )
    p.add_argument(
        "--version", action="version", version=f"a11y-judge {__version__} (term scanner: {SCANNER})"
    )
    sub = p.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="judge plans against an audit and rank them")
    ev.add_argument("--audit", required=True, help="audit file (any supported format)")
    src = ev.add_mutually_exclusive_group(required=True)
    src.add_argument("--plan", action="append", default=[], help="a plan file (repeatable)")
    src.add_argument("--plans-dir", help="folder of plan documents")
    ev.add_argument(
        "--judge",
        action="append",
        default=[],
        help="judge spec (repeatable): offline, openai:MODEL, gemini:MODEL, "
        "openai-compatible:MODEL@BASE_URL; default: offline",
    )
    llm = ev.add_argument_group("LLM judges")
    llm.add_argument(
        "--samples",
        type=_positive_int,
        default=1,
        help="ask each LLM judge K times per plan; record the median and spread (default 1)",
    )
    llm.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    llm.add_argument(
        "--budget", type=_positive_float, help="stop new LLM calls once this many USD are spent"
    )
    llm.add_argument(
        "--concurrency",
        type=_positive_int,
        default=8,
        help="concurrent requests per provider (default 8)",
    )
    llm.add_argument("--rpm", type=_positive_int, help="requests per minute per provider")
    llm.add_argument(
        "--timeout", type=_positive_float, default=120.0, help="seconds per request (default 120)"
    )
    llm.add_argument(
        "--retries",
        type=int,
        default=RetryPolicy().max_retries,
        help="re-sends after server errors, timeouts, dropped connections or replies that are "
        f"not JSON (default {RetryPolicy().max_retries}; rate limits are waited out apart)",
    )
    llm.add_argument(
        "--outage-wait",
        type=_positive_float,
        default=JudgeSettings().outage_wait,
        help="seconds judgments wait for a provider whose circuit breaker opened before they "
        f"fail (default {JudgeSettings().outage_wait:.0f})",
    )
    llm.add_argument(
        "--time-budget",
        type=_positive_float,
        help="seconds for the whole run: waits end and unstarted LLM calls fail after it",
    )
    llm.add_argument("--redact-pii", **REDACT_ARG)
    llm.add_argument(
        "--context-tokens",
        type=_positive_int,
        help="the model's context window, if data/llm_models.json does not list it",
    )
    ev.add_argument("--rubric", help="rubric YAML (default: prompts/rubric.yaml)")
    ev.add_argument("--out", help="write the run's reports to this folder")
    ev.add_argument("--format", help=FORMAT_HELP)
    ev.add_argument("--json", action="store_true", help="print the run document as JSON")
    ev.add_argument("--no-history", action="store_true", help="do not record the run")
    ev.add_argument(
        "--processes",
        type=_positive_int,
        help="worker processes for the offline judge on large runs (default: every usable "
        "core; 1 judges in this process)",
    )

    pa = sub.add_parser("parse", help="show what ingestion understood of a file")
    pa.add_argument("file")
    pa.add_argument("--json", action="store_true")

    hi = sub.add_parser("history", help="past runs")
    hsub = hi.add_subparsers(dest="history_command", required=True)
    hl = hsub.add_parser("list", help="list runs, newest first")
    hl.add_argument("--search", default="", help="filter by audit, plan, winner or id")
    hl.add_argument("--limit", type=int, default=50)
    hl.add_argument("--json", action="store_true")
    hs = hsub.add_parser("show", help="one run (same document as evaluate --json)")
    hs.add_argument("run_id")
    hs.add_argument("--json", action="store_true")
    hs.add_argument("--out", help="write the run's reports to this folder")
    hs.add_argument("--format", help=FORMAT_HELP)
    hd = hsub.add_parser("delete", help="delete a run")
    hd.add_argument("run_id")
    hb = hsub.add_parser("backup", help="copy the history, consistent even while runs write")
    hb.add_argument("path", help="the backup file, or a folder for a dated one")
    hr = hsub.add_parser("restore", help="replace the history with a checked backup")
    hr.add_argument("path", help="a file written by `history backup`")

    al = sub.add_parser("audit-log", help="who did what, when (runs, resolutions, exports …)")
    al.add_argument("--actor", help="only this actor (a reviewer, session:…, batch:…)")
    al.add_argument("--action", choices=list(ACTIONS), help="only this action")
    al.add_argument("--since", type=_date, help="from this date or time (ISO, UTC)")
    al.add_argument("--search", default="", help="text in the target or detail")
    al.add_argument("--limit", type=_positive_int, default=100)
    al.add_argument("--json", action="store_true")

    ph = sub.add_parser(
        "password-hash", help="hash a password for A11Y_JUDGE_PASSWORD_HASH or secrets.toml"
    )
    ph.add_argument("--stdin", action="store_true", help="read the password from stdin")

    sub.add_parser("demo", help="evaluate the shipped demo set into history (used by make run)")

    co = sub.add_parser("conflicts", help="where judges disagree: one run, or across runs")
    co.add_argument("run_id", nargs="?", help="a run id (default: every run in history)")
    co.add_argument("--status", choices=["auto", "escalated", "resolved"])
    co.add_argument("--severity", choices=list(SEVERITIES))
    co.add_argument("--json", action="store_true")

    re_ = sub.add_parser("resolve", help="settle one conflict with a reviewer's score")
    re_.add_argument("run_id")
    re_.add_argument("--plan", required=True, help="the plan's name")
    re_.add_argument("--criterion", required=True, help="the criterion id")
    re_.add_argument("--score", required=True, type=float, help="0-10")
    re_.add_argument("--note", required=True, help="why (kept in the audit trail)")
    re_.add_argument(
        "--reviewer", help="your name (default: $A11Y_JUDGE_REVIEWER or the login name)"
    )

    ju = sub.add_parser("judges", help="each judge's reliability and calibration from history")
    ju.add_argument("--json", action="store_true")

    ba = sub.add_parser("batch", help="many audits x plan sets, resumable")
    bsub = ba.add_subparsers(dest="batch_command", required=True)
    br = bsub.add_parser("run", help="judge every set of a folder or manifest")
    br.add_argument("path", help="a folder of sets, or a manifest (CSV, JSON, YAML)")
    br.add_argument("--judge", action="append", default=[], help="judge spec (repeatable)")
    br.add_argument("--concurrency", type=_positive_int, default=8, help="requests per provider")
    br.add_argument(
        "--sets",
        type=_positive_int,
        default=BatchSettings().sets_in_flight,
        help="at most this many sets at once (default 16; with LLM judges a set starts while "
        "fewer than three rounds of requests are owed)",
    )
    br.add_argument("--rpm", type=_positive_int, help="requests per minute per provider")
    br.add_argument("--retries", type=int, default=RetryPolicy().max_retries)
    br.add_argument("--samples", type=_positive_int, default=1)
    br.add_argument("--rubric", help="rubric YAML (default: prompts/rubric.yaml)")
    br.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    br.add_argument("--redact-pii", **REDACT_ARG)
    br.add_argument("--json", action="store_true", help="print the batch document at the end")
    br.add_argument("--out", help="write the job's reports to this folder when it ends")
    br.add_argument("--format", help=FORMAT_HELP)
    bs = bsub.add_parser("status", help="jobs, or one job's sets and summary")
    bs.add_argument("job_id", nargs="?")
    bs.add_argument("--json", action="store_true")
    bs.add_argument("--out", help="write the job's reports to this folder")
    bs.add_argument("--format", help=FORMAT_HELP)
    bres = bsub.add_parser("resume", help="judge again every set not completed")
    bres.add_argument("job_id")
    bres.add_argument("--json", action="store_true")
    bc = bsub.add_parser("cancel", help="stop a job (wherever it runs); it stays resumable")
    bc.add_argument("job_id")
    bw = bsub.add_parser("worker", help="work on a job's queued sets next to other workers")
    bw.add_argument("job_id")
    bw.add_argument("--json", action="store_true")

    ab = sub.add_parser("ab", help="A/B experiment: variants compared on the same plans")
    ab.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=SPEC",
        help="a variant (repeat; the first is the baseline), e.g. base=offline, "
        "strict=offline+rubric=prompts/strict.yaml, v2=openai:gpt-4.1+prompt=prompts/v2/",
    )
    ab.add_argument("--items", help="a set folder, a folder of sets or a manifest")
    ab.add_argument("--gold", help="CSV of expert scores: plan, criterion, score (, set)")
    ab.add_argument("--repeats", type=_positive_int, default=1, help="runs per variant (K)")
    ab.add_argument("--concurrency", type=_positive_int, default=8, help="requests per provider")
    ab.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    ab.add_argument("--json", action="store_true", help="print the results document")
    ab.add_argument("--out", help="write the JSON, CSV and Markdown reports here")
    ab.add_argument("--list", action="store_true", help="list past experiments")
    ab.add_argument("--show", metavar="ID", help="print a past experiment's results")

    ca = sub.add_parser("cache", help="the LLM reply cache in $A11Y_JUDGE_HOME/cache")
    csub = ca.add_subparsers(dest="cache_command", required=True)
    csub.add_parser("stats", help="entries, size on disk, size cap, lifetime hits and misses")
    csub.add_parser("clear", help="remove every cached reply")
    return p


#: --redact-pii [external|all]: mask emails, phones, names, tokens and IPs sent to LLM judges.
REDACT_ARG: dict[str, Any] = {
    "nargs": "?",
    "const": "external",
    "default": "off",
    "choices": ["off", "external", "all"],
    "help": "mask emails, phone numbers, names, URL tokens and IP addresses before text goes "
    "to an LLM provider: 'external' (the default when given) for OpenAI, Gemini and remote "
    "servers, 'all' for loopback servers too; history keeps the original",
}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _settings(args: argparse.Namespace) -> JudgeSettings:
    return JudgeSettings(
        samples=args.samples,
        use_cache=not args.no_cache,
        budget_usd=args.budget,
        concurrency=args.concurrency,
        rpm=args.rpm,
        timeout=args.timeout,
        retry=RetryPolicy(max_retries=max(0, args.retries)),
        context_tokens=args.context_tokens,
        outage_wait=args.outage_wait,
        time_budget=args.time_budget,
        redact_pii=args.redact_pii,
    )


def _print_ranking(run: Run) -> None:
    crit = run.rubric.criteria
    print(
        f"run {run.run_id}  status {run.status}  audit {run.audit.name} "
        f"({run.audit.source_format}, {len(run.audit.findings)} findings)  "
        f"judges {', '.join(j.id for j in run.judges)}"
    )
    header = (
        f"{'rank':>4}  {'score':>5}  {'cover':>5}  "
        + "  ".join(f"{c.id[:10]:>10}" for c in crit)
        + "  plan"
    )
    print(header)
    for r in run.results:
        score = "  —  " if r.score is None else f"{r.score:5.2f}"
        cells = "  ".join(f"{_cell(r.criteria[c.id]):>10}" for c in crit)
        flag = "  (provisional)" if r.provisional else ""
        print(f"{r.rank:>4}  {score}  {r.coverage.ratio:>5.0%}  {cells}  {r.name}{flag}")
    open_findings = [
        f.id + (f" (mentioned by {', '.join(by)})" if by else "") for f, by in run.unaddressed()
    ]
    print(f"addressed by no plan: {', '.join(open_findings) if open_findings else 'none'}")
    if run.conflicts:
        counts = {sev: sum(c.severity == sev for c in run.conflicts) for sev in SEVERITIES}
        print(
            f"judges disagree: {len(run.conflicts)} items ("
            + ", ".join(f"{n} {sev}" for sev, n in counts.items() if n)
            + f"); {len(run.escalated)} escalated to a reviewer"
            + (
                f" — see `a11y-judge conflicts {run.run_id} --status escalated`"
                if run.escalated
                else ""
            )
        )
    if run.rank_conflict is not None and not run.rank_conflict.agree:
        tops = ", ".join(f"{j} → {p}" for j, p in run.rank_conflict.top.items())
        print(f"judges put different plans first: {tops}")
    s = run.stats
    if s.calls or s.cache_hits:
        cost = "unknown" if s.cost_unknown and not s.cost_usd else f"${s.cost_usd:.4f}"
        print(
            f"LLM requests {s.calls} (retries {s.retries}, repairs {s.repairs}), cache hits "
            f"{s.cache_hits}, misses {s.cache_misses}, tokens {s.input_tokens:,} in / "
            f"{s.output_tokens:,} out, cost {cost}"
            + (" (some prices unknown)" if s.cost_unknown and s.cost_usd else "")
        )
        for e in s.endpoints:
            print(f"  {e.summary()}")
    for line in console_lines(run):
        print(line)
    if run.error:
        print(f"note: {run.error}")


def _cell(c: CriterionResult) -> str:
    """A criterion's score; an escalated one shows its provisional stand-in with '?'."""
    if c.score is not None:
        return f"{c.score:.2f}"
    if c.provisional_score is not None:
        return f"{c.provisional_score:.2f}?"
    return "—"


def _formats(args: argparse.Namespace) -> list[str]:
    """The report formats asked for; --format without --out is a mistake worth saying."""
    if args.format and not args.out:
        raise A11yJudgeError("--format needs --out", hint="Add --out DIR to write reports")
    return parse_formats(args.format or DEFAULT_FORMATS)


def _write_files(
    out: str, files: list[tuple[str, str | bytes]], target: str, note: str = ""
) -> list[Path]:
    written = [write_report(Path(out) / name, body) for name, body in files]
    print("wrote " + ", ".join(str(p) for p in written), file=sys.stderr)
    AuditLog().record("export", target, note + ", ".join(str(p) for p in written))
    return written


def _evaluate(args: argparse.Namespace) -> int:
    formats = _formats(args)
    paths = [Path(p) for p in args.plan] if args.plan else plan_files(args.plans_dir)
    settings = _settings(args)
    cancelled = False
    starting = None
    try:
        judges = [create_judge(spec, settings) for spec in (args.judge or ["offline"])]
        starting = prepare(len(paths), judges, processes=args.processes)  # start while we read
        audit = read_audit(args.audit)
        plans = PlanFiles(paths)  # read while the first plans are judged
        rubric = load_rubric(args.rubric)
        store = HistoryStore()
        run = evaluate(
            audit,
            plans,
            judges,
            rubric,
            processes=args.processes,
            notice=_notice,
            reliability=reliability_weights(store),
        )
    except RunCancelledError as stop:  # Ctrl-C: keep what was judged
        run, cancelled = stop.run, True
        print(f"cancelled: {stop}", file=sys.stderr)
    finally:
        settings.close()
        if starting is not None:  # a bad plan stops us: let the workers finish starting, so
            starting.join()  # that they shut down cleanly instead of failing as we exit
    if not args.no_history:
        record_run(store, run)
    if args.out:
        note = "run not recorded in history (--no-history): " if args.no_history else ""
        _write_files(args.out, run_files(run, formats), run.run_id, note)
    if args.json:
        sys.stdout.write(to_json(run))
    else:
        _print_ranking(run)
    if cancelled:
        return 130
    return 0 if run.status != "failed" else 1


def _notice(text: str) -> None:
    """What the run waits for (an open circuit), or that it stopped waiting."""
    print(text or "resumed: no provider is being waited for", file=sys.stderr)


DOCUMENT_FORMATS = ("docx", "pdf", "html", "markdown", "text")


def _parse(args: argparse.Namespace) -> int:
    path = Path(args.file)
    data = read_file(path)
    try:
        audit = read_audit(path, data=data)
    except IngestError:
        if sniff(data, path.name).format not in DOCUMENT_FORMATS:
            raise
        # A document with no findings, or titled as a plan: show it as the plan it is.
        return _print_plan(read_plan(path, data=data), path, args.json)
    doc = {
        "kind": "audit",
        "source_format": audit.source_format,
        "name": audit.name,
        "findings": [f.model_dump(mode="json") for f in audit.findings],
    }
    if args.json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{path.name}: audit ({audit.source_format}), {len(audit.findings)} findings, "
        f"SC {', '.join(audit.wcag) or 'none'}"
    )
    for f in audit.findings:
        sc = ",".join(f.wcag) + ("?" if f.wcag_source == "inferred" else "")
        review = " [needs review]" if f.needs_review else ""
        print(f"  {f.id:<32} {f.severity.value:<9} {sc:<16} {f.title[:70]}{review}")
    print("(? = success criterion inferred from the wording, not stated)")
    return 0


def _print_plan(plan: Plan, path: Path, as_json: bool) -> int:
    doc = {
        "kind": "plan",
        "source_format": plan.source_format,
        "name": plan.name,
        "findings": [],
        "words": len(plan.text.split()),
    }
    if as_json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(
            f"{path.name}: no findings; reads as a plan ({plan.source_format}, "
            f"{doc['words']} words)"
        )
    return 0


def _history(args: argparse.Namespace) -> int:
    store = HistoryStore()
    if args.history_command == "list":
        runs = store.list_runs(search=args.search, limit=args.limit)
        if args.json:
            print(json.dumps([r.__dict__ for r in runs], indent=2, ensure_ascii=False))
            return 0
        if not runs:
            print(f"no runs in {store.path}")
        for r in runs:
            score = "" if r.winner_score is None else f" ({r.winner_score:.2f})"
            print(
                f"{r.run_id}  {r.created_at[:19]}  {r.status:<7}  {r.audit_name}  "
                f"{len(r.plans)} plans  winner {r.winner or '—'}{score}"
            )
        return 0
    if args.history_command == "show":
        formats = _formats(args)
        run = store.get_run(args.run_id)
        if args.out:
            _write_files(args.out, run_files(run, formats), run.run_id)
        if args.json:
            sys.stdout.write(to_json(run))
        else:
            _print_ranking(run)
        return 0
    if args.history_command == "backup":
        info = backup(store, args.path)
        print(
            f"backed up {info.runs} runs, {info.jobs} batch jobs to {info.path} "
            f"({info.bytes / 2**20:.1f} MiB)"
        )
        return 0
    if args.history_command == "restore":
        info, kept = restore(store, args.path)
        print(
            f"restored {info.runs} runs, {info.jobs} batch jobs from {info.path}; "
            f"the previous history is kept in {kept}"
        )
        return 0
    store.delete_run(args.run_id)
    print(f"deleted {args.run_id}")
    return 0


def _date(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date such as 2026-12-01") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _audit_log(args: argparse.Namespace) -> int:
    entries = AuditLog().entries(
        actor=args.actor,
        action=args.action,
        since=args.since,
        search=args.search,
        limit=args.limit,
    )
    if args.json:
        print(json.dumps([e.as_dict() for e in entries], indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print("no audit log entries match")
    for e in entries:
        print(f"{e.at[:19]}  {e.actor:<20} {e.action:<12} {e.target}  {e.detail}")
    return 0


def _password_hash(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.stdin else getpass.getpass("Password: ")
    print(hash_password(password))
    return 0


def _demo(_args: argparse.Namespace) -> int:
    demo = data_dir() / "demo"
    store = HistoryStore()
    audit = read_audit(demo / "northwind-audit.md")
    existing = [r for r in store.list_runs(search=audit.name) if r.audit_name == audit.name]
    if existing:
        print(f"demo run already in history ({existing[0].run_id}); {store.path}")
        return 0
    plans = read_plans((str(p), None) for p in plan_files(demo / "plans"))
    run = evaluate(audit, plans, [create_judge("offline")], load_rubric())
    record_run(store, run)
    print(f"demo run {run.run_id} recorded in {store.path}")
    return 0


def _conflicts(args: argparse.Namespace) -> int:
    store = HistoryStore()
    if args.run_id:
        run = store.get_run(args.run_id)
        found = [
            c
            for c in run.conflicts
            if (not args.status or c.status == args.status)
            and (not args.severity or c.severity == args.severity)
        ]
        if args.json:
            print(json.dumps([c.model_dump(mode="json") for c in found], indent=2))
            return 0
        print(f"run {run.run_id}: {len(run.conflicts)} conflicts, {len(run.escalated)} escalated")
        for c in found:
            shown = "—" if c.resolved_score is None else f"{c.resolved_score:.2f}"
            scores = ", ".join(f"{j} {v:.2f}" for j, v in c.scores.items())
            print(
                f"  {c.status:<9} {c.severity:<8} spread {c.spread:4.2f}  {c.plan} / "
                f"{c.criterion}: {shown} ({c.strategy}; {scores})"
            )
            print(f"            {c.reasoning}")
        plans = [  # whole plans (a status belongs to criterion conflicts only)
            pc
            for pc in run.plan_conflicts
            if not args.status and (not args.severity or pc.severity == args.severity)
        ]
        if plans:
            print("  whole plans, each judge's own weighted score:")
        for pc in plans:
            scores = ", ".join(f"{j} {v:.2f}" for j, v in pc.scores.items())
            print(f"  {'plan':<9} {pc.severity:<8} spread {pc.spread:4.2f}  {pc.plan}: {scores}")
        if run.rank_conflict is not None and not run.rank_conflict.agree:
            tops = ", ".join(f"{j} → {p}" for j, p in run.rank_conflict.top.items())
            print(f"  judges put different plans first: {tops}")
        return 0
    rows = [
        r
        for r in store.conflict_queue(args.status)
        if not args.severity or r.severity == args.severity
    ]
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], indent=2))
        return 0
    if not rows:
        print(f"no conflicts{f' with status {args.status}' if args.status else ''} in {store.path}")
    for r in rows:
        shown = "—" if r.resolved_score is None else f"{r.resolved_score:.2f}"
        print(
            f"{r.run_id}  {r.status:<9} {r.severity:<8} spread {r.spread:4.2f}  {r.plan} / "
            f"{r.criterion}: {shown} ({r.strategy})"
        )
    return 0


def _resolve(args: argparse.Namespace) -> int:
    reviewer = args.reviewer or os.environ.get("A11Y_JUDGE_REVIEWER") or _login()
    run = resolve(
        HistoryStore(), args.run_id, args.plan, args.criterion, args.score, args.note, reviewer
    )
    print(f"resolved {args.plan} / {args.criterion} = {args.score:.2f} by {reviewer}")
    _print_ranking(run)
    return 0


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment (containers)
        return "reviewer"


def _judges(args: argparse.Namespace) -> int:
    store = HistoryStore()
    names = {c.id: c.name for c in load_rubric().criteria}
    report = judges_report(store, names)
    if args.json:
        doc = [
            {
                "judge": rel.judge,
                "reliability": rel.value,
                "human_cases": rel.human_cases,
                "jury_cases": rel.jury_cases,
                "cases": meta.cases,
                "offset": meta.offset,
                "spread": meta.spread,
                "consensus_spread": meta.consensus_spread,
                "criterion_offsets": {c: o for c, (o, _n) in meta.criterion_offsets.items()},
                "judgments": meta.judgments,
                "failures": meta.failures,
                "failure_rate": meta.failure_rate,
                "recommendations": meta.recommendations,
            }
            for rel, meta in report
        ]
        print(json.dumps(doc, indent=2))
        return 0
    if not report:
        print(f"no judgments in {store.path} yet")
    for rel, meta in report:
        offset = "—" if meta.offset is None else f"{meta.offset:+.2f}"
        rate = "—" if meta.failure_rate is None else f"{meta.failure_rate:.0%}"
        print(
            f"{rel.judge}: reliability {rel.value:.2f} ({rel.human_cases} reviewed, "
            f"{rel.jury_cases} jury cases); offset {offset} over {meta.cases} items; "
            f"failures {meta.failures} of {meta.judgments} ({rate})"
        )
        for tip in meta.recommendations:
            print(f"  - {tip}")
    return 0


def _batch(args: argparse.Namespace) -> int:
    jobs = JobStore()
    command = args.batch_command
    if command == "cancel":
        job = batch_service.cancel(args.job_id, jobs)
        print(f"cancel requested for {job.job_id}: {job.finished} of {job.total} sets finished")
        return 0
    if command == "status":
        return _batch_status(jobs, args)
    formats = _formats(args) if command == "run" else []
    if command == "run":
        settings = BatchSettings(
            judges=args.judge or ["offline"],
            rubric=args.rubric,
            concurrency=args.concurrency,
            rpm=args.rpm,
            retries=max(0, args.retries),
            samples=args.samples,
            use_cache=not args.no_cache,
            redact_pii=args.redact_pii,
            sets_in_flight=args.sets,
        )
        job_id = batch_service.submit(args.path, settings, jobs).job_id
        print(f"batch {job_id}: {jobs.job(job_id).total} sets", file=sys.stderr)
    else:
        job_id = args.job_id
        if command == "resume":
            count = batch_service.resume(job_id, jobs)
            print(f"batch {job_id}: {count} sets queued again", file=sys.stderr)
    meter = _Meter()
    try:
        job = batch_service.run(job_id, jobs, on_change=meter.show)
    except KeyboardInterrupt:
        meter.done()
        print(f"cancelled: resume with `a11y-judge batch resume {job_id}`", file=sys.stderr)
        return 130
    meter.done()
    if formats and args.out:
        done, runs = batch_service.results(job.job_id, jobs)
        _write_files(args.out, batch_files(done, summarize(done, runs), runs, formats), job.job_id)
    if args.json:
        _job, summary = batch_service.summary(job.job_id, jobs)
        sys.stdout.write(batch_json(_job, summary))
    else:
        _print_job(job)
    # a worker is done when no set is left to claim; the sets other workers hold may still run
    finished = ("completed", "running") if command == "worker" else ("completed",)
    return 0 if job.status in finished and not job.count("failed") else 1


class _Meter:
    """A progress line on stderr: sets done of total, rate, ETA (one line per change when
    stderr is not a terminal)."""

    def __init__(self) -> None:
        self.last = ""
        self.tty = sys.stderr.isatty()

    def show(self, job: BatchJob) -> None:
        width = 24
        filled = int(width * job.finished / job.total) if job.total else width
        line = f"[{'#' * filled}{'-' * (width - filled)}] {job.progress_text(utcnow())}"
        if line == self.last:
            return
        self.last = line
        if self.tty:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr)

    def done(self) -> None:
        if self.tty and self.last:
            print(file=sys.stderr)


def _print_job(job: BatchJob) -> None:
    print(f"batch {job.job_id}  status {job.status}  {job.finished}/{job.total} sets  {job.source}")
    for i in job.items:
        detail = i.run_id or i.error or ""
        progress = f" {i.judged}/{i.judgments}" if i.status == "running" else ""
        print(f"  {i.status:<11} {i.name}{progress}  {detail}")


def _batch_status(jobs: JobStore, args: argparse.Namespace) -> int:
    if not args.job_id:
        listed = jobs.jobs()
        if args.json:
            print(
                json.dumps(
                    [
                        {
                            "job_id": j.job_id,
                            "status": j.status,
                            "total": j.total,
                            "finished": j.finished,
                            "failed": j.count("failed"),
                            "source": j.source,
                            "created_at": j.created_at.isoformat(),
                        }
                        for j in listed
                    ],
                    indent=2,
                )
            )
            return 0
        if not listed:
            print(f"no batch jobs in {jobs.history.path}")
        for j in listed:
            print(f"{j.job_id}  {j.status:<11} {j.finished}/{j.total} sets  {j.source}")
        return 0
    formats = _formats(args)
    job, runs = batch_service.results(args.job_id, jobs)
    summary = summarize(job, runs)
    if args.out:
        _write_files(args.out, batch_files(job, summary, runs, formats), job.job_id)
    if args.json:
        sys.stdout.write(batch_json(job, summary))
    else:
        _print_job(job)
        if summary.best:
            print(f"best plan overall: {summary.best}")
    return 0


def _cache(args: argparse.Namespace) -> int:
    cache = JudgeCache()
    try:
        if args.cache_command == "clear":
            removed = cache.clear()
            print(f"removed {removed} cached replies from {cache.directory}")
            return 0
        st = cache.stats()
    finally:
        cache.close()
    print(f"cache      {st.directory}")
    print(f"entries    {st.entries}")
    mib = 1024 * 1024
    print(f"size       {st.volume_bytes / mib:.1f} MiB of {st.size_limit_bytes / mib:.0f} MiB cap")
    print(f"hits       {st.hits}")
    print(f"misses     {st.misses}")
    return 0


def _ab(args: argparse.Namespace) -> int:
    from a11y_judge.experiments import service as experiments

    if args.list:
        for e in experiments.past():
            print(
                f"{e.experiment_id}  {e.created_at[:16]}  {' vs '.join(e.variants)}  "
                f"n={e.n_items}  {e.verdict}"
            )
        return 0
    if args.show:
        doc = experiments.load(args.show)
    else:
        if not args.items:
            raise A11yJudgeError("no items to judge", hint="Give --items PATH (a set folder)")

        def progress(done: int, total: int, what: str) -> None:
            print(f"[{done}/{total}] {what}", file=sys.stderr)

        doc = experiments.run(
            args.variant,
            args.items,
            repeats=args.repeats,
            gold=args.gold,
            settings=lambda: JudgeSettings(
                concurrency=args.concurrency, use_cache=not args.no_cache
            ),
            progress=progress,
        )
    if args.out:
        for path in experiments.write_reports(doc, Path(args.out)):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        sys.stdout.write(experiment_json(doc))
    else:
        print(f"experiment {doc['experiment_id']}")
        for comp in doc["comparisons"]:
            print(f"  {comp['verdict']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; user errors print one `error:` line on stderr and exit 2."""
    args = _parser().parse_args(argv)
    handlers = {
        "evaluate": _evaluate,
        "parse": _parse,
        "history": _history,
        "demo": _demo,
        "cache": _cache,
        "conflicts": _conflicts,
        "resolve": _resolve,
        "judges": _judges,
        "batch": _batch,
        "ab": _ab,
        "audit-log": _audit_log,
        "password-hash": _password_hash,
    }
    try:
        if args.command in ("evaluate", "batch", "ab") and (port := exporter.start_if_configured()):
            print(f"metrics: http://0.0.0.0:{port}/metrics", file=sys.stderr)
        return handlers[args.command](args)
    except A11yJudgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
    except Exception as exc:
        if os.environ.get("A11Y_JUDGE_DEBUG"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc}. Re-run with A11Y_JUDGE_DEBUG=1 "
            "for details and report it",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
