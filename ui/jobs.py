"""A drafting call run in a worker thread, its progress handed to the browser as it happens.

rag's drafting functions report through callbacks (sources found, each piece of
text); a Gradio event handler is a generator that yields updates. The worker
puts the callbacks' arguments on a queue and the handler turns them into steps.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from rag.errors import OffCorpus, WengaoError
from rag.llm.generate import OnToken
from rag.search.relevance import off_corpus_message
from rag.write.expand import OnSources
from ui.render import notice_html

log = logging.getLogger("wengao.ui")

Work = Callable[[OnSources, OnToken], Any]


@dataclass
class Step:
    kind: str  # "sources" (the passages), "text" (all text so far), "done" (the result) or "error"
    value: Any


def run_streaming(work: Work, cancel: threading.Event) -> Iterator[Step]:
    """Run `work(on_sources, on_token)` in a thread; yield its progress, then its result or error.

    Text that arrives while the browser is being updated is merged into one
    step. When the consumer stops before the end (the page was closed), `cancel`
    is set so the model stops too; otherwise it is left as the user set it.
    """
    events: queue.Queue = queue.Queue()

    def target() -> None:
        try:
            result = work(lambda passages: events.put(("sources", passages)),
                          lambda piece: events.put(("token", piece)))
            events.put(("done", result))
        except Exception as exc:  # handed to the consumer, which tells the user
            events.put(("error", exc))

    threading.Thread(target=target, daemon=True, name="wengao-job").start()
    text = ""
    ended = False
    try:
        while True:
            batch = [events.get()]
            while not events.empty():
                batch.append(events.get_nowait())
            grew = False
            for kind, value in batch:
                if kind == "token":
                    text += value
                    grew = True
                    continue
                if grew:
                    yield Step("text", text)
                    grew = False
                if kind in ("done", "error"):
                    ended = True
                yield Step(kind, value)
                if ended:
                    return
            if grew:
                yield Step("text", text)
    finally:
        if not ended:
            cancel.set()


# The page adds speeches through its own upload; the command-line advice would send the user to a terminal.
UPLOAD_ADVICE = "如需就这一题目起草，可在「语料库」页上传相关讲话稿后再试。"


def user_message(exc: BaseException) -> str:
    """What to tell the user about a failure: our own messages as they are, anything else in general terms."""
    if isinstance(exc, OffCorpus) and exc.topics is not None:
        return off_corpus_message(exc.query, exc.topics, UPLOAD_ADVICE)
    if isinstance(exc, WengaoError):
        return str(exc)
    log.error("drafting failed", exc_info=exc)
    return ("模型运行出错，这次没有生成文稿。请再试一次；"
            "如果反复出错，请查看运行 wengao serve 的终端中的错误记录。")


def failure(exc: BaseException) -> tuple[str, str]:
    """The message and how to show it: the corpus having nothing on a topic is a warning, not an error."""
    return user_message(exc), "warn" if isinstance(exc, OffCorpus) else "error"


def nothing_written(notes: list[str], stopped: bool) -> tuple[str, str]:
    """The message and how to show it when a request ended without text: the user stopped it
    before a word, or the model wrote nothing usable (a warning that says what to try)."""
    if stopped:
        return "已停止，没有写出内容。", "info"
    return "".join(notes) or "模型没有写出正文，请换一种说法再试。", "warn"


def failure_html(exc: BaseException) -> str:
    return notice_html(*failure(exc))
