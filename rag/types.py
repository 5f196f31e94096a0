"""Data types shared by every stage: files -> speeches -> chunks -> passages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SourceText:
    """One input file, decoded to text."""

    path: str
    text: str
    encoding: str
    sha256: str


@dataclass
class Speech:
    """One speech: a file may hold several (a compilation)."""

    speech_id: str
    title: str
    source: str
    paragraphs: list[str]
    # True when the file gave no title line and one had to be derived.
    title_derived: bool = False


@dataclass
class Chunk:
    """A retrievable unit: whole paragraphs or a sentence-aligned window of one."""

    chunk_id: str
    speech_id: str
    title: str
    source: str
    section: list[str]
    text: str
    ordinal: int

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Passage:
    """A chunk as found by a search, with its scores."""

    chunk: Chunk
    score: float
    rank: int = 0
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "chunk_id": self.chunk.chunk_id,
            "title": self.chunk.title,
            "section": self.chunk.section_path,
            "text": self.chunk.text,
            "source": self.chunk.source,
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
        }


@dataclass
class Citation:
    """A passage a draft rests on, numbered as it is shown to the user."""

    n: int
    chunk_id: str
    title: str
    section: str
    quote: str
    source: str = ""


@dataclass
class SentenceSupport:
    """One sentence of a draft and the citations that support it."""

    text: str
    citations: list[int] = field(default_factory=list)
    supported: bool = False
    # Longest run of characters copied verbatim from the corpus.
    copied_chars: int = 0
    # Per citation, in the same order: the source sentence that supports this one.
    quotes: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """Generated text with its evidence, as every drafting command returns it."""

    text: str
    sentences: list[SentenceSupport] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    copy: dict[str, float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class OutlinePoint:
    """One point of an outline and the passages that support it."""

    text: str
    passages: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "passages": [p.to_dict() for p in self.passages]}


@dataclass
class Outline:
    """A proposed outline for one topic."""

    topic: str
    points: list[OutlinePoint]
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"topic": self.topic, "points": [p.to_dict() for p in self.points],
                "timings": self.timings, "notes": self.notes}


@dataclass
class Part:
    """One part of a whole speech: the opening, one section under its heading, or the closing.

    Paragraph text carries [n] markers numbered across the whole speech.
    """

    kind: str  # "opening", "section" or "closing"
    heading: str
    paragraphs: list[str]


@dataclass
class Manuscript:
    """A whole speech ready to export, with every source it cites."""

    title: str
    parts: list[Part]
    citations: list[Citation]
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)
