"""The index directory: dense vectors, BM25, chunk text and a manifest.

Layout (plain formats only; an index is a file someone may hand you, so
nothing here is ever unpickled):

    INDEX_DIR/CURRENT            name of the live generation
    INDEX_DIR/gen-*/manifest.json
    INDEX_DIR/gen-*/chunks.jsonl, speeches.jsonl
    INDEX_DIR/gen-*/vectors.npy  float32, one row per chunk, L2-normalised
    INDEX_DIR/gen-*/dense.faiss  only above EXACT_LIMIT chunks (approximate search)
    INDEX_DIR/gen-*/bm25.npz, bm25_vocab.json

A build writes a new generation beside the live one and then replaces CURRENT
in one rename, so an interrupted build leaves the previous index in service.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from rag.bm25 import BM25Index, tokenize
from rag.errors import IndexInvalid, IndexMissing, WengaoError
from rag.types import Chunk, Speech

FORMAT_VERSION = 1
# Up to this many chunks, search is exact (a flat inner-product scan takes a few
# milliseconds); above it an HNSW graph keeps latency flat as the corpus grows.
EXACT_LIMIT = 100_000
HNSW_M = 32
HNSW_EF_SEARCH = 96
CONTENT_FILES = ("chunks.jsonl", "speeches.jsonl", "vectors.npy", "bm25.npz", "bm25_vocab.json")


def rebuild_hint(index_dir: Path) -> str:
    return f"重建索引: wengao ingest data/corpus --index {index_dir}"


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
        return f"{heading}\n{chunk.text}"
    return chunk.text


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
    for path in folder.iterdir():
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
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


@dataclass
class CorpusIndex:
    folder: Path
    manifest: dict
    chunks: list[Chunk]
    speeches: list[dict]
    vectors: np.ndarray
    dense: faiss.Index
    bm25: BM25Index

    @classmethod
    def open(cls, index_dir: Path, verify: bool = True) -> CorpusIndex:
        folder = live_generation(index_dir)
        manifest_path = folder / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexInvalid(f"索引清单无法读取 ({exc})。{rebuild_hint(index_dir)}") from None
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexInvalid(
                f"索引格式版本 {manifest.get('format_version')} 与本程序 ({FORMAT_VERSION}) 不兼容。"
                f"{rebuild_hint(index_dir)}"
            )
        if verify:
            _verify(folder, manifest, index_dir)
        try:
            chunks = [Chunk(**json.loads(line)) for line in _lines(folder / "chunks.jsonl")]
            speeches = [json.loads(line) for line in _lines(folder / "speeches.jsonl")]
            vectors = np.load(folder / "vectors.npy", allow_pickle=False)
            bm25 = BM25Index.load(folder)
            if (folder / "dense.faiss").exists():
                dense = faiss.read_index(str(folder / "dense.faiss"))
                dense.hnsw.efSearch = HNSW_EF_SEARCH
            else:
                dense = faiss.IndexFlatIP(vectors.shape[1])
                dense.add(vectors)
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
            raise IndexInvalid(f"索引已损坏 ({exc})。{rebuild_hint(index_dir)}") from None
        if not (len(chunks) == vectors.shape[0] == bm25.n_docs == dense.ntotal):
            raise IndexInvalid(f"索引各部分数量不一致。{rebuild_hint(index_dir)}")
        return cls(folder, manifest, chunks, speeches, vectors, dense, bm25)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.strip()]


def _verify(folder: Path, manifest: dict, index_dir: Path) -> None:
    for name, expected in manifest.get("contents", {}).items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != expected["bytes"]:
            raise IndexInvalid(f"索引文件 {name} 缺失或被截断。{rebuild_hint(index_dir)}")
        if _sha256(path) != expected["sha256"]:
            raise IndexInvalid(f"索引文件 {name} 已被改动或损坏。{rebuild_hint(index_dir)}")


def live_generation(index_dir: Path) -> Path:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        raise IndexMissing(f"索引目录 {index_dir} 中没有索引。{rebuild_hint(index_dir)}")
    name = pointer.read_text("utf-8").strip()
    folder = index_dir / name
    if not name.startswith("gen-") or "/" in name or not folder.is_dir():
        raise IndexInvalid(f"索引指针 CURRENT 指向不存在的 {name!r}。{rebuild_hint(index_dir)}")
    return folder


def previous_vectors(index_dir: Path, fingerprint: str) -> dict[str, np.ndarray]:
    """Vectors of the live index keyed by passage-text hash, to skip re-embedding."""
    try:
        old = CorpusIndex.open(index_dir, verify=True)
    except WengaoError:
        return {}
    if old.manifest.get("embed_model", {}).get("fingerprint") != fingerprint:
        return {}
    keys = [text_key(passage_text(c)) for c in old.chunks]
    return dict(zip(keys, old.vectors))


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def write_generation(
    index_dir: Path,
    chunks: list[Chunk],
    speeches: list[Speech],
    vectors: np.ndarray,
    manifest: dict,
) -> Path:
    """Write a complete generation and make it live; the old one stays until the swap."""
    pointer = index_dir / "CURRENT"
    previous = pointer.read_text("utf-8").strip() if pointer.is_file() else ""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    folder = index_dir / f"gen-{stamp}-{os.getpid()}-{os.urandom(3).hex()}"
    folder.mkdir(parents=True)
    try:
        _write_jsonl(folder / "chunks.jsonl", (asdict(c) for c in chunks))
        counts: dict[str, int] = {}
        for c in chunks:
            counts[c.speech_id] = counts.get(c.speech_id, 0) + 1
        _write_jsonl(
            folder / "speeches.jsonl",
            (
                {"speech_id": s.speech_id, "title": s.title, "source": s.source,
                 "title_derived": s.title_derived, "paragraphs": len(s.paragraphs),
                 "chunks": counts.get(s.speech_id, 0)}
                for s in speeches
            ),
        )
        np.save(folder / "vectors.npy", vectors.astype(np.float32), allow_pickle=False)
        BM25Index.build([tokenize(passage_text(c)) for c in chunks]).save(folder)
        names = list(CONTENT_FILES)
        if len(chunks) > EXACT_LIMIT:
            dense = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
            dense.add(vectors.astype(np.float32))
            faiss.write_index(dense, str(folder / "dense.faiss"))
            names.append("dense.faiss")
        manifest = dict(manifest, format_version=FORMAT_VERSION,
                        dense="hnsw" if len(chunks) > EXACT_LIMIT else "flat",
                        contents={n: {"bytes": (folder / n).stat().st_size,
                                      "sha256": _sha256(folder / n)} for n in names})
        (folder / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8"
        )
        _fsync_tree(folder)
        pointer_tmp = index_dir / f"CURRENT.{os.getpid()}.tmp"
        pointer_tmp.write_text(folder.name + "\n", "utf-8")
        with pointer_tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(pointer_tmp, index_dir / "CURRENT")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _prune(index_dir, keep={folder.name, previous})
    return folder


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Drop generations but the live one and the one before it (also leftovers of killed builds)."""
    for path in index_dir.glob("gen-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    for tmp in index_dir.glob("CURRENT.*.tmp"):
        tmp.unlink(missing_ok=True)
