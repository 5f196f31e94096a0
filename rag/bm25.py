"""BM25 over jieba tokens, stored as plain arrays (no pickle).

Term weights are computed at build time, so a query is a sum of a few
posting lists: fast enough for a million chunks in numpy.
"""

from __future__ import annotations

import json
import logging
import re
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75
_WORD = re.compile(r"[\w\u3400-\u9fff]")
# Function words that match everywhere and say nothing about a passage.
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 要 把 对 为 以 从 也 都 就 而 并 上 中 等 这 那 其 之 着 一个 我们 你们 "
    "他们 大家 同志 同志们 一些 一定 进一步 工作 什么 怎么 如何 哪些 一段 关于 有关 方面 问题".split()
)

_jieba = None


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (long words plus their parts), lower-cased, no stopwords."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return [
        t.lower()
        for t in _jieba.lcut_for_search(text)
        if _WORD.search(t) and t not in STOPWORDS and t.strip()
    ]


@dataclass
class BM25Index:
    vocab: dict[str, int]
    # Term-major postings: docs of term t are doc_ids[indptr[t]:indptr[t+1]].
    indptr: np.ndarray
    doc_ids: np.ndarray
    weights: np.ndarray
    idf: np.ndarray
    n_docs: int

    @classmethod
    def build(cls, docs: list[list[str]]) -> BM25Index:
        vocab: dict[str, int] = {}
        # Compact int32 arrays, not lists: a million chunks hold over 10^8 tokens.
        cols = array("i")
        for tokens in docs:
            cols.extend([vocab.setdefault(t, len(vocab)) for t in tokens])
        n_docs, n_terms = len(docs), len(vocab)
        lengths = np.array([len(t) for t in docs], dtype=np.int64)
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        avg = float(lengths.mean()) if n_docs and lengths.mean() > 0 else 1.0
        # Count term frequencies per (term, doc) pair by sorting term-major.
        keys = np.frombuffer(cols, dtype=np.int32).astype(np.int64) * max(n_docs, 1) + rows
        del rows
        uniq, tf = np.unique(keys, return_counts=True)
        term = (uniq // max(n_docs, 1)).astype(np.int64)
        doc = (uniq % max(n_docs, 1)).astype(np.int32)
        df = np.bincount(term, minlength=n_terms).astype(np.float32)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = K1 * (1 - B + B * lengths[doc].astype(np.float32) / avg)
        weights = (tf * (K1 + 1) / (tf + norm)).astype(np.float32)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=n_terms), out=indptr[1:])
        return cls(vocab, indptr, doc, weights, idf, n_docs)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        scores = np.zeros(self.n_docs, dtype=np.float32)
        for t in set(query_tokens):
            tid = self.vocab.get(t)
            if tid is None:
                continue
            lo, hi = self.indptr[tid], self.indptr[tid + 1]
            scores[self.doc_ids[lo:hi]] += self.idf[tid] * self.weights[lo:hi]
        return scores

    def save(self, folder: Path) -> None:
        terms = sorted(self.vocab, key=self.vocab.get)
        (folder / "bm25_vocab.json").write_text(json.dumps(terms, ensure_ascii=False), "utf-8")
        np.savez(
            folder / "bm25.npz",
            indptr=self.indptr,
            doc_ids=self.doc_ids,
            weights=self.weights,
            idf=self.idf,
            n_docs=np.array([self.n_docs]),
        )

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        terms = json.loads((folder / "bm25_vocab.json").read_text("utf-8"))
        with np.load(folder / "bm25.npz", allow_pickle=False) as z:
            return cls(
                {t: i for i, t in enumerate(terms)},
                z["indptr"], z["doc_ids"], z["weights"], z["idf"], int(z["n_docs"][0]),
            )
