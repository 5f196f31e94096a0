"""`wengao search`: hybrid search, one query or a JSON Lines file of them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.cli.common import add_common, settings_from
from rag.errors import WengaoError
from rag.search.hybrid import MODES, check_query


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("search", help="检索语料（向量 + 关键词混合检索）")
    parser.add_argument("query", nargs="?", help="查询内容")
    parser.add_argument("-k", type=int, default=None, help="返回条数 (默认 5)")
    parser.add_argument("--mode", choices=MODES, default="hybrid")
    parser.add_argument(
        "--queries", type=Path, help='JSON Lines 文件, 每行 {"id", "query"}; 每行输出一条结果'
    )
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.search.hybrid import open_searcher

    settings = settings_from(args)
    k = args.k or settings.top_k
    if k < 1:
        raise WengaoError("-k 必须是正整数。")
    if args.query is not None and args.queries:
        raise WengaoError("请给出一个查询，或用 --queries 指定查询文件（二者选一）。")
    if args.query is not None:
        check_query(args.query)  # refuse bad input before loading the model
    searcher = open_searcher(settings)
    if args.query is None and not args.queries:
        return _interactive(searcher, k, args.mode)
    rows = _read_queries(args.queries) if args.queries else [{"id": None, "query": args.query}]
    results = searcher.search_many([r["query"] for r in rows], k, args.mode)
    if args.queries:
        for row, passages in zip(rows, results):
            out = {"id": row["id"], "results": [p.to_dict() for p in passages]}
            print(json.dumps(out, ensure_ascii=False))
    elif args.json:
        print(json.dumps({"query": args.query, "results": [p.to_dict() for p in results[0]]},
                         ensure_ascii=False))
    else:
        _print_passages(results[0])
    return 0


def _interactive(searcher, k: int, mode: str) -> int:
    """Ask for queries until end of input; the model stays loaded between them."""
    print("输入查询后回车检索；Ctrl-D 退出。", file=sys.stderr)
    while True:
        try:
            query = input("查询> ")
        except EOFError:
            print(file=sys.stderr)
            return 0
        if not query.strip():
            continue
        try:
            _print_passages(searcher.search(query, k, mode))
        except WengaoError as exc:
            print(f"错误: {exc}", file=sys.stderr)


def _read_queries(path: Path) -> list[dict]:
    rows = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise WengaoError(f"无法读取查询文件 {path}: {exc}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append({"id": row.get("id", n), "query": str(row["query"])})
        except (ValueError, KeyError, AttributeError):
            raise WengaoError(f'{path} 第 {n} 行不是 {{"id", "query"}} 格式的 JSON。') from None
    return rows


def _print_passages(passages) -> None:
    if not passages:
        print("没有找到相关内容。", file=sys.stderr)
    for p in passages:
        c = p.chunk
        print(f"[{p.rank}] {p.score:.4f}  {c.title}" + (f" > {c.section_path}" if c.section else ""))
        print(f"    {c.chunk_id}  来源: {c.source}")
        print("    " + c.text.replace("\n", "\n    "))
        print()
