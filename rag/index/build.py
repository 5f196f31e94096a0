"""Runs the stages in order: files -> speeches -> chunks -> vectors -> a new index generation."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from embeddings.use_m3 import DIM as USE_DIM
from rag.corpus.read import Corpus, FileWarning, read_corpus
from rag.index.embedder import Embedder
from rag.index.store import (
    VECTOR_FORMATS,
    build_lock,
    live_generation,
    passage_text,
    previous_vectors,
    read_manifest,
    sentence_units,
    text_key,
    write_generation,
)
from rag.settings import Settings

# Texts embedded per call (a progress bar each): 77 MB of float32 vectors at 384 dimensions.
EMBED_BATCH = 50_000


@dataclass
class IngestReport:
    files_read: int
    skipped: list[tuple[str, str]]
    speeches: int
    chunks: int
    embedded: int
    reused: int
    # Sentences are embedded too (sentence search); these count them.
    sentences: int
    sentences_embedded: int
    duplicates: int
    removed_chars: int
    seconds: float
    index: str
    titles: list[str] = field(default_factory=list)
    # Files read but not fully indexed: no chunk at all, or much of the text removed as noise.
    warnings: list[FileWarning] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every input file was read and indexed whole."""
        return not self.skipped and not self.warnings


def ingest(
    roots: list[Path], settings: Settings, progress: bool = True, embedder: Embedder | None = None
) -> IngestReport:
    """Read `roots` and make them the index's corpus, embedding only what is new."""
    start = time.perf_counter()
    from tqdm import tqdm

    corpus = read_corpus(roots, progress=tqdm if progress else None)
    embedder = embedder or Embedder(settings)
    index_dir = settings.index_dir
    with build_lock(index_dir):
        # Split once (0.7 ms a chunk): the sentences are embedded, and their count per chunk is written.
        units, counts = [], []
        for chunk in corpus.chunks:
            own = sentence_units(chunk)
            units += own
            counts.append(len(own))
        vectors, todo, sentence_vectors, sentences_todo, use_vectors = _corpus_vectors(
            corpus, units, index_dir, embedder, progress)
        write_generation(index_dir, corpus.chunks, corpus.speeches, vectors, sentence_vectors, use_vectors,
                         _manifest(corpus, roots, embedder), sentence_counts=counts)
    return IngestReport(
        files_read=len(corpus.sources),
        skipped=corpus.skipped,
        speeches=len(corpus.speeches),
        chunks=len(corpus.chunks),
        embedded=todo,
        reused=len(corpus.chunks) - todo,
        sentences=len(sentence_vectors),
        sentences_embedded=sentences_todo,
        duplicates=corpus.duplicates,
        removed_chars=sum(len(r.text) for rs in corpus.removed.values() for r in rs),
        seconds=round(time.perf_counter() - start, 2),
        index=str(index_dir),
        titles=[s.title for s in corpus.speeches],
        warnings=corpus.warnings,
    )


def _corpus_vectors(corpus: Corpus, units: list[str], index_dir: Path, embedder: Embedder,
                    progress: bool) -> tuple[np.ndarray, int, np.ndarray, int, np.ndarray]:
    """Chunk vectors and float16 vectors of the sentence `units`, each with how many were embedded
    anew; and the units' float16 USE vectors.

    The earlier build's vectors (its sentences memory-mapped) are let go on return,
    before the new generation is written.
    """
    known = previous_vectors(index_dir, embedder.fingerprint, embedder.use_fingerprint)
    vectors, todo = _embed([passage_text(c) for c in corpus.chunks], known.chunks, embedder.passages,
                           embedder.dim, progress)
    sentence_vectors, sentences_todo = _embed(units, known.sentences, embedder.sentences, embedder.dim,
                                              progress, np.float16)
    use_vectors, _ = _embed(units, known.use, embedder.use_sentences, USE_DIM, progress, np.float16)
    return vectors, todo, sentence_vectors, sentences_todo, use_vectors


def _embed(texts: list[str], known: dict[str, np.ndarray], encode: Callable[..., np.ndarray], dim: int,
           progress: bool, dtype: type = np.float32) -> tuple[np.ndarray, int]:
    """Vectors for `texts` as `dtype`, reusing `known` ones by text hash; and how many were embedded anew.

    New ones are embedded EMBED_BATCH at a time, so float16 sentence vectors are never all held as float32.
    """
    keys = [text_key(t) for t in texts]
    todo = [i for i, key in enumerate(keys) if key not in known]
    vectors = np.zeros((len(texts), dim), dtype=dtype)
    for i, key in enumerate(keys):
        if key in known:
            vectors[i] = known[key]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start:start + EMBED_BATCH]
        vectors[batch] = encode([texts[i] for i in batch], progress=progress)
    return vectors, len(todo)


def _manifest(corpus: Corpus, roots: list[Path], embedder: Embedder) -> dict:
    per_file: dict[str, dict] = {
        s.path: {"sha256": s.sha256, "encoding": s.encoding, "speeches": 0, "chunks": 0}
        for s in corpus.sources
    }
    for speech in corpus.speeches:
        per_file[speech.source]["speeches"] += 1
    for chunk in corpus.chunks:
        per_file[chunk.source]["chunks"] += 1
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "roots": [str(r.expanduser().resolve()) for r in roots],
        "embed_model": {"path": str(embedder.path), "name": embedder.path.name,
                        "dim": embedder.dim, "fingerprint": embedder.fingerprint},
        "use_model": embedder.use_fingerprint,
        "chunks": len(corpus.chunks),
        "speeches": len(corpus.speeches),
        "files": per_file,
        "skipped": [{"path": p, "reason": r} for p, r in corpus.skipped],
    }


def corpus_roots(settings: Settings) -> list[Path]:
    """The folders the live index was built from, to refresh it without naming them again.

    Only the manifest is read, so a refresh also rebuilds an index whose other files are damaged,
    or one an earlier version built (its format is not searched, but its roots are the user's).
    """
    manifest = read_manifest(live_generation(settings.index_dir), settings.index_dir, VECTOR_FORMATS)
    return [Path(r) for r in manifest.get("roots", [])]
