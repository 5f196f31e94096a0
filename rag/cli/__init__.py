"""The `wengao` command: one module per subcommand, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from types import ModuleType

from rag.errors import OffCorpus, WengaoError
from rag.settings import load_settings

from . import ask, chunks, draft, expand, ingest, models, outline, search

SUBCOMMANDS = (ingest, search, chunks, outline, expand, draft, ask, models)


def build_parser(commands=SUBCOMMANDS) -> argparse.ArgumentParser:
    settings = load_settings()
    parser = argparse.ArgumentParser(
        prog="wengao",
        description="文稿：本地离线的讲话稿检索与起草助手。",
        epilog=f"默认索引目录: {settings.index_dir}\n默认模型目录: {settings.model_dir}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in commands:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None, commands=SUBCOMMANDS) -> int:
    """Run one subcommand; `commands` lets a front end add its own (see ui/main.py)."""
    try:
        try:
            return dispatch(argv, commands)
        finally:
            # Output to a pipe is buffered: flush here (after --help too), so a reader that has gone
            # is noticed below rather than in the interpreter's last flush, which prints a traceback.
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, less) stopped early, which is no failure of ours. Python flushes stdout
        # again at exit: send that to devnull. 141 (128 + SIGPIPE) is what the shell reports for
        # `cat` in the same place, so `set -o pipefail` scripts can treat us alike; 1 already
        # means skipped input files.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def dispatch(argv: list[str] | None, commands: tuple[ModuleType, ...]) -> int:
    """Parse and run one subcommand; failures a user can act on become messages and exit codes."""
    args = None
    try:
        args = build_parser(commands).parse_args(argv)
        return int(args.run(args) or 0)
    except OffCorpus as exc:
        # Not a mistake of the user's: the corpus has nothing to write from.
        if getattr(args, "json", False):
            print(json.dumps({"off_corpus": True, "message": str(exc)}, ensure_ascii=False))
        print(exc, file=sys.stderr)
        return 3
    except WengaoError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
