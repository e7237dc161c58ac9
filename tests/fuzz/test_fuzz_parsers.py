"""Property-based fuzzing of every parser entry point and the rubric loader.

Random bytes and mutated real fixtures go in; only the project's own errors (A11yJudgeError and
its subclasses, one line, with a hint) may come out, each input within TIME_BOUND CPU seconds.
Bounded for CI by A11Y_JUDGE_FUZZ_EXAMPLES (default 40 per test, derandomized); see corpus.py.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from corpus import (
    FUZZ,
    MAX_SIZE,
    RUBRIC,
    all_seeds,
    checked,
    count,
    json_seeds,
    json_values,
    mutated,
    mutated_docx,
    mutated_tree,
    report_seeds,
    tool_seeds,
    yaml_dump,
    yaml_keys,
)
from hypothesis import given
from hypothesis import strategies as st

from a11y_judge.batch.sets import extract_zip
from a11y_judge.ingest import axe, csvtable, lighthouse, openacr, pa11y, read_audit, read_plan
from a11y_judge.ingest.detect import decode_text, sniff
from a11y_judge.ingest.documents import docx_blocks, html_blocks, pdf_text
from a11y_judge.ingest.guards import load_yaml
from a11y_judge.rubric import load_rubric

NAMES = st.sampled_from(["audit.json", "report.md", "plan.txt", "upload", "a.docx", "a.pdf"])
SEEDS = all_seeds()
SEED_BYTES = tuple(SEEDS.values())
ENTRY_POINTS = {
    "sniff": lambda name, data: sniff(data, name),
    "read_audit": read_audit,
    "read_plan": read_plan,
}
TOOL_PARSERS = {
    "axe": axe.parse,
    "lighthouse": lighthouse.parse,
    "pa11y": pa11y.parse,
    "pa11y-ci": pa11y.parse_ci,
    "openacr": openacr.parse,
}


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Import the lazy libraries (python-docx, pypdf) once, outside any input's time bound."""
    for name, data in report_seeds().items():
        read_plan(name, data=data)


def seed_then_mutate() -> st.SearchStrategy[tuple[str, bytes]]:
    return st.sampled_from(sorted(SEEDS)).flatmap(
        lambda name: st.tuples(st.just(name), mutated(SEEDS[name], SEED_BYTES))
    )


# ------------------------------------------------------------------ bytes in, through the front


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@FUZZ
@given(name=NAMES, data=st.binary(max_size=4096))
def test_random_bytes(entry: str, name: str, data: bytes) -> None:
    count(f"random bytes → {entry}")
    checked(ENTRY_POINTS[entry], name, data)


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@FUZZ
@given(
    name=NAMES, text=st.text(max_size=2000), codec=st.sampled_from(["utf-8", "utf-16", "cp1252"])
)
def test_random_text(entry: str, name: str, text: str, codec: str) -> None:
    count(f"random text → {entry}")
    checked(ENTRY_POINTS[entry], name, text.encode(codec, errors="replace"))


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
@FUZZ
@given(case=seed_then_mutate())
def test_mutated_fixtures(entry: str, case: tuple[str, bytes]) -> None:
    name, data = case
    count(f"mutated fixtures → {entry}")
    checked(ENTRY_POINTS[entry], name, data)


@FUZZ
@given(data=st.binary(max_size=4096) | st.sampled_from(SEED_BYTES).flatmap(mutated))
def test_decode_text(data: bytes) -> None:
    count("decode_text")
    checked(decode_text, data, "x.txt")


# ------------------------------------------------------------------ structures in, past the sniffer


@pytest.mark.parametrize("seed", sorted(json_seeds()))
@FUZZ
@given(data=st.data())
def test_mutated_json_trees(seed: str, data: st.DataObject) -> None:
    tree = data.draw(mutated_tree(json_seeds()[seed]))
    count("mutated JSON trees → read_audit and every tool parser")
    checked(read_audit, seed, json.dumps(tree).encode())
    for parse in TOOL_PARSERS.values():
        checked(parse, tree, seed)


@FUZZ
@given(tree=json_values)
def test_tool_parsers_take_any_json_value(tree: Any) -> None:
    count("random JSON values → every tool parser")
    for parse in TOOL_PARSERS.values():
        checked(parse, tree, "x.json")


@FUZZ
@given(data=st.data())
def test_mutated_openacr(data: st.DataObject) -> None:
    raw = tool_seeds()["openacr_product.yaml"]
    tree = data.draw(mutated_tree(load_yaml(raw.decode(), "acr.yaml"), keys=yaml_keys))
    count("mutated OpenACR trees → openacr.parse / looks_like / read_audit")
    checked(openacr.parse, tree, "acr.yaml")
    checked(openacr.looks_like, tree)
    checked(read_audit, "acr.yaml", yaml_dump(tree))
    checked(read_audit, "acr.yaml", data.draw(mutated(raw)))


@FUZZ
@given(data=st.data())
def test_csv_table_reader(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(["findings_comma.csv", "findings_semicolon.csv"]))
    text = data.draw(mutated(tool_seeds()[seed])).decode("utf-8", errors="replace")
    delimiter = data.draw(st.sampled_from([",", ";", "\t"]))
    table = data.draw(st.lists(st.lists(st.text(max_size=20), max_size=8), max_size=12))
    rows = "\n".join(delimiter.join(row) for row in table)
    count("CSV text → csvtable.parse / looks_like")
    for candidate in (text, rows, "ID,Title,WCAG\n" + rows):
        checked(csvtable.parse, candidate, seed)
        checked(csvtable.looks_like, candidate)


@pytest.mark.parametrize("seed", ["made.docx", "labelled.docx"])
@FUZZ
@given(data=st.data())
def test_docx_reader(seed: str, data: st.DataObject) -> None:
    raw = report_seeds()[seed]
    blob = data.draw(mutated_docx(raw) | mutated(raw))
    count("mutated DOCX → docx_blocks / read_audit / read_plan")
    checked(docx_blocks, blob, seed)
    checked(read_audit, seed, blob)
    checked(read_plan, seed, blob)


@FUZZ
@given(data=st.data())
def test_pdf_reader(data: st.DataObject) -> None:
    raw = report_seeds()["made.pdf"]
    blob = data.draw(mutated(raw, SEED_BYTES))
    count("mutated PDF → pdf_text / read_audit")
    checked(pdf_text, blob, "a.pdf")
    checked(read_audit, "a.pdf", blob)


@FUZZ
@given(data=st.data())
def test_html_reader(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from([n for n in report_seeds() if n.endswith(".html")]))
    text = data.draw(mutated(report_seeds()[seed])).decode("utf-8", errors="replace")
    count("mutated HTML → html_blocks")
    checked(html_blocks, text)


# ------------------------------------------------------------------ batch ZIPs


@st.composite
def batch_zips(draw: st.DrawFn) -> bytes:
    """A ZIP of one set (audit + plans), mutated as bytes or with hostile entry names."""
    names = ["set/audit.md", "set/plans/a.md", "set/plans/b.md"]
    if draw(st.booleans()):
        names.append(
            draw(st.sampled_from(["../x.md", "/abs.md", "C:/x.md", "set/plans/", "a\\..\\b"]))
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in names:
            z.writestr(name, report_seeds()["consultant-report.md"])
    return draw(mutated(buf.getvalue()) | st.just(buf.getvalue()))


@FUZZ
@given(blob=batch_zips())
def test_batch_zip(blob: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = Path(tmp_path_factory.mktemp("zip"))
    count("mutated batch ZIP → extract_zip")
    try:
        checked(extract_zip, blob, root / "unpacked")
    finally:
        left = sorted(p.name for p in root.iterdir())
    assert left in ([], ["unpacked"])  # no staging folder left behind, whatever happened


# ------------------------------------------------------------------ the rubric loader


@FUZZ
@given(data=st.data())
def test_rubric_loader(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory) -> None:
    raw = RUBRIC.read_bytes()
    choice = data.draw(st.sampled_from(["bytes", "tree", "random"]))
    if choice == "bytes":
        blob = data.draw(mutated(raw))
    elif choice == "tree":
        blob = yaml_dump(data.draw(mutated_tree(load_yaml(raw.decode(), "rubric.yaml"), yaml_keys)))
    else:
        blob = data.draw(st.binary(max_size=2048) | st.text(max_size=2048).map(str.encode))
    path = Path(tmp_path_factory.mktemp("rubric")) / "rubric.yaml"
    path.write_bytes(blob[:MAX_SIZE])
    count("mutated rubric → load_rubric")
    checked(load_rubric, path)
