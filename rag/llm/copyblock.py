"""Original by construction: while the model writes, n tokens in a row of a source may not recur.

Seq2seq models have long had `encoder_no_repeat_ngram_size`: an n-gram of the input may not
appear in the output. Here the input is the source text a section is written from. At each
step the last n-1 tokens written are looked up, and every token that would complete an
n-gram of a source, or an n-gram the reply already holds (so it cannot say the same thing
twice), is banned. A small model that may not copy tries to evade the ban with lookalikes:
Latin letters inside Chinese words (生命_line), 【】 slots, spaces (必 报告) and traditional
characters (报備). Tokens holding Latin letters, brackets, markdown, white space or a
traditional character are therefore banned too, unless a source itself uses that token (5G,
APP), so the only way left is to say it in other words. A paragraph is one line, so line
breaks go with the white space.

An idiom of the sources is never cut short. Banned half-way through 如履薄冰, the small model
finished it with another character (如履薄雪), and banned at its first character it wrote the
rest alone (要诚相待 for 要以诚相待): slips a reader notices at once. So a token holding part of
an idiom is not banned: a copied run that reaches an idiom may go on to its end, at most four
characters more.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rag.corpus.traditional import to_simplified
from rag.corpus.words import idioms

# Six of Qwen's tokens are about ten Chinese characters: short enough that no sentence is
# carried over whole, long enough that stock phrases (办公室工作, 党委和政府) stay free.
BLOCK_TOKENS = 6
# Qwen's tokenizer gives about 1.7 Chinese characters per token on speech text (a reply of
# 1,024 tokens came back as 1,755 characters).
CHARS_PER_TOKEN = 1.7
EVASIONS = r"A-Za-z【】\[\]{}<>|#*_`~＊＃ \t\u3000"


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

    def evasions(self) -> re.Pattern:
        newline = "" if self.multiline else "\n\r"
        return re.compile(f"[{EVASIONS}{newline}{re.escape(self.forbidden)}]")


class NgramBan:
    """The banned next tokens given what has been written, over token ids."""

    def __init__(self, sources: Sequence[Sequence[int]], n: int, self_repeat: bool = True,
                 repeat_n: int | None = None, allowed: Sequence[Sequence[int]] = (),
                 idiom_tokens: Sequence[set[int]] = ()) -> None:
        """`idiom_tokens`: for each source, the positions of the tokens that hold part of an idiom."""
        if n < 2 or (repeat_n is not None and repeat_n < 2):
            raise ValueError("n must be at least 2")
        self.n = n
        self.self_repeat = self_repeat
        self.repeat_k = (repeat_n or n) - 1
        self.table: dict[tuple[int, ...], set[int]] = defaultdict(set)
        for i, tokens in enumerate(sources):
            self._add(self.table, tokens, idiom_tokens[i] if i < len(idiom_tokens) else set())
        # A name the reply may write out is never cut short: its runs are not banned.
        permitted: dict[tuple[int, ...], set[int]] = defaultdict(set)
        for tokens in allowed:
            self._add(permitted, tokens)
        for prefix, nexts in permitted.items():
            if prefix in self.table:
                self.table[prefix] -= nexts

    def _add(self, table: dict[tuple[int, ...], set[int]], tokens: Sequence[int],
             exempt: set[int] | frozenset[int] = frozenset()) -> None:
        k = self.n - 1
        for i in range(len(tokens) - k):
            if i + k not in exempt:
                table[tuple(tokens[i : i + k])].add(tokens[i + k])

    def banned(self, written: Sequence[int]) -> set[int]:
        k = self.n - 1
        found = set(self.table.get(tuple(written[-k:]), ())) if len(written) >= k else set()
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


def idiom_tokens(text: str, pieces: Sequence[bytes]) -> set[int]:
    """Positions of the tokens of `text` (`pieces`: each token's bytes) that hold part of an idiom."""
    encoded = text.encode("utf-8")
    if b"".join(pieces) != encoded:
        return set()  # a tokenizer that does not give the text back byte for byte: nothing exempt
    spans = [(len(text[:a].encode("utf-8")), len(text[:b].encode("utf-8"))) for a, b in idioms(text)]
    found, start = set(), 0
    for i, piece in enumerate(pieces):
        end = start + len(piece)
        if any(start < b and end > a for a, b in spans):
            found.add(i)
        start = end
    return found
