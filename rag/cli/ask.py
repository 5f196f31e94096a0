"""`wengao ask "问题"`: an answer about the corpus, with the speeches it comes from."""

from __future__ import annotations

import argparse

from rag.cli.common import add_common, settings_from
from rag.cli.drafting import Console, add_model_flags, load, show_evidence


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ask", help="就语料提问，回答附出处")
    parser.add_argument("question", help="问题，如：哪些讲话谈到了督查工作，怎么说的？")
    parser.add_argument("--length", type=int, default=300, help="回答字数上限（默认 300）")
    add_model_flags(parser)
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rag.ask import answer, check_question
    from rag.expand import check_length
    from rag.finish import finish_draft

    settings = settings_from(args)
    question = check_question(args.question)
    check_length(args.length)
    generator, searcher = load(settings)
    console = Console(args.json)
    draft, passages = answer(settings, searcher, generator, question, args.length,
                             console.sources, console.token)
    finish_draft(draft, passages, searcher.index, searcher.encode_queries)
    console.emit(draft.to_dict())
    if not args.json:
        show_evidence(draft)
    return 0
