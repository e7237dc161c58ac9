"""Opt-in OpenMetrics/Prometheus endpoint: set A11Y_JUDGE_METRICS_PORT and the CLI or the app
serves judgment counts, latency histograms, cache hits, failures and cost on
http://0.0.0.0:PORT/metrics (A11Y_JUDGE_METRICS_ADDR to bind elsewhere). Off by default."""

from __future__ import annotations

import os
import threading
from typing import Any

from a11y_judge.errors import A11yJudgeError
from a11y_judge.models import Judgment

PORT_VAR = "A11Y_JUDGE_METRICS_PORT"
ADDR_VAR = "A11Y_JUDGE_METRICS_ADDR"
#: Latency buckets (seconds): cache hits and the offline judge at the low end, LLMs above.
BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, float("inf"))

#: (key, metric name, help, labels beyond judge/provider/model) of the counters.
COUNTERS = (
    ("judgments", "a11y_judge_judgments", "Judgments made", ("status",)),
    ("cache_hits", "a11y_judge_cache_hits", "Judgments answered from the cache", ()),
    ("failures", "a11y_judge_failures", "Judgments that failed", ()),
    ("requests", "a11y_judge_llm_requests", "Requests sent to LLM providers", ()),
    ("cost", "a11y_judge_cost_usd", "LLM cost in US dollars", ()),
    ("tokens", "a11y_judge_tokens", "LLM tokens", ("kind",)),
)

_lock = threading.Lock()
_metrics: dict[str, Any] | None = None
_port: int | None = None


def start_if_configured() -> int | None:
    """Serve /metrics once per process when A11Y_JUDGE_METRICS_PORT is set; returns the port
    (None when off). A port that is not a number, or is taken, is one clear error."""
    global _metrics, _port
    raw = os.environ.get(PORT_VAR, "").strip()
    if not raw:
        return None
    with _lock:
        if _port is not None:
            return _port
        try:
            port = int(raw)
        except ValueError as exc:
            raise A11yJudgeError(
                f"{PORT_VAR}={raw!r} is not a port number", hint=f"Set {PORT_VAR}=9464, or unset it"
            ) from exc
        import prometheus_client as prom

        registry = prom.CollectorRegistry()
        labels = ("judge", "provider", "model")
        metrics: dict[str, Any] = {
            key: prom.Counter(name, about, (*labels, *extra), registry=registry)
            for key, name, about, extra in COUNTERS
        }
        metrics["latency"] = prom.Histogram(
            "a11y_judge_judgment_latency_seconds",
            "Seconds per judgment (cache hits included)",
            labels,
            buckets=BUCKETS,
            registry=registry,
        )
        try:
            prom.start_http_server(
                port, addr=os.environ.get(ADDR_VAR, "0.0.0.0"), registry=registry
            )
        except OSError as exc:
            raise A11yJudgeError(
                f"cannot serve metrics on port {port} ({exc})",
                hint=f"Choose a free port in {PORT_VAR}, or unset it",
            ) from exc
        _metrics, _port = metrics, port
        return port


def observe(judgment: Judgment) -> None:
    """Count one judgment (nothing when the endpoint is off)."""
    metrics = _metrics
    if metrics is None:
        return
    labels = (judgment.judge_id, judgment.provider or "offline", judgment.model or "")
    metrics["judgments"].labels(*labels, judgment.status).inc()
    metrics["latency"].labels(*labels).observe(judgment.latency_ms / 1000)
    if judgment.cache_hit:
        metrics["cache_hits"].labels(*labels).inc()
    if judgment.status != "ok":
        metrics["failures"].labels(*labels).inc()
    if judgment.calls:
        metrics["requests"].labels(*labels).inc(judgment.calls)
    if judgment.cost_usd:
        metrics["cost"].labels(*labels).inc(judgment.cost_usd)
    if judgment.input_tokens:
        metrics["tokens"].labels(*labels, "input").inc(judgment.input_tokens)
    if judgment.output_tokens:
        metrics["tokens"].labels(*labels, "output").inc(judgment.output_tokens)
