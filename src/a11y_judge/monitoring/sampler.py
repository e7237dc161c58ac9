"""A low-overhead sampler of this process's CPU and resident memory (its worker processes
included) while work runs, with an optional queue length (a batch's sets and requests owed).

However many runs work at once (a batch judges many sets), one thread per process takes the
readings and hands each to every sampler that is running: reading the process table costs
~0.7 ms, and one reading per run per tick landed right when replies came back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psutil

from a11y_judge.models import ResourceUsage

#: Seconds between samples: 2 a second cost well under 1% of one core.
INTERVAL_S = 0.5


class _Readings:
    """The process's CPU % and RSS, read by one thread for every running sampler."""

    def __init__(self) -> None:
        self._me = psutil.Process()
        self._children: dict[int, psutil.Process] = {}
        self._lock = threading.Lock()
        self._samplers: set[ResourceSampler] = set()
        self._thread: threading.Thread | None = None
        self._wake = threading.Condition(self._lock)
        self._read_lock = threading.Lock()  # one reading at a time (counters are shared)
        self.interval = INTERVAL_S

    def join(self, sampler: ResourceSampler) -> None:
        with self._lock:
            self._samplers.add(sampler)
            self.interval = min(s.interval for s in self._samplers)
            self._wake.notify()  # a shorter interval counts from the last reading
            if self._thread is None:
                with self._read_lock:
                    self._me.cpu_percent(None)  # primes the counter: the next reading covers it
                self._thread = threading.Thread(
                    target=self._run, name="resource-sampler", daemon=True
                )
                self._thread.start()

    def leave(self, sampler: ResourceSampler) -> None:
        """Stop handing readings to a sampler; it gets one last reading of its own (which
        looks for worker processes again only if no tick came while it ran)."""
        with self._lock:
            self._samplers.discard(sampler)
            self._wake.notify()  # with none left, the thread ends now
        reading = self._read(refresh=not sampler.samples)
        if reading is not None:
            sampler._add(*reading)

    def running(self) -> bool:
        """Whether the sampling thread runs (while any sampler does)."""
        with self._lock:
            return self._thread is not None

    def _run(self) -> None:
        while True:
            with self._lock:
                last = time.monotonic()
                while self._samplers and (left := last + self.interval - time.monotonic()) > 0:
                    self._wake.wait(left)
                if not self._samplers:
                    self._thread = None
                    return
                samplers = list(self._samplers)
            reading = self._read(refresh=True)
            if reading is not None:
                for sampler in samplers:
                    sampler._add(*reading)

    def _read(self, refresh: bool) -> tuple[float, float, float] | None:
        """(cpu %, rss MiB, thread CPU s spent reading), or None when the counters cannot be
        read (a locked-down host). `refresh` looks for new worker processes (the costly part);
        a last reading uses those of the previous tick."""
        with self._read_lock:
            return self._read_locked(refresh)

    def _read_locked(self, refresh: bool) -> tuple[float, float, float] | None:
        began = time.thread_time()
        try:
            cpu = self._me.cpu_percent(None)
            rss = self._me.memory_info().rss
            known = self._me.children(recursive=True) if refresh else list(self._children.values())
            alive: dict[int, psutil.Process] = {}
            for child in known:
                seen = self._children.get(child.pid, child)
                try:
                    if child.pid in self._children:
                        cpu += seen.cpu_percent(None)
                    else:
                        seen.cpu_percent(None)  # primed now; counted from the next reading
                    rss += seen.memory_info().rss
                    alive[child.pid] = seen
                except psutil.Error:  # the child ended between listing and reading it
                    continue
            self._children = alive
        except psutil.Error:
            return None
        return cpu, rss / 2**20, time.thread_time() - began


_READINGS = _Readings()


class ResourceSampler:
    """`start()`, do the work, `stop()` → ResourceUsage. CPU % is of one core (200 = two cores
    busy), summed over this process and its children (the offline judge's worker processes);
    memory is their resident set size in MiB."""

    def __init__(
        self, interval: float = INTERVAL_S, queue: Callable[[], int] | None = None
    ) -> None:
        self.interval = interval
        self._queue = queue
        self._cpu: list[float] = []
        self._rss: list[float] = []
        self._queued: list[int] = []
        self._start = 0.0
        self._self_cpu = 0.0
        self._started = False
        self._lock = threading.Lock()
        self._usage: ResourceUsage | None = None

    def start(self) -> ResourceSampler:
        self._start = time.perf_counter()
        self._started = True
        _READINGS.join(self)
        return self

    def __enter__(self) -> ResourceSampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> ResourceUsage:
        """End sampling (one last reading covers the time since the previous one); later calls
        return the same figures."""
        if self._usage is not None:
            return self._usage
        if self._started:
            _READINGS.leave(self)
        with self._lock:
            self._usage = self._figures()
        return self._usage

    @property
    def samples(self) -> int:
        """Readings so far."""
        with self._lock:
            return len(self._cpu)

    def _figures(self) -> ResourceUsage:
        n = len(self._cpu)
        return ResourceUsage(
            wall_s=round(time.perf_counter() - self._start, 4),
            samples=n,
            cpu_pct_mean=round(sum(self._cpu) / n, 1) if n else None,
            cpu_pct_max=round(max(self._cpu), 1) if n else None,
            rss_mb_mean=round(sum(self._rss) / n, 1) if n else None,
            rss_mb_max=round(max(self._rss), 1) if n else None,
            queue_max=max(self._queued) if self._queued else None,
            sampler_cpu_s=round(self._self_cpu, 5),
        )

    def _add(self, cpu: float, rss_mb: float, cost_s: float) -> None:
        """One reading (from the shared thread, or the last one at stop)."""
        queued = self._queue() if self._queue is not None else None
        with self._lock:
            if self._usage is not None:
                return  # a tick that raced the stop: the figures are final
            self._cpu.append(cpu)
            self._rss.append(rss_mb)
            if queued is not None:
                self._queued.append(queued)
            self._self_cpu += cost_s
