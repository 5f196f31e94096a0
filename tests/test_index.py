"""Index storage: incremental builds, atomic swaps, corruption detection."""

import errno
import json

import pytest

from rag.errors import IndexInvalid, IndexMissing, ModelMissing, WengaoError
from rag.index.build import ingest
from rag.index.store import CorpusIndex
from rag.search.hybrid import Searcher, open_searcher


def _open(settings):
    return CorpusIndex.open(settings.index_dir)


def test_build_then_search_all_modes(corpus_copy, settings, hash_embedder):
    report = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert (report.files_read, report.speeches) == (5, 9)
    index = _open(settings)
    assert len(index.chunks) == report.chunks == index.vectors.shape[0]
    assert index.manifest["dense"] == "flat"
    assert len(index.speeches) == 9
    searcher = Searcher(index, hash_embedder.queries, hash_embedder.use_queries)
    for mode in ("dense", "bm25", "hybrid"):
        hits = searcher.search("督查落实", k=3, mode=mode)
        assert [h.rank for h in hits] == [1, 2, 3]
        assert all(h.chunk.title for h in hits)
    top = searcher.search("督查落实", k=1, mode="bm25")[0]
    assert "督查" in top.chunk.text or "督查" in top.chunk.section_path
    for speech in index.speeches:
        own = index.speech_chunks(speech["speech_id"])
        assert len(own) == speech["chunks"]
        assert [c.ordinal for c in own] == sorted(c.ordinal for c in own)
    assert index.speech_chunks("no-such-speech") == []


@pytest.mark.parametrize("query", ["", "   ", "？！。，", "办" * 3000])
def test_bad_queries_are_refused(corpus_copy, settings, hash_embedder, query):
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    with pytest.raises(WengaoError):
        Searcher(_open(settings), hash_embedder.queries, hash_embedder.use_queries).search(query)


def test_reingest_embeds_only_changes(corpus_copy, settings, hash_embedder):
    first = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    again = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert again.embedded == 0 and again.reused == first.chunks

    (corpus_copy / "new.txt").write_text(
        "在全市信访工作会议上的讲话\n同志们：\n信访工作是党的群众工作的重要组成部分，是了解社情民意的重要窗口。"
        "各级各部门要把群众的合理诉求解决好，把群众的正当权益维护好。\n", "utf-8")
    removed = sorted(corpus_copy.glob("000_*.txt"))[0]
    removed_chunks = [c for c in _open(settings).chunks if c.source == removed.name]
    removed.unlink()
    third = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert third.embedded == 1
    assert third.chunks == first.chunks - len(removed_chunks) + 1
    assert not [c for c in _open(settings).chunks if c.source == removed.name]


def test_failed_build_keeps_previous_index(corpus_copy, settings, hash_embedder, monkeypatch):
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    before = (settings.index_dir / "CURRENT").read_text()

    def broken_save(self, folder):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("rag.index.store.BM25Index.save", broken_save)
    (corpus_copy / "extra.txt").write_text("在某会议上的讲话\n同志们：\n要把工作做实做细。\n", "utf-8")
    with pytest.raises(OSError):
        ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert (settings.index_dir / "CURRENT").read_text() == before
    assert len(list(settings.index_dir.glob("gen-*"))) == 1
    assert len(_open(settings).speeches) == 9


def test_missing_or_incompatible_index_is_reported(corpus_copy, settings, hash_embedder):
    # Damaged files are covered file by file in test_faults.py.
    with pytest.raises(IndexMissing, match="wengao ingest"):
        _open(settings)
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    gen = settings.index_dir / (settings.index_dir / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["format_version"] = 999
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexInvalid, match="不兼容"):
        _open(settings)


def test_index_holds_no_pickles(corpus_copy, settings, hash_embedder):
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    gen = settings.index_dir / (settings.index_dir / "CURRENT").read_text().strip()
    names = sorted(p.name for p in gen.iterdir())
    assert names == sorted(["manifest.json", "chunks.jsonl", "speeches.jsonl", "vectors.npy",
                            "bm25.npz", "bm25_vocab.json", "bm25_chars.npz", "bm25_chars_vocab.json",
                            "sentences.npy", "sentence_chunks.npy", "sentences_use.npy"])


def test_large_index_searches_through_ivf_lists(corpus_copy, settings, hash_embedder, monkeypatch):
    import numpy as np

    import rag.index.store

    monkeypatch.setattr(rag.index.store, "EXACT_LIMIT", 10)
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    index = _open(settings)
    assert index.manifest["dense"] == "ivf"
    stored = np.load(index.folder / "vectors.npy")
    assert np.array_equal(index.vectors, stored)
    assert not index.vectors.flags.writeable
    searcher = Searcher(index, hash_embedder.queries, hash_embedder.use_queries)
    # At this size every list is probed: the approximate ranking is the exact one.
    scores = stored @ hash_embedder.queries(["督查落实"])[0]
    assert [h.chunk.chunk_id for h in searcher.search("督查落实", k=5, mode="dense")] == [
        index.chunks[i].chunk_id for i in np.argsort(-scores)[:5]
    ]
    # Vectors kept for the next build outlive the index they came from.
    known = rag.index.store.previous_vectors(settings.index_dir, index.manifest["embed_model"]["fingerprint"],
                                             index.manifest["use_model"])
    del index, searcher
    assert all(np.isfinite(v).all() and abs(np.linalg.norm(v) - 1) < 1e-3
               for v in [*known.chunks.values(), *known.sentences.values(), *known.use.values()])


def test_many_sentences_are_stored_as_float16_and_searched_through_ivf_lists(
        corpus_copy, settings, hash_embedder, monkeypatch):
    import faiss
    import numpy as np

    import rag.index.store

    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    small = _open(settings)
    assert np.load(small.folder / "sentences.npy").dtype == np.float16
    assert not (small.folder / "sentences.faiss").exists()
    # A flat scan computes in float32, from the float16 rows.
    assert small.sentences.vectors.dtype == np.float32
    assert np.array_equal(small.sentences.vectors, np.load(small.folder / "sentences.npy"))

    # More sentences than the limit, fewer chunks: the sentences alone get IVF lists.
    monkeypatch.setattr(rag.index.store, "EXACT_LIMIT", len(small.chunks) + 1)
    report = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert report.embedded == report.sentences_embedded == 0
    index = _open(settings)
    assert index.manifest["dense"] == "flat" and "sentences.faiss" in index.manifest["contents"]
    ivf = faiss.extract_index_ivf(index.sentences.dense)
    assert ivf.ntotal == report.sentences > rag.index.store.EXACT_LIMIT and ivf.nprobe == rag.index.store.SENTENCE_NPROBE
    stored = np.load(index.folder / "sentences.npy")
    assert stored.dtype == np.float16 and np.array_equal(stored, small.sentences.vectors.astype(np.float16))
    assert index.sentences.vectors.dtype == np.float16 and not index.sentences.vectors.flags.writeable

    # Every list probed: the candidates, scored by their float16 rows, rank chunks as an exact scan does.
    ivf.nprobe = ivf.nlist
    query = hash_embedder.queries(["督查落实"])[0]
    best = np.maximum.reduceat(stored.astype(np.float32) @ query, index.sentences.offsets[:-1])
    hits = Searcher(index, hash_embedder.queries, hash_embedder.use_queries).search("督查落实", k=5, mode="sentence")
    # (Chunks holding the same sentence tie: any order of them is right.)
    row = {c.chunk_id: i for i, c in enumerate(index.chunks)}
    assert [round(h.score, 5) for h in hits] == [round(float(best[row[h.chunk.chunk_id]]), 5) for h in hits]
    assert [round(h.score, 5) for h in hits] == [round(float(s), 5) for s in np.sort(best)[::-1][:5]]
    assert Searcher(index, hash_embedder.queries, hash_embedder.use_queries).search("督查落实", k=5)[0].scores["sentence"] > 0


def test_index_with_a_dense_structure_of_another_kind_asks_for_a_rebuild_and_keeps_its_vectors(
        corpus_copy, settings, hash_embedder):
    import rag.index.store

    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    folder = _open(settings).folder
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["dense"] = "hnsw"
    manifest[rag.index.store.MANIFEST_SEAL] = rag.index.store._manifest_digest(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    with pytest.raises(IndexInvalid, match="旧版本.*wengao ingest"):
        _open(settings)
    known = rag.index.store.previous_vectors(settings.index_dir, manifest["embed_model"]["fingerprint"],
                                             manifest["use_model"])
    chunks = rag.index.store._read_chunks(folder)
    assert len(known.chunks) == len({rag.index.store.passage_text(c) for c in chunks})
    assert len(known.sentences) == len(known.use) == len({u for c in chunks for u in rag.index.store.sentence_units(c)})
    report = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert report.embedded == report.sentences_embedded == 0 and _open(settings).manifest["dense"] == "flat"


def test_index_of_an_earlier_format_is_rebuilt_embedding_only_its_sentences(corpus_copy, settings, hash_embedder):
    """Formats 2 and 3 embedded chunks as now but sentences as passages: only the sentences are
    embedded again."""
    import rag.index.store

    first = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    folder = _open(settings).folder
    # Format 2 had the same vectors and no BM25 over characters.
    for name in ("bm25_chars.npz", "bm25_chars_vocab.json"):
        (folder / name).unlink()
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["format_version"] = 2
    manifest["contents"] = {n: v for n, v in manifest["contents"].items() if not n.startswith("bm25_chars")}
    manifest[rag.index.store.MANIFEST_SEAL] = rag.index.store._manifest_digest(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    with pytest.raises(IndexInvalid, match="不兼容.*wengao ingest"):
        _open(settings)
    # Its roots are still read: `wengao ingest` with no folder (make index) rebuilds it from them.
    from rag.index.build import corpus_roots

    assert corpus_roots(settings) == [corpus_copy.resolve()]
    hash_embedder.calls = 0
    again = ingest(corpus_roots(settings), settings, progress=False, embedder=hash_embedder)
    assert again.embedded == 0 and again.sentences_embedded == hash_embedder.calls == first.sentences
    assert again.sentences == first.sentences
    assert _open(settings).manifest["format_version"] == rag.index.store.FORMAT_VERSION


def test_ingest_splits_each_chunk_into_sentences_once(corpus_copy, settings, hash_embedder, monkeypatch):
    import rag.index.build
    import rag.index.store

    calls = []

    def counted(chunk):
        calls.append(chunk.chunk_id)
        return split(chunk)

    split = rag.index.store.sentence_units
    monkeypatch.setattr(rag.index.build, "sentence_units", counted)
    monkeypatch.setattr(rag.index.store, "sentence_units", counted)
    report = ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert len(calls) == len(set(calls)) == report.chunks
    index = _open(settings)
    assert index.sentences.offsets[-1] == report.sentences
    assert all(index.sentences.offsets[i + 1] - index.sentences.offsets[i] == len(split(c))
               for i, c in enumerate(index.chunks))


def test_an_index_whose_use_vectors_another_encoder_made_is_refused(corpus_copy, settings, hash_embedder):
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert open_searcher(settings, hash_embedder).search("督查落实", k=1)
    hash_embedder.use_fingerprint = "hash-use-v2"
    with pytest.raises(ModelMissing, match="第二编码器.*wengao ingest"):
        open_searcher(settings, hash_embedder)
    # Rebuilt with it, the index is searched again.
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    assert open_searcher(settings, hash_embedder).search("督查落实", k=1)
