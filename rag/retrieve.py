"""Hybrid search: dense (FAISS) and BM25 candidates, fused and re-scored."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rag.bm25 import tokenize
from rag.errors import WengaoError
from rag.index import CorpusIndex
from rag.types import Passage

# hybrid: dense and BM25 candidates, each score standardised over the candidate
# pool, then summed (measured better than reciprocal-rank fusion, kept as "rrf").
MODES = ("hybrid", "dense", "bm25", "rrf")
CANDIDATES = 50
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
        depth = min(n, max(CANDIDATES, k))
        vectors = None
        dense_hits: list[list[tuple[int, float]]] = [[] for _ in queries]
        if mode != "bm25":
            vectors = np.asarray(self.encode_queries(queries), dtype=np.float32)
            scores, ids = self.index.dense.search(vectors, depth)
            dense_hits = [
                [(int(i), float(s)) for i, s in zip(row_ids, row_scores) if i >= 0]
                for row_ids, row_scores in zip(ids, scores)
            ]
        results = []
        for row, (query, dense) in enumerate(zip(queries, dense_hits)):
            bm25_all = self.index.bm25.scores(tokenize(query)) if mode != "dense" else None
            bm25 = _top(bm25_all, depth) if bm25_all is not None else []
            if mode == "hybrid":
                ranked = self._fuse_standardised(vectors[row], dense, bm25, bm25_all)
            elif mode == "rrf":
                ranked = _fuse_rrf(dense, bm25)
            else:
                ranked = dense or bm25
            results.append(self._passages(ranked[:k], dense, bm25))
        return results

    def _fuse_standardised(self, query_vector, dense, bm25, bm25_all) -> list[tuple[int, float]]:
        """Sum of z-scores over the union of both candidate lists.

        Both scores are computed exactly for every candidate (a dot product and
        a lookup), so a chunk found by one side is not penalised for missing
        from the other side's short list.
        """
        pool = np.array(sorted({i for i, _ in dense} | {i for i, _ in bm25}), dtype=np.int64)
        if len(pool) == 0:
            return []
        dense_scores = self.index.vectors[pool] @ query_vector
        fused = _standardise(dense_scores) + _standardise(bm25_all[pool])
        order = np.argsort(-fused, kind="stable")
        return [(int(pool[j]), float(fused[j])) for j in order]

    def _passages(self, ranked, dense, bm25) -> list[Passage]:
        dense_scores, bm25_scores = dict(dense), dict(bm25)
        passages = []
        for rank, (i, score) in enumerate(ranked, start=1):
            parts = {}
            if i in dense_scores:
                parts["dense"] = dense_scores[i]
            if i in bm25_scores:
                parts["bm25"] = bm25_scores[i]
            passages.append(Passage(self.index.chunks[i], score, rank, parts))
        return passages


def _top(scores: np.ndarray, depth: int) -> list[tuple[int, float]]:
    top = np.argpartition(-scores, depth - 1)[:depth] if depth < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _standardise(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    return (values - values.mean()) / std if std > 1e-9 else np.zeros_like(values)


def _fuse_rrf(dense: list[tuple[int, float]], bm25: list[tuple[int, float]]) -> list[tuple[int, float]]:
    fused: dict[int, float] = {}
    for hits in (dense, bm25):
        for rank, (i, _) in enumerate(hits, start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: -item[1])
