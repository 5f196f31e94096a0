"""Text that addresses the model instead of the reader.

Retrieved passages are material and a request is a subject to write about;
neither may steer the model. The system prompt says so, but a 1.5B model does
not always listen, so sentences that read as orders to an assistant are taken
out of passages before the model sees them, and a request holding one is refused.
"""

from __future__ import annotations

import re

from rag.corpus.structure import split_sentences

# Orders to an AI assistant, in the forms such text takes in Chinese and English:
# discard the instructions, take on another role, reveal the prompt.
_INSTRUCTION = re.compile(
    r"(忽略|无视|忘记|忘掉|不要理会|不用理会|跳过)[^。！？\n]{0,8}(以上|上述|上面|之前|前面|先前|此前|所有|全部|系统)"
    r"[^。！？\n]{0,8}(要求|指令|指示|提示|规则|设定|约束|内容)"
    r"|(系统|原始|初始)(提示词|prompt)"
    r"|(你现在是|从现在起你是|现在开始你是|你的新(身份|角色|任务)是|请扮演|扮演一个)"
    r"|(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|above|prior|earlier|preceding)"
    r"\s+(instructions?|prompts?|rules?|directions?)"
    r"|system\s+prompt|you\s+are\s+now\s+|jailbreak",
    re.IGNORECASE,
)


def has_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text))


def without_instructions(text: str) -> tuple[str, list[str]]:
    """The text with every sentence that orders the model taken out, and those sentences."""
    removed: list[str] = []
    lines = []
    for line in text.splitlines():
        kept = []
        for sentence in split_sentences(line):
            (removed if has_instruction(sentence) else kept).append(sentence)
        lines.append("".join(kept))
    return "\n".join(line for line in lines if line.strip()), removed
