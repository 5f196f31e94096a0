"""Hybrid search: chunk vectors, sentence vectors and BM25 candidates, fused and re-scored."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rag.corpus.words import jieba_module
from rag.errors import ModelMissing, WengaoError
from rag.index.bm25 import terms
from rag.index.embedder import Embedder
from rag.index.store import CorpusIndex
from rag.search.query import search_text
from rag.settings import Settings
from rag.types import Passage

# hybrid: candidates of the chunk vectors, the sentence vectors and BM25 (over characters and
# bigrams, rag.index.bm25.terms), each score standardised over the candidate pool, then summed with
# these weights, BM25's being 1 (measured better than reciprocal-rank fusion, kept as "rrf").
# The chunk vectors alone rank worst (dev MRR 0.617 against 0.827 for sentences, 0.825 for BM25)
# and mostly bring candidates. Weights from a grid over dense 0 to 1 and sentence 0.75 to 2, on the
# dev and old test query sets together (eval/retrieval.py, 239 queries), recall@5 / MRR:
# 1 / 1.5 (the weights before) 0.975 / 0.883; 0.25 / 1 0.979 / 0.892; 0.25 / 1.25 0.983 / 0.890;
# 0.25 / 1.5 0.987 / 0.889; every weight pair within 0.015 MRR of the best. The choice by 5-fold
# cross-validation over the 239 scores 0.976 / 0.879 on the held-out folds; 0.25 / 1.25 is the
# middle of the flat region, and near the top on the earlier outline / material / question sets
# (MRR 0.928; 0.887 to 0.930 over the grid). At SENTENCE_WEIGHT and USE_WEIGHT 0 hybrid search
# leaves the sentence vectors out altogether (eval/bench_scale.py times it so, beside the full search).
# Then the best sentence by the second encoder, USE (embeddings/use_m3.py), standardised the same way,
# at USE_WEIGHT: on the eleven query sets read before (1,113 queries) recall@5 0.890 -> 0.903, MRR
# 0.775 -> 0.787, paraphrases 0.826 -> 0.853 (weight 0.25: 0.900 / 0.782; 0.75: 0.904 / 0.786).
MODES = ("hybrid", "dense", "sentence", "bm25", "rrf")
CANDIDATES = 50
# Sentences looked at per query: a chunk holds several, so more than the chunk candidates.
SENTENCE_CANDIDATES = 200
DENSE_WEIGHT = 0.25
SENTENCE_WEIGHT = 1.25
USE_WEIGHT = 0.5
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
    """Search one index; the query encoders are the index's embedding model and USE."""

    def __init__(self, index: CorpusIndex, encode_queries: QueryEncoder, encode_use: QueryEncoder):
        self.index = index
        self.encode_queries = encode_queries
        self.encode_use = encode_use

    def warm(self) -> None:
        """Load what the first question would (the query encoders, the index's pages, and jieba's
        dictionary with its tags, which the relevance judge cuts words by), so that a session's
        first question is answered as fast as its later ones."""
        jieba_module()
        self.search("讲话", k=1)

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
        vectors = use_vectors = None
        dense_hits: list[list[tuple[int, float]]] = [[] for _ in queries]
        sentence_hits: list[list[tuple[int, float]]] = [[] for _ in queries]
        if mode != "bm25":
            vectors = np.asarray(self.encode_queries(texts), dtype=np.float32)
        if mode == "hybrid" and USE_WEIGHT:
            use_vectors = np.asarray(self.encode_use(texts), dtype=np.float32)
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
            bm25_all = None
            if mode in ("hybrid", "bm25", "rrf"):
                bm25_all = self.index.bm25_chars.scores(terms(text))
            bm25 = _top(bm25_all, depth) if bm25_all is not None else []
            if mode == "hybrid":
                use_vector = None if use_vectors is None else use_vectors[row]
                ranked = self._fuse_standardised(vectors[row], use_vector, dense, sentence, bm25, bm25_all)
            elif mode == "rrf":
                ranked = _fuse_rrf(dense, sentence, bm25)
            else:
                ranked = dense or sentence or bm25
            results.append(self._passages(ranked[:k], dense=dense, sentence=sentence, bm25=bm25))
        return results

    def _fuse_standardised(self, query_vector, use_vector, dense, sentence, bm25,
                           bm25_all) -> list[tuple[int, float]]:
        """Weighted sum of z-scores over the union of the candidate lists.

        Every score is computed exactly for every candidate (dot products and a
        lookup), so a chunk found by one side is not penalised for missing from
        another side's short list.
        """
        pool = np.array(sorted({i for hits in (dense, sentence, bm25) for i, _ in hits}), dtype=np.int64)
        if len(pool) == 0:
            return []
        fused = _standardise(bm25_all[pool])
        fused += DENSE_WEIGHT * _standardise(self.index.vectors[pool] @ query_vector)
        if SENTENCE_WEIGHT:
            fused += SENTENCE_WEIGHT * _standardise(self.index.sentences.chunk_scores(pool, query_vector))
        if use_vector is not None:
            fused += USE_WEIGHT * _standardise(self.index.sentences.chunk_scores(pool, use_vector, use=True))
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


def open_searcher(settings: Settings, embedder: Embedder | None = None) -> Searcher:
    """The searcher over the live index, refusing an index another embedding model built."""
    index = CorpusIndex.open(settings.index_dir)
    embedder = embedder or Embedder(settings)
    expected = index.manifest.get("embed_model", {})
    if expected.get("fingerprint") != embedder.fingerprint:
        raise ModelMissing(
            f"索引是用嵌入模型 {expected.get('name')} 建立的，当前模型 {embedder.path.name} 与之不同。"
            f"请用当前模型重建: wengao ingest --index {settings.index_dir}"
        )
    if index.manifest.get("use_model") != embedder.use_fingerprint:
        raise ModelMissing(
            f"索引的第二编码器是 {index.manifest.get('use_model')}，当前是 {embedder.use_fingerprint}。"
            f"请重建: wengao ingest --index {settings.index_dir}"
        )
    return Searcher(index, embedder.queries, embedder.use_queries)
