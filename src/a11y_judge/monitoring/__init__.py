"""Performance monitoring: resource sampling, latency statistics, thresholds, anomalies,
recommendations and the opt-in OpenMetrics endpoint."""
