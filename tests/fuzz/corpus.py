"""Seeds and mutators for the fuzz tests: real fixtures, and the ways hostile files break them.

Byte-level mutators (flips, truncation, splicing, repetition, magic tokens, deep nesting) work
on any file; structure-level ones replace values inside a parsed JSON/YAML tree or inside a
DOCX's XML, so the parsers' own logic is reached, not only their first syntax check.
"""

from __future__ import annotations

import io
import json
import os
import signal
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import docx
import yaml
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
LABELLED_DOCX = (
    REPO / "tests" / "labelled" / "coverage" / "tuning" / "consultant-docx" / "audit.docx"
)
RUBRIC = REPO / "prompts" / "rubric.yaml"

#: CPU seconds one input may take (enforced by SIGPROF, which interrupts a hang).
TIME_BOUND = float(os.environ.get("A11Y_JUDGE_FUZZ_SECONDS", "2"))
#: Examples per test: small and derandomized by default (CI, reproducible); a long local run sets
#: A11Y_JUDGE_FUZZ_EXAMPLES=5000 A11Y_JUDGE_FUZZ_RANDOM=1.
EXAMPLES = int(os.environ.get("A11Y_JUDGE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("A11Y_JUDGE_FUZZ_RANDOM"),
    database=None,
    deadline=None,  # the bound is TIME_BOUND, measured in CPU time (a shared CI box is noisy)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    # no Phase.explain: it traces every line, which would count against the CPU bound
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
MAX_SIZE = 256 * 1024

#: Counts inputs tried per test (printed by the long run's summary).
TRIED: dict[str, int] = {}


class TookTooLong(BaseException):
    """An input used more CPU than TIME_BOUND (BaseException: `except Exception` can't hide it)."""


@contextmanager
def time_bound(seconds: float = TIME_BOUND) -> Iterator[None]:
    """Fail when the block uses more than `seconds` of CPU time (interrupting a hang)."""

    def stop(_signum: int, _frame: object) -> None:
        raise TookTooLong(f"more than {seconds} s of CPU for one input")

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    start = time.process_time()
    try:
        yield
    except TookTooLong as exc:  # a fresh error: the interrupted frames confuse pytest's report
        frames = traceback.extract_tb(exc.__traceback__)
        where = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames][-4:]
        raise AssertionError(f"{exc} (interrupted in {' < '.join(reversed(where))})") from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    used = time.process_time() - start
    assert used <= seconds, f"{used:.2f} s of CPU for one input (at most {seconds})"


def count(test: str) -> None:
    TRIED[test] = TRIED.get(test, 0) + 1


# ------------------------------------------------------------------ seeds


@cache
def tool_seeds() -> dict[str, bytes]:
    """The machine-generated audits: axe, Lighthouse, Pa11y, pa11y-ci, OpenACR, CSV."""
    return {p.name: p.read_bytes() for p in sorted((FIXTURES / "tools").iterdir())}


@cache
def report_seeds() -> dict[str, bytes]:
    """Human reports: Markdown, text and HTML fixtures, plus a DOCX and a PDF."""
    seeds = {p.name: p.read_bytes() for p in sorted((FIXTURES / "reports").iterdir())}
    seeds["made.docx"] = made_docx()
    seeds["labelled.docx"] = LABELLED_DOCX.read_bytes()
    seeds["made.pdf"] = made_pdf()
    return seeds


@cache
def all_seeds() -> dict[str, bytes]:
    return {**tool_seeds(), **report_seeds()}


@cache
def json_seeds() -> dict[str, Any]:
    return {n: json.loads(b) for n, b in tool_seeds().items() if n.endswith(".json")}


def made_docx() -> bytes:
    """A small report as Word writes it: headings, a findings table, paragraphs."""
    d = docx.Document()
    d.add_heading("Accessibility audit of the Harbour Ferry site", level=1)
    d.add_heading("HF-01 Timetable images have no text alternative", level=2)
    d.add_paragraph("WCAG Reference: 1.1.1 Non-text Content")
    d.add_paragraph("Severity: High")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("Issue", "WCAG", "Severity"), ("Low contrast", "1.4.3", "High"), ("No labels", "", "")]
    ):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(2, 1).merge(table.cell(2, 2))
    d.add_paragraph("Recommendation: describe every timetable in text.", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def made_pdf() -> bytes:
    """A two-page report, uncompressed so that mutations reach the content streams."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pageCompression=0)
    lines = [
        "Accessibility Audit of the Fernhill Clinic",
        "2.1 Appointment calendar is not keyboard operable",
        "WCAG: 2.1.1 Keyboard",
        "Severity: High",
    ]
    for _page in range(2):
        for i, line in enumerate(lines):
            c.drawString(50, 800 - 18 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


# ------------------------------------------------------------------ byte mutators

#: Tokens that mean something to one of the parsers.
MAGIC = [
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xff\xfe\x00\x00",
    b"\x80\x81\x8d",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"\\",
    b"\\ud800",
    b"NaN",
    b"1e999",
    b"9" * 5000,
    b"-0",
    b"null",
    b"|",
    b"|---|---|",
    b"#",
    b"\n",
    b"\r",
    b"\t",
    b";",
    b",",
    b"sep=;\n",
    b"&a ",
    b"*a",
    b"!!python/object:os.system",
    b"!!binary ",
    b"!!int ",
    b"? ",
    b"---\n",
    b"chapters:\n",
    b"criteria:\n",
    b"<",
    b"<table><tr><td>",
    b"<script>",
    b"<!--",
    b"]]>",
    b"%PDF-1.4\n",
    b"PK\x03\x04",
    b"obj",
    b"endobj",
    b"stream\n",
    b"xref",
    b"trailer",
    b"/Length 99999999",
    b"WCAG 1.4.3",
    b"Severity: High",
    b"**",
    b"```",
]


@st.composite
def mutated(draw: st.DrawFn, data: bytes, others: tuple[bytes, ...] = ()) -> bytes:
    """data after 1-4 random byte-level mutations."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(["flip", "truncate", "splice", "insert", "repeat", "nest", "delete"])
        )
        n = len(data)
        at = draw(st.integers(0, n)) if n else 0
        if kind == "flip" and n:
            buf = bytearray(data)
            for _ in range(draw(st.integers(1, 16))):
                i = draw(st.integers(0, n - 1))
                buf[i] ^= draw(st.integers(1, 255))
            data = bytes(buf)
        elif kind == "truncate":
            data = data[:at]
        elif kind == "splice" and others:
            other = draw(st.sampled_from(others))
            data = data[:at] + other[draw(st.integers(0, len(other))) :]
        elif kind == "insert":
            token = draw(st.sampled_from(MAGIC) | st.binary(min_size=1, max_size=8))
            data = data[:at] + token * draw(st.integers(1, 3)) + data[at:]
        elif kind == "repeat" and n:
            end = min(n, at + draw(st.integers(1, 64)))
            chunk = data[at:end] or data[:1]
            times = draw(st.integers(2, max(2, 64 * 1024 // len(chunk))))
            data = data[:at] + chunk * times + data[at:]
        elif kind == "nest":
            depth = draw(st.integers(1, 3000))
            opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b"- ", b"")]))
            data = opener * depth + data + closer * depth
        elif kind == "delete" and n:
            data = data[:at] + data[at + draw(st.integers(1, 256)) :]
    return data[:MAX_SIZE]


# ------------------------------------------------------------------ structure mutators

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["violations", "1.4.3", "wcag143", "serious", "", "error", "node"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "impact",
                    "nodes",
                    "tags",
                    "target",
                    "html",
                    "any",
                    "all",
                    "none",
                    "items",
                    "details",
                    "score",
                    "scoreDisplayMode",
                    "code",
                    "type",
                    "typeCode",
                    "message",
                    "selector",
                    "context",
                    "results",
                    "violations",
                    "incomplete",
                    "chapters",
                    "criteria",
                    "components",
                    "adherence",
                    "level",
                    "notes",
                    "num",
                    "disabled",
                ]
            )
            | st.text(max_size=12),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
yaml_keys = (
    st.none() | st.integers() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=8)
)


def _slots(tree: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a tree, breadth first."""
    slots: list[tuple[Any, Any]] = []
    queue = [tree]
    while queue:
        node = queue.pop(0)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        if isinstance(node, dict | list):
            for key, value in list(items):
                slots.append((node, key))
                if isinstance(value, dict | list):
                    queue.append(value)
    return slots


@st.composite
def mutated_tree(draw: st.DrawFn, tree: Any, keys: st.SearchStrategy[Any] | None = None) -> Any:
    """A deep copy of a JSON/YAML tree with 1-6 values replaced, dropped or duplicated
    (with `keys`, mappings may also gain keys of other types, as YAML allows)."""
    tree = json.loads(json.dumps(tree))
    for _ in range(draw(st.integers(1, 6))):
        slots = _slots(tree)
        if not slots:
            return draw(json_values)
        container, key = slots[draw(st.integers(0, len(slots) - 1))]
        action = draw(st.sampled_from(["replace", "replace", "drop", "dup", "key"]))
        if action == "replace":
            container[key] = draw(json_values)
        elif action == "drop":
            del container[key]
        elif action == "dup" and isinstance(container, list):
            container.append(container[key])
        elif action == "key" and isinstance(container, dict) and keys is not None:
            container[draw(keys)] = container[key]
    return tree


@st.composite
def mutated_docx(draw: st.DrawFn, data: bytes) -> bytes:
    """The DOCX re-zipped with one of its XML parts mutated at the byte level."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = sorted(n for n in parts if n.endswith(".xml") or n.endswith(".rels"))
    target = draw(st.sampled_from(["word/document.xml", "word/document.xml", *xml]))
    parts[target] = draw(mutated(parts[target]))
    if draw(st.booleans()):
        victim = draw(st.sampled_from(sorted(parts)))
        if victim != "word/document.xml":
            del parts[victim]  # a missing part: styles, rels, content types
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    return buf.getvalue()


def yaml_dump(tree: Any) -> bytes:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode("utf-8")


def checked(fn: Callable[..., Any], *args: Any) -> None:
    """Call fn within the time bound; only the project's own errors may come out."""
    from a11y_judge.errors import A11yJudgeError, IngestError

    with time_bound():
        try:
            fn(*args)
        except A11yJudgeError as exc:
            message = str(exc)
            assert message.strip(), f"{type(exc).__name__} with an empty message"
            assert "\n" not in message, f"a multi-line message: {message!r}"
            if isinstance(exc, IngestError):
                assert message.startswith(f"{exc.filename}: "), message
                assert exc.hint, f"no hint in {message!r}"
