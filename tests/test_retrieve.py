"""Hybrid search over one index: the keyword side, a batch of queries, the weight that drops sentences."""

import numpy as np
import pytest

from rag.index.bm25 import terms
from rag.index.build import ingest
from rag.index.store import CorpusIndex
from rag.search.hybrid import Searcher


@pytest.fixture
def index(corpus_copy, settings, hash_embedder):
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    return CorpusIndex.open(settings.index_dir)


def test_keyword_search_ranks_by_characters_and_pairs(index, hash_embedder):
    scores = index.bm25_chars.scores(terms("值班值守"))
    top = Searcher(index, hash_embedder.queries).search("值班值守", k=3, mode="bm25")
    best = np.argsort(-scores, kind="stable")[:3]
    assert [h.chunk.chunk_id for h in top] == [index.chunks[i].chunk_id for i in best]
    assert top[0].scores["bm25"] == pytest.approx(float(scores.max()))


def test_a_batch_of_queries_ranks_each_as_alone(index, hash_embedder):
    searcher = Searcher(index, hash_embedder.queries)
    queries = ["督查落实", "文稿起草要精细、要严谨，服务领导", "保密 纪律", "二要在统筹协调上下功夫"]
    together = searcher.search_many(queries, k=5)
    for query, hits in zip(queries, together):
        alone = searcher.search(query, k=5)
        assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in alone]
        assert [h.score for h in hits] == pytest.approx([h.score for h in alone])


def test_at_sentence_weight_zero_hybrid_search_reads_no_sentence_vector(index, hash_embedder, monkeypatch):
    def untouched(*_):
        raise AssertionError("sentence vectors read")

    monkeypatch.setattr("rag.search.hybrid.SENTENCE_WEIGHT", 0.0)
    monkeypatch.setattr(index.sentences, "search", untouched)
    monkeypatch.setattr(index.sentences, "chunk_scores", untouched)
    hits = Searcher(index, hash_embedder.queries).search("督查落实", k=3)
    assert len(hits) == 3 and all("sentence" not in h.scores for h in hits)
