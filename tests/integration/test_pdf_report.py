"""The run report PDF: tagged (PDF/UA-1) structure checked with pikepdf and poppler, content
equal to the run, reading order, 20 long plans, hostile names and quotes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from a11y_judge.engine import evaluate
from a11y_judge.ingest import plan_files, read_audit, read_plans
from a11y_judge.judges import create_judge
from a11y_judge.models import Plan, Run
from a11y_judge.reports.pdf_report import run_html, run_pdf
from a11y_judge.rubric import load_rubric
from fakes.plans import distinct_copies

POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="needs poppler-utils (make pdf-deps)")


def _run(demo_dir: Path, plans: list[Plan] | None = None) -> Run:
    audit = read_audit(demo_dir / "northwind-audit.md")
    plans = plans or read_plans((str(p), None) for p in plan_files(demo_dir / "plans"))
    return evaluate(audit, plans, [create_judge("offline")], load_rubric())


def _structure(pdf: pikepdf.Pdf) -> list[tuple[str, str | None]]:
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
        tags = _structure(pdf)
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
