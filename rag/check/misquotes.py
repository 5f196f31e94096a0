"""Sayings in quotation marks written with a character wrong, put back as the sources write them.

Quotation marks promise the words as said. A model barred from copying sometimes quotes a
saying of its sources almost right (“身在兵地，胸为帅谋” for “身在兵位，胸为帅谋”), which a reader
takes for a misquote at once. A quoted span no source holds, one edit (a character changed, put in
or left out) from a span a source quotes, is that span slipped: it is written as the source has it.
"""

from __future__ import annotations

import re

from rag.check.copycheck import normalise

_QUOTED = re.compile(r"“([^“”\n]{2,40})”|\"([^\"\n]{2,40})\"|「([^「」\n]{2,40})」")
# Below this many letters one edit makes another word (“三严” for “三实”), not a slip.
MIN_LETTERS = 4


def _quoted(text: str) -> list[re.Match[str]]:
    return list(_QUOTED.finditer(text))


def _inner(match: re.Match[str]) -> tuple[str, int, int]:
    group = next(g for g in (1, 2, 3) if match.group(g) is not None)
    return match.group(group), match.start(group), match.end(group)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by exactly one character changed, put in or left out."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def mended_quotes(text: str, sources: list[str]) -> str:
    """`text` with each quoted span that slips from a quoted span of `sources` written as there."""
    said = normalise("".join(sources))
    quoted = {normalise(_inner(m)[0]): _inner(m)[0] for source in sources for m in _quoted(source)}
    out, at = [], 0
    for match in _quoted(text):
        inner, start, end = _inner(match)
        plain = normalise(inner)
        if len(plain) < MIN_LETTERS or plain in said:
            continue
        right = next((as_written for key, as_written in quoted.items() if _one_edit(plain, key)), None)
        if right is not None:
            out += [text[at:start], right]
            at = end
    return "".join(out) + text[at:]
