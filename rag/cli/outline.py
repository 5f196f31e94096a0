"""`wengao outline "主题"`: a proposed outline, each point with the passages behind it."""

from __future__ import annotations

import argparse
import sys

from rag.cli.common import add_common, settings_from
from rag.cli.drafting import Console, add_model_flags, load, source_line


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("outline", help="为讲话主题拟提纲，每个要点附依据材料")
    parser.add_argument("topic", help="讲话主题或场合，如：在全市办公室主任会议上的讲话")
    parser.add_argument("--points", default="3-6", help="要点数量，一个数或范围（默认 3-6）")
    add_model_flags(parser)
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.write.outline import check_topic, parse_points_arg, propose_outline

    settings = settings_from(args)
    topic = check_topic(args.topic)
    points = parse_points_arg(args.points)
    generator, searcher = load(settings, "outline")
    console = Console(args.json)

    def progress(piece: str) -> None:
        if not args.json:
            print(piece, end="", file=sys.stderr, flush=True)

    outline = propose_outline(settings, searcher, generator, topic, points, progress)
    console.emit(outline.to_dict())
    if args.json:
        return 0
    print("\n", file=sys.stderr)
    for point in outline.points:
        print(point.text)
        for n, passage in enumerate(point.passages, start=1):
            print("    " + source_line(n, passage))
    for note in outline.notes:
        print(f"提示：{note}", file=sys.stderr)
    return 0 if outline.points else 1
