"""Many app sessions at once against one history: what the concurrency test and `make bench`
both drive.

Each session is its own Streamlit AppTest (its own session state, as a browser tab has on a
Streamlit server; the process's caches are shared, as on the server). Session `i` ticks the
demo set, chooses criterion weights no other session chooses, runs the evaluation on the
Evaluate page, and opens History. Meanwhile a batch of sets is judged by the product's batch
service, as the Batch page starts it. Every page run is timed.

AppTest swaps a mock Streamlit Runtime into a global (and patches the config) around each run
and takes it out after, and compiles the page scripts afresh each run, which breaks when
several run at once (and CPython 3.11's compiler is not thread-safe: "AST constructor
recursion depth mismatch"); `one_runtime` gives the sessions one shared runtime and one script
cache instead, as sessions share them on a Streamlit server.
"""

from __future__ import annotations

import statistics
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import MagicMock, patch

from streamlit.testing.v1 import AppTest, app_test
from streamlit.testing.v1.util import patch_config_options

from a11y_judge.batch import service
from a11y_judge.models import BatchJob, BatchSettings, Run
from a11y_judge.rubric import load_rubric

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "app" / "main.py"
DEMO = REPO / "data" / "demo"
RUN = "evaluate.run"


@dataclass
class Session:
    """What one session chose, saw and how long its pages took."""

    index: int
    weights: dict[str, int]
    run: Run | None = None
    shown: str = ""  # every text of its Evaluate page after the run
    history_rows: int = 0
    page_s: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@contextmanager
def one_runtime() -> Iterator[None]:
    """One mock Runtime for every AppTest run meanwhile (built as AppTest builds its own)."""
    runtime = MagicMock(spec=app_test.Runtime)
    runtime.media_file_mgr = app_test.MediaFileManager(app_test.MemoryMediaFileStorage("/mock"))
    runtime.dataframe_source_mgr = app_test.DataframeSourceManager()
    runtime.cache_storage_manager = app_test.MemoryCacheStorageManager()
    registry = app_test.BidiComponentManager()
    registry.discover_and_register_components(start_file_watching=False)
    runtime.bidi_component_registry = registry
    real = app_test.Runtime
    real._instance = runtime
    scripts = app_test.ScriptCache()  # thread-safe: each page compiled once, under its lock
    try:
        with (
            patch.object(app_test, "Runtime", SimpleNamespace(_instance=None)),
            patch.object(app_test, "ScriptCache", lambda: scripts),
            patch.object(app_test, "patch_config_options", lambda _options: nullcontext()),
            patch_config_options({"global.appTest": True}),
        ):
            yield
    finally:
        real._instance = None


def session_weights(index: int) -> dict[str, int]:
    """Percent weights unique to session `index` (0-19): the first two criteria trade points."""
    base = {c.id: round(c.weight * 100) for c in load_rubric().criteria}
    first, second = list(base)[:2]
    shift = index - 10
    return {**base, first: base[first] + shift, second: base[second] - shift}


def _texts(at: AppTest) -> str:
    groups = (at.markdown, at.caption, at.success, at.warning, at.error, at.info)
    return "\n".join(str(e.value) for g in groups for e in g)


def _problems(at: AppTest, where: str) -> list[str]:
    found = [f"{where}: exception {e.message}" for e in at.exception]
    found += [f"{where}: error {e.value}" for e in at.error]
    return found


def drive(session: Session, start: threading.Barrier, timeout: float = 120) -> None:
    """One session: Evaluate (demo set, its weights), run, then History; pages timed."""
    try:
        at = AppTest.from_file(str(MAIN), default_timeout=timeout)
        at.session_state["evaluate.demo"] = True
        for cid, pct in session.weights.items():
            at.session_state[f"evaluate.weight.{cid}"] = pct
        start.wait()

        def timed(step: Callable[[], AppTest], where: str) -> AppTest:
            began = time.perf_counter()
            page = step()
            session.page_s.append(time.perf_counter() - began)
            session.problems += _problems(page, where)
            return page

        at = timed(at.run, "evaluate")
        at = timed(at.button(key="evaluate.run_button").click().run, "run")
        session.run = at.session_state.get(RUN)
        session.shown = _texts(at)
        if session.run is None:  # say what the page showed instead (once seen, not understood)
            buttons = [(b.label, b.disabled) for b in at.button]
            session.problems.append(f"run: no run; buttons {buttons}; page: {session.shown[-800:]}")
        at = timed(at.switch_page("views/history.py").run, "history")
        frames = [d.value for d in at.dataframe if "Status" in d.value.columns]
        session.history_rows = len(frames[0]) if frames else 0
        if not frames:  # say what the page showed instead (once seen, not understood)
            heads = [h.value for h in at.header] + [h.value for h in at.subheader]
            session.problems.append(f"history: no runs table; headings {heads}; {_texts(at)[:800]}")
    except Exception:  # reported with the session, so that one failure names its session
        session.problems.append(traceback.format_exc())


def make_sets(root: Path, count: int, plans: int = 4) -> Path:
    """`count` batch sets of the demo audit and plans, each plan's text unique to its set."""
    for k in range(count):
        folder = root / f"set-{k:02d}" / "plans"
        folder.mkdir(parents=True)
        (root / f"set-{k:02d}" / "audit.md").write_bytes((DEMO / "northwind-audit.md").read_bytes())
        for plan in sorted((DEMO / "plans").glob("*.md"))[:plans]:
            text = plan.read_text(encoding="utf-8") + f"\n\nPrepared for set {k}.\n"
            (folder / plan.name).write_text(text, encoding="utf-8")
    return root


@dataclass
class Load:
    """The sessions and the batch, once all have finished."""

    sessions: list[Session]
    batch: BatchJob | None
    batch_problems: list[str]
    wall_s: float

    @property
    def page_s(self) -> list[float]:
        return [t for s in self.sessions for t in s.page_s]

    def percentile(self, q: float) -> float:
        """The q-th percentile (0-100) of every timed page run."""
        times = sorted(self.page_s)
        return statistics.quantiles(times, n=100, method="inclusive")[round(q) - 1]


def run_load(sessions: int, sets_dir: Path | None) -> Load:
    """`sessions` sessions at once, and the batch of `sets_dir` (offline judge) beside them."""
    people = [Session(i, session_weights(i)) for i in range(sessions)]
    start = threading.Barrier(sessions + (1 if sets_dir else 0))
    batch: list[BatchJob] = []
    batch_problems: list[str] = []

    def run_batch() -> None:
        try:
            assert sets_dir is not None
            job = service.submit(sets_dir, BatchSettings(judges=["offline"], use_cache=False))
            start.wait()
            batch.append(service.run(job.job_id))
        except Exception:
            batch_problems.append(traceback.format_exc())
            start.abort()

    threads = [threading.Thread(target=drive, args=(s, start)) for s in people]
    if sets_dir is not None:
        threads.append(threading.Thread(target=run_batch))
    began = time.perf_counter()
    with one_runtime():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return Load(people, batch[0] if batch else None, batch_problems, time.perf_counter() - began)
