"""Prompts from the files in prompts/, and the passages put into them.

The system prompt comes first and never changes between requests, so the
model's KV cache for it is reused; what varies (passages, task) comes last.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from rag.errors import WengaoError
from rag.llm.guard import without_instructions
from rag.types import Passage

# Characters of passage text given to the model. The 1.5B model reads about 60
# tokens/s on 2 cores and Chinese runs about 1 token per 1.3 characters, so this
# keeps prompt reading near 15 s while leaving room for 4 passages.
CONTEXT_CHARS = 1200
MAX_PER_SPEECH = 2


@cache
def read_prompt(folder: Path, name: str) -> str:
    """The prompt file `name`.md of `folder`, read once."""
    path = folder / f"{name}.md"
    try:
        return path.read_text("utf-8").strip()
    except OSError as exc:
        raise WengaoError(f"找不到提示词文件 {path}: {exc.strerror}") from None


def chat_prompt(folder: Path, task: str) -> ChatPromptTemplate:
    """The system prompt followed by the task's template, as a LangChain prompt."""
    return ChatPromptTemplate.from_messages(
        [("system", read_prompt(folder, "system").replace("{", "{{").replace("}", "}}")),
         ("human", read_prompt(folder, task))]
    )


def support_check_messages(folder: Path, source: str, sentence: str) -> list[dict]:
    """The yes-or-no question whether `source` says what `sentence` says."""
    question = read_prompt(folder, "support_check").format(source=source, sentence=sentence)
    return [{"role": "system", "content": read_prompt(folder, "support_check_system")},
            {"role": "user", "content": question}]


def choose_passages(passages: list[Passage], budget: int = CONTEXT_CHARS) -> list[Passage]:
    """The best passages that fit the budget, at most MAX_PER_SPEECH from one speech.

    Spreading across speeches gives the model several voices to draw on and makes
    verbatim copying of one source less likely.
    """
    chosen: list[Passage] = []
    per_speech: dict[str, int] = {}
    used = 0
    for passage in passages:
        speech = passage.chunk.speech_id
        if per_speech.get(speech, 0) >= MAX_PER_SPEECH:
            continue
        size = len(passage.chunk.text)
        if chosen and used + size > budget:
            continue
        chosen.append(passage)
        per_speech[speech] = per_speech.get(speech, 0) + 1
        used += size
    return chosen


def format_passages(passages: list[Passage]) -> str:
    lines = []
    for n, passage in enumerate(passages, start=1):
        chunk = passage.chunk
        where = f"《{chunk.title}》" + (f" {chunk.section[-1]}" if chunk.section else "")
        lines.append(f"[{n}] {where}\n{without_instructions(chunk.text)[0]}")
    return "\n\n".join(lines)
