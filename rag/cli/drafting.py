"""What the drafting subcommands share: loading, sources before text, the evidence after it."""

from __future__ import annotations

import argparse
import json
import sys

from rag.settings import Settings
from rag.types import Draft, Passage


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="GGUF 模型文件路径（默认用内置模型）")
    parser.add_argument("--llm-server", metavar="URL",
                        help="改用 OpenAI 兼容的模型服务器生成，如 http://127.0.0.1:8000/v1（本机不加载模型）")


class _Loading:
    """A model still loading in a thread: the first use waits for it (and raises its error)."""

    def __init__(self, future) -> None:
        self._future = future

    def __getattr__(self, name: str):
        return getattr(self._future.result(), name)


def _loaded(settings: Settings, task: str, system: str):
    from rag.llm.generate import generator_for, prompt_head

    generator = generator_for(settings)
    generator.warm(prompt_head(settings, task, system))
    return generator


def load(settings: Settings, task: str, system: str = "system"):
    """The model, loading in a thread alongside the searcher: on two cores the two loads overlap,
    and what needs only the index (an answer's quotes, a section's sources) is shown before the
    model is ready. A wrong model path or server still fails first.

    The thread goes on to read the opening of `task`'s prompt into the model (prompts/<system>.md
    and <task>.md up to its first slot) on both cores, while the quotes or sources are printed:
    the first request reads only the rest."""
    from concurrent.futures import ThreadPoolExecutor

    from rag.index.embedder import Embedder
    from rag.llm.bundled import resolve_llm
    from rag.llm.generate import generator_for
    from rag.search.hybrid import open_searcher

    if settings.llm_server:
        # A server is asked at once: nothing to wait for.
        return generator_for(settings), open_searcher(settings, Embedder(settings))
    resolve_llm(settings)
    pool = ThreadPoolExecutor(max_workers=1)
    loading = pool.submit(_loaded, settings, task, system)
    pool.shutdown(wait=False)
    try:
        searcher = open_searcher(settings, Embedder(settings))
    except Exception:
        loading.result()  # a model that will not load is named first
        raise
    return _Loading(loading), searcher


def source_line(n: int, passage: Passage) -> str:
    section = f" > {passage.chunk.section[-1]}" if passage.chunk.section else ""
    return f"[{n}] 《{passage.chunk.title}》{section}  ({passage.chunk.chunk_id})"


class Console:
    """Streams to the terminal; silent with --json, which prints one object at the end."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.streamed: list[str] = []  # what was printed as the model wrote it

    def sources(self, passages: list[Passage]) -> None:
        if self.as_json:
            return
        print("参考材料：", file=sys.stderr)
        for n, passage in enumerate(passages, start=1):
            print("  " + source_line(n, passage), file=sys.stderr)
        print(file=sys.stderr, flush=True)

    def token(self, piece: str) -> None:
        self.streamed.append(piece)
        if not self.as_json:
            print(piece, end="", flush=True)

    def say(self, text: str) -> None:
        if not self.as_json:
            print(text, flush=True)

    def emit(self, payload: dict) -> None:
        if self.as_json:
            print(json.dumps(payload, ensure_ascii=False))


def show_evidence(draft: Draft) -> None:
    """After the streamed text: the verified citations, unsupported sentences and warnings."""
    from rag.check.finish import FLAG_COPY_AT

    print("\n")
    for c in draft.citations:
        print(f"[{c.n}] 《{c.title}》{c.section}")
    cited = [s for s in draft.sentences if s.citations]
    if cited:
        print("\n各句出处原文：")
    for s in cited:
        print(f"  · {s.text}")
        for n, quote in zip(s.citations, s.quotes, strict=True):
            print(f"      [{n}] {quote}")
    unsupported = [s.text for s in draft.sentences if not s.supported and getattr(s, "kind", "") == "claim"]
    if unsupported:
        print(f"\n未找到出处的句子 {len(unsupported)} 句：", file=sys.stderr)
        for text in unsupported:
            print(f"  · {text}", file=sys.stderr)
    copy = draft.copy
    if copy.get("longest", 0) >= FLAG_COPY_AT:
        print(f"\n查重：最长照抄 {copy['longest']} 字，照抄占比 {copy['copied_share']:.0%}", file=sys.stderr)
    for note in draft.notes:
        print(f"提示：{note}", file=sys.stderr)
