"""`wengao expand "要点"`: one grounded speech section for one outline point."""

from __future__ import annotations

import argparse
import json
import sys

from rag.cli.common import add_common, settings_from


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("expand", help="扩写一个提纲要点为讲话稿段落（附出处）")
    parser.add_argument("point", help="提纲要点，如：二要在统筹协调上下功夫")
    parser.add_argument("--topic", default="", help="讲话主题或场合")
    parser.add_argument("--length", type=int, default=600, help="字数（默认 600）")
    parser.add_argument("--model", help="GGUF 模型文件路径")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.engine import Embedder, open_searcher
    from rag.expand import ExpandRequest, check_point, expand
    from rag.finish import finish_draft
    from rag.llm import Generator

    settings = settings_from(args)
    request = ExpandRequest(check_point(args.point), args.topic.strip(), args.length)
    generator = Generator.from_settings(settings)  # checks the model before the slow loads
    embedder = Embedder(settings)
    searcher = open_searcher(settings, embedder)

    def show_sources(passages) -> None:
        if args.json:
            return
        print("参考材料：", file=sys.stderr)
        for n, p in enumerate(passages, start=1):
            section = f" > {p.chunk.section[-1]}" if p.chunk.section else ""
            print(f"  [{n}] 《{p.chunk.title}》{section}  ({p.chunk.chunk_id})", file=sys.stderr)
        print(file=sys.stderr)
        print(request.point, flush=True)

    def show_token(piece: str) -> None:
        if not args.json:
            print(piece, end="", flush=True)

    draft, passages = expand(settings, searcher, generator, request, show_sources, show_token)
    draft = finish_draft(draft, passages, searcher.index, embedder.queries)
    if args.json:
        print(json.dumps(draft.to_dict(), ensure_ascii=False))
        return 0
    print("\n")
    for c in draft.citations:
        print(f"[{c.n}] 《{c.title}》{c.section}：{c.quote}")
    unsupported = [s.text for s in draft.sentences if not s.supported and len(s.text) > 12]
    if unsupported:
        print(f"\n未找到出处的句子 {len(unsupported)} 句：", file=sys.stderr)
        for text in unsupported:
            print(f"  · {text}", file=sys.stderr)
    for note in draft.notes:
        print(f"提示：{note}", file=sys.stderr)
    return 0
