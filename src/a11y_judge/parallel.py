"""A process pool for CPU-bound judging (the offline judge), shared by every run of a process.

Threads do not help pure-Python judging under the GIL, so the engine sends CPU-bound work here.
Workers come from a fork server that has imported the judges once, so starting them is cheap and
safe in a threaded host such as the Streamlit server.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


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
            _pool, _pool_size = ProcessPoolExecutor(workers, mp_context=context), workers
        return _pool


def discard_pool() -> None:
    """Forget the pool (after a worker died); the next call starts a new one."""
    global _pool, _pool_size
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool, _pool_size = None, 0


atexit.register(discard_pool)
