"""Expand one outline point into a grounded speech section.

retrieve -> choose passages -> prompt -> stream from the model; rag/finish.py
then attaches citations and checks copying.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.clean import core_text
from rag.errors import WengaoError
from rag.generate import Clock, OnToken, check_input, messages_for, token_budget, write
from rag.prompting import choose_passages, format_passages
from rag.relevance import require_relevant
from rag.retrieve import Searcher
from rag.settings import Settings
from rag.structure import SLOT, heading_of
from rag.types import Draft, Passage

MAX_POINT_CHARS = 200
MIN_LENGTH, MAX_LENGTH = 50, 3000
# A leading salutation or greeting belongs to the whole speech, not to a section.
_GREETING = re.compile(
    r"^\s*(尊敬的[^\n：:]*[：:]|各位[^\n：:]{0,20}[：:]|同志们[：:，,！!]|大家好[！!，,。]?)\s*"
)

# Top-level outline markers: 一、 一要 第一，
TOP_LEVEL = {"dun", "yao", "di"}
MIN_BODY_CHARS = 12
RETRY_TEMPERATURE = 0.7

OnSources = Callable[[list[Passage]], None]


@dataclass
class ExpandRequest:
    point: str
    topic: str = ""
    length: int = 600


def check_point(text: str) -> str:
    return check_input(text, "提纲要点", MAX_POINT_CHARS)


def check_length(length: int) -> int:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise WengaoError(f"字数应在 {MIN_LENGTH} 到 {MAX_LENGTH} 之间。")
    return length


def strip_greeting(text: str) -> str:
    while True:
        stripped = _GREETING.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def section_body(point: str, reply: str, topic: str = "") -> str:
    """The model's reply as one section's body.

    Without a greeting, without the heading or the speech's title repeated, and
    cut where the model went on to the next outline point of the same level
    (small models sometimes write the whole speech when asked for one section).
    """
    own = heading_of(point)
    next_point = {own.kind} if own else TOP_LEVEL
    lines: list[str] = []
    for line in strip_greeting(reply).strip().splitlines():
        bare = line.strip().strip("#*").strip().rstrip("。")
        if bare in (point, topic) or not (bare or lines):
            continue
        heading = heading_of(bare)
        if lines and heading and heading.whole_line and heading.kind in next_point:
            break
        lines.append(line)
    body = "\n".join(lines).strip()
    if body.startswith(point):
        body = body[len(point):].lstrip("。：:\n ")
    return body


def too_thin(body: str) -> bool:
    """True when the body says nothing: empty, or only 【待填】 slots."""
    return len(core_text(SLOT.sub("", body))) < MIN_BODY_CHARS


def retrieve_for(searcher: Searcher, query: str, k: int = 10) -> list[Passage]:
    """The passages to write from; OffCorpus when the corpus does not speak to the query."""
    found = searcher.search(query, k=k)
    require_relevant(searcher, query, found)
    return choose_passages(found)


def expand(
    settings: Settings,
    searcher: Searcher,
    generator,
    request: ExpandRequest,
    on_sources: OnSources | None = None,
    on_token: OnToken | None = None,
) -> tuple[Draft, list[Passage]]:
    """Write one section; sources are reported before the first token."""
    request.point = check_point(request.point)
    check_length(request.length)
    clock = Clock()
    # The point alone: a topic such as "在全市…会议上的讲话" matches every speech's opening.
    passages = retrieve_for(searcher, request.point)
    clock.mark_retrieved()
    if on_sources:
        on_sources(passages)
    messages = messages_for(settings, "expand", passages=format_passages(passages),
                            topic=request.topic or "（未指定）", point=request.point,
                            length=request.length)
    budget = token_budget(request.length)
    body = section_body(request.point, write(generator, messages, budget, on_token, length=request.length),
                        request.topic)
    if too_thin(body):
        # The 1.5B model now and then answers with a lone 【待填】 slot; sampling
        # more freely once more nearly always gives a real section.
        if on_token:
            on_token("\n")
        body = section_body(request.point, write(generator, messages, budget, on_token,
                                                 temperature=RETRY_TEMPERATURE, length=request.length),
                            request.topic)
    # The heading is the user's own words; the model writes only the body.
    draft = Draft(text=f"{request.point}\n{body}")
    if too_thin(body):
        draft.notes.append("模型没有写出正文，请换一种说法表述要点，或补充相关材料后再试。")
    draft.timings = clock.report(generator)
    return draft, passages
