"""Timing and memory figures the benchmarks share."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed_ms(run: Callable[[object], object], items: Iterable) -> list[float]:
    """Milliseconds of run(item) for each item."""
    times = []
    for item in items:
        start = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def latency(times: list[float]) -> dict:
    return {"p50": round(percentile(times, 0.5), 2), "p95": round(percentile(times, 0.95), 2)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
