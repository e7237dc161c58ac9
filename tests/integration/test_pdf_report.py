"""The run report PDF: tagged (PDF/UA-1) structure checked with pikepdf and poppler, content
equal to the run, reading order, 20 long plans, hostile names and quotes, and a jury run whose
escalated conflicts are printed, drawn and described as provisional."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from a11y_judge.engine import evaluate
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import Plan, Run
from a11y_judge.reports.pdf_report import run_html, run_pdf
from a11y_judge.rubric import load_rubric
from fakes.llm_server import FakeLLMServer, constant_responder
from fakes.plans import distinct_copies

POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (make pdf-deps)")


def _run(demo_dir: Path, plans: list[Plan] | None = None) -> Run:
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = plans or read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    return evaluate(audit, plans, [create_judge("offline")], load_rubric())


def structure_tags(pdf: pikepdf.Pdf) -> list[tuple[str, str | None]]:
    """The structure tree's tags in reading order, each with its /Alt text (tests of the other
    PDF reports use it too)."""
    out: list[tuple[str, str | None]] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                out.append((str(node.S), str(node.Alt) if "/Alt" in node else None))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return out


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    demo = Path(__file__).resolve().parents[2] / "data" / "demo"
    run = _run(demo)
    path = tmp_path_factory.mktemp("pdf") / "run.pdf"
    path.write_bytes(run_pdf(run))
    return run, path


def test_the_pdf_is_tagged_with_headings_tables_and_figures(demo_pdf: tuple[Run, Path]) -> None:
    run, path = demo_pdf
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "en" and bool(pdf.Root.MarkInfo.Marked)
        assert "/Outlines" in pdf.Root  # bookmarks from the headings
        tags = structure_tags(pdf)
    kinds = [k for k, _ in tags]
    assert kinds.count("/H1") == 1 and kinds.count("/H2") >= 8 and kinds.count("/H3") == 4
    assert "/Table" in kinds and "/TH" in kinds and "/TD" in kinds
    figures = [alt for k, alt in tags if k == "/Figure"]
    assert len(figures) == 2  # weighted scores; criterion scores grouped per plan
    assert all(alt and "bar chart of" in alt.lower() for alt in figures)
    assert all(r.name in figures[1] for r in run.results)  # the alt text names every plan
    assert run.results[0].name in figures[0]


@needs_poppler
def test_pdfinfo_and_the_reading_order(demo_pdf: tuple[Run, Path]) -> None:
    run, path = demo_pdf
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    assert "Title:           Remediation plan evaluation: northwind-audit" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    order = [
        "Executive summary",
        "Ranking",
        "Charts",
        "Coverage matrix",
        "What the ideal plan would add",
        "Plan by plan",
        "Judge conflicts",
        "Methodology",
    ]
    positions = [text.index(h) for h in order]
    assert positions == sorted(positions)
    winner = run.winner
    assert winner is not None and f"{winner.score:.2f}" in text and winner.name in text
    for r in run.results:  # every plan's score as the run has it
        assert f"{r.score:.2f}" in text


def test_twenty_long_plans_and_hostile_names_render(demo_dir: Path) -> None:
    base = read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    hostile = base[0].model_copy(
        update={
            "name": '<script>alert("x")</script> ‏خطة‎ ' + "W" * 300,
            "text": base[0].text + "\n\n<b>bold?</b> " + "x" * 2000 + "\n" + "مرحبا بالعالم " * 50,
        }
    )
    plans = [*distinct_copies(base, 19), hostile]
    run = _run(demo_dir, plans)
    pdf = run_pdf(run)
    assert pdf.startswith(b"%PDF-")
    with pikepdf.open(__import__("io").BytesIO(pdf)) as doc:
        assert len(doc.pages) > 10
    markup = run_html(run)
    assert "<script>" not in markup and "&lt;script&gt;" in markup  # escaped, not markup


def test_pdf_ua_identification_title_display_and_embedded_fonts(
    demo_pdf: tuple[Run, Path],
) -> None:
    path = demo_pdf[1]
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        fonts = []
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                fonts.append((str(font.BaseFont), embedded))
    assert fonts and all(embedded for _, embedded in fonts), fonts  # nothing fetched or assumed


# --------------------------------------------------------------------------------------------
# A jury whose conflicts await a reviewer
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jury_pdf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, Path]]:
    """The offline judge and two LLM judges (loopback fake, constant scores 6 and 7): some
    conflicts are settled by a strategy, the others (spread above 2) are escalated."""
    demo = Path(__file__).resolve().parents[2] / "data" / "demo"
    folder = tmp_path_factory.mktemp("jury")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("A11Y_JUDGE_HOME", str(folder / "home"))
        with FakeLLMServer(constant_responder(6.0, {"strict": 6.0, "lenient": 7.0})) as srv:
            url = srv.openai_base_url
            specs = [
                "offline",
                f"openai-compatible:strict@{url}",
                f"openai-compatible:lenient@{url}",
            ]
            settings = JudgeSettings(use_cache=False)
            try:
                run = evaluate(
                    read_audit(demo / "northwind-audit.md"),
                    read_plans((str(p), None) for p in plan_files(demo / "plans")),
                    [create_judge(spec, settings) for spec in specs],
                    load_rubric(),
                )
            finally:
                settings.close()
        path = folder / "jury.pdf"
        path.write_bytes(run_pdf(run))
        yield run, path


def _escalated(run: Run) -> list[tuple[str, str, float]]:
    """(plan, criterion name, provisional score) of every criterion awaiting a reviewer."""
    names = {c.id: c.name for c in run.rubric.criteria}
    out = []
    for r in run.results:
        for cid, cr in r.criteria.items():
            if cr.score is None and cr.provisional_score is not None:
                out.append((r.name, names[cid], cr.provisional_score))
    return out


def _charts(markup: str) -> list[str]:
    return [
        base64.b64decode(data).decode("utf-8")
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', markup)
    ]


def test_the_jury_run_has_both_settled_and_escalated_conflicts(jury_pdf: tuple[Run, Path]) -> None:
    run = jury_pdf[0]
    statuses = {c.status for c in run.conflicts}
    assert statuses == {"auto", "escalated"}, statuses  # what the tests below rely on
    assert len(_escalated(run)) == len(run.escalated) > 0
    assert all(r.provisional for r in run.results if any(p == r.name for p, *_ in _escalated(run)))


def test_the_charts_draw_and_describe_the_provisional_scores(jury_pdf: tuple[Run, Path]) -> None:
    run, path = jury_pdf
    with pikepdf.open(path) as pdf:
        figures = [alt or "" for kind, alt in structure_tags(pdf) if kind == "/Figure"]
    weighted, grouped = figures
    for r in run.results:
        mark = " (provisional)" if r.provisional else ""
        assert f"{r.name} {r.score:.2f}{mark}" in weighted
    escalated = _escalated(run)
    assert f"({len(escalated)} provisional score(s), drawn as dashed outlines" in grouped
    for plan, name, value in escalated:  # each one's value, marked, under its plan
        part = grouped.split(f"{plan}: ", 1)[1].split(";", 1)[0]
        assert f"{name} {value:.2f} (provisional)" in part
    settled = [c for c in run.conflicts if c.status == "auto"]
    names = {c.id: c.name for c in run.rubric.criteria}
    for c in settled:  # a strategy's number is not marked
        part = grouped.split(f"{c.plan}: ", 1)[1].split(";", 1)[0]
        assert f"{names[c.criterion]} {c.resolved_score:.2f}" in part
        assert f"{names[c.criterion]} {c.resolved_score:.2f} (provisional)" not in part
    bars, criteria = _charts(run_html(run))
    dashed = 'stroke-dasharray="3 2"'
    # every provisional criterion has its bar (faded, dashed), plus one in the legend
    assert criteria.count(dashed) == len(escalated) + 1
    assert "Provisional (awaits a reviewer)" in criteria
    n_bars = sum(1 for r in run.results for c in r.criteria.values() if c.score is not None)
    assert criteria.count("<rect") >= n_bars + len(escalated)  # not empty
    assert bars.count(dashed) == sum(r.provisional for r in run.results)


@needs_poppler
def test_the_conflicts_section_and_provisional_markers_in_the_text(
    jury_pdf: tuple[Run, Path],
) -> None:
    run, path = jury_pdf
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    ranking = text[text.index("Plans by weighted score") : text.index("Charts")]
    assert ranking.count("provisional") >= len(_escalated(run))  # a cell each, and the plans
    assert "it counts with the judges' median until a reviewer resolves it" in " ".join(
        ranking.split()
    )
    pages = text.split("\f")
    [page] = [p for p in pages if "Judge conflicts" in p and "Where the judges disagreed" in p]
    first = run.conflicts[0]
    assert first.plan.split("-")[0] in page.split("Where the judges disagreed", 1)[1]
    conflicts = text[text.index("Judge conflicts\n") : text.index("Methodology")]
    flat = " ".join(conflicts.split())
    assert f"{len(run.escalated)} await a reviewer" in flat
    assert "strategic_prioritization" not in conflicts  # criterion names, not ids
    assert "Strategic" in conflicts and "Prioritization" in conflicts
    assert conflicts.count("escalated") == len(run.escalated)
    assert conflicts.count("provisional") >= len(run.escalated)
    plans = " ".join(text[text.index("Plan by plan") : text.index("Judge conflicts\n")].split())
    for _plan, name, value in _escalated(run):
        assert f"{name}: escalated, {value:.2f} provisional until a reviewer resolves it" in plans


def test_each_judges_own_score_is_in_the_plan_sections(jury_pdf: tuple[Run, Path]) -> None:
    run, _path = jury_pdf
    markup = run_html(run)
    judgments = {(j.judge_id, j.plan_name): j for j in run.judgments}
    for r in run.results:
        section = markup.split(f"{r.name} — ", 1)[1].split("<h3>", 1)[0]
        for c in run.rubric.criteria:
            own = ", ".join(
                f"{info.id} {judgments[info.id, r.name].scores[c.id].score:.2f}"
                for info in run.judges
            )
            assert f"{c.name}: " in section and f"(judges: {own})" in section
