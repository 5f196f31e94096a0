"""Answer a question about the corpus from the passages that bear on it."""

from __future__ import annotations

from rag.expand import OnSources, retrieve_for
from rag.generate import Clock, OnToken, check_input, messages_for, token_budget, write
from rag.prompting import format_passages
from rag.retrieve import Searcher
from rag.settings import Settings
from rag.types import Draft, Passage

MAX_QUESTION_CHARS = 300
ANSWER_CHARS = 300


def check_question(text: str) -> str:
    return check_input(text, "问题", MAX_QUESTION_CHARS)


def answer(
    settings: Settings,
    searcher: Searcher,
    generator,
    question: str,
    length: int = ANSWER_CHARS,
    on_sources: OnSources | None = None,
    on_token: OnToken | None = None,
) -> tuple[Draft, list[Passage]]:
    question = check_question(question)
    clock = Clock()
    passages = retrieve_for(searcher, question)
    clock.mark_retrieved()
    if on_sources:
        on_sources(passages)
    messages = messages_for(settings, "ask", passages=format_passages(passages),
                            question=question, length=length)
    draft = Draft(text=write(generator, messages, token_budget(length), on_token).strip())
    draft.timings = clock.report(generator)
    return draft, passages
