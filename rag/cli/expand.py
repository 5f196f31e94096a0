"""`wengao expand "要点"`: one grounded speech section for one outline point."""

from __future__ import annotations

import argparse

from rag.cli.common import add_common, settings_from
from rag.cli.drafting import Console, add_model_flags, load, show_evidence


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("expand", help="扩写一个提纲要点为讲话稿段落（附出处）")
    parser.add_argument("point", help="提纲要点，如：二要在统筹协调上下功夫")
    parser.add_argument("--topic", default="", help="讲话主题或场合")
    parser.add_argument("--length", type=int, default=600, help="字数（默认 600）")
    parser.add_argument("--max-copy", type=int,
                        help="与语料连续相同的字数上限（默认 15），写作时即避免，超过的句子再自动改写")
    add_model_flags(parser)
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.corpus.clean import core_text
    from rag.write.expand import ExpandRequest, check_length, check_point, expand
    from rag.write.rewrite import check_max_copy, finish_section

    settings = settings_from(args)
    request = ExpandRequest(check_point(args.point), args.topic.strip(), check_length(args.length),
                            check_max_copy(args.max_copy))
    generator, searcher = load(settings, "paragraph")
    console = Console(args.json)

    def sources(passages) -> None:
        console.sources(passages)
        console.say(request.point)

    draft, passages = expand(settings, searcher, generator, request, sources, console.token)
    written = draft.text
    finish_section(settings, generator, draft, passages, searcher.index, searcher.encode_queries,
                   args.max_copy)
    # The stream is the model's raw reply: what was dropped from it (题外话 such as 好的，以下是正文,
    # a sentence said twice, a paragraph written again) or rewritten is gone only from the section.
    rewritten = draft.copy.get("max_copy") is not None and draft.text != written
    if rewritten or core_text(draft.text) != core_text(request.point + "".join(console.streamed)):
        heading = "改写了照抄过多的句子：" if rewritten else "整理后的正文（去掉了题外话和重复的句子）："
        console.say(f"\n\n{heading}")
        console.say(draft.text)
    console.emit(draft.to_dict())
    if not args.json:
        show_evidence(draft)
    return 0
