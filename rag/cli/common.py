"""Flags and helpers shared by the subcommands."""

from __future__ import annotations

import argparse

from rag.settings import Settings, load_settings


def add_common(parser: argparse.ArgumentParser) -> None:
    """Flags every subcommand accepts."""
    parser.add_argument("--index", help="index directory (default: inside WENGAO_HOME)")
    parser.add_argument("--embed-model", help="a sentence-transformers folder to embed with")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(
        index=getattr(args, "index", None),
        embed_model=getattr(args, "embed_model", None),
        llm_model=getattr(args, "model", None),
        llm_server=getattr(args, "llm_server", None),
    )
