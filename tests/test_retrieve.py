"""Hybrid search over one index: the keyword side, a batch of queries, the weight that drops sentences."""

import numpy as np
import pytest

import rag.index.store
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
    top = Searcher(index, hash_embedder.queries, hash_embedder.use_queries).search("值班值守", k=3, mode="bm25")
    best = np.argsort(-scores, kind="stable")[:3]
    assert [h.chunk.chunk_id for h in top] == [index.chunks[i].chunk_id for i in best]
    assert top[0].scores["bm25"] == pytest.approx(float(scores.max()))


def test_a_batch_of_queries_ranks_each_as_alone(index, hash_embedder):
    searcher = Searcher(index, hash_embedder.queries, hash_embedder.use_queries)
    queries = ["督查落实", "文稿起草要精细、要严谨，服务领导", "保密 纪律", "二要在统筹协调上下功夫"]
    together = searcher.search_many(queries, k=5)
    for query, hits in zip(queries, together):
        alone = searcher.search(query, k=5)
        assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in alone]
        assert [h.score for h in hits] == pytest.approx([h.score for h in alone])


def test_at_sentence_weights_zero_hybrid_search_reads_no_sentence_vector(index, hash_embedder, monkeypatch):
    def untouched(*_, **__):
        raise AssertionError("sentence vectors read")

    monkeypatch.setattr("rag.search.hybrid.SENTENCE_WEIGHT", 0.0)
    monkeypatch.setattr("rag.search.hybrid.USE_WEIGHT", 0.0)
    monkeypatch.setattr(index.sentences, "search", untouched)
    monkeypatch.setattr(index.sentences, "chunk_scores", untouched)
    hits = Searcher(index, hash_embedder.queries, hash_embedder.use_queries).search("督查落实", k=3)
    assert len(hits) == 3 and all("sentence" not in h.scores for h in hits)


def test_the_second_encoders_best_sentence_counts_in_hybrid_search(index, hash_embedder, monkeypatch):
    # It re-scores the candidates the other signals bring: a query whose USE vector is the third
    # candidate's own sentence puts that chunk first when the USE weight is high.
    query = "值班值守"
    monkeypatch.setattr("rag.search.hybrid.USE_WEIGHT", 0.0)
    without = Searcher(index, hash_embedder.queries, hash_embedder.use_queries).search(query, k=3)
    target = next(i for i, c in enumerate(index.chunks) if c.chunk_id == without[2].chunk.chunk_id)
    start, end = index.sentences.offsets[target], index.sentences.offsets[target + 1]
    row = int(start + np.argmax([len(u) for u in rag.index.store.sentence_units(index.chunks[target])]))
    assert end - start > 0
    searcher = Searcher(index, hash_embedder.queries,
                        lambda texts: index.sentences.use_vectors[[row] * len(texts)])
    monkeypatch.setattr("rag.search.hybrid.USE_WEIGHT", 20.0)
    assert searcher.search(query, k=3)[0].chunk.chunk_id == without[2].chunk.chunk_id
