"""Expand one outline point into a grounded speech section.

retrieve -> choose passages -> prompt -> stream from the model -> cite -> check copying.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from rag.errors import WengaoError
from rag.prompting import chat_prompt, choose_passages, format_passages
from rag.retrieve import Searcher, check_query
from rag.settings import Settings
from rag.types import Draft, Passage

MAX_POINT_CHARS = 200
# A leading salutation or greeting belongs to the whole speech, not to a section.
_GREETING = re.compile(
    r"^\s*(尊敬的[^\n：:]*[：:]|各位[^\n：:]{0,20}[：:]|同志们[：:，,！!]|大家好[！!，,。]?)\s*"
)


@dataclass
class ExpandRequest:
    point: str
    topic: str = ""
    length: int = 600


def check_point(text: str) -> str:
    text = check_query(text)
    if len(text) > MAX_POINT_CHARS:
        raise WengaoError(f"提纲要点过长（{len(text)} 字，上限 {MAX_POINT_CHARS} 字），请只写一句要点。")
    return text


def strip_greeting(text: str) -> str:
    while True:
        stripped = _GREETING.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def retrieve_for(searcher: Searcher, request: ExpandRequest, k: int = 10) -> list[Passage]:
    # The point alone: a topic such as "在全市…会议上的讲话" matches every speech's opening.
    return choose_passages(searcher.search(request.point, k=k))


def build_messages(settings: Settings, request: ExpandRequest, passages: list[Passage]) -> list[dict]:
    prompt = chat_prompt(settings.prompts, "expand")
    messages = prompt.format_messages(
        passages=format_passages(passages),
        topic=request.topic or "（未指定）",
        point=request.point,
        length=request.length,
    )
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    return [{"role": roles[m.type], "content": m.content} for m in messages]


def expand(
    settings: Settings,
    searcher: Searcher,
    generator,
    request: ExpandRequest,
    on_sources: Callable[[list[Passage]], None] | None = None,
    on_token: Callable[[str], None] | None = None,
) -> tuple[Draft, list[Passage]]:
    """Write one section; sources are reported before the first token."""
    request.point = check_point(request.point)
    if not 50 <= request.length <= 3000:
        raise WengaoError("字数应在 50 到 3000 之间。")
    start = time.perf_counter()
    passages = retrieve_for(searcher, request)
    retrieved = time.perf_counter()
    if on_sources:
        on_sources(passages)
    messages = build_messages(settings, request, passages)
    # Roughly 1.6 tokens per character of Chinese output, plus room for the heading.
    max_tokens = int(request.length * 1.6) + 64
    pieces: list[str] = []
    for piece in generator.stream(messages, max_tokens=max_tokens):
        pieces.append(piece)
        if on_token:
            on_token(piece)
    body = strip_greeting("".join(pieces)).strip()
    if body.startswith(request.point):
        body = body[len(request.point):].lstrip("。：:\n ")
    # The heading is the user's own words; the model writes only the body.
    draft = Draft(text=f"{request.point}\n{body}")
    t = generator.timings
    draft.timings = {
        "retrieve": round(retrieved - start, 3),
        "first_token": round(retrieved - start + t.ttft_s, 3),
        "prompt_tokens": t.prompt_tokens,
        "cached_prompt_tokens": t.cached_tokens,
        "generated_tokens": t.generated_tokens,
        "tokens_per_second": round(t.decode_tps, 2),
        "total": round(time.perf_counter() - start, 3),
    }
    return draft, passages
