"""Idioms of the sources written with one character wrong or one too many.

Told not to copy, a small model sometimes gets an idiom of its sources almost right: 如履薄雪
for 如履薄冰, 如临渊深渊 for 如临深渊, 要诚相待 for 以诚相待. A reader notices such a slip at
once. The copy block lets an idiom be finished (rag/llm/copyblock.py); what slips through
another way (a rewrite, a model server) is found here and listed for the writer to check. A
phrase of a set shape (一事一策, see rag/corpus/words.py) is held to its sources as an idiom is.
"""

from __future__ import annotations

from rag.corpus.words import CJK_RUN, SET_PHRASE_CHARS, idioms, jieba_module, word_bounds, word_tags

# Put into an idiom, these make a phrase of it, not a slip: 发展的趋势 for 发展趋势.
PARTICLES = set("的之地得了着和与")


def idiom_slips(text: str, sources: list[str]) -> list[tuple[str, str]]:
    """(as written, the sources' idiom) for each run of `text` that is an idiom of `sources` with
    one character changed or one put in, is neither a word of its own nor in the sources, and
    stands as words of its own: 在工作实践中 holds 在工作实, one character from 在工作中, but 实
    belongs to 实践."""
    joined = "\n".join(sources)
    known = {source[a:b] for source in sources for a, b in idioms(source)}
    if not known:
        return []
    tags = word_tags()
    bounds = word_bounds(jieba_module().cut(text))
    found: list[tuple[str, str]] = []
    for start in sorted(bounds):
        for size in (SET_PHRASE_CHARS, SET_PHRASE_CHARS + 1):
            run = text[start:start + size]
            if (len(run) < size or start + size not in bounds or not CJK_RUN.fullmatch(run) or run in joined
                    or run in tags or _two_words(run, tags) or _word_and_more(run, tags)):
                continue
            for idiom in known:
                if _one_slip(run, idiom) and (run, idiom) not in found:
                    found.append((run, idiom))
    return found


def _two_words(run: str, tags: dict[str, str]) -> bool:
    """Whether `run` is two words of two characters: 引领带动 is wording of its own, not a slip of
    带领带动, where 专事特办 for 特事特办 is one."""
    return len(run) == SET_PHRASE_CHARS and run[:2] in tags and run[2:] in tags


def _word_and_more(run: str, tags: dict[str, str]) -> bool:
    """Whether `run` opens with a particle or with a word of three characters: 的形势下 and 的工作中 are
    words after a 的, not slips of 新形势下 or 在工作中; 越来越大 is 越来越 and 大, not a slip of 越来越多."""
    return run[0] in PARTICLES or run[:3] in tags


def _one_slip(run: str, idiom: str) -> bool:
    """Whether `run` is `idiom` with one character changed, or with one put in after its first."""
    if len(run) == len(idiom):
        return sum(a != b for a, b in zip(run, idiom)) == 1
    return any(run[:i] + run[i + 1:] == idiom and run[i] not in PARTICLES for i in range(1, len(run) - 1))
