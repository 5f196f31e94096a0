"""What is searched for a query: its content words, in simplified characters.

An outline point is typed with its ordinal and the stock phrasing of outlines
(二要在统筹协调上下功夫, （三）着力提升文稿质量, 第四，进一步强化保密意识). Searched as
typed, the ordinal matches every passage headed 二要…, and the shell words match every
section; what the point is about is what is left when both are gone.
"""

from __future__ import annotations

import re

from rag.corpus.clean import core_text
from rag.corpus.traditional import to_simplified

_CN = "[一二三四五六七八九十百]+"
_ORDINAL = re.compile(
    rf"^\s*(?:[第其]{_CN}|第\d+|{_CN}(?=是|要(?![求素点件])|[、，,．.])|[（(](?:{_CN}|\d+)[）)]|\d{{1,2}}(?=[、.．)）])"
    r"|首先|其次|再次|然后|最后)[是要、，,．.：:)）\s]*"
)
# 要在……上下功夫 / 在……上做文章: the point is what sits between 在 and 上.
_IN_ON = re.compile(
    r"^(?:要|必须|务必)?在(.{2,30}?)上(?:下功夫|下工夫|做文章|见实效|求突破|用力|发力|作表率|走在前列?|当表率)"
)
_LEADING = re.compile(r"^(?:要|必须|务必|着力|进一步|切实|不断|持续|全力|大力|扎实|努力|积极|始终|更加)+")
_TRAILING = re.compile(r"(?:上下功夫|上做文章|上见实效|上求突破)$")
_QUOTED = re.compile(r"[“\"「『‘]([^”\"」』’\n]{2,40})[”\"」』’]")
# An ellipsis in a quoted phrase stands for words left out (“刚才，传达学习了……会议精神”).
_ELLIPSIS = re.compile(r"…+|\.{3,}|。{3,}")


def without_ordinal(point: str) -> str:
    """An outline point without its ordinal (三要树立服务意识 -> 树立服务意识)."""
    return _ORDINAL.sub("", point.strip(), count=1) or point


def search_text(query: str) -> str:
    """The part of `query` worth matching, folded to simplified characters."""
    text = to_simplified(query).strip()
    bare = _ORDINAL.sub("", text, count=1)
    bare = _IN_ON.sub(r"\1", bare, count=1)
    bare = _TRAILING.sub("", _LEADING.sub("", bare, count=1)).strip(" ，,。.；;：:")
    # A point that is all shell (第一，进一步) keeps what it had.
    return bare if len(re.sub(r"\W", "", bare)) >= 2 else text


def quoted_phrases(question: str) -> list[str]:
    """The phrases the question puts in quotation marks, each once."""
    return list(dict.fromkeys(m.group(1).strip() for m in _QUOTED.finditer(question) if m.group(1).strip()))


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """What a quoted phrase matches on letters and digits: its parts between ellipses, in order."""
    parts = [core_text(to_simplified(p)) for p in _ELLIPSIS.split(phrase)]
    parts = [re.escape(p) for p in parts if p]
    return re.compile(".*?".join(parts)) if parts else None
