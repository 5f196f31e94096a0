"""`wengao chunks`: list every chunk in the index."""

from __future__ import annotations

import argparse
import json

from rag.cli.common import add_common, settings_from


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chunks", help="列出索引中的全部片段")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.index.store import CorpusIndex

    index = CorpusIndex.open(settings_from(args).index_dir)
    for chunk in index.chunks:
        if args.json:
            print(json.dumps(chunk.to_dict(), ensure_ascii=False))
        else:
            print(f"{chunk.chunk_id}\t{chunk.title}\t{chunk.section_path}\t{len(chunk.text)}字")
    return 0
