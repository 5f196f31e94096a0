"""A whole speech: opening, one section per outline point, closing, then one numbering of sources.

outline (given or proposed) -> opening -> sections (rag/write/expand.py) -> closing,
each part cited (rag/check/finish.py) and, with a copy limit, rewritten (rag/write/rewrite.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rag.check.cite import cited_paragraphs, model_verifier
from rag.check.finish import finish_draft
from rag.corpus.structure import is_salutation
from rag.llm.generate import Clock, OnToken, messages_for, token_budget, write
from rag.llm.prompts import format_passages
from rag.search.hybrid import Searcher
from rag.search.relevance import require_relevant
from rag.settings import Settings
from rag.types import Citation, Draft, Manuscript, Part, Passage
from rag.write.expand import ExpandRequest, OnSources, check_length, expand
from rag.write.outline import check_topic, propose_outline
from rag.write.rewrite import finish_section, reduce_copying

FRAME_SPEECHES = 3
OPENING = "同志们："


@dataclass
class SpeechRequest:
    topic: str
    points: list[str] = field(default_factory=list)  # proposed by the model when empty
    title: str = ""
    section_length: int = 400
    frame_length: int = 150  # opening and closing
    max_copy: int | None = None


OnPart = Callable[[str, str], None]  # kind, heading


def frame_passages(searcher: Searcher, topic: str, last: bool) -> list[Passage]:
    """The openings (or closings) of the speeches closest to the topic: how such speeches begin and end."""
    speeches = list(dict.fromkeys(p.chunk.speech_id for p in searcher.search(topic, k=20)))
    chosen = []
    for speech_id in speeches[:FRAME_SPEECHES]:
        chunks = searcher.index.speech_chunks(speech_id)
        chunk = chunks[-1] if last else chunks[0]
        chosen.append(Passage(chunk, score=0.0, rank=len(chosen) + 1))
    return chosen


def finish_frame(settings: Settings, searcher: Searcher, generator, draft: Draft, passages: list[Passage],
                 max_copy: int | None = None) -> Draft:
    """An opening or closing checked as a section is: citations (the model asked where the rule
    is unsure) and, with a copy limit, the sentences over it rewritten."""
    embed = searcher.encode_queries
    finish_draft(draft, passages, searcher.index, embed, model_verifier(generator, settings.prompts))
    if max_copy is not None:
        reduce_copying(settings, generator, draft, passages, searcher.index, embed, max_copy)
    return draft


def write_frame(
    settings: Settings, searcher: Searcher, generator, request: SpeechRequest, kind: str,
    on_sources: OnSources | None, on_token: OnToken | None,
) -> tuple[Draft, list[Passage]]:
    clock = Clock()
    passages = frame_passages(searcher, request.topic, last=kind == "closing")
    clock.mark_retrieved()
    if on_sources:
        on_sources(passages)
    messages = messages_for(settings, kind, passages=format_passages(passages), topic=request.topic,
                            outline="\n".join(request.points), length=request.frame_length)
    text = write(generator, messages, token_budget(request.frame_length), on_token).strip()
    if kind == "opening" and not (text and is_salutation(text.splitlines()[0])):
        text = f"{OPENING}\n{text}"
    draft = Draft(text=text)
    draft.timings = clock.report(generator)
    return draft, passages


def to_manuscript(title: str, parts: list[tuple[str, str, Draft]]) -> Manuscript:
    """One numbering of sources across the parts, markers placed after the sentences they support."""
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    out: list[Part] = []
    notes: list[str] = []
    for kind, heading, draft in parts:
        renumber = {}
        for source in draft.citations:
            if source.chunk_id not in numbers:
                numbers[source.chunk_id] = len(citations) + 1
                citations.append(replace(source, n=numbers[source.chunk_id]))
            renumber[source.n] = numbers[source.chunk_id]
        paragraphs = cited_paragraphs(draft.text, draft.sentences, renumber.__getitem__)
        if kind == "section":
            paragraphs = paragraphs[1:]  # the heading line, kept as the part's heading
        out.append(Part(kind, heading, paragraphs))
        label = heading or {"opening": "开场白", "closing": "结束语"}[kind]
        notes.extend(f"{label}：{note}" for note in draft.notes)
    return Manuscript(title, out, citations, notes)


def draft_speech(
    settings: Settings,
    searcher: Searcher,
    generator,
    request: SpeechRequest,
    on_part: OnPart | None = None,
    on_sources: OnSources | None = None,
    on_token: OnToken | None = None,
) -> Manuscript:
    start = time.perf_counter()
    request.topic = check_topic(request.topic)
    check_length(request.section_length)
    if not request.points:
        if on_part:
            on_part("outline", "提纲")
        request.points = [p.text for p in propose_outline(settings, searcher, generator, request.topic,
                                                           on_token=on_token).points]
    else:
        # Every point is checked before anything is written: finding an off-corpus
        # point after the opening and two sections would waste minutes.
        for point in request.points:
            require_relevant(searcher, point, searcher.search(point, k=10))
    embed = searcher.encode_queries

    def finished(kind: str, draft: Draft, passages: list[Passage]) -> Draft:
        if kind == "section":
            return finish_section(settings, generator, draft, passages, searcher.index, embed,
                                  request.max_copy)
        return finish_frame(settings, searcher, generator, draft, passages, request.max_copy)

    parts: list[tuple[str, str, Draft]] = []
    first_tokens: list[float] = []
    for kind in ("opening", "section", "closing"):
        for point in request.points if kind == "section" else [""]:
            if on_part:
                on_part(kind, point)
            if kind == "section":
                written = [d.text.partition("\n")[2] for k, _, d in parts if k == "section"]
                draft, passages = expand(settings, searcher, generator,
                                         ExpandRequest(point, request.topic, request.section_length,
                                                       request.max_copy, written),
                                         on_sources, on_token)
            else:
                draft, passages = write_frame(settings, searcher, generator, request, kind,
                                              on_sources, on_token)
            first_tokens.append(draft.timings["first_token"])
            parts.append((kind, point, finished(kind, draft, passages)))
    manuscript = to_manuscript(request.title.strip() or request.topic, parts)
    manuscript.timings = {"first_token": first_tokens[0], "total": round(time.perf_counter() - start, 3)}
    return manuscript
