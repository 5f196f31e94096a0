"""Chinese words, as jieba's dictionary cuts and tags them, loaded once and quietly.

Search, the checks and the copy block all need words: jieba is loaded here on first use (its
dictionary takes about a second), with its start-up chatter on stderr turned off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

from rag.corpus.clean import core_text

# Idioms (i) and set expressions (l) of four characters, as jieba's dictionary tags them.
SET_PHRASE_TAGS = ("i", "l")
SET_PHRASE_CHARS = 4
# Four characters of a set shape, one character first and third (一事一策, 边查边改, 过多过滥) or
# two doubled (清清醒醒): coinages a speech writes whole though no dictionary lists most of them.
# A particle in the repeated place makes no such phrase (的人的事), nor does a word of three
# characters (是不是, 越来越) with what follows it.
SHAPE_PARTICLES = set("的了之地得着和与及或")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Set formulations of official speech (提法: 以习近平同志为核心的党中央, 不忘初心、牢记使命), a line
# each; between two of their letters a text may put or leave out a separator or a quotation mark.
FORMULAE = Path(__file__).parent / "data" / "formulae.txt"
_FORMULA_GAP = "[、，,；;：:“”\"‘’「」《》 \u3000]*"

_jieba: ModuleType | None = None


def jieba_module() -> ModuleType:
    """The jieba module, its dictionary loaded, its tagger imported and its log quiet."""
    global _jieba
    if _jieba is None:
        import logging

        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def posseg() -> ModuleType:
    """jieba's part-of-speech tagger (`posseg().cut(text)` gives words with their flags)."""
    return jieba_module().posseg


def word_tags() -> dict[str, str]:
    """jieba's dictionary: each word's part-of-speech tag."""
    return posseg().dt.word_tag_tab


def dictionary_words(text: str) -> list[str]:
    """`text` cut into the words of the dictionary alone: no guessed new words, so the same
    characters are cut the same way wherever they stand."""
    return jieba_module().lcut(text, HMM=False)


def idioms(text: str) -> list[tuple[int, int]]:
    """Where the idioms of `text` stand: (start, end) character offsets. An idiom is a four
    characters the dictionary tags so (see SET_PHRASE_TAGS), or of a set shape (see
    SHAPE_PARTICLES) standing as words of their own: 重要性要求 holds 要性要求, which starts
    inside 重要性."""
    tags = word_tags()
    bounds: set[int] | None = None
    found = []
    for run in CJK_RUN.finditer(text):
        for start in range(run.start(), run.end() - SET_PHRASE_CHARS + 1):
            end = start + SET_PHRASE_CHARS
            four = text[start:end]
            if tags.get(four) in SET_PHRASE_TAGS:
                found.append((start, end))
            elif _set_shape(four) and four[:3] not in tags:
                bounds = word_bounds(dictionary_words(text)) if bounds is None else bounds
                if start in bounds and end in bounds:
                    found.append((start, end))
    return found


@cache
def formula_cores() -> tuple[str, ...]:
    """The set formulations as letters and digits alone, longest first."""
    lines = [line.strip() for line in FORMULAE.read_text("utf-8").splitlines()]
    cores = {core_text(line) for line in lines if line and not line.startswith("#")}
    return tuple(sorted(cores, key=lambda core: (-len(core), core)))


@cache
def _formula_pattern() -> re.Pattern:
    return re.compile("|".join(_FORMULA_GAP.join(map(re.escape, core)) for core in formula_cores()))


def formulae(text: str) -> list[tuple[int, int]]:
    """Where the set formulations of `text` stand: (start, end) character offsets, the longest
    formulation where several start at one place."""
    return [m.span() for m in _formula_pattern().finditer(text)]


def _set_shape(four: str) -> bool:
    a, b, c, d = four
    if a == c and a != b and b != d:
        return a not in SHAPE_PARTICLES
    return a == b and c == d and a != c


def word_bounds(words: Iterable[str]) -> set[int]:
    """The character offsets where `words`, a text cut in order, start and end."""
    bounds, at = {0}, 0
    for word in words:
        at += len(word)
        bounds.add(at)
    return bounds
