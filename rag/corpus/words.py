"""Chinese words, as jieba's dictionary cuts and tags them, loaded once and quietly.

Search, the checks and the copy block all need words: jieba is loaded here on first use (its
dictionary takes about a second), with its start-up chatter on stderr turned off.
"""

from __future__ import annotations

import re
from types import ModuleType

# Idioms (i) and set expressions (l) of four characters, as jieba's dictionary tags them.
SET_PHRASE_TAGS = ("i", "l")
SET_PHRASE_CHARS = 4
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")

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
    """Where the idioms of `text` stand: (start, end) character offsets (see SET_PHRASE_TAGS)."""
    tags = word_tags()
    found = []
    for run in CJK_RUN.finditer(text):
        for start in range(run.start(), run.end() - SET_PHRASE_CHARS + 1):
            end = start + SET_PHRASE_CHARS
            if tags.get(text[start:end]) in SET_PHRASE_TAGS:
                found.append((start, end))
    return found
