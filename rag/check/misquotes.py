"""Sayings in quotation marks, set formulations and words turned to their opposite, put back as
the sources write them.

Quotation marks promise the words as said. A model barred from copying sometimes quotes a
saying of its sources almost right (“身在兵地，胸为帅谋” for “身在兵位，胸为帅谋”), which a reader
takes for a misquote at once. A quoted span no source holds, one edit (a character changed, put in
or left out) from a span a source quotes, two for ten letters or more (“功成未必在我，功成必定我”
for “功成不必在我，功成必定有我”), is that span slipped: it is written as the source has it. So is
one of six letters or more that slips from words a source does not quote.

A set formulation of official speech (提法, rag/corpus/words.py) is wrong with one letter off:
以习近平同志为总书记、党中央 for 以习近平同志为总书记的党中央. A run of the text that begins or ends
as a formulation its sources hold, one edit from it (two for ten letters or more), that neither the
sources hold nor overlaps the formulation written right, is that formulation slipped; one with a
joining word put in (基本路线和基本方略) is not.

The outline point is the writer's own words, yet barred from copying it too (or the model opens by
writing it out again), the model restating it slipped in them: 本区迎来陆藏经济机遇 for the point's
陆港经济机遇, 甘做幕后无名着 for 无名者. A clause of the point written almost right, found as
formulations are, is written as the point has it.

Barred from copying, the model restating a sentence sometimes changes one character to its
opposite and says the reverse: 遇事少想政治要求 for 遇事多想政治要求, 绝不能理解为消极主动 for 消极被动.
A character of a sentence's nearest source sentence changed to its opposite (ANTONYMS), with the
same characters on both sides, is put back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from difflib import SequenceMatcher

from rag.check.cite import passage_sentences
from rag.check.copycheck import normalise
from rag.corpus.clean import bigrams, core_text, spliced
from rag.corpus.structure import split_sentences
from rag.corpus.words import formulae

_QUOTED = re.compile(r"“([^“”\n]{2,40})”|\"([^\"\n]{2,40})\"|「([^「」\n]{2,40})」")
# Below this many letters one edit makes another word (“三严” for “三实”), not a slip.
MIN_LETTERS = 4
# A formulation, a clause of the point or an unquoted saying shorter than this is words or an
# idiom, held to its sources as such (rag/check/idiom_slips.py).
MIN_SLIP_LETTERS = 6
# From this many letters on, a saying or formulation two edits off is still that one slipped.
LONG_LETTERS = 10
# Characters whose swap says the opposite (多想/少想, 被动/主动, 积极/消极, 加强/减弱...).
ANTONYMS = {frozenset(pair) for pair in (
    "多少 高低 强弱 增减 快慢 严宽 长短 进退 好坏 真假 正反 有无 是非 新旧 难易 深浅 紧松 重轻 早晚 "
    "先后 升降 扩缩 加减 前后 上下 内外 得失 利弊 优劣 奖罚 主被 积消 大小 对错 勤懒 敢怕").split()}
# A sentence restates the source sentence holding at least this share of its character pairs.
RESTATES_SHARE = 0.5
# Put into a formulation, these join its parts in other words, not a slip: 基本路线和基本方略.
JOINERS = set("的之和与及并")
_CLAUSE_BREAK = re.compile(r"[，,、；;：:。！？!?\s]+")
_SENTENCE_BREAK = re.compile(r"[。！？!?“”\"「」]")


def _quoted(text: str) -> list[re.Match[str]]:
    return list(_QUOTED.finditer(text))


def _inner(match: re.Match[str]) -> tuple[str, int, int]:
    group = next(g for g in (1, 2, 3) if match.group(g) is not None)
    return match.group(group), match.start(group), match.end(group)


def _slip_edits(key: str) -> int:
    """The most edits that leave `key` a slip of itself rather than other words."""
    return 2 if len(key) >= LONG_LETTERS else 1


def mended_quotes(text: str, sources: list[str]) -> str:
    """`text` with each quoted span that slips from a quoted span of `sources` written as there."""
    said = normalise("".join(sources))
    quoted = {normalise(_inner(m)[0]): _inner(m)[0] for source in sources for m in _quoted(source)}
    replacements = []
    for match in _quoted(text):
        inner, start, end = _inner(match)
        plain = normalise(inner)
        if len(plain) < MIN_LETTERS or plain in said:
            continue
        right = next((as_written for key, as_written in quoted.items()
                      if abs(len(plain) - len(key)) <= _slip_edits(key)
                      and 0 < _edits(plain, key) <= _slip_edits(key)), None)
        if right is None and len(core_text(plain)) >= MIN_SLIP_LETTERS:
            right = _unquoted_run(plain, [normalise(source) for source in sources])
        if right is not None:
            replacements.append((start, end, right))
    return spliced(text, replacements)


def _unquoted_run(plain: str, sources: list[str]) -> str | None:
    """The run of a sentence of `sources` that `plain` slips from, as `sources` write it: the model
    quotes words its sources do not put in quotation marks (习总书记强调，“中非岗位特殊、责任重大” for
    中办岗位特殊、责任重大)."""
    allowed = _slip_edits(core_text(plain))
    best: tuple[int, str] | None = None
    for source in sources:
        for edits, start, size in _near_runs(source, plain, allowed, _crosses_sentences):
            if best is None or edits < best[0]:
                best = (edits, source[start:start + size])
    return best[1] if best else None


def _crosses_sentences(start: int, run: str) -> bool:
    return bool(_SENTENCE_BREAK.search(run))


def _near_runs(text: str, key: str, allowed: int,
               skip: Callable[[int, str], bool]) -> Iterator[tuple[int, int, int]]:
    """(edits, start, size) for each run of `text` that begins or ends as `key` does and is 1 to
    `allowed` edits from it, but those `skip(start, run)` rules out before their edits are counted."""
    for i in range(len(text)):
        for size in range(len(key) - allowed, len(key) + allowed + 1):
            run = text[i:i + size]
            if len(run) < size or (run[0] != key[0] and run[-1] != key[-1]) or skip(i, run):
                continue
            edits = _edits(run, key)
            if 0 < edits <= allowed:
                yield edits, i, size


def _edits(a: str, b: str) -> int:
    """Characters changed, put in or left out to make `a` into `b` (Levenshtein distance)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, start=1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


def _particle_put_in(run: str, key: str) -> bool:
    """Whether `run` is `key` with a joining word put in: 基本路线和基本方略 for 基本路线、基本方略."""
    return len(run) == len(key) + 1 and any(
        run[:i] + run[i + 1:] == key and run[i] in JOINERS for i in range(1, len(run) - 1))


def formula_slips(text: str, sources: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, the formulation as a source writes it) for each set formulation of `sources`
    that `text` writes almost right (see above), in order, not overlapping."""
    known: dict[str, str] = {}
    for source in sources:
        for a, b in formulae(source):
            if len(core_text(source[a:b])) >= MIN_SLIP_LETTERS:
                known.setdefault(core_text(source[a:b]), source[a:b])
    return _slips(text, known, core_text("".join(sources)))


def point_slips(text: str, point: str) -> list[tuple[int, int, str]]:
    """(start, end, the clause as the point writes it) for each clause of the outline point that
    `text` writes almost right, as formulations are found (see above)."""
    known = {core_text(c): c for c in _CLAUSE_BREAK.split(point) if len(core_text(c)) >= MIN_SLIP_LETTERS}
    return _slips(text, known, core_text(point))


def _slips(text: str, known: dict[str, str], said: str) -> list[tuple[int, int, str]]:
    """(start, end, as written) for each run of `text` almost one of the `known` runs' letters (key:
    letters, value: as written) that `said` does not hold: see formula_slips."""
    if not known:
        return []
    at = [i for i, ch in enumerate(text) if core_text(ch)]  # each letter's place in `text`
    letters = "".join(text[i] for i in at)
    right = [False] * len(letters)
    for key in known:
        for m in re.finditer(re.escape(key), letters):
            right[m.start():m.end()] = [True] * len(key)

    def skip(i: int, run: str) -> bool:
        return any(right[i:i + len(run)]) or run in said

    candidates = [(edits, i, size, as_written)
                  for key, as_written in known.items()
                  for edits, i, size in _near_runs(letters, key, _slip_edits(key), skip)
                  if not _particle_put_in(letters[i:i + size], key)]
    # The nearest reading first: 同以习近平同志为总书记、党中央 is the formulation one letter off from
    # 以 on, not two letters off from 同.
    taken = [False] * len(letters)
    found: list[tuple[int, int, str]] = []
    for _, i, size, as_written in sorted(candidates):
        if not any(taken[i:i + size]):
            taken[i:i + size] = [True] * size
            found.append((at[i], at[i + size - 1] + 1, as_written))
    return sorted(found)


def mended_formulae(text: str, sources: list[str]) -> str:
    """`text` with each set formulation of `sources` it writes almost right written as there."""
    return spliced(text, formula_slips(text, sources))


def mended_point(text: str, point: str) -> str:
    """`text` with each clause of the outline point it writes almost right written as the point does."""
    return spliced(text, point_slips(text, point))




def mended_opposites(text: str, sources: list[str]) -> str:
    """`text` with each character its nearest source sentence has the opposite of put back (see above)."""
    said = [(sentence, bigrams(sentence)) for source in sources for sentence in passage_sentences(source)]
    if not said:
        return text
    out = []
    for sentence in split_sentences(text):
        pairs = bigrams(sentence)
        source, shared = max(said, key=lambda item: len(pairs & item[1]))
        if pairs and len(pairs & shared) >= RESTATES_SHARE * len(pairs):
            sentence = _opposites_put_back(sentence, source)
        out.append(sentence)
    return "".join(out)


def _opposites_put_back(sentence: str, source: str) -> str:
    """Where a run the two share (two characters at least) is followed by opposite characters and then
    the same one again (遇事|多/少|想), the source's character."""
    chars = list(sentence)
    for a, b, size in SequenceMatcher(None, source, sentence, autojunk=False).get_matching_blocks():
        a, b = a + size, b + size
        if (size >= 2 and a + 1 < len(source) and b + 1 < len(sentence) and source[a + 1] == sentence[b + 1]
                and frozenset((source[a], sentence[b])) in ANTONYMS):
            chars[b] = source[a]
    return "".join(chars)
