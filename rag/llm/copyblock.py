"""Original by construction: while the model writes, n tokens in a row of a source may not recur.

Seq2seq models have long had `encoder_no_repeat_ngram_size`: an n-gram of the input may not
appear in the output. Here the input is the source text a section is written from. At each
step the last n-1 tokens written are looked up, and every token that would complete an
n-gram of a source, or an n-gram the reply already holds (so it cannot say the same thing
twice), is banned. A small model that may not copy tries to evade the ban with lookalikes:
Latin letters inside Chinese words (生命_line), 【】 slots, spaces (必 报告), traditional
characters (报備), even kana (领悟力を政治执行力). Tokens holding letters of another script,
brackets, markdown, white space or a traditional character are therefore banned too, unless a
source itself uses that token (5G, APP), so the only way left is to say it in other words. A
paragraph is one line, so line breaks go with the white space.

A word of the sources is never cut short. Banned half-way through a word, the small model
finishes it with another character: 如履薄雪 for 如履薄冰, 纰误 for 纰漏, 党的性修养 for 党性修养,
办公主任 for 办公室主任, slips a reader notices at once. So the ban falls only where a word of
the source starts (as jieba's dictionary cuts it): a copied run that reaches a word may go on
to its end. There the model may not write the word in any tokens, nor start on its tail: banned
at 好人 of 好人主义, it wrote 人主义. An idiom, a phrase of a set shape (一事一策, 过多过滥: see
rag/corpus/words.py) and a short term in quotation marks (“活字典”) are free from their first
character too: banned there, the model wrote the rest alone or garbled it (要诚相待 for 要以诚相待,
“桥” for “搭桥”, 一事事策 for 一事一策). So is a set formulation of official speech (rag/corpus/words.py):
banned inside one, the model wrote 以习近平同志为总书记、党中央 for 以习近平同志为总书记的党中央.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from rag.corpus.traditional import to_simplified
from rag.corpus.words import CJK_RUN, dictionary_words, formulae, idioms

# A term or saying in quotation marks of at most this many characters is never cut short: cut,
# the model misquoted it (“身在兵地，胸为帅谋” for “身在兵位，胸为帅谋”).
QUOTED_TERM_CHARS = 12
_QUOTED_TERM = re.compile(f"[“\"「‘]([^“”\"「」‘’\n]{{1,{QUOTED_TERM_CHARS}}})[”\"」’]")
# Six of Qwen's tokens are about ten Chinese characters: short enough that no sentence is
# carried over whole, long enough that stock phrases (办公室工作, 党委和政府) stay free.
BLOCK_TOKENS = 6
# Qwen's tokenizer gives about 1.7 Chinese characters per token on speech text (a reply of
# 1,024 tokens came back as 1,755 characters).
CHARS_PER_TOKEN = 1.7
# Letters of other scripts: Latin (half and full width, accented), Greek, Cyrillic and the rest up
# to U+1FFF, kana and Hangul. Barred from a source's word, the model wrote 领悟力を政治执行力.
OTHER_SCRIPTS = (r"A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u1fff\u3040-\u30ff"
                 r"\u3130-\u318f\uac00-\ud7af\uff21-\uff3a\uff41-\uff5a\uff66-\uff9f")
EVASIONS = OTHER_SCRIPTS + r"【】\[\]{}<>|#*_`~＊＃ \t\u3000"


def block_tokens(max_copy: int | None) -> int:
    """The n-gram size that keeps copied runs within `max_copy` characters (None: the default)."""
    if max_copy is None:
        return BLOCK_TOKENS
    return max(2, int(max_copy / CHARS_PER_TOKEN))


@dataclass
class CopyBlock:
    """What a reply may not copy: the source texts, in runs of `n` tokens, and itself."""

    sources: list[str]
    n: int = BLOCK_TOKENS
    self_repeat: bool = True
    repeat_n: int | None = None  # n for the reply's own n-grams, when it differs
    extra: list[str] = field(default_factory=list)  # earlier paragraphs of the same section
    multiline: bool = False  # an outline is written a line per point
    forbidden: str = ""  # more characters the reply may not use
    allowed: list[str] = field(default_factory=list)  # names the reply may write out (titles)
    # Where the ban falls at a word, every token opening one of its characters is banned too (see
    # NgramBan); off, only the source's own next token: the last resort of a reply left empty.
    whole_words: bool = True

    def evasions(self) -> re.Pattern:
        newline = "" if self.multiline else "\n\r"
        return re.compile(f"[{EVASIONS}{newline}{re.escape(self.forbidden)}]")


@dataclass
class WordMarks:
    """Where the words of a source stand among its tokens (see `word_marks`)."""

    free: set[int] = field(default_factory=set)  # positions never banned: inside a word, or an idiom
    opens: dict[int, str] = field(default_factory=dict)  # position -> the Chinese word it opens


class NgramBan:
    """The banned next tokens given what has been written, over token ids."""

    def __init__(self, sources: Sequence[Sequence[int]], n: int, self_repeat: bool = True,
                 repeat_n: int | None = None, allowed: Sequence[Sequence[int]] = (),
                 marks: Sequence[WordMarks] = (),
                 opening: Mapping[str, Collection[int]] | None = None) -> None:
        """`marks`: for each source, where its words stand; `opening`: for a character, the tokens
        that begin with it. Where the ban falls at a word, every token beginning with one of the
        word's characters is banned with it: banned at the token 办公室 alone, the model wrote 办公
        主任 for 办公室主任, and banned at 好人 alone, 人主义 for 好人主义."""
        if n < 2 or (repeat_n is not None and repeat_n < 2):
            raise ValueError("n must be at least 2")
        self.n = n
        self.self_repeat = self_repeat
        self.repeat_k = (repeat_n or n) - 1
        self.opening = opening or {}
        self.table: dict[tuple[int, ...], set[int]] = defaultdict(set)
        self.words: dict[tuple[int, ...], set[str]] = defaultdict(set)
        for i, tokens in enumerate(sources):
            self._add(self.table, tokens, marks[i] if i < len(marks) else WordMarks())
        # A name the reply may write out is never cut short: its runs are not banned.
        self.permitted: dict[tuple[int, ...], set[int]] = defaultdict(set)
        for tokens in allowed:
            self._add(self.permitted, tokens, WordMarks())

    def _add(self, table: dict[tuple[int, ...], set[int]], tokens: Sequence[int], marks: WordMarks) -> None:
        k = self.n - 1
        for i in range(len(tokens) - k):
            if i + k not in marks.free:
                prefix = tuple(tokens[i : i + k])
                table[prefix].add(tokens[i + k])
                if i + k in marks.opens:
                    self.words[prefix].add(marks.opens[i + k])

    def banned(self, written: Sequence[int]) -> set[int]:
        k = self.n - 1
        found: set[int] = set()
        if len(written) >= k:
            prefix = tuple(written[-k:])
            found.update(self.table.get(prefix, ()))
            for word in self.words.get(prefix, ()):
                for char in word:
                    found.update(self.opening.get(char, ()))
            found -= self.permitted.get(prefix, set())
        k = self.repeat_k
        if self.self_repeat and len(written) >= k:
            tail = tuple(written[-k:])
            for i in range(len(written) - k):
                if tuple(written[i : i + k]) == tail:
                    found.add(written[i + k])
        return found


def evasion_tokens(pieces: Sequence[str], pattern: re.Pattern) -> list[int]:
    """Ids of the vocabulary pieces a reply could use to dodge the ban (see above)."""
    return [i for i, piece in enumerate(pieces) if pattern.search(piece) or to_simplified(piece) != piece]


def not_in_sources(evasions: Sequence[int], sources: Sequence[Sequence[int]]) -> list[int]:
    """The evasion tokens no source uses: a token a source uses (5G, APP) is no evasion."""
    used = {t for tokens in sources for t in tokens}
    return [t for t in evasions if t not in used]


Tokenize = Callable[[str], list[int]]


def source_lines(block: CopyBlock) -> list[str]:
    """The sources split at line breaks: a model starts a line afresh."""
    return [line for text in block.sources + block.extra for line in text.splitlines() if line.strip()]


def word_marks(text: str, pieces: Sequence[bytes]) -> WordMarks:
    """Where the words of `text` stand among its tokens (`pieces`: each token's bytes): the tokens
    that start inside a word or hold part of an idiom or a set formulation, and those that open a word."""
    if b"".join(pieces) != text.encode("utf-8"):
        return WordMarks()  # a tokenizer that does not give the text back byte for byte: no words
    at = [0]  # the byte offset of each character
    for char in text:
        at.append(at[-1] + len(char.encode("utf-8")))
    word_starts, start = {}, 0
    for word in dictionary_words(text):
        word_starts[at[start]] = word
        start += len(word)
    spans = [(at[a], at[b]) for a, b in idioms(text) + quoted_terms(text) + formulae(text)]
    marks, start = WordMarks(), 0
    for i, piece in enumerate(pieces):
        end = start + len(piece)
        if start not in word_starts or any(start < b and end > a for a, b in spans):
            marks.free.add(i)
        elif CJK_RUN.match(word_starts[start]):
            marks.opens[i] = word_starts[start]
        start = end
    return marks


def quoted_terms(text: str) -> list[tuple[int, int]]:
    """Where the short terms in quotation marks of `text` stand (“好人主义”, “活字典”): a
    speech's own coinage, named whole or not at all."""
    return [m.span(1) for m in _QUOTED_TERM.finditer(text)]


def opening_tokens(pieces: Sequence[str]) -> dict[str, list[int]]:
    """For each Chinese character, the ids of the vocabulary pieces that begin with it."""
    found: dict[str, list[int]] = defaultdict(list)
    for i, piece in enumerate(pieces):
        if piece and CJK_RUN.match(piece[0]):
            found[piece[0]].append(i)
    return dict(found)
