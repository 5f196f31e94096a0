"""Prompt -> model -> text: the one generation step every drafting command shares."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import closing
from typing import TYPE_CHECKING

from rag.corpus.clean import core_text
from rag.corpus.structure import ENDS_SENTENCE
from rag.errors import WengaoError
from rag.llm.copyblock import CHARS_PER_TOKEN, CopyBlock
from rag.llm.guard import has_instruction
from rag.llm.prompts import chat_prompt, read_prompt
from rag.search.hybrid import check_query
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.llm.local import Generator
    from rag.llm.remote import RemoteGenerator

# A budget for N characters (CHARS_PER_TOKEN, in rag/llm/copyblock.py) allows a quarter more,
# room to finish the last sentence; `write` stops at the first sentence end past N.
LENGTH_SLACK = 1.25
# Small models fall into loops (明确工作成果，明确工作成果，…) without a penalty;
# 1.1 over llama.cpp's last 64 tokens is its usual default and leaves 要/的 alone.
REPEAT_PENALTY = 1.1
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}

OnToken = Callable[[str], None]


def check_input(text: str, what: str, limit: int) -> str:
    """A request text (point, topic, question) fit to write about, or a clear error."""
    text = check_query(text)
    if len(text) > limit:
        raise WengaoError(f"{what}过长（{len(text)} 字，上限 {limit} 字），请精简后再试。")
    if has_instruction(text):
        raise WengaoError(f"{what}里有“忽略以上要求”一类对模型下的指令。请只写要起草的内容。")
    return text


def messages_for(settings: Settings, task: str, **values) -> list[dict]:
    """The chat messages of prompts/system.md + prompts/<task>.md filled with `values`."""
    messages = chat_prompt(settings.prompts, task).format_messages(**values)
    return [{"role": _ROLES[m.type], "content": m.content} for m in messages]


def prompt_head(settings: Settings, task: str, system: str = "system") -> list[dict]:
    """What every prompt of `task` opens with: the system prompt and the task's words before its
    first slot. Read into the model while the searcher loads, the first request reads only the rest."""
    head = read_prompt(settings.prompts, task).split("{", 1)[0]
    return [{"role": "system", "content": read_prompt(settings.prompts, system)},
            {"role": "user", "content": head}]


# Markdown a chat-tuned model adds (**bold**, # headings, - bullets) has no place in a speech,
# nor has a preamble addressed to the asker (好的，以下是……：).
_EMPHASIS = re.compile(r"\*\*|__|^#{1,6}\s*|^\s*[-*•]\s+", re.MULTILINE)
_PREAMBLE = re.compile(r"^\s*(好的|当然|以下是|下面是)[^\n]{0,40}[：:]\s*\n")


def tidy(reply: str) -> str:
    """The reply as plain speech text."""
    return _PREAMBLE.sub("", _EMPHASIS.sub("", reply), count=1).strip()


def generator_for(settings: Settings) -> Generator | RemoteGenerator:
    """The generator the settings name: a model server if `llm_server` is set, else the GGUF loaded here.

    Every command, the workspace and the evaluation get theirs here. The imports wait until
    the choice is made: a machine that only talks to a server never loads a model.
    """
    if settings.llm_server:
        from rag.llm.remote import RemoteGenerator

        return RemoteGenerator.from_settings(settings)
    from rag.llm.local import Generator

    return Generator.from_settings(settings)


def token_budget(chars: int) -> int:
    return int(chars * LENGTH_SLACK / CHARS_PER_TOKEN) + 64


def write(generator, messages: list[dict], max_tokens: int, on_token: OnToken | None = None,
          temperature: float = 0.3, length: int | None = None, block: CopyBlock | None = None) -> str:
    """Stream one reply, handing each piece to `on_token`; returns the whole reply, tidied.

    With `length`, the reply ends at the first sentence end once it holds that many letters and
    digits: a small model asked for 600 字 would otherwise fill its whole budget. With `block`, a
    model that can (rag/llm/local.py) may not copy its sources; a model server writes unblocked.
    """
    options = {"block": block} if block else {}
    pieces: list[str] = []
    written = 0
    # Closed on leaving, so a stop here stops the model (and frees it) at once.
    with closing(generator.stream(messages, max_tokens=max_tokens, temperature=temperature,
                                  repeat_penalty=REPEAT_PENALTY, **options)) as stream:
        for piece in stream:
            pieces.append(piece)
            if on_token:
                on_token(piece)
            written += len(core_text(piece))
            if length and written >= length and ENDS_SENTENCE.search("".join(pieces[-4:]).rstrip()):
                break
    return tidy("".join(pieces))


class Clock:
    """Wall-clock marks of one request, reported as the `timings` of its result."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.retrieved = self.start
        self.first_piece: float | None = None

    def mark_retrieved(self) -> None:
        self.retrieved = time.perf_counter()

    def watch(self, on_token: OnToken | None) -> OnToken:
        """`on_token` that also marks when the first piece of text arrived: a request written in
        several calls has its first token in the first call, not the last one `report` sees."""

        def token(piece: str) -> None:
            if self.first_piece is None:
                self.first_piece = time.perf_counter()
            if on_token:
                on_token(piece)

        return token

    def report(self, generator) -> dict[str, float]:
        """Retrieval, first token (as watched, else retrieval + the call's prompt reading) and
        decoding figures of the last call."""
        t = generator.timings
        retrieve = self.retrieved - self.start
        first = self.first_piece - self.start if self.first_piece is not None else retrieve + t.ttft_s
        return {
            "retrieve": round(retrieve, 3),
            "first_token": round(first, 3),
            "prompt_tokens": t.prompt_tokens,
            "cached_prompt_tokens": t.cached_tokens,
            "generated_tokens": t.generated_tokens,
            "tokens_per_second": round(t.decode_tps, 2),
            "total": round(time.perf_counter() - self.start, 3),
        }
