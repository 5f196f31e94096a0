"""`wengao draft "主题" --out speech.docx`: a whole speech, exported with its sources."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rag.cli.common import add_common, settings_from
from rag.cli.drafting import Console, add_model_flags, load

PART_NAMES = {"outline": "拟定提纲", "opening": "开场白", "closing": "结束语"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("draft", help="起草整篇讲话稿并导出为 .md 或 .docx")
    parser.add_argument("topic", help="讲话主题或场合")
    parser.add_argument("--outline", help="提纲文件（每行一个要点）；不给则自动拟定")
    parser.add_argument("--title", default="", help="讲话稿标题（默认用主题）")
    parser.add_argument("--length", type=int, default=400, help="每个要点的字数（默认 400）")
    parser.add_argument("--max-copy", type=int, help="与语料连续相同的字数上限，超过的句子自动改写")
    parser.add_argument("--out", help="导出文件：speech.md 或 speech.docx")
    add_model_flags(parser)
    add_common(parser)
    parser.set_defaults(run=run)


def read_outline_file(path: str) -> list[str]:
    from rag.corpus.readers import decode_text
    from rag.errors import WengaoError
    from rag.write.outline import read_outline

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise WengaoError(f"无法读取提纲文件 {path}：{exc.strerror}") from None
    return read_outline(decode_text(data)[0])


def run(args: argparse.Namespace) -> int:
    from rag.errors import WengaoError
    from rag.export.manuscript import check_target, export
    from rag.write.assemble import SpeechRequest, draft_speech
    from rag.write.expand import check_length
    from rag.write.outline import check_topic
    from rag.write.rewrite import check_max_copy

    settings = settings_from(args)
    if not args.out and not args.json:
        raise WengaoError("请用 --out 指定导出文件（.md 或 .docx），或用 --json 输出。")
    target = check_target(Path(args.out)) if args.out else None
    request = SpeechRequest(check_topic(args.topic), title=args.title,
                            section_length=check_length(args.length), max_copy=check_max_copy(args.max_copy))
    if args.outline:
        request.points = read_outline_file(args.outline)
    generator, searcher = load(settings, "opening" if args.outline else "outline")
    console = Console(args.json)

    def part(kind: str, heading: str) -> None:
        console.say(f"\n\n{heading or PART_NAMES[kind]}" if kind != "opening" else PART_NAMES[kind])

    manuscript = draft_speech(settings, searcher, generator, request, part, console.sources, console.token)
    if target:
        export(manuscript, target)
    console.emit(manuscript.to_dict() | ({"out": str(target)} if target else {}))
    if not args.json:
        print(f"\n\n已导出：{target}（引用 {len(manuscript.citations)} 处出处）")
        for note in manuscript.notes:
            print(f"提示：{note}", file=sys.stderr)
    return 0
