"""Plan a section: which source sentences speak to the outline point, and in which paragraph.

A small model handed whole passages either copies them or drifts to whatever they are
about; handed a few sentences chosen for the point, it says them again in its own words
and stays on them. So a section is planned before a word is written: the passages'
sentences are scored against the point, the best are taken (each new one must add
something the chosen ones do not say), and they are laid out in paragraphs in the order
their speeches and passages give them. Every paragraph then cites the sentences it was
written from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag.corpus.clean import bigrams, core_text
from rag.corpus.structure import SLOT, heading_of, is_salutation, split_sentences
from rag.search.query import search_text
from rag.types import Passage

Embed = Callable[[list[str]], np.ndarray]

# Shorter sentences carry no content of their own (同志们！); longer ones are run-ons a
# small model cannot rewrite whole.
MIN_SOURCE_CHARS, MAX_SOURCE_CHARS = 12, 160
# A rewrite comes out shorter than its sources (the 1.5B model wrote half the length asked
# when given sources for 0.9 of it), so a plan holds more than the section needs; writing
# stops once the section is long enough, and the sources planned last go unused.
SOURCE_SHARE = 1.5
# Some paragraphs still come out short, so further sources, up to this share of the length,
# wait after the plan; they are written up only while the section is short of its length.
RESERVE_SHARE = 3.0
# A candidate this much less similar to the point than the best one is off the point
# (e5-small puts sentences of one field between cosine 0.80 and 0.92).
MAX_SCORE_GAP = 0.04
# Sharing the point's own words counts too: up to this much for all its character bigrams.
WORDS_WEIGHT = 0.05
# Maximal marginal relevance: how much a candidate's similarity to the point counts
# against its similarity to the sentences already chosen.
MMR_LAMBDA = 0.7
# Sources written up in one call: a small model keeps to two or three sentences at a time.
PARAGRAPH_SOURCE_CHARS = 150


@dataclass
class SourceSentence:
    """A sentence of a retrieved passage that a section draws on."""

    text: str
    passage: int  # index into the passages shown
    position: int  # order within its passage
    score: float = 0.0  # cosine similarity to the point


@dataclass
class Paragraph:
    """One paragraph to write: its sources and how many characters it should run to."""

    sources: list[SourceSentence]
    length: int
    reserve: bool = False  # written only if the section is still short


def candidates(passages: list[Passage]) -> list[SourceSentence]:
    """The sentences of the passages that could carry a claim of the section."""
    found: list[SourceSentence] = []
    seen: set[str] = set()
    for n, passage in enumerate(passages):
        sentences = [s for line in passage.chunk.text.splitlines() for s in split_sentences(line)]
        for position, sentence in enumerate(sentences):
            sentence = sentence.strip()
            size = len(core_text(SLOT.sub("", sentence)))
            heading = heading_of(sentence)
            if (size < MIN_SOURCE_CHARS or size > MAX_SOURCE_CHARS or is_salutation(sentence)
                    or (heading is not None and heading.whole_line) or sentence in seen):
                continue
            seen.add(sentence)
            found.append(SourceSentence(sentence, n, position))
    return found


def choose(similarity: np.ndarray, pool: list[SourceSentence], vectors: np.ndarray, budget: int) -> list[int]:
    """Indices into `pool` of the sentences to draw on, best first, within `budget` characters.

    Sentences near the best are taken first; only when they cannot fill the budget is the
    margin widened, a step at a time.
    """
    best = float(similarity.max())
    chosen: list[int] = []
    used = 0
    gap = MAX_SCORE_GAP
    while used < budget and len(chosen) < len(pool):
        left = [i for i in range(len(pool)) if i not in chosen and similarity[i] >= best - gap]
        if not left:
            gap += MAX_SCORE_GAP
            continue
        redundancy = (vectors[left] @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(left))
        value = MMR_LAMBDA * similarity[left] - (1 - MMR_LAMBDA) * redundancy
        pick = left[int(np.argmax(value))]
        chosen.append(pick)
        used += len(pool[pick].text)
    for i in chosen:
        pool[i].score = float(similarity[i])
    return chosen


def lay_out(sources: list[SourceSentence]) -> list[Paragraph]:
    """The sources in reading order (by passage, then as the passage has them), in groups of
    about PARAGRAPH_SOURCE_CHARS characters; each is to be written about as long as its sources."""
    ordered = sorted(sources, key=lambda s: (s.passage, s.position))
    groups: list[list[SourceSentence]] = [[]]
    for source in ordered:
        if sum(len(s.text) for s in groups[-1]) >= PARAGRAPH_SOURCE_CHARS:
            groups.append([])
        groups[-1].append(source)
    return [Paragraph(group, sum(len(s.text) for s in group)) for group in groups if group]


def plan_section(point: str, passages: list[Passage], embed: Embed, length: int) -> list[Paragraph]:
    """The paragraphs to write a section on `point` of about `length` characters from, in order,
    each with its sources (more than the section needs: see SOURCE_SHARE), then the reserve
    paragraphs (RESERVE_SHARE)."""
    pool = candidates(passages)
    if not pool:
        return []
    query = search_text(point)
    vectors = embed([query] + [s.text for s in pool])
    words = bigrams(query)
    shared = np.array([len(words & bigrams(s.text)) / max(1, len(words)) for s in pool])
    similarity = vectors[1:] @ vectors[0] + WORDS_WEIGHT * shared
    chosen = choose(similarity, pool, vectors[1:], int(length * RESERVE_SHARE))
    planned, used = [], 0
    for i in chosen:
        if used >= length * SOURCE_SHARE:
            break
        planned.append(i)
        used += len(pool[i].text)
    reserve = chosen[len(planned):]
    extra = lay_out([pool[i] for i in reserve])
    for paragraph in extra:
        paragraph.reserve = True
    return lay_out([pool[i] for i in planned]) + extra
