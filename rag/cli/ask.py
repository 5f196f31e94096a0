"""`wengao ask "问题"`: the corpus sentences that answer it, quoted with their sources, then a synthesis."""

from __future__ import annotations

import argparse
import sys

from rag.cli.common import add_common, settings_from
from rag.cli.drafting import Console, add_model_flags, load


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ask", help="就语料提问：先列出回答问题的原句及出处，再简要归纳")
    parser.add_argument("question",
                        help="问题，如：哪些讲话谈到了督查工作，怎么说的？加引号的词语按原文逐字查找")
    parser.add_argument("--length", type=int, default=300, help="归纳字数上限（默认 300，实际多为两三句）")
    add_model_flags(parser)
    add_common(parser)
    parser.set_defaults(run=run)


def evidence_text(evidence) -> str:
    """The quoted sentences grouped by speech, then by section, each in 「」 with its [n]."""
    from rag.write.evidence import by_section, grouped

    lines = []
    for (_, title, source), items in grouped(evidence):
        lines.append(f"《{title}》（{source}）")
        for section, run in by_section(items):
            if section:
                lines.append(f"  {section}")
            lines += [f"    「{item.text}」[{item.n}]" for item in run]
    return "\n".join(lines)


def show_quotes(evidence) -> None:
    if evidence:
        print("原文摘录：\n" + evidence_text(evidence) + "\n", flush=True)
    else:
        print("语料中没有找到回答这个问题的原句。", flush=True)


def show_check(answer, labelled: bool) -> None:
    """After the synthesis: which quotes each sentence rests on, and what was left out."""
    from rag.write.ask import DROPPED_NOTE, ECHO_NOTE, SYNTHESIS_LABEL

    draft = answer.draft
    if not draft.text and (labelled or any(n.startswith((DROPPED_NOTE, ECHO_NOTE)) for n in draft.notes)):
        # The model wrote, and every sentence it wrote was left out.
        print(("" if labelled else f"{SYNTHESIS_LABEL}：") + "（略）")
    if draft.text:
        print("\n\n归纳各句的依据：")
        for s in draft.sentences:
            where = "".join(f"[{n}]" for n in s.citations) if s.citations else "（未找到出处）"
            print(f"  · {s.text} {where}")
    for note in draft.notes:
        print(f"提示：{note}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from rag.write.ask import SYNTHESIS_LABEL, answer, check_question
    from rag.write.expand import check_length

    settings = settings_from(args)
    question = check_question(args.question)
    check_length(args.length)
    generator, searcher = load(settings, "ask", "ask_system")
    console = Console(args.json)

    def on_evidence(evidence) -> None:
        if not console.as_json:
            show_quotes(evidence)

    # 归纳： heads the synthesis once it starts: a list quoted whole, or quotes that may be beside
    # the point, get none.
    labelled = False

    def on_token(piece: str) -> None:
        nonlocal labelled
        if not labelled and not console.as_json:
            console.token(f"{SYNTHESIS_LABEL}：")
            labelled = True
        console.token(piece)

    result = answer(settings, searcher, generator, question, args.length, on_evidence, on_token)
    console.emit(result.to_dict())
    if not console.as_json:
        show_check(result, labelled)
    return 0
