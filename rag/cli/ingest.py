"""`wengao ingest PATH...`: read, clean and index a corpus."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from rag.cli.common import add_common, settings_from


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "ingest",
        help="读取、清洗并索引语料 (.txt .docx .pdf .md .html)",
        description="读取文件夹或文件，清洗、切分讲话稿并建立索引。只对新增或改动的内容重新计算向量。"
        "不给 PATH 时，按现有索引记录的语料目录刷新。",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.index.build import corpus_roots, ingest

    settings = settings_from(args)
    roots = args.paths or corpus_roots(settings)
    report = ingest(roots, settings, progress=not (args.quiet or args.json))
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False))
    else:
        for path, why in report.skipped:
            print(f"跳过 {path}: {why}")
        for warning in report.warnings:
            print(f"注意 {warning.path}: {warning.message}")
        print(
            f"完成: 读取 {report.files_read} 个文件，跳过 {len(report.skipped)} 个；"
            f"{report.speeches} 篇讲话，{report.chunks} 个片段"
            f"（新计算向量 {report.embedded}，复用 {report.reused}，重复段落 {report.duplicates}）；"
            f"{report.sentences} 个句子（新计算向量 {report.sentences_embedded}）；"
            f"去除噪声 {report.removed_chars} 字；用时 {report.seconds} 秒。\n索引: {report.index}"
        )
    # Exit code 1 tells scripts that some input was not fully indexed although the index was built.
    return 0 if report.complete else 1
