"""Every real audit in ../shared/samples parses; human reports keep their IDs; plans load.

The samples are read in place (never copied into the project). When they are not available the
whole module is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from a11y_judge.ingest import read_audit, read_plan
from a11y_judge.models import AuditReport, Severity

#: Same location as tests/conftest.py's SAMPLES (importing `conftest` by name is ambiguous once
#: other test folders have their own conftest.py): the folder next to the repository.
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"shared samples not available at {SAMPLES}"
)

DOCX = (
    "w3c-website-redesign-documentation_"
    "DAC-W3C-Prototype-Accessibility-Report-Round2-Retest-24-06-2021.docx"
)
KEYBOARD = "jupyter-accessibility_keyboard-audit.md"
ZOOM = "jupyter-accessibility_zoom-audit.md"
REPORT_AUDITS = [
    DOCX,
    KEYBOARD,
    ZOOM,
    "0GiS0-github-copilot-loves-accesibility_accessibility-audit-results.md",
    "0GiS0-github-copilot-loves-accesibility_accessibility-audit-summary.md",
]
PLANS = [
    "w3c-website-redesign-documentation_2021-04-23-accessibility-round1-retest.md",
    "jupyter-accessibility_czi-grant-roadmap.md",
]


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample {name} is missing")
    return path


def audit_files() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    names = sorted(p.name for p in SAMPLES.glob("*.json"))
    names += sorted(p.name for p in SAMPLES.glob("GSA-openacr_*.yaml"))
    return names + REPORT_AUDITS


@pytest.mark.parametrize("name", audit_files())
def test_every_sample_audit_parses(name: str) -> None:
    audit = read_audit(sample(name))
    assert len(audit.findings) >= 1
    ids = [f.id for f in audit.findings]
    assert len(set(ids)) == len(ids)  # ids are unique within an audit
    assert all(f.title for f in audit.findings)
    expected = {".json": None, ".yaml": "openacr", ".docx": "docx", ".md": "markdown"}
    fmt = expected[Path(name).suffix]
    if fmt:
        assert audit.source_format == fmt


def test_expected_sample_set_is_complete() -> None:
    names = audit_files()
    assert sum(n.endswith(".json") for n in names) == 7
    assert sum(n.endswith(".yaml") for n in names) == 2


@pytest.fixture(scope="module")
def dac() -> AuditReport:
    return read_audit(sample(DOCX))


def test_docx_report_keeps_its_own_ids(dac: AuditReport) -> None:
    assert dac.source_format == "docx"
    assert [f.id for f in dac.findings] == [
        "DAC-Carousel",
        "DAC-Unlabelled-input-updated",
        "DAC-Autocomplete",
        "DAC-Link",
    ]
    found = {f.id: f for f in dac.findings}
    assert found["DAC-Carousel"].wcag == ["4.1.2"]
    assert found["DAC-Carousel"].wcag_source == "stated"
    assert found["DAC-Carousel"].severity is Severity.SERIOUS  # "*** High priority ***"
    assert found["DAC-Carousel"].title == "Carousel"
    assert found["DAC-Carousel"].recommendation  # from "Solution:"
    assert found["DAC-Unlabelled-input-updated"].wcag == ["2.4.6"]
    assert found["DAC-Unlabelled-input-updated"].severity is Severity.MODERATE
    # "*** Usability ***" band: advisory, lowest severity.
    assert found["DAC-Autocomplete"].severity is Severity.MINOR
    assert found["DAC-Link"].severity is Severity.MINOR


def test_docx_appendices_and_contents_produce_nothing(dac: AuditReport) -> None:
    assert len(dac.findings) == 4
    text = " ".join(f"{f.title} {f.description}" for f in dac.findings)
    for appendix_words in (
        "Classification of Accessibility Issues",
        "Dragon Naturally",
        "ZoomText",
    ):
        assert appendix_words not in text
    assert all(f.id.startswith("DAC-") for f in dac.findings)


@pytest.mark.parametrize("name", PLANS)
def test_remediation_documents_load_as_plans(name: str) -> None:
    plan = read_plan(sample(name))
    assert plan.kind == "plan" and plan.source_format == "markdown"
    assert plan.name == Path(name).stem
    assert len(plan.text.split()) > 200
    assert plan.text == sample(name).read_text(encoding="utf-8-sig")


def test_keyboard_audit_names_keyboard_trap_and_bypass_blocks() -> None:
    audit = read_audit(sample(KEYBOARD))
    assert {"2.1.2", "2.4.1"} <= set(audit.wcag)
    trap = [f for f in audit.findings if "2.1.2" in f.wcag]
    assert trap and all(f.wcag_source in ("stated", "inferred") for f in trap)


def test_zoom_audit_version_number_is_not_an_sc() -> None:
    audit = read_audit(sample(ZOOM))
    assert "3.4.3" not in audit.wcag  # "JupyterLab 3.4.3" is a version
    assert {"1.4.4", "1.4.10"} & set(audit.wcag)
