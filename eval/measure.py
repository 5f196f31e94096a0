"""Timing and memory figures the benchmarks share."""

from __future__ import annotations

import resource
import threading
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


def rss_anon_mb() -> float:
    """Anonymous memory of this process now: RSS less pages of mapped files, which the kernel can drop."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakAnon:
    """The highest rss_anon_mb() while the block runs, sampled every `every` seconds.

    ru_maxrss counts the resident pages of memory-mapped files too, which a build
    reading a large memory-mapped array fills without needing the memory.
    """

    def __init__(self, every: float = 0.1):
        self.every = every
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.mb = max(self.mb, rss_anon_mb())
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> PeakAnon:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.mb = max(self.mb, rss_anon_mb())
