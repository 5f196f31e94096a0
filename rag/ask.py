"""Answer a question about the corpus from the passages that bear on it."""

from __future__ import annotations

from rag.errors import WengaoError
from rag.expand import OnSources
from rag.generate import Clock, OnToken, messages_for, token_budget, write
from rag.prompting import choose_passages, format_passages
from rag.retrieve import Searcher, check_query
from rag.settings import Settings
from rag.types import Draft, Passage

MAX_QUESTION_CHARS = 300
ANSWER_CHARS = 300


def check_question(text: str) -> str:
    text = check_query(text)
    if len(text) > MAX_QUESTION_CHARS:
        raise WengaoError(f"问题过长（{len(text)} 字，上限 {MAX_QUESTION_CHARS} 字）。")
    return text


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
    passages = choose_passages(searcher.search(question, k=10))
    clock.mark_retrieved()
    if on_sources:
        on_sources(passages)
    messages = messages_for(settings, "ask", passages=format_passages(passages),
                            question=question, length=length)
    draft = Draft(text=write(generator, messages, token_budget(length), on_token).strip())
    draft.timings = clock.report(generator)
    return draft, passages
