"""What a running workspace keeps loaded: the embedder, the generator, a searcher over the live index.

One Workspace serves every browser session. Generation is serialised by the
generator's own lock (and by the Gradio queue in front of it); an ingest swaps
in a new searcher only once the new index generation is live.

Adding or removing files is a change of the corpus folder that the rebuild
after it puts in the index; if the process dies between the two, the next
start undoes the change (ui/library.py), so folder and index still agree.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rag import faultpoint
from rag.errors import WengaoError
from rag.index.build import IngestReport, corpus_roots, ingest
from rag.index.embedder import Embedder
from rag.index.store import live_generation
from rag.search.hybrid import Searcher, open_searcher
from rag.settings import Settings
from ui.library import Library, source_file


class CancellableGenerator:
    """The loaded model with a cancel flag passed to every call (rag's drafting functions take none)."""

    def __init__(self, generator, cancel: threading.Event):
        self.generator = generator
        self.cancel = cancel

    @property
    def timings(self):
        return self.generator.timings

    def stream(self, messages: list[dict], **kwargs):
        return self.generator.stream(messages, cancel=self.cancel, **kwargs)


class Tickets:
    """Cancel flags of requests, handed out when a button is clicked so that a request can be
    cancelled while it still waits in the queue."""

    def __init__(self) -> None:
        self._flags: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def open(self) -> str:
        ticket = uuid.uuid4().hex
        with self._lock:
            self._flags[ticket] = threading.Event()
        return ticket

    def flag(self, ticket: str) -> threading.Event:
        with self._lock:
            return self._flags.setdefault(ticket, threading.Event())

    def cancel(self, ticket: str) -> bool:
        """True when there was a request to cancel."""
        with self._lock:
            flag = self._flags.get(ticket)
        if flag is None:
            return False
        flag.set()
        return True

    def close(self, ticket: str) -> None:
        with self._lock:
            self._flags.pop(ticket, None)


@dataclass
class SpeechRow:
    speech_id: str
    title: str
    source: str
    sections: int
    chunks: int


@dataclass
class CorpusChange:
    """The outcome of adding or removing files: what changed, what was refused, the new index."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    report: IngestReport | None = None


class Workspace:
    def __init__(self, settings: Settings, generator=None, embedder: Embedder | None = None):
        from rag.llm.generate import generator_for

        self.settings = settings
        # The generator first: a wrong model path or server fails before the slower loads.
        self.generator = generator or generator_for(settings)
        self.embedder = embedder or Embedder(settings)
        self.searcher: Searcher = open_searcher(settings, self.embedder)
        # At start, not at the first question: its evidence is due within a second.
        self.searcher.warm()
        self.library = Library(settings)
        # A change cut short by a kill, kept or undone by what the index in service holds.
        self.library.recover(self._live())
        self.tickets = Tickets()
        self._build = threading.Lock()

    def model(self, ticket: str) -> CancellableGenerator:
        return CancellableGenerator(self.generator, self.tickets.flag(ticket))

    def speeches(self) -> list[SpeechRow]:
        index = self.searcher.index
        rows = []
        for speech in index.speeches:
            own = index.speech_chunks(speech["speech_id"])
            sections = {c.section[0] for c in own if c.section}
            rows.append(SpeechRow(speech["speech_id"], speech["title"], speech["source"],
                                  len(sections), len(own)))
        return rows

    def add_files(self, uploads: list[tuple[Path, str]], progress: bool = False) -> CorpusChange:
        """Store the readable uploads (path, name as uploaded) and index them; refused files are listed."""
        change = CorpusChange()
        with self._build, self.library.change(self._live):
            stored = []
            for path, name in uploads:
                try:
                    stored.append(self.library.store(path, name))
                except WengaoError as exc:
                    change.refused.append((name, str(exc)))
            if not stored:
                return change
            faultpoint.reach("upload stored")
            change.report = self._rebuild(progress)
            change.done = [p.name for p in stored]
        return change

    def remove_speech(self, speech_id: str, progress: bool = False) -> CorpusChange:
        """Take the file holding a speech out of the corpus and rebuild; every speech in that file goes."""
        with self._build:
            index = self.searcher.index
            speech = next((s for s in index.speeches if s["speech_id"] == speech_id), None)
            if speech is None:
                raise WengaoError("语料库中已没有这篇讲话，请刷新列表。")
            source = source_file(speech["source"], corpus_roots(self.settings))
            if source is None:
                raise WengaoError(f"找不到讲话“{speech['title']}”的源文件 {speech['source']}。")
            with self.library.change(self._live):
                self.library.remove(source)
                faultpoint.reach("speech removed")
                report = self._rebuild(progress)
            gone = [s["title"] for s in index.speeches if s["source"] == speech["source"]]
            return CorpusChange(done=gone, report=report)

    def _live(self) -> str:
        """The index generation in service."""
        return live_generation(self.settings.index_dir).name

    def _rebuild(self, progress: bool) -> IngestReport:
        """A new index generation from the corpus as it now is, then a searcher over it."""
        roots = self.library.build_roots(corpus_roots(self.settings))
        report = ingest(roots, self.settings, progress=progress, embedder=self.embedder)
        self.searcher = open_searcher(self.settings, self.embedder)
        return report
