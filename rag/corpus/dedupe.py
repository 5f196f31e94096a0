"""Find near-duplicate paragraphs, so text that speeches share is stored once.

Speeches borrow paragraphs from each other, often with a word or two changed.
MinHash over character 4-grams with banded lookup finds the candidates, and
the exact Jaccard similarity of the 4-gram sets decides.
"""

from __future__ import annotations

import zlib

import numpy as np

from rag.corpus.clean import core_text

SHINGLE = 4
THRESHOLD = 0.85
MIN_CHARS = 20
_BANDS, _ROWS = 8, 4
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, _PRIME, _BANDS * _ROWS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, _BANDS * _ROWS, dtype=np.uint64)


def _shingles(core: str) -> set[str]:
    return {core[i : i + SHINGLE] for i in range(max(1, len(core) - SHINGLE + 1))}


class DuplicateFinder:
    """Remembers paragraphs seen; `seen(text)` is true for a near-copy of an earlier one."""

    def __init__(self) -> None:
        self.sets: list[set[str]] = []
        self.buckets: dict[tuple[int, bytes], list[int]] = {}
        self.exact: set[str] = set()
        self.hits = 0

    def seen(self, text: str) -> bool:
        if self._seen(text):
            self.hits += 1
            return True
        return False

    def _seen(self, text: str) -> bool:
        core = core_text(text)
        if len(core) < MIN_CHARS:
            return False  # salutations and short lines recur in every speech by design
        if core in self.exact:
            return True
        self.exact.add(core)
        shingles = _shingles(core)
        hashes = np.array([zlib.crc32(s.encode("utf-8")) for s in shingles], dtype=np.uint64)
        # (a*h + b) mod p per permutation; uint64 wraps, which keeps it a fine hash family.
        signature = ((hashes[None, :] * _A[:, None] + _B[:, None]) % _PRIME).min(axis=1)
        keys = [
            (band, signature[band * _ROWS : (band + 1) * _ROWS].tobytes()) for band in range(_BANDS)
        ]
        candidates = {i for key in keys for i in self.buckets.get(key, ())}
        for i in candidates:
            other = self.sets[i]
            if len(shingles & other) / len(shingles | other) >= THRESHOLD:
                return True
        index = len(self.sets)
        self.sets.append(shingles)
        for key in keys:
            self.buckets.setdefault(key, []).append(index)
        return False
