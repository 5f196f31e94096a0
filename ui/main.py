"""The `wengao` command: rag's subcommands plus `serve`, which lives here so that rag/ never imports ui/."""

from __future__ import annotations

from rag.cli import SUBCOMMANDS
from rag.cli import main as run_command
from ui import cli as serve


def main(argv: list[str] | None = None) -> int:
    return run_command(argv, (*SUBCOMMANDS, serve))
