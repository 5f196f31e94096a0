"""Traditional characters folded to simplified, so a query in either finds a passage in either.

Only what is searched is folded (the text embedded and keyword-indexed, and the query);
passages are stored and shown as they were written.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` in simplified characters; simplified text comes back unchanged."""
    return _converter().convert(text)
