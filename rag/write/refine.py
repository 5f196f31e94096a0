"""Rework the last draft on request: shorter, more formal, with a parallelism, from another angle.

The model rewrites the whole draft from the passages it was written from; the
caller cites the result again (rag/check/finish.py), since a rewrite can drift away
from its sources or drop what supported a sentence.
"""

from __future__ import annotations

from rag.check.cite import strip_markers
from rag.errors import WengaoError
from rag.llm.generate import Clock, OnToken, messages_for, token_budget, write
from rag.llm.prompts import format_passages
from rag.settings import Settings
from rag.types import Draft, Passage

# What the user asks for -> what the model is told to do.
REFINEMENTS = {
    "更简洁": "压缩到原稿篇幅的一半到三分之二，删去重复和空泛的话，要点一个不少。",
    "更正式": "改用庄重规范的书面语，去掉口语化的说法，句子完整，用词准确。",
    "加一组排比句": "在最能突出主旨的地方加入一组由三个结构相同的分句组成的排比句，其余内容基本不变。",
    "换个角度": ("换一个切入角度重新组织全文，比如从存在的问题、要达到的目标或群众的感受谈起，"
                 "观点仍然只来自原稿和参考材料。"),
}
# An addition (排比) makes the text longer; the budget leaves room for it.
GROWTH = 1.4


def check_instruction(text: str) -> str:
    """The refinement named in `text` (更简洁, 更正式, 加一组排比句, 换个角度)."""
    key = (text or "").strip().rstrip("。！!")
    if key not in REFINEMENTS:
        raise WengaoError(f"修改要求只能是：{'、'.join(REFINEMENTS)}。")
    return key


def refine(
    settings: Settings,
    generator,
    draft_text: str,
    passages: list[Passage],
    instruction: str,
    on_token: OnToken | None = None,
) -> Draft:
    """The draft rewritten as `instruction` asks, not yet cited."""
    key = check_instruction(instruction)
    original = strip_markers(draft_text).strip()
    if not original:
        raise WengaoError("还没有可以修改的文稿：请先提问或起草一段。")
    clock = Clock()
    messages = messages_for(settings, "refine", passages=format_passages(passages), draft=original,
                            instruction=REFINEMENTS[key])
    reply = write(generator, messages, token_budget(int(len(original) * GROWTH)), on_token)
    draft = Draft(text=reply.strip())
    draft.timings = clock.report(generator)
    return draft
