"""Files -> speeches -> chunks: read, clean, split and chunk a corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rag.corpus.chunk import chunk_speech
from rag.corpus.clean import Removal, clean_corpus, core_text, normalize
from rag.corpus.dedupe import DuplicateFinder
from rag.corpus.readers import UnreadableFile, find_files, read_file
from rag.corpus.split import split_speeches
from rag.types import Chunk, SourceText, Speech

# A file that loses more of its text than this as noise is named in the ingest summary:
# either it is mostly noise, or the cleaning took speech text with it.
MAX_NOISE_SHARE = 0.30


@dataclass
class FileWarning:
    """A file read without error that did not come through whole."""

    path: str
    chunks: int
    removed_share: float

    @property
    def message(self) -> str:
        share = f"{self.removed_share:.0%}"
        if not self.chunks:
            return f"没有得到任何片段（作为噪声去除 {share} 的文字），请检查该文件"
        return f"作为噪声去除了 {share} 的文字，请检查是否丢失了讲话内容"


@dataclass
class Corpus:
    """Everything read from the input paths, before indexing."""

    sources: list[SourceText] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    removed: dict[str, list[Removal]] = field(default_factory=dict)
    duplicates: int = 0
    warnings: list[FileWarning] = field(default_factory=list)


def display_names(paths: list[Path], roots: list[Path]) -> dict[Path, str]:
    """Names shown for files: relative to the folder given, or the bare file name."""
    names: dict[Path, str] = {}
    for path in paths:
        name = path.name
        for root in roots:
            if root.is_dir() and path.is_relative_to(root):
                name = path.relative_to(root).as_posix()
                break
        names[path] = name
    return names


def read_corpus(roots: list[Path], progress=None) -> Corpus:
    """Read, clean, split and chunk every supported file under `roots`."""
    corpus = Corpus()
    roots = [r.expanduser().resolve() for r in roots]
    files, skipped = find_files(roots)
    corpus.skipped += [(str(p), why) for p, why in skipped]
    names = display_names(files, roots)
    iterator = progress(files, desc="读取文件", unit="个") if progress else files
    for path in iterator:
        try:
            corpus.sources.append(read_file(path, names[path]))
        except UnreadableFile as exc:
            corpus.skipped.append((str(path), str(exc)))
    cleaned = clean_corpus([normalize(s.text) for s in corpus.sources])
    finder = DuplicateFinder()
    for source, text in zip(corpus.sources, cleaned):
        speeches, front = split_speeches(text, source.path)
        corpus.removed[source.path] = text.removed + front
        corpus.speeches += speeches
        chunks = [c for speech in speeches for c in chunk_speech(speech, is_duplicate=finder.seen)]
        corpus.chunks += chunks
        share = _removed_share(source, corpus.removed[source.path])
        if not chunks or share > MAX_NOISE_SHARE:
            corpus.warnings.append(FileWarning(source.path, len(chunks), round(share, 3)))
    corpus.duplicates = finder.hits
    return corpus


def _removed_share(source: SourceText, removed: list[Removal]) -> float:
    total = len(core_text(source.text))
    return min(1.0, sum(len(core_text(r.text)) for r in removed) / total) if total else 0.0

