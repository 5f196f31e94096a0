"""Hybrid search: chunk vectors, sentence vectors and BM25 candidates, fused and re-scored."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rag.bm25 import tokenize
from rag.errors import WengaoError
from rag.index import CorpusIndex
from rag.query import search_text
from rag.types import Passage

# hybrid: candidates of the chunk vectors, the sentence vectors and BM25, each score
# standardised over the candidate pool, then summed with SENTENCE_WEIGHT on the sentence
# score (measured better than reciprocal-rank fusion, kept as "rrf"). On the dev queries
# (eval/retrieval.py) recall@5 / MRR: chunks and BM25 alone 0.860 / 0.777; with the sentence
# score at weight 1.0 0.951 / 0.861, 1.5 0.958 / 0.872, 2.0 0.958 / 0.880 but outline points
# lose (1.000 -> 0.953 at rank 1). At weight 0 hybrid search leaves the sentence vectors out
# altogether (eval/bench_scale.py times it so, beside the full hybrid search).
MODES = ("hybrid", "dense", "sentence", "bm25", "rrf")
CANDIDATES = 50
# Sentences looked at per query: a chunk holds several, so more than the chunk candidates.
SENTENCE_CANDIDATES = 200
SENTENCE_WEIGHT = 1.5
RRF_K = 60
MAX_QUERY_CHARS = 2000

QueryEncoder = Callable[[list[str]], np.ndarray]


def check_query(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise WengaoError("查询为空，请输入要查找的内容。")
    if len(query) > MAX_QUERY_CHARS:
        raise WengaoError(f"查询过长（{len(query)} 字，上限 {MAX_QUERY_CHARS} 字），请精简后再试。")
    if not any(ch.isalnum() for ch in query):
        raise WengaoError("查询只有标点或符号，请输入文字。")
    return query


class Searcher:
    """Search one index; the query encoder is the index's embedding model."""

    def __init__(self, index: CorpusIndex, encode_queries: QueryEncoder):
        self.index = index
        self.encode_queries = encode_queries

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Passage]:
        return self.search_many([query], k, mode)[0]

    def search_many(self, queries: list[str], k: int = 5, mode: str = "hybrid") -> list[list[Passage]]:
        if mode not in MODES:
            raise WengaoError(f"未知的检索方式 {mode!r}，可选: {', '.join(MODES)}")
        queries = [check_query(q) for q in queries]
        n = len(self.index.chunks)
        if n == 0:
            return [[] for _ in queries]
        texts = [search_text(q) for q in queries]
        depth = min(n, max(CANDIDATES, k))
        vectors = None
        dense_hits: list[list[tuple[int, float]]] = [[] for _ in queries]
        sentence_hits: list[list[tuple[int, float]]] = [[] for _ in queries]
        if mode != "bm25":
            vectors = np.asarray(self.encode_queries(texts), dtype=np.float32)
        if mode in ("hybrid", "dense", "rrf"):
            scores, ids = self.index.dense.search(vectors, depth)
            dense_hits = [
                [(int(i), float(s)) for i, s in zip(row_ids, row_scores) if i >= 0]
                for row_ids, row_scores in zip(ids, scores)
            ]
        if mode in ("sentence", "rrf") or (mode == "hybrid" and SENTENCE_WEIGHT):
            sentence_hits = [hits[:depth] for hits in
                             self.index.sentences.search(vectors, max(SENTENCE_CANDIDATES, 4 * k))]
        results = []
        for row, (text, dense, sentence) in enumerate(zip(texts, dense_hits, sentence_hits)):
            bm25_all = self.index.bm25.scores(tokenize(text)) if mode in ("hybrid", "bm25", "rrf") else None
            bm25 = _top(bm25_all, depth) if bm25_all is not None else []
            if mode == "hybrid":
                ranked = self._fuse_standardised(vectors[row], dense, sentence, bm25, bm25_all)
            elif mode == "rrf":
                ranked = _fuse_rrf(dense, sentence, bm25)
            else:
                ranked = dense or sentence or bm25
            results.append(self._passages(ranked[:k], dense=dense, sentence=sentence, bm25=bm25))
        return results

    def _fuse_standardised(self, query_vector, dense, sentence, bm25, bm25_all) -> list[tuple[int, float]]:
        """Sum of z-scores over the union of the candidate lists.

        Every score is computed exactly for every candidate (dot products and a
        lookup), so a chunk found by one side is not penalised for missing from
        another side's short list.
        """
        pool = np.array(sorted({i for hits in (dense, sentence, bm25) for i, _ in hits}), dtype=np.int64)
        if len(pool) == 0:
            return []
        fused = _standardise(self.index.vectors[pool] @ query_vector) + _standardise(bm25_all[pool])
        if SENTENCE_WEIGHT:
            fused += SENTENCE_WEIGHT * _standardise(self.index.sentences.chunk_scores(pool, query_vector))
        order = np.argsort(-fused, kind="stable")
        return [(int(pool[j]), float(fused[j])) for j in order]

    def _passages(self, ranked, **parts: list[tuple[int, float]]) -> list[Passage]:
        by_part = {name: dict(hits) for name, hits in parts.items()}
        return [
            Passage(self.index.chunks[i], score, rank,
                    {name: hits[i] for name, hits in by_part.items() if i in hits})
            for rank, (i, score) in enumerate(ranked, start=1)
        ]


def _top(scores: np.ndarray, depth: int) -> list[tuple[int, float]]:
    top = np.argpartition(-scores, depth - 1)[:depth] if depth < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _standardise(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - values.mean()) / std if std > 1e-9 else np.zeros_like(values)


def _fuse_rrf(*lists: list[tuple[int, float]]) -> list[tuple[int, float]]:
    fused: dict[int, float] = {}
    for hits in lists:
        for rank, (i, _) in enumerate(hits, start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: -item[1])
