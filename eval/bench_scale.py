"""Index build and search at 10^4..10^6 chunks, on a synthetic corpus.

    python eval/bench_scale.py --sizes 10000,100000,1000000 [--embed-sample 1000] [--out eval/results]

For each size, in a fresh process (so peak memory is that size's own):
- chunks come from eval/synth_corpus.py (sample speeches recombined, then the real chunker);
- vectors: `--embed-sample` chunks, and their sentence units (`rag.index.store.sentence_units`),
  are embedded for real with the index's model, which gives the embedding rates; the
  other vectors are synthesised from those (random mixes of three real vectors plus a
  little noise), chunk vectors from chunk vectors and sentence vectors from sentence
  vectors, as many of these as the real `sentence_units` gives on each synthetic chunk,
  so the index and search figures run on realistic but not real-text vectors at the
  larger sizes; sentence vectors are synthesised into a float16 memory map, as the
  index stores them (10^6 chunks make 17M rows: 26 GB as float32);
- BM25 tokens: jieba's rate is measured on the sample; the build then reuses
  tokens per sentence (exactly the same tokens: jieba never joins words across
  sentence punctuation, checked on the sample), so the build time reported is
  the measured build without tokenising plus the extrapolated tokenising;
- the index is written by the real `write_generation`, then opened and
  searched in another fresh process through the real `Searcher` with real
  query embeddings (eval queries), timing dense, BM25, sentence and hybrid search,
  hybrid with and without the sentence signal (rag.search.hybrid.SENTENCE_WEIGHT 0);
- the build time of the sentence part (splitting, IVF lists, writing and hashing the
  sentence files) is charged step by step inside the real build;
- the sentence candidate search (IVF lists of 8-bit codes) is compared with exact
  search over the stored rows for several nprobe: rows found, chunks found, and the
  hybrid top 10 against hybrid search on exact sentence candidates;
- the dense candidates (exact, IVF lists, HNSW, IVF-PQ with exact re-ranking) are
  compared on recall@10 against exact search and on latency; BM25 is timed
  against bm25s on the same tokens.
Prints a Markdown table (also written to OUT/scale.md with OUT/scale.json) and
draws OUT/scale.png (latency against corpus size). Sizes already in OUT/scale.json
and not run this time are kept, each with the date and core count of its own run:
`--sizes 10000` refreshes that row and leaves the published larger sizes as they
were. Point --out at another folder for a report of this run alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402

import rag.index.store  # noqa: E402
import rag.search.hybrid  # noqa: E402
from eval.measure import PeakAnon, latency, peak_rss_mb, timed_ms  # noqa: E402
from eval.synth_corpus import Synthesizer, sample_speeches  # noqa: E402
from rag.index.bm25 import tokenize  # noqa: E402
from rag.index.embedder import Embedder  # noqa: E402
from rag.index.store import CorpusIndex, SentenceIndex, passage_text, sentence_units, write_generation  # noqa: E402
from rag.search.hybrid import Searcher  # noqa: E402
from rag.search.query import search_text  # noqa: E402
from rag.settings import load_settings  # noqa: E402

QUERY_FILES = ("retrieval_dev.jsonl", "retrieval_test.jsonl", "relevance_queries.jsonl")
K = 10
LABELS = {"dense": "dense", "bm25": "BM25", "hybrid_chunks": "hybrid without sentences", "hybrid": "hybrid"}
# Cut after sentence punctuation or a line break: jieba splits its input at
# these characters anyway, so tokenising the pieces gives the same tokens.
_PIECE = re.compile(r"(?<=[。！？；\n])")


def queries() -> list[str]:
    found = []
    for name in QUERY_FILES:
        for line in (ROOT / "eval" / "data" / name).read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found.append(row.get("query") or row.get("request") or row.get("text"))
    return list(dict.fromkeys(q for q in found if q))


@cache
def _piece_tokens(piece: str) -> tuple[str, ...]:
    return tuple(tokenize(piece))


def cached_tokenize(text: str) -> list[str]:
    return [t for piece in _PIECE.split(text) if piece for t in _piece_tokens(piece)]


def synthesise_vectors(real: np.ndarray, n: int, seed: int, out: np.ndarray | None = None) -> np.ndarray:
    """n unit vectors spread over the span of the real ones: a random mix of three, plus a little noise.

    Mixing spreads the points out as a real corpus's are; copies of a few
    hundred real vectors plus noise would instead form tight clusters of
    near-ties, on which no approximate index can tell the true top 10 apart.
    Written into `out` (n rows, e.g. a float16 memory map) when given.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32) if out is None else out
    step = 50_000
    for lo in range(0, n, step):
        m = min(step, n - lo)
        weights = rng.dirichlet([1.0, 1.0, 1.0], m).astype(np.float32)
        mixed = np.einsum("mk,mkd->md", weights, real[rng.integers(0, len(real), (m, 3))])
        mixed += rng.normal(0, 0.01, mixed.shape).astype(np.float32)
        out[lo:lo + m] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
    return out


def folder_bytes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}


# --- build (one process per size) ---------------------------------------------------


def sentence_sample(sample_vectors: Path, kind: str = "sentences") -> Path:
    """Where the sample's sentence vectors (`kind` "sentences", or "use" by the second encoder) are
    kept, beside its chunk vectors."""
    return sample_vectors.with_name(f"{sample_vectors.stem}-{kind}.npy")


def embed_sample(sample: int, seed: int, path: Path) -> dict:
    """Embed the first `sample` synthetic chunks and their sentence units for real (alike at every size)."""
    synth = Synthesizer(sample_speeches(ROOT / "data" / "corpus"), seed)
    chunks = synth.chunks(sample)[0]
    texts = [passage_text(c) for c in chunks]
    units = [u for c in chunks for u in sentence_units(c)]
    embedder = Embedder(load_settings())
    embedder.passages(texts[:8])  # warm-up
    start = time.perf_counter()
    np.save(path, embedder.passages(texts))
    out = {"embed_rate": round(len(texts) / (time.perf_counter() - start), 1), "embedded": len(texts)}
    start = time.perf_counter()
    np.save(sentence_sample(path), embedder.passages(units).astype(np.float16))
    out |= {"sentence_embed_rate": round(len(units) / (time.perf_counter() - start), 1),
            "sentences_embedded": len(units)}
    start = time.perf_counter()
    np.save(sentence_sample(path, "use"), embedder.use_sentences(units).astype(np.float16))
    return out | {"use_embed_rate": round(len(units) / (time.perf_counter() - start), 1)}


def sentence_rows(sample: Path, index_dir: Path, kind: str, known: int, rows: int,
                  seed: int) -> tuple[np.ndarray, Path]:
    """A float16 memory map of `rows` sentence vectors: the sample's `known` real ones, then
    synthetic ones spread like them; and its file, to remove after the build."""
    real_units = np.load(sample)
    if known != len(real_units):
        raise SystemExit(f"{len(real_units)} sample {kind} vectors for {known} sentences")
    source = index_dir.with_name(f"{index_dir.name}-{kind}.npy")
    out = np.lib.format.open_memmap(source, mode="w+", dtype=np.float16, shape=(rows, real_units.shape[1]))
    out[:known] = real_units
    synthesise_vectors(real_units, rows - known, seed, out=out[known:])
    out.flush()
    return out, source


def charge_steps(spent: dict[str, float]) -> None:
    """Charge the time of write_generation's steps to its sentence part or the rest, by what each handles.

    Not split: the final fsync of the generation folder (charged to neither).
    """
    def by_file(path: object, *_: object, **__: object) -> str:
        return "sentences" if Path(str(getattr(path, "name", path))).name.startswith("sentence") else "rest"

    def wrap(owner: object, name: str, part) -> None:
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[part(*args, **kwargs)] += time.perf_counter() - start

        setattr(owner, name, timed)

    wrap(rag.index.store, "sentence_units", lambda *_: "sentences")
    wrap(rag.index.store, "build_dense", lambda _vectors, codes="Flat":
         "sentence_lists" if codes == rag.index.store.SENTENCE_CODES else "dense_lists")
    wrap(rag.index.store, "_sha256", by_file)
    wrap(np, "save", by_file)
    wrap(faiss, "write_index", lambda _index, path: by_file(path))


def build(size: int, index_dir: Path, sample_vectors: Path, seed: int) -> dict:
    with PeakAnon() as anon:
        out = _build(size, index_dir, sample_vectors, seed)
    return out | {"build_peak_rss_mb": round(peak_rss_mb()), "build_peak_anon_mb": round(anon.mb)}


def _build(size: int, index_dir: Path, sample_vectors: Path, seed: int) -> dict:
    synth = Synthesizer(sample_speeches(ROOT / "data" / "corpus"), seed)
    start = time.perf_counter()
    chunks, speeches = synth.chunks(size)
    out: dict = {"size": size, "speeches": len(speeches), "synth_s": round(time.perf_counter() - start, 1)}
    real = np.load(sample_vectors)
    texts = [passage_text(c) for c in chunks[: len(real)]]
    vectors = np.concatenate([real, synthesise_vectors(real, size - len(real), seed)])

    start = time.perf_counter()
    units = np.array([len(sentence_units(c)) for c in chunks])
    out["sentence_units_rate"] = round(size / (time.perf_counter() - start))
    known = int(units[: len(real)].sum())
    sentence_vectors, source = sentence_rows(sentence_sample(sample_vectors), index_dir, "sentences",
                                             known, int(units.sum()), seed + 1)
    use_vectors, use_source = sentence_rows(sentence_sample(sample_vectors, "use"), index_dir, "use",
                                            known, int(units.sum()), seed + 2)

    start = time.perf_counter()
    plain = [tokenize(t) for t in texts]
    tokenize_rate = len(texts) / (time.perf_counter() - start)
    if plain != [cached_tokenize(t) for t in texts]:
        raise SystemExit("per-sentence tokens differ from whole-passage tokens")
    out["tokenize_rate"] = round(tokenize_rate, 1)

    spent = dict.fromkeys(("sentences", "sentence_lists", "dense_lists", "rest"), 0.0)
    charge_steps(spent)
    rag.index.store.tokenize = cached_tokenize
    start = time.perf_counter()
    folder = write_generation(index_dir, chunks, speeches, vectors, sentence_vectors, use_vectors,
                              {"embed_model": {"fingerprint": "synthetic"}})
    write_s = time.perf_counter() - start
    del sentence_vectors, use_vectors
    source.unlink()
    use_source.unlink()
    out["write_s"] = round(write_s, 1)
    out["dense_build_s"] = round(spent["dense_lists"], 1)
    out["sentence_rows"] = int(units.sum())
    out["sentence_kind"] = "ivf" if (folder / "sentences.faiss").exists() else "flat"
    out["sentence_build_s"] = round(spent["sentences"] + spent["sentence_lists"], 1)
    out["sentence_lists_build_s"] = round(spent["sentence_lists"], 1)
    out["tokenize_s_extrapolated"] = round(size / tokenize_rate, 1)
    out["build_s"] = round(write_s + out["tokenize_s_extrapolated"], 1)
    out["dense_kind"] = json.loads((folder / "manifest.json").read_text("utf-8"))["dense"]
    out["disk_bytes"] = folder_bytes(folder)
    out["disk_mb"] = round(sum(out["disk_bytes"].values()) / 2**20, 1)
    out["sentence_disk_mb"] = round(sum(b for name, b in out["disk_bytes"].items()
                                        if name.startswith("sentence")) / 2**20, 1)
    return out


# --- serve (one process per size) ---------------------------------------------------


def serve(index_dir: Path, queries_wanted: int) -> dict:
    with PeakAnon() as anon:
        out = _serve(index_dir, queries_wanted)
    return out | {"serve_peak_rss_mb": round(peak_rss_mb()), "serve_peak_anon_mb": round(anon.mb)}


def _serve(index_dir: Path, queries_wanted: int) -> dict:
    settings = load_settings(index=index_dir)
    embedder = Embedder(settings)
    qs = queries()[:queries_wanted]
    # Searcher embeds each query as search_text makes it (outline ordinals and shells stripped).
    texts = [search_text(q) for q in qs]
    qvecs = embedder.queries(texts)
    known = dict(zip(texts, qvecs))
    known_use = dict(zip(texts, embedder.use_queries(texts)))
    sentence_rss = []
    real_load = SentenceIndex.load

    def measured_load(folder: Path, n_chunks: int) -> SentenceIndex:
        before = _rss_now_mb()
        loaded = real_load(folder, n_chunks)
        sentence_rss.append(_rss_now_mb() - before)
        return loaded

    SentenceIndex.load = staticmethod(measured_load)
    rss_before = _rss_now_mb()
    start = time.perf_counter()
    index = CorpusIndex.open(index_dir)
    out: dict = {"open_s": round(time.perf_counter() - start, 1),
                 "index_rss_mb": round(_rss_now_mb() - rss_before),
                 "sentence_rss_mb": round(sentence_rss[0]), "queries": len(qs)}
    # Query vectors are computed once: search figures are the index's own, and
    # embedding a query (the same cost at any corpus size) is timed on its own.
    searcher = Searcher(index, lambda texts: np.stack([known[t] for t in texts]),
                        lambda texts: np.stack([known_use[t] for t in texts]))
    searcher.search(qs[0])  # warm-up
    weights = rag.search.hybrid.SENTENCE_WEIGHT, rag.search.hybrid.USE_WEIGHT
    # hybrid search on chunk vectors and BM25 alone
    rag.search.hybrid.SENTENCE_WEIGHT = rag.search.hybrid.USE_WEIGHT = 0.0
    out["search_hybrid_chunks"] = latency(timed_ms(lambda q: searcher.search(q, k=K), qs))
    rag.search.hybrid.SENTENCE_WEIGHT, rag.search.hybrid.USE_WEIGHT = weights
    for mode in ("dense", "bm25", "sentence", "hybrid"):
        out[f"search_{mode}"] = latency(timed_ms(lambda q, m=mode: searcher.search(q, k=K, mode=m), qs))
    out["search_encode"] = latency(timed_ms(lambda q: embedder.queries([q]), qs))
    out["search_encode_use"] = latency(timed_ms(lambda q: embedder.use_queries([q]), qs))
    out["sentence_candidates"] = sentence_candidates(index, searcher, qs, qvecs)
    out["dense_candidates"] = dense_candidates(index.vectors, qvecs, index.dense)
    out["bm25_candidates"] = bm25_candidates(index, qs)
    return out


def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def exact_rows(rows: np.ndarray, qvecs: np.ndarray, depth: int, block: int = 200_000) -> np.ndarray:
    """Ids of each query's `depth` best rows, best first: an exact scan, block by block in float32."""
    best_ids = np.zeros((len(qvecs), 0), dtype=np.int64)
    best_scores = np.zeros((len(qvecs), 0), dtype=np.float32)
    for start in range(0, len(rows), block):
        scores = qvecs @ np.asarray(rows[start:start + block], dtype=np.float32).T
        top = np.argpartition(-scores, depth - 1, axis=1)[:, :depth] if scores.shape[1] > depth \
            else np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
        merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, 1)], axis=1)
        merged_ids = np.concatenate([best_ids, top + start], axis=1)
        keep = np.argsort(-merged_scores, axis=1, kind="stable")[:, :depth]
        best_scores = np.take_along_axis(merged_scores, keep, 1)
        best_ids = np.take_along_axis(merged_ids, keep, 1)
    return best_ids


class ExactSentences:
    """Stands in for the sentence IVF lists: answers each query with its exact nearest rows."""

    def __init__(self, ids: dict[bytes, np.ndarray], ntotal: int):
        self.ids = ids
        self.ntotal = ntotal

    def search(self, query_vectors: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
        ids = np.stack([self.ids[q.tobytes()][:depth] for q in query_vectors])
        return np.zeros(ids.shape, dtype=np.float32), ids


def sentence_candidates(index: CorpusIndex, searcher: Searcher, qs: list[str],
                        qvecs: np.ndarray) -> list[dict]:
    """The sentence candidate search against an exact scan of the stored rows, per nprobe.

    rows: share of the exact top `depth` sentences found; chunks@10: share of the
    10 chunks with the best sentences (exactly) that are among the candidates'
    chunks (which hybrid search then re-scores exactly); hybrid@10: overlap of the
    hybrid top 10 with that of hybrid search on exact sentence candidates.
    """
    sentences = index.sentences
    depth = max(rag.search.hybrid.SENTENCE_CANDIDATES, 4 * K)
    start = time.perf_counter()
    truth = exact_rows(sentences.vectors, qvecs, depth)
    results = [{"name": "exact (scan of the float16 rows)", "rows": 1.0, "chunks@10": 1.0, "hybrid@10": 1.0,
                "scan_s": round(time.perf_counter() - start, 1)}]
    if not isinstance(sentences.dense, faiss.IndexIVF):
        return results

    def top_chunks(ids: np.ndarray) -> list[int]:
        return list(dict.fromkeys(sentences.chunk_of[ids].tolist()))

    def hybrid_top() -> list[set[str]]:
        return [{p.chunk.chunk_id for p in hits} for hits in searcher.search_many(qs, k=K)]

    live = sentences.dense
    sentences.dense = ExactSentences({q.tobytes(): t for q, t in zip(qvecs, truth)}, live.ntotal)
    exact_hybrid = hybrid_top()
    sentences.dense = live
    true_chunks = [set(top_chunks(t)[:K]) for t in truth]
    for nprobe in sorted({16, 32, 64, 128, 256, rag.index.store.SENTENCE_NPROBE}):
        live.nprobe = nprobe
        found = [live.search(q[None], depth)[1][0] for q in qvecs]
        times = latency(timed_ms(lambda q: live.search(q[None], depth), list(qvecs)))
        hybrid = hybrid_top()
        results.append({
            "name": f"IVF{live.nlist},{rag.index.store.SENTENCE_CODES} nprobe={nprobe}",
            "rows": round(statistics.mean(len(set(f.tolist()) & set(t.tolist())) / depth
                                          for f, t in zip(found, truth)), 4),
            "chunks@10": round(statistics.mean(len(c & set(top_chunks(f[f >= 0]))) / K
                                               for f, c in zip(found, true_chunks)), 4),
            "hybrid@10": round(statistics.mean(len(a & b) / K for a, b in zip(hybrid, exact_hybrid)), 4),
            **times})
    live.nprobe = rag.index.store.SENTENCE_NPROBE
    return results


def dense_candidates(vectors: np.ndarray, qvecs: np.ndarray, live: faiss.Index) -> list[dict]:
    """Recall@10 against exact search, latency and size of each dense index kind.

    The index's own IVF lists are measured as built (their build time is the
    build's); below EXACT_LIMIT they are built here for comparison, as are an
    HNSW graph and compressed IVF-PQ codes with exact re-ranking.
    """
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(qvecs, K)
    results = [_measure("exact (flat)", exact, qvecs, truth, build_s=0.0)]
    del exact
    if len(vectors) < 50_000:
        return results  # an approximate index only pays above this
    ivf, ivf_s = live, None
    if isinstance(live, faiss.IndexFlat):
        t0 = time.perf_counter()
        ivf = rag.index.store.ivf_index(vectors)
        ivf_s = time.perf_counter() - t0
    for nprobe in sorted({32, 64, 128, rag.index.store.IVF_NPROBE, 512}):
        ivf.nprobe = nprobe
        results.append(_measure(f"IVF{ivf.nlist},Flat nprobe={nprobe}", ivf, qvecs, truth, ivf_s))
    ivf.nprobe = rag.index.store.IVF_NPROBE
    results += _hnsw(vectors, qvecs, truth) + _ivf_pq(vectors, qvecs, truth)
    return results


def _hnsw(vectors: np.ndarray, qvecs: np.ndarray, truth: np.ndarray, m: int = 32, ef_construction: int = 40):
    t0 = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = ef_construction
    hnsw.add(vectors)
    build_s = time.perf_counter() - t0
    results = []
    for ef in (128, 256, 512, 1024):
        hnsw.hnsw.efSearch = ef
        results.append(_measure(f"HNSW M={m} efC={ef_construction} ef={ef}", hnsw, qvecs, truth, build_s))
    return results


def _ivf_pq(vectors: np.ndarray, qvecs: np.ndarray, truth: np.ndarray) -> list[dict]:
    t0 = time.perf_counter()
    ivf = rag.index.store.ivf_index(vectors, codes="PQ48")
    build_s = time.perf_counter() - t0
    results = []
    for nprobe in (64, 256):
        ivf.nprobe = nprobe
        results.append(_measure(f"IVF{ivf.nlist},PQ48 nprobe={nprobe} +rerank100", ivf, qvecs, truth, build_s,
                                rerank=vectors))
    return results


def _measure(name: str, index: faiss.Index, qvecs: np.ndarray, truth: np.ndarray, build_s: float,
             rerank: np.ndarray | None = None) -> dict:
    def one(q: np.ndarray) -> np.ndarray:
        if rerank is None:
            return index.search(q[None], K)[1][0]
        ids = index.search(q[None], 100)[1][0]
        ids = ids[ids >= 0]
        return ids[np.argsort(-(rerank[ids] @ q))[:K]]

    found = [one(q) for q in qvecs]
    recall = statistics.mean(len(set(f.tolist()) & set(t.tolist())) / K for f, t in zip(found, truth))
    with tempfile.NamedTemporaryFile() as fh:
        faiss.write_index(index, fh.name)
        size_mb = Path(fh.name).stat().st_size / 2**20
    return {"name": name, "recall@10": round(recall, 4), "build_s": build_s and round(build_s, 1),
            "size_mb": round(size_mb, 1), **latency(timed_ms(one, list(qvecs)))}


def bm25_candidates(index: CorpusIndex, qs: list[str]) -> list[dict]:
    """Our postings arrays against bm25s (a sparse matrix) on the same tokens."""
    import bm25s

    qtokens = [tokenize(q) for q in qs]
    ours = latency(timed_ms(lambda t: _top_k(index.bm25.scores(t)), qtokens))
    rows = [{"name": "postings arrays (ours)", **ours}]
    start = time.perf_counter()
    tokens = [cached_tokenize(passage_text(c)) for c in index.chunks]
    other = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    other.index(tokens, show_progress=False)
    build_s = time.perf_counter() - start
    del tokens
    rows.append({"name": "bm25s 0.3 (numpy)", "build_s": round(build_s, 1),
                 **latency(timed_ms(lambda t: _top_k(_bm25s_scores(other, t)), qtokens))})
    return rows


def _bm25s_scores(model, tokens: list[str]) -> np.ndarray:
    known = [t for t in tokens if t in model.vocab_dict]
    if not known:
        return np.zeros(model.scores["num_docs"], dtype=np.float32)
    return model.get_scores(known)


def _top_k(scores: np.ndarray) -> np.ndarray:
    return np.argpartition(-scores, K)[:K] if len(scores) > K else np.arange(len(scores))


# --- driver -------------------------------------------------------------------------


def run_child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def merge_rows(published: list[dict], fresh: list[dict]) -> list[dict]:
    """`published` with the rows of the sizes in `fresh` replaced by those, in order of size."""
    by_size = {r["size"]: r for r in published} | {r["size"]: r for r in fresh}
    return [by_size[size] for size in sorted(by_size)]


def run_note(row: dict) -> str:
    run = row.get("run")
    return f"{run['date']}, {run['cores']} cores" if run else "date not recorded"


def latency_cells(row: dict, modes: tuple[str, ...]) -> str:
    """ "p50 / p95" of each search mode, as table cells."""
    return " | ".join(f"{row[f'search_{m}']['p50']} / {row[f'search_{m}']['p95']}" for m in modes)


def table(rows: list[dict]) -> str:
    lines = [
        "| chunks | dense index | build s (measured + tokenise est.) | embed s (est.) | disk MB | "
        "build peak MB | open s | index RSS MB | dense p50/p95 ms | BM25 p50/p95 ms | hybrid p50/p95 ms | "
        "query embedding p50/p95 ms |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {r['dense_kind']} | {r['write_s']} + {r['tokenize_s_extrapolated']} | "
            f"{r['embed_s_extrapolated']:,.0f} | {r['disk_mb']:,} | {r['build_peak_rss_mb']:,} | "
            f"{r['open_s']} | {r['index_rss_mb']:,} | "
            + latency_cells(r, ("dense", "bm25", "hybrid", "encode")) + " |"
        )
    lines += ["", "| chunks | dense candidate | recall@10 vs exact | p50 ms | p95 ms | build s | size MB |",
              "|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        for c in r["dense_candidates"]:
            lines.append(f"| {r['size']:,} | {c['name']} | {c['recall@10']} | {c['p50']} | {c['p95']} | "
                         f"{c['build_s']} | {c['size_mb']} |")
    lines += ["", "| chunks | BM25 implementation | p50 ms | p95 ms |", "|---:|---|---:|---:|"]
    for r in rows:
        for c in r["bm25_candidates"]:
            lines.append(f"| {r['size']:,} | {c['name']} | {c['p50']} | {c['p95']} |")
    # Rows of runs before sentence vectors carry no sentence figures.
    with_sentences = [r for r in rows if "sentence_rows" in r]
    lines += ["", "| chunks | sentence rows | sentence index | sentences disk MB | "
              "sentence build s (IVF lists) | sentence embed s (est.) | index RSS MB (sentences) | "
              "build peak anon MB | "
              "hybrid without sentences p50/p95 ms | hybrid p50/p95 ms | sentence p50/p95 ms |",
              "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in with_sentences:
        lines.append(
            f"| {r['size']:,} | {r['sentence_rows']:,} | {r['sentence_kind']} | {r['sentence_disk_mb']:,} | "
            f"{r['sentence_build_s']} ({r['sentence_lists_build_s']}) | "
            f"{r['sentence_embed_s_extrapolated']:,.0f} | "
            f"{r['index_rss_mb']:,} ({r['sentence_rss_mb']:,}) | {r['build_peak_anon_mb']:,} | "
            + latency_cells(r, ("hybrid_chunks", "hybrid", "sentence")) + " |"
        )
    lines += ["", "| chunks | sentence candidates | rows found | chunks@10 | hybrid@10 | p50 ms | p95 ms |",
              "|---:|---|---:|---:|---:|---:|---:|"]
    for r in with_sentences:
        for c in r["sentence_candidates"]:
            lines.append(f"| {r['size']:,} | {c['name']} | {c['rows']} | {c['chunks@10']} | "
                         f"{c['hybrid@10']} | {c.get('p50', '')} | {c.get('p95', '')} |")
    # Rows can come from different runs (see merge_rows): say which is which.
    lines += ["", "Measured: " + "; ".join(f"{r['size']:,} chunks {run_note(r)}" for r in rows) + "."]
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for mode in ("dense", "bm25", "hybrid_chunks", "hybrid"):
        measured = [r for r in rows if f"search_{mode}" in r]
        for q, style in (("p50", "-o"), ("p95", "--s")):
            ax.plot([r["size"] for r in measured], [r[f"search_{mode}"][q] for r in measured], style,
                    label=f"{LABELS[mode]} {q}")
    ax.axhline(200, color="grey", linewidth=0.8, linestyle=":", label="200 ms")
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("search latency, ms (query embedding excluded)")
    ax.set_title("Wengao search latency against corpus size (2 CPU cores)")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--embed-sample", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=200, help="eval queries timed per mode")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results",
                        help="report folder; sizes reported there and not run now are kept")
    parser.add_argument("--embed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sample-vectors", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embed:
        print(json.dumps(embed_sample(args.embed_sample, args.seed, args.embed)))
        return 0
    if args.build:
        print(json.dumps(build(args.build, args.index, args.sample_vectors, args.seed)))
        return 0
    if args.serve:
        print(json.dumps(serve(args.index, args.queries)))
        return 0
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 10000,100000")
    if any(s < args.embed_sample or s < K for s in sizes):
        parser.error(f"every size must be at least --embed-sample ({args.embed_sample})")
    rows = []
    with tempfile.TemporaryDirectory(prefix="wengao-scale-") as tmp:
        sample_vectors = Path(tmp) / "sample.npy"
        embedded = run_child(["--embed", str(sample_vectors), "--embed-sample", str(args.embed_sample),
                              "--seed", str(args.seed)])
        for size in sizes:
            work = Path(tmp) / str(size)
            started = time.perf_counter()
            row = run_child(["--build", str(size), "--index", str(work), "--sample-vectors",
                             str(sample_vectors), "--seed", str(args.seed)])
            row |= run_child(["--serve", "--index", str(work), "--queries", str(args.queries)])
            row |= embedded
            row["embed_s_extrapolated"] = round(size / row["embed_rate"], 1)
            row["sentence_embed_s_extrapolated"] = round(row["sentence_rows"] / row["sentence_embed_rate"], 1)
            for candidate in row["dense_candidates"]:
                if candidate["build_s"] is None:
                    candidate["build_s"] = row["dense_build_s"]
            row["wall_s"] = round(time.perf_counter() - started, 1)
            row["run"] = {"date": date.today().isoformat(), "cores": os.cpu_count()}
            rows.append(row)
            shutil.rmtree(work)
            print(f"{size:,} chunks done in {row['wall_s']} s", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    published = args.out / "scale.json"
    rows = merge_rows(json.loads(published.read_text("utf-8")) if published.exists() else [], rows)
    kept = [f"{r['size']:,}" for r in rows if r["size"] not in sizes]
    if kept:
        print(f"kept from earlier runs in {published}: {', '.join(kept)} chunks", file=sys.stderr)
    report = table(rows)
    (args.out / "scale.md").write_text(report + "\n", "utf-8")
    published.write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")
    plot(rows, args.out / "scale.png")
    print(report)
    print(f"\nvectors: the first {args.embed_sample} chunks (the same at every size) and their sentences"
          " embedded for real; the rest synthesised from them.")
    print("build s = measured write_generation (BM25 from cached per-sentence tokens)"
          " + jieba tokenising extrapolated from the sample's rate;"
          " embed s extrapolated from the sample's rates."
          " sentence build s: the sentence part of write_generation (splitting, IVF lists, files written"
          " and hashed); peak anon: memory less pages of memory-mapped files.")
    print(f"written: {args.out / 'scale.md'}, {args.out / 'scale.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
