"""A low-overhead sampler of this process's CPU and resident memory (its worker processes
included) while work runs, with an optional queue length (a batch's sets and requests owed)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psutil

from a11y_judge.models import ResourceUsage

#: Seconds between samples: 2 a second cost well under 1% of one core.
INTERVAL_S = 0.5


class ResourceSampler:
    """`start()`, do the work, `stop()` → ResourceUsage. CPU % is of one core (200 = two cores
    busy), summed over this process and its children (the offline judge's worker processes);
    memory is their resident set size in MiB."""

    def __init__(
        self, interval: float = INTERVAL_S, queue: Callable[[], int] | None = None
    ) -> None:
        self.interval = interval
        self._queue = queue
        self._me = psutil.Process()
        self._children: dict[int, psutil.Process] = {}
        self._cpu: list[float] = []
        self._rss: list[float] = []
        self._queued: list[int] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = 0.0
        self._self_cpu = 0.0
        self._usage: ResourceUsage | None = None

    def start(self) -> ResourceSampler:
        self._start = time.perf_counter()
        self._me.cpu_percent(None)  # primes the counter: the next call covers the interval
        self._thread = threading.Thread(target=self._run, name="resource-sampler", daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> ResourceSampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> ResourceUsage:
        """End sampling (one last sample covers the time since the previous one); later calls
        return the same figures."""
        if self._usage is not None:
            return self._usage
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._sample()
        n = len(self._cpu)
        self._usage = ResourceUsage(
            wall_s=round(time.perf_counter() - self._start, 4),
            samples=n,
            cpu_pct_mean=round(sum(self._cpu) / n, 1) if n else None,
            cpu_pct_max=round(max(self._cpu), 1) if n else None,
            rss_mb_mean=round(sum(self._rss) / n, 1) if n else None,
            rss_mb_max=round(max(self._rss), 1) if n else None,
            queue_max=max(self._queued) if self._queued else None,
            sampler_cpu_s=round(self._self_cpu, 5),
        )
        return self._usage

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        began = time.thread_time()
        try:
            cpu = self._me.cpu_percent(None)
            rss = self._me.memory_info().rss
            alive: dict[int, psutil.Process] = {}
            for child in self._me.children(recursive=True):
                known = self._children.get(child.pid, child)
                try:
                    if child.pid in self._children:
                        cpu += known.cpu_percent(None)
                    else:
                        known.cpu_percent(None)  # primed now; counted from the next sample
                    rss += known.memory_info().rss
                    alive[child.pid] = known
                except psutil.Error:  # the child ended between listing and reading it
                    continue
            self._children = alive
        except psutil.Error:  # this process cannot read its own counters (a locked-down host)
            return
        self._cpu.append(cpu)
        self._rss.append(rss / 2**20)
        if self._queue is not None:
            self._queued.append(self._queue())
        self._self_cpu += time.thread_time() - began
