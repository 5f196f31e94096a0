"""Structure-aware chunks: whole paragraphs or sentence-aligned windows.

Each chunk knows its speech and its section path, is roughly 150-500
characters, and never ends inside a sentence (unless one sentence alone is
longer than the limit, when it is cut after a comma or colon, or at the limit
where a clause alone is longer).

A whole-line heading with paragraphs under it is not chunk text: it lives on in
the section path of the chunks that follow. A heading line with no paragraph
under it (a closing wish read as a heading, 最后，祝大家工作顺利！; 四、 followed
directly by 五、; a page cut after （二）……) has no chunk to carry it in its path,
so it is kept as text: at the end of the chunk before it where that chunk has room,
else as a chunk of its own (see _pieces and _place_heading).
"""

from __future__ import annotations

import math
import re

from rag.corpus.structure import SectionTracker, split_sentences
from rag.types import Chunk, Speech

MIN_CHARS = 150
MAX_CHARS = 500


def chunk_speech(speech: Speech, is_duplicate=lambda text: False) -> list[Chunk]:
    """Chunk one speech; paragraphs for which `is_duplicate` is true are left out."""
    texts: list[tuple[tuple[str, ...], str]] = []
    buffer: list[str] = []
    buffer_path: tuple[str, ...] = ()

    def flush() -> None:
        if buffer:
            texts.append((buffer_path, "\n".join(buffer)))
            buffer.clear()

    for path, paragraph, alone in _pieces(speech, is_duplicate):
        if alone is not None:
            # A heading line with nothing under it ends the chunk it is placed in: the
            # text after it belongs to another section.
            flush()
            _place_heading(texts, path, paragraph, own_chunk=alone)
            buffer_path = texts[-1][0]
            continue
        size = sum(map(len, buffer))
        if path != buffer_path:
            # Short list items (1、… 2、…) of one section are better retrieved together;
            # the chunk then belongs to the section they share.
            shared = _common_prefix(path, buffer_path)
            if buffer and size < MIN_CHARS and shared and size + len(paragraph) <= MAX_CHARS:
                # An introduction followed by its first sub-point takes the sub-point's path.
                buffer_path = path if shared == buffer_path else shared
            else:
                flush()
                buffer_path = path
        if len(paragraph) > MAX_CHARS:
            # A short lead-in (a salutation, a one-line paragraph) joins the first window.
            lead = buffer[:] if sum(map(len, buffer)) < MIN_CHARS else []
            if not lead:
                flush()
            buffer.clear()
            texts += [(buffer_path, w) for w in sentence_windows("\n".join(lead + [paragraph]))]
            buffer_path = path
            continue
        if sum(map(len, buffer)) + len(paragraph) > MAX_CHARS:
            flush()
            buffer_path = path
        buffer.append(paragraph)
    flush()

    return [
        Chunk(
            chunk_id=f"{speech.speech_id}-{n:03d}",
            speech_id=speech.speech_id,
            title=speech.title,
            source=speech.source,
            section=list(path),
            text=text,
            ordinal=n,
        )
        for n, (path, text) in enumerate(texts, start=1)
    ]


# A piece of a speech: its section path, its text, and for a heading line with no
# paragraph under it whether it must stand alone (True) or may end the chunk before it
# (False); None for a paragraph.
Piece = tuple[tuple[str, ...], str, bool | None]


def _pieces(speech: Speech, is_duplicate) -> list[Piece]:
    """The paragraphs to chunk, with their section paths, and the heading lines nothing is under.

    A whole-line heading waits until a kept paragraph follows it (the heading is then in
    that paragraph's path) or until a heading of its level or above, or the end of the
    speech, closes it with nothing under it. A closed heading whose parent heading is
    still waiting (一、 then （一） then （二）……) stands alone: the chunk before it lies
    outside its parent's section, and its own chunk puts the parent in a section path,
    before the text that follows, as the speech has it.
    """
    tracker = SectionTracker()
    pieces: list[Piece] = []
    waiting: list[tuple[int, tuple[str, ...], str]] = []  # depth, path, line

    def close(depth: int) -> None:
        closed = [w for w in waiting if w[0] >= depth]
        waiting[:] = [w for w in waiting if w[0] < depth]
        for _, path, line in closed:
            alone = bool(waiting)
            pieces.append((path, line, alone))
            if alone:
                waiting.clear()  # the chunk's path carries the parents now

    for paragraph in speech.paragraphs:
        heading = tracker.update(paragraph)
        if heading:
            depth = len(tracker.path) - 1
            close(depth)
            if heading.whole_line:
                waiting.append((depth, tuple(tracker.path), paragraph))
                continue
        if is_duplicate(paragraph):
            continue
        waiting.clear()  # this paragraph's path carries them
        pieces.append((tuple(tracker.path), paragraph, None))
    close(0)
    return pieces


def _place_heading(texts: list[tuple[tuple[str, ...], str]], path: tuple[str, ...], line: str,
                   own_chunk: bool) -> None:
    """Keep a heading line with no paragraph under it as chunk text.

    It ends the chunk before it when it may and that chunk has room: a closing wish
    belongs with the closing paragraph, and a heading-only chunk would be a poor search
    result (a few words, ranked high for them, with nothing to draft from or to cite).
    Otherwise it starts a chunk of its own, in its own section.
    """
    if not own_chunk and texts:
        before_path, before = texts[-1]
        if len(before.replace("\n", "")) + len(line) <= MAX_CHARS:
            texts[-1] = (before_path, f"{before}\n{line}")
            return
    texts.append((path, line))


def sentence_windows(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Cut a long paragraph into windows of whole sentences of similar length."""
    units: list[str] = []
    # Sentences are taken line by line: a lead-in line without a full stop (同志们：)
    # must not run into the paragraph's first sentence and be cut with it.
    lines = re.split(r"(?=\n)", text)
    for sentence in (s for line in lines for s in split_sentences(line)):
        # The line break a sentence starts with is not text: a sentence of exactly
        # max_chars after a lead-in line stays whole.
        too_long = len(sentence.lstrip("\n")) > max_chars
        units += _cut_long_sentence(sentence, max_chars) if too_long else [sentence]
    target = len(text) / math.ceil(len(text) / max_chars)
    windows: list[str] = []
    current = ""
    for unit in units:
        if current and (len(current) + len(unit) > max_chars or len(current) >= target):
            windows.append(current)
            current = ""
        current += unit
    if current:
        windows.append(current)
    return windows


def _cut_long_sentence(sentence: str, max_chars: int) -> list[str]:
    clauses = [c for c in re.split(r"(?<=[，,、：:])", sentence) if c]
    out: list[str] = []
    for clause in clauses:
        while len(clause) > max_chars:
            out.append(clause[:max_chars])
            clause = clause[max_chars:]
        if out and len(out[-1]) + len(clause) <= max_chars:
            out[-1] += clause
        else:
            out.append(clause)
    return out


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]
