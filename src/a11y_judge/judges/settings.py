"""How LLM judges reach their providers during one run; shared by the run's judges."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from a11y_judge.cache import JudgeCache
from a11y_judge.resilience import Budget, ProviderGate, RetryPolicy, RunControl


@dataclass
class JudgeSettings:
    """Keys, endpoints, limits and the run-scoped budgets, gates, control and cache.

    Keys typed in the app (`session_keys`) and Streamlit `secrets` stay in memory; `repr` hides
    them. Build one per run: the cost and time budgets, circuit breakers, adaptive
    concurrency and cache counters are per run. `time_budget` (seconds, None: none) bounds
    every wait of the run; `outage_wait` is how long judgments wait for an endpoint whose
    circuit breaker is open before they fail.
    """

    session_keys: dict[str, str] = field(default_factory=dict, repr=False)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    base_urls: dict[str, str] = field(default_factory=dict)
    concurrency: int = 8
    rpm: int | None = None
    timeout: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    budget_usd: float | None = None
    samples: int = 1
    temperature: float = 0.0
    sample_temperature: float = 0.7
    max_output_tokens: int = 4096
    context_tokens: int | None = None
    use_cache: bool = True
    breaker_threshold: int = 5
    breaker_cooldown: float = 10.0
    outage_wait: float = 120.0
    time_budget: float | None = None
    repeat: int = 0  # an experiment's repeat number: part of the cache key from the second on
    redact_pii: str = "off"  # "off", "external" or "all" (safety/redact.py)
    budget: Budget = field(init=False, repr=False)
    control: RunControl = field(init=False, repr=False)
    _gates: dict[str, ProviderGate] = field(init=False, repr=False, default_factory=dict)
    _cache: JudgeCache | None = field(init=False, repr=False, default=None)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.budget = Budget(self.budget_usd)
        self.control = RunControl(self.time_budget)

    def gate(self, name: str) -> ProviderGate:
        """The run's gate for one provider endpoint (created on first use)."""
        with self._lock:
            if name not in self._gates:
                self._gates[name] = ProviderGate(
                    name,
                    concurrency=self.concurrency,
                    rpm=self.rpm,
                    breaker_threshold=self.breaker_threshold,
                    breaker_cooldown=self.breaker_cooldown,
                    patience=self.outage_wait,
                )
            return self._gates[name]

    def cache(self) -> JudgeCache | None:
        """The reply cache, opened on first use; None with use_cache off."""
        if not self.use_cache:
            return None
        with self._lock:
            if self._cache is None:
                self._cache = JudgeCache()
            return self._cache

    def close(self) -> None:
        """Close the cache if it was opened."""
        with self._lock:
            if self._cache is not None:
                self._cache.close()
                self._cache = None
