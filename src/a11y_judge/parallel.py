"""A process pool for CPU-bound judging (the offline judge), shared by every run of a process.

Threads do not help pure-Python judging under the GIL, so the engine sends CPU-bound work here.
Workers come from a fork server that has imported the judges once, so starting them is cheap and
safe in a threaded host such as the Streamlit server. They never import the host's `__main__`:
multiprocessing would run it again in every new process, and in the Streamlit server that module
is the app's page script (a whole page run, in bare mode, per worker). Workers need nothing from
it: what they run lives in the package.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.spawn
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_spawning = threading.local()  # set while this module starts processes
_preparation_data = multiprocessing.spawn.get_preparation_data


def _without_main(name: str) -> dict[str, Any]:
    """What a new process is told to set up, less the host's main module when the process is
    one of ours (other users of multiprocessing in the host are left as they are)."""
    data: dict[str, Any] = _preparation_data(name)
    if getattr(_spawning, "ours", False):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


multiprocessing.spawn.get_preparation_data = _without_main  # read by the fork server and Popen


@contextmanager
def _our_spawns() -> Iterator[None]:
    _spawning.ours = True
    try:
        yield
    finally:
        _spawning.ours = False


def _ready() -> int:
    return os.getpid()


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. under `taskset`)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool with `workers` processes (created on first use, replaced if resized)."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["a11y_judge.judges.offline", "a11y_judge.engine"])
            pool = ProcessPoolExecutor(workers, mp_context=context)
            with _our_spawns():  # every worker (and the fork server) started here, without main
                for started in [pool.submit(_ready) for _ in range(workers)]:
                    started.result()
            _pool, _pool_size = pool, workers
        return _pool


def start_pool(workers: int) -> threading.Thread:
    """Create the shared pool in a background thread (see `process_pool`), so that its
    processes start while the caller reads its inputs. A failure here is left for the run's own
    call to `process_pool`, which meets it again and reports it (logged at debug level only: a
    caller that stopped on bad input exits while the pool starts, and that is no news)."""

    def start() -> None:
        try:
            process_pool(workers)
        except (OSError, RuntimeError, BrokenProcessPool) as exc:
            _log.debug("worker processes did not start in the background: %s", exc)

    thread = threading.Thread(target=start, name="a11y-judge-pool-start", daemon=True)
    thread.start()
    return thread


def discard_pool() -> None:
    """Forget the pool (after a worker died); the next call starts a new one."""
    global _pool, _pool_size
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool, _pool_size = None, 0


atexit.register(discard_pool)
