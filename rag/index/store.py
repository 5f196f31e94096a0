"""The index directory: dense vectors, BM25, chunk text and a manifest.

Layout (plain formats only; an index is a file someone may hand you, so
nothing here is ever unpickled):

    INDEX_DIR/CURRENT            name of the live generation
    INDEX_DIR/gen-*/manifest.json
    INDEX_DIR/gen-*/chunks.jsonl, speeches.jsonl
    INDEX_DIR/gen-*/vectors.npy  float32, one row per chunk, L2-normalised
    INDEX_DIR/gen-*/dense.faiss  only above EXACT_LIMIT chunks (approximate search: IVF lists)
    INDEX_DIR/gen-*/sentences.npy, sentence_chunks.npy
                                 float16, one row per sentence of every chunk, in chunk order; and its chunk
    INDEX_DIR/gen-*/sentences.faiss  only above EXACT_LIMIT sentences (IVF lists of 8-bit codes)
    INDEX_DIR/gen-*/sentences_use.npy
                                 float16, the same sentences by the second encoder (embeddings/use_m3.py)
    INDEX_DIR/gen-*/bm25.npz, bm25_vocab.json
                                 BM25 over jieba words (its vocabulary serves the off-corpus judge)
    INDEX_DIR/gen-*/bm25_chars.npz, bm25_chars_vocab.json
                                 BM25 over characters and bigrams, which search ranks by

A build writes a new generation beside the live one and then replaces CURRENT
in one rename, so an interrupted build leaves the previous index in service.
Before the rename the new generation's files, its folder, the new pointer and
the index folder are fsynced, and the index folder again after it: after a
power cut CURRENT names either the old generation or a new one that is whole.
The steps are named points (rag/faultpoint.py) where a test can kill the build.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cached_property, wraps
from pathlib import Path
from typing import TypeVar

import faiss
import numpy as np

from rag import faultpoint
from rag.corpus.clean import core_text
from rag.corpus.structure import split_sentences
from rag.corpus.traditional import to_simplified
from rag.errors import IndexInvalid, IndexMissing, WengaoError
from rag.index.bm25 import BM25Index, terms, tokenize
from rag.types import Chunk, Speech

# 2: sentence vectors; text folded to simplified characters before it is embedded and tokenised.
# 3: search ranks by BM25 over characters and character bigrams (rag.index.bm25.terms), a file of its own.
# 4: sentences are embedded as queries are (a query is matched against a sentence like with like).
# 5: sentences are also embedded by a second encoder, USE (sentences_use.npy).
FORMAT_VERSION = 5
# Formats whose chunk vectors a build may reuse: embedded from the same texts as now (3 added a BM25
# only), those whose sentence vectors it may, and those whose USE vectors it may.
VECTOR_FORMATS = (2, 3, 4, 5)
SENTENCE_VECTOR_FORMATS = (4, 5)
USE_VECTOR_FORMATS = (5,)
# Up to this many chunks, search is exact (a flat inner-product scan takes a few
# milliseconds); above it the vectors are split into IVF_LISTS_PER_ROOT * sqrt(n)
# k-means lists and a query scans the IVF_NPROBE lists nearest to it.
# Chosen with eval/bench_scale.py at 10^6 chunks on 2 cores: 2000 lists, 256 probed,
# recall@10 against exact search 0.97 at 22 ms p95 (exact: 311 ms), built in 28 s;
# an HNSW graph (M=32) took 285 s to build and reached 0.87 at efSearch 1024, as
# text embeddings crowd together and the graph loses true neighbours among near-ties.
EXACT_LIMIT = 100_000
IVF_LISTS_PER_ROOT = 2
IVF_NPROBE = 256
IVF_TRAIN_PER_LIST = 40
# Rows go into IVF lists this many at a time, converted to float32 batch by batch: a build never
# holds all sentence rows (float16) as float32.
IVF_ADD_BATCH = 100_000
# Sentences outnumber chunks about 17 to 1 (26 GB as float32 at 10^6 chunks), so sentences.npy is
# float16: half the disk, and the re-scoring of a pooled chunk reads its few rows memory-mapped and
# computes in float32. Above EXACT_LIMIT rows the candidate search scans IVF lists of 8-bit codes
# (a quarter of float32 in memory), which only pick candidates; their scores come from the rows.
# nprobe chosen with eval/bench_scale.py at 10^5 chunks (1.7M sentences, 2610 lists) on 2 cores: of the
# 10 chunks with the best sentences, the candidates of 256 lists hold 0.98 (64 lists: 0.91, 128: 0.95),
# and the hybrid top 10 is 0.97 that of hybrid search on exact sentence candidates, for 4 ms p95
# (at 10^6 chunks, 17M sentences in 8254 lists: 0.97 and 0.96, for 18 ms p95).
SENTENCE_CODES = "SQ8"
SENTENCE_NPROBE = 256
BM25_CHARS = "bm25_chars"
CONTENT_FILES = ("chunks.jsonl", "speeches.jsonl", "vectors.npy", "bm25.npz", "bm25_vocab.json",
                 f"{BM25_CHARS}.npz", f"{BM25_CHARS}_vocab.json",
                 "sentences.npy", "sentence_chunks.npy", "sentences_use.npy")
# A sentence shorter than this (in letters and digits) is searched together with the next one:
# "同志们：" or "一是" alone says nothing a query could match.
SENTENCE_MIN_CHARS = 10
# Sentences longer than this are also searched clause by clause, clauses of at least CLAUSE_MIN_CHARS.
CLAUSE_SPLIT_CHARS = 40
CLAUSE_MIN_CHARS = 12
# The manifest's own checksum, over its other fields: an edited manifest is caught like an edited file.
MANIFEST_SEAL = "manifest_sha256"
# A write that stopped short with this little space left ran out of it.
SHORT_WRITE_FREE = 1 << 20


def rebuild_hint(index_dir: Path) -> str:
    """The command that rebuilds the index, with the folders it was built from when a manifest names them."""
    roots = recorded_roots(index_dir)
    paths = " ".join(shlex.quote(r) for r in roots) if roots else "<语料文件夹>"
    return f"重建索引: wengao ingest {paths} --index {shlex.quote(str(index_dir))}"


def passage_text(chunk: Chunk) -> str:
    """What is embedded and keyword-indexed: the text under its own heading.

    A chunk that continues a section gets the section's heading in front, so
    it is found by what the section is about. Measured with eval/retrieval.py
    on the dev set (hybrid recall@5 / MRR): text alone 0.948 / 0.842; text under
    its heading 0.983 / 0.823; title + full section path + text 0.931 / 0.811 —
    speech titles are alike across a corpus of one kind of meeting and drown
    the passage's own words.
    """
    heading = chunk.section[-1] if chunk.section else ""
    if heading and not chunk.text.startswith(heading):
        return to_simplified(f"{heading}\n{chunk.text}")
    return to_simplified(chunk.text)


def sentence_units(chunk: Chunk) -> list[str]:
    """The chunk's sentences as they are embedded, and the clauses of its long sentences.

    A query that restates one sentence of a long chunk matches that sentence far better than
    the whole chunk, and one clause of a long sentence better than the sentence (dev queries,
    sentence search alone, recall@5: sentences 0.839, with clauses 0.944).
    """
    sentences = [s for line in chunk.text.split("\n") for s in split_sentences(line.strip()) if core_text(s)]
    units = _merge_short(sentences, SENTENCE_MIN_CHARS)
    units += [c for u in units if len(u) > CLAUSE_SPLIT_CHARS for c in _clauses(u)]
    return [to_simplified(u) for u in units] or [passage_text(chunk)]


def _clauses(sentence: str) -> list[str]:
    """A long sentence cut after its commas and semicolons, into clauses of a useful length."""
    clauses = _merge_short([p for p in re.split(r"(?<=[，；：、])", sentence) if p], CLAUSE_MIN_CHARS)
    return clauses if len(clauses) > 1 else []


def _merge_short(pieces: list[str], least: int) -> list[str]:
    """`pieces`, each under `least` letters and digits joined to the next (the last: to the one before)."""
    out: list[str] = []
    for piece in pieces:
        if out and len(core_text(out[-1])) < least:
            out[-1] += piece
        else:
            out.append(piece)
    if len(out) > 1 and len(core_text(out[-1])) < least:
        last = out.pop()
        out[-1] += last
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _fsync_tree(folder: Path) -> None:
    """Every file in `folder` on disk, then the folder's own list of them."""
    for path in folder.iterdir():
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """The folder's entries (files created, renamed or removed in it) on disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def build_lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WengaoError(f"另一个进程正在写入索引 {index_dir}，请稍后再试。") from None
        yield


T = TypeVar("T")


def per_index(build: Callable[[CorpusIndex], T]) -> Callable[[CorpusIndex], T]:
    """`build(index)` computed once per index generation (its folder), then reused: what is
    derived from a whole index, read on every question."""
    built: dict[str, T] = {}

    @wraps(build)
    def cached(index: CorpusIndex) -> T:
        key = str(index.folder)
        if key not in built:
            built[key] = build(index)
        return built[key]

    return cached


@dataclass
class CorpusIndex:
    folder: Path
    manifest: dict
    chunks: list[Chunk]
    speeches: list[dict]
    vectors: np.ndarray
    dense: faiss.Index
    # jieba words (the off-corpus judge reads its vocabulary) and characters with bigrams (search).
    bm25: BM25Index
    bm25_chars: BM25Index
    sentences: SentenceIndex

    @classmethod
    def open(cls, index_dir: Path, verify: bool = True, generation: Path | None = None) -> CorpusIndex:
        """The live generation (or `generation`); `verify` checks every file against its checksum.

        A damaged live generation is reported with the command that rebuilds it,
        not replaced by the one kept before it: that one may still hold speeches
        removed since, and the rebuild reuses its vectors (see previous_vectors).
        """
        folder = generation or live_generation(index_dir)
        manifest = read_manifest(folder, index_dir)
        if verify:
            _verify(folder, manifest, index_dir)
        if manifest.get("dense", "flat") not in ("flat", "ivf"):
            # Built before the dense index became IVF lists: same files, other kind of dense.faiss.
            raise IndexInvalid(
                f"索引的检索结构来自旧版本（{manifest['dense']}），需要重建。{rebuild_hint(index_dir)}")
        try:
            chunks = _read_chunks(folder)
            speeches = [json.loads(line) for line in _lines(folder / "speeches.jsonl")]
            bm25 = BM25Index.load(folder)
            bm25_chars = BM25Index.load(folder, BM25_CHARS)
            dense, vectors = _load_dense(folder, "vectors.npy", "dense.faiss")
            sentences = SentenceIndex.load(folder, len(chunks))
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
            raise IndexInvalid(f"索引已损坏 ({exc})。{rebuild_hint(index_dir)}") from None
        if not (len(chunks) == vectors.shape[0] == bm25.n_docs == bm25_chars.n_docs == dense.ntotal):
            raise IndexInvalid(f"索引各部分数量不一致。{rebuild_hint(index_dir)}")
        return cls(folder, manifest, chunks, speeches, vectors, dense, bm25, bm25_chars, sentences)

    def speech_chunks(self, speech_id: str) -> list[Chunk]:
        """One speech's chunks in reading order."""
        return self._by_speech.get(speech_id, [])

    @cached_property
    def _by_speech(self) -> dict[str, list[Chunk]]:
        by_speech: dict[str, list[Chunk]] = {}
        for chunk in self.chunks:
            by_speech.setdefault(chunk.speech_id, []).append(chunk)
        for own in by_speech.values():
            own.sort(key=lambda c: c.ordinal)
        return by_speech


@dataclass
class SentenceIndex:
    """Every chunk's sentence vectors, in chunk order: a chunk scores by its best sentence."""

    vectors: np.ndarray
    chunk_of: np.ndarray
    dense: faiss.Index
    # Rows offsets[i]:offsets[i + 1] are chunk i's sentences.
    offsets: np.ndarray
    # The same rows by the second encoder (embeddings/use_m3.py), memory-mapped float16: they only
    # re-score candidates, so they need no search structure of their own.
    use_vectors: np.ndarray

    @classmethod
    def load(cls, folder: Path, n_chunks: int) -> SentenceIndex:
        dense, vectors = _load_dense(folder, "sentences.npy", "sentences.faiss", SENTENCE_NPROBE)
        chunk_of = np.load(folder / "sentence_chunks.npy", allow_pickle=False)
        if dense.ntotal != len(vectors) or vectors.shape[1] != dense.d:
            raise ValueError("sentences.faiss does not match sentences.npy")
        if len(chunk_of) != len(vectors) or np.any(np.diff(chunk_of) < 0) \
                or (len(chunk_of) and (chunk_of[0] < 0 or chunk_of[-1] >= n_chunks)):
            raise ValueError("sentence_chunks.npy does not match the sentences")
        offsets = np.searchsorted(chunk_of, np.arange(n_chunks + 1)).astype(np.int64)
        use_vectors = np.load(folder / "sentences_use.npy", mmap_mode="r", allow_pickle=False)
        if len(use_vectors) != len(vectors):
            raise ValueError("sentences_use.npy does not match sentences.npy")
        return cls(vectors, chunk_of, dense, offsets, use_vectors)

    def search(self, query_vectors: np.ndarray, depth: int) -> list[list[tuple[int, float]]]:
        """Per query, the chunks of its `depth` nearest sentences with their best sentence's score."""
        if self.dense.ntotal == 0:
            return [[] for _ in query_vectors]
        _, ids = self.dense.search(query_vectors, min(depth, self.dense.ntotal))
        hits = []
        for query_vector, row_ids in zip(query_vectors, ids):
            row_ids = row_ids[row_ids >= 0]
            # Scored by the stored rows: the IVF lists hold 8-bit approximations.
            scores = self.row_scores(row_ids, query_vector)
            best: dict[int, float] = {}
            for i, score in zip(row_ids, scores):
                chunk = int(self.chunk_of[i])
                best[chunk] = max(best.get(chunk, -1.0), float(score))
            hits.append(sorted(best.items(), key=lambda item: -item[1]))
        return hits

    def chunk_scores(self, chunks: np.ndarray, query_vector: np.ndarray, use: bool = False) -> np.ndarray:
        """The best sentence score of each of `chunks`, computed exactly; by the USE vectors with `use`."""
        if not len(chunks):
            return np.zeros(0, np.float32)
        starts, counts = self.offsets[chunks], self.offsets[chunks + 1] - self.offsets[chunks]
        firsts = np.cumsum(counts) - counts
        # The chunks' row ranges end to end: each row's place in the list, shifted to its chunk's start.
        rows = np.arange(counts.sum()) + np.repeat(starts - firsts, counts)
        # Every chunk has at least one sentence, so each slice of reduceat is non-empty.
        return np.maximum.reduceat(self.row_scores(rows, query_vector, use), firsts)

    def row_scores(self, rows: np.ndarray, query_vector: np.ndarray, use: bool = False) -> np.ndarray:
        """Inner products of `rows` (of the USE vectors with `use`) with the query, in float32
        (float16 rows are read from the memory map).

        By einsum's own loop, not BLAS: OpenBLAS runs a product of a few thousand rows on threads
        that keep spinning after it, and on 2 cores that made the searches after it several times
        slower (10^4 chunks: hybrid p50 10 ms instead of 5, the chunk scan in it 19 ms instead of 0.8).
        """
        vectors = self.use_vectors if use else self.vectors
        return np.einsum("ij,j->i", np.asarray(vectors[rows], dtype=np.float32), query_vector)


def _load_dense(folder: Path, vectors_file: str, index_file: str,
                nprobe: int = IVF_NPROBE) -> tuple[faiss.Index, np.ndarray]:
    """The dense index, and the vectors read-only, held once.

    A flat index keeps its own float32 copy of the vectors: they are a view of it.
    Beside an approximate index they are memory-mapped from the file as stored
    (float32 chunks, float16 sentences), paged in only for the rows a query
    re-scores (1.5 GB a million chunks). Either lives as long as the index:
    copy rows that must outlive it.
    """
    if (folder / index_file).exists():
        dense = faiss.read_index(str(folder / index_file))
        faiss.extract_index_ivf(dense).nprobe = nprobe
        return dense, np.load(folder / vectors_file, mmap_mode="r", allow_pickle=False)
    loaded = np.load(folder / vectors_file, allow_pickle=False)
    dense = faiss.IndexFlatIP(loaded.shape[1])
    dense.add(np.ascontiguousarray(loaded, dtype=np.float32))
    if dense.ntotal == 0:
        return dense, np.zeros((0, dense.d), dtype=np.float32)
    vectors = faiss.rev_swig_ptr(dense.get_xb(), dense.ntotal * dense.d).reshape(dense.ntotal, dense.d)
    vectors.flags.writeable = False
    return dense, vectors


def _read_chunks(folder: Path) -> list[Chunk]:
    return [Chunk(**json.loads(line)) for line in _lines(folder / "chunks.jsonl")]


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.strip()]


def _verify(folder: Path, manifest: dict, index_dir: Path) -> None:
    for name, expected in manifest.get("contents", {}).items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != expected["bytes"]:
            raise IndexInvalid(f"索引文件 {name} 缺失或大小不对（被截断或改动）。{rebuild_hint(index_dir)}")
        if _sha256(path) != expected["sha256"]:
            raise IndexInvalid(
                f"索引文件 {name} 已被改动或损坏（与清单中的校验值不符）。{rebuild_hint(index_dir)}"
            )


def _manifest_digest(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != MANIFEST_SEAL}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _load_manifest(folder: Path) -> dict:
    """A generation's manifest, checked against the checksum it carries (older manifests carry none)."""
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError("内容不是 JSON 对象")
    # Only these formats' checksums can be checked; another format is refused as such by read_manifest.
    seal = manifest.get(MANIFEST_SEAL)
    if manifest.get("format_version") in VECTOR_FORMATS and seal not in (None, _manifest_digest(manifest)):
        raise ValueError("内容与其自带的校验值不符")
    return manifest


def read_manifest(folder: Path, index_dir: Path, formats: tuple[int, ...] = (FORMAT_VERSION,)) -> dict:
    """A generation's manifest, if it is one of `formats` (by default: only the one this program searches)."""
    try:
        manifest = _load_manifest(folder)
    except (OSError, ValueError) as exc:
        raise IndexInvalid(
            f"索引清单 manifest.json 已损坏或被改动 ({exc})。{rebuild_hint(index_dir)}"
        ) from None
    if manifest.get("format_version") not in formats:
        raise IndexInvalid(
            f"索引格式版本 {manifest.get('format_version')} 与本程序 ({FORMAT_VERSION}) 不兼容。"
            f"{rebuild_hint(index_dir)}"
        )
    return manifest


def _pointer(index_dir: Path) -> str:
    """The generation name in CURRENT; empty when there is none or it cannot be read."""
    try:
        return (index_dir / "CURRENT").read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def live_generation(index_dir: Path) -> Path:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        raise IndexMissing(f"索引目录 {index_dir} 中没有索引。{rebuild_hint(index_dir)}")
    name = _pointer(index_dir)
    folder = index_dir / name
    if not name.startswith("gen-") or "/" in name or not folder.is_dir():
        raise IndexInvalid(
            f"索引指针文件 CURRENT 已损坏：它指向的 {name!r} 不是本目录中的索引。{rebuild_hint(index_dir)}"
        )
    return folder


def _generations(index_dir: Path) -> list[Path]:
    """Generation folders: the live one first, then the others newest first (names start with the time)."""
    live = _pointer(index_dir)
    newest_first = sorted(index_dir.glob("gen-*"), reverse=True)
    return sorted(newest_first, key=lambda folder: folder.name != live)


def recorded_roots(index_dir: Path) -> list[str]:
    """The corpus folders named by the newest readable manifest; empty when none is readable."""
    for folder in _generations(index_dir):
        try:
            return [str(root) for root in _load_manifest(folder)["roots"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return []


Known = dict[str, np.ndarray]


@dataclass
class KnownVectors:
    """Vectors of an earlier build keyed by text hash: chunks', sentences' and the sentences' USE
    vectors (each empty when that build did not embed them as now)."""

    chunks: Known
    sentences: Known
    use: Known


def previous_vectors(index_dir: Path, fingerprint: str, use_fingerprint: str) -> KnownVectors:
    """Vectors of an earlier build by the same models, to skip re-embedding.

    Those of the live generation, or when it is damaged (or built with another
    model) those of the newest intact generation kept beside it, so a rebuild
    after damage embeds only what changed since that one.
    """
    for folder in _generations(index_dir):
        try:
            manifest = read_manifest(folder, index_dir, VECTOR_FORMATS)
            if manifest.get("embed_model", {}).get("fingerprint") != fingerprint:
                continue
            _verify(folder, manifest, index_dir)
            chunks = _read_chunks(folder)
            vectors = np.load(folder / "vectors.npy", allow_pickle=False)
            # Memory-mapped: only the rows of sentences still in the corpus are read, into the new build.
            sentences = np.load(folder / "sentences.npy", mmap_mode="r", allow_pickle=False)
            use = (np.load(folder / "sentences_use.npy", mmap_mode="r", allow_pickle=False)
                   if manifest.get("format_version") in USE_VECTOR_FORMATS
                   and manifest.get("use_model") == use_fingerprint else None)
        except (WengaoError, OSError, ValueError, TypeError, KeyError):
            continue
        units = [u for c in chunks for u in sentence_units(c)]
        if len(chunks) == len(vectors) and len(units) == len(sentences):
            keys = [text_key(u) for u in units]
            same = manifest.get("format_version") in SENTENCE_VECTOR_FORMATS
            return KnownVectors(dict(zip((text_key(passage_text(c)) for c in chunks), vectors)),
                                dict(zip(keys, sentences)) if same else {},
                                dict(zip(keys, use)) if use is not None and len(use) == len(units) else {})
    return KnownVectors({}, {}, {})


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def build_dense(vectors: np.ndarray, codes: str = "Flat") -> faiss.Index | None:
    """The approximate index a large corpus needs, or None where a flat scan is fast enough."""
    return ivf_index(vectors, codes) if len(vectors) > EXACT_LIMIT else None


def ivf_index(vectors: np.ndarray, codes: str = "Flat") -> faiss.IndexIVF:
    """The vectors in IVF_LISTS_PER_ROOT * sqrt(n) k-means lists, stored as `codes` (a FAISS code name).

    `vectors` may be float16 or memory-mapped: they are read IVF_ADD_BATCH rows at a time.
    """
    lists = max(1, int(IVF_LISTS_PER_ROOT * np.sqrt(len(vectors))))
    dense = faiss.index_factory(vectors.shape[1], f"IVF{lists},{codes}", faiss.METRIC_INNER_PRODUCT)
    # A fixed sample keeps the lists, and so the answers, the same from one build to the next.
    sample = np.random.default_rng(0).permutation(len(vectors))[: IVF_TRAIN_PER_LIST * lists]
    dense.train(np.asarray(vectors[np.sort(sample)], dtype=np.float32))
    for start in range(0, len(vectors), IVF_ADD_BATCH):
        dense.add(np.asarray(vectors[start:start + IVF_ADD_BATCH], dtype=np.float32))
    return dense


def write_generation(
    index_dir: Path,
    chunks: list[Chunk],
    speeches: list[Speech],
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
    use_vectors: np.ndarray,
    manifest: dict,
    sentence_counts: list[int] | None = None,
) -> Path:
    """Write a complete generation and make it live; the old one stays until the swap.

    `sentence_vectors` has a row for each of `sentence_units(chunk)` of every chunk, in order, and
    `use_vectors` the same rows by the second encoder; float16 (or a memory map of it) is stored as
    it is, without a float32 copy. `sentence_counts`
    is how many units each chunk has, from a caller that split the chunks already: splitting takes
    0.7 ms a chunk on the sample corpus, 11 minutes of a build at 10^6 chunks.
    """
    previous = _pointer(index_dir)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    folder = index_dir / f"gen-{stamp}-{os.getpid()}-{os.urandom(3).hex()}"
    pointer_tmp = index_dir / f"CURRENT.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True)
        faultpoint.reach("write chunks.jsonl")
        _write_jsonl(folder / "chunks.jsonl", (asdict(c) for c in chunks))
        counts: dict[str, int] = {}
        for c in chunks:
            counts[c.speech_id] = counts.get(c.speech_id, 0) + 1
        faultpoint.reach("write speeches.jsonl")
        _write_jsonl(
            folder / "speeches.jsonl",
            (
                {"speech_id": s.speech_id, "title": s.title, "source": s.source,
                 "title_derived": s.title_derived, "paragraphs": len(s.paragraphs),
                 "chunks": counts.get(s.speech_id, 0)}
                for s in speeches
            ),
        )
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        faultpoint.reach("write vectors.npy")
        np.save(folder / "vectors.npy", vectors, allow_pickle=False)
        # Token lists made one chunk at a time: all of them at once take 40 kB a chunk as characters and
        # bigrams (sample corpus), 40 GB at 10^6 chunks. Each index writes its vocabulary, then its arrays.
        faultpoint.reach("write bm25_vocab.json")
        BM25Index.build(tokenize(passage_text(c)) for c in chunks).save(folder)
        faultpoint.reach(f"write {BM25_CHARS}_vocab.json")
        BM25Index.build(terms(passage_text(c)) for c in chunks).save(folder, BM25_CHARS)
        sentence_vectors = np.ascontiguousarray(sentence_vectors, dtype=np.float16)
        if sentence_counts is None:
            sentence_counts = [len(sentence_units(c)) for c in chunks]
        chunk_of = np.repeat(np.arange(len(chunks), dtype=np.int32), sentence_counts)
        if len(chunk_of) != len(sentence_vectors):
            raise ValueError(f"{len(sentence_vectors)} sentence vectors for {len(chunk_of)} sentences")
        faultpoint.reach("write sentences.npy")
        np.save(folder / "sentences.npy", sentence_vectors, allow_pickle=False)
        faultpoint.reach("write sentence_chunks.npy")
        np.save(folder / "sentence_chunks.npy", chunk_of, allow_pickle=False)
        use_vectors = np.ascontiguousarray(use_vectors, dtype=np.float16)
        if len(use_vectors) != len(sentence_vectors):
            raise ValueError(f"{len(use_vectors)} USE vectors for {len(sentence_vectors)} sentences")
        faultpoint.reach("write sentences_use.npy")
        np.save(folder / "sentences_use.npy", use_vectors, allow_pickle=False)
        names = list(CONTENT_FILES)
        dense = build_dense(vectors)
        if dense is not None:
            faiss.write_index(dense, str(folder / "dense.faiss"))
            names.append("dense.faiss")
        sentence_dense = build_dense(sentence_vectors, SENTENCE_CODES)
        if sentence_dense is not None:
            faiss.write_index(sentence_dense, str(folder / "sentences.faiss"))
            names.append("sentences.faiss")
        manifest = dict(manifest, format_version=FORMAT_VERSION,
                        dense="flat" if dense is None else "ivf",
                        contents={n: {"bytes": (folder / n).stat().st_size,
                                      "sha256": _sha256(folder / n)} for n in names})
        faultpoint.reach("write manifest.json")
        (folder / "manifest.json").write_text(
            json.dumps({**manifest, MANIFEST_SEAL: _manifest_digest(manifest)}, ensure_ascii=False, indent=1),
            "utf-8",
        )
        faultpoint.reach("written")
        _fsync_tree(folder)
        pointer_tmp.write_text(folder.name + "\n", "utf-8")
        with pointer_tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        # The new folder's entry and the pointer's: a rename that outlives a power cut finds both.
        _fsync_dir(index_dir)
        faultpoint.reach("fsynced")
        os.replace(pointer_tmp, index_dir / "CURRENT")
    except BaseException as exc:
        full = isinstance(exc, OSError) and _out_of_space(exc, index_dir)
        shutil.rmtree(folder, ignore_errors=True)
        pointer_tmp.unlink(missing_ok=True)
        if full:
            raise _disk_full(index_dir, previous) from exc
        raise
    # The new generation is live from here: nothing below may remove it.
    faultpoint.reach("renamed")
    _fsync_dir(index_dir)
    _prune(index_dir, keep={folder.name, previous})
    return folder


def _out_of_space(exc: OSError, index_dir: Path) -> bool:
    """Whether a write failed for want of space (asked before the partial generation is removed).

    numpy reports a short write ("1024 requested and 992 written") without an
    errno; on a full disk the free space is then below one write's worth.
    """
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return exc.errno is None and shutil.disk_usage(index_dir).free < SHORT_WRITE_FREE


def _disk_full(index_dir: Path, previous: str) -> WengaoError:
    """The message for a disk that filled up during a build, once the partial generation is gone."""
    free = shutil.disk_usage(index_dir).free
    live = index_dir / previous
    size = sum(f.stat().st_size for f in live.iterdir() if f.is_file()) if previous and live.is_dir() else 0
    need = f"，现有索引占 {_mib(size)}，新索引需要与之相当的空间" if size else ""
    return WengaoError(
        f"磁盘空间不足：无法在 {index_dir} 写入新的索引（该磁盘只剩 {_mib(free)}{need}）。"
        "请删除该磁盘上不再需要的文件，或用 --index 指定空间充足的目录，然后重新运行 wengao ingest。"
        "未写完的新索引已删除，原有索引未改动，仍可使用。"
    )


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Drop generations but the live one and the one before it (also leftovers of killed builds)."""
    for path in index_dir.glob("gen-*"):
        if path.name not in keep:
            faultpoint.reach("prune")
            shutil.rmtree(path, ignore_errors=True)
    for tmp in index_dir.glob("CURRENT.*.tmp"):
        tmp.unlink(missing_ok=True)
