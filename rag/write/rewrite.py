"""Rewrite sentences copied verbatim from the corpus until no run exceeds a limit.

Speechwriters are judged on duplication checks (查重): a second pass asks the
model to say each flagged sentence again in other words, keeps a rewrite only
when it copies less, and says which sentences it could not fix.
"""

from __future__ import annotations

from rag.check.cite import model_verifier
from rag.check.finish import copy_index_for, finish_draft
from rag.corpus.clean import spliced
from rag.corpus.words import formulae
from rag.errors import WengaoError
from rag.index.store import CorpusIndex
from rag.llm.generate import messages_for, token_budget, write
from rag.settings import Settings
from rag.types import Draft, Passage

MIN_MAX_COPY = 8  # the copy index's shortest run: a smaller limit cannot be checked
# What a section may share with the corpus in a row when the user sets nothing. Writing is
# blocked from copying (rag/llm/copyblock.py); this catches what got through, and everything a
# model server, which cannot be blocked, copies.
DEFAULT_MAX_COPY = 15
ROUNDS = 3
# A rewrite is one sentence; anything much longer is the model adding content.
MAX_GROWTH = 1.6
_ANSWER_PREFIXES = ("改写后的句子：", "改写后：", "改写：", "重写后：", "句子：")


def check_max_copy(limit: int | None) -> int | None:
    """None means no limit."""
    if limit is not None and limit < MIN_MAX_COPY:
        raise WengaoError(f"--max-copy 至少为 {MIN_MAX_COPY}（查重以 {MIN_MAX_COPY} 字为最小单位）。")
    return limit


def clean_rewrite(reply: str, original: str) -> str | None:
    """The rewritten sentence, or None when the reply is not a usable one."""
    text = reply.strip().splitlines()[0].strip() if reply.strip() else ""
    for prefix in _ANSWER_PREFIXES:
        text = text.removeprefix(prefix).strip()
    text = text.strip("“”\"「」")
    if not text or len(text) > MAX_GROWTH * len(original) + 10:
        return None
    return text


def over_limit(draft: Draft, limit: int, copies) -> list:
    # Headings are the user's own outline points and salutations are formulas: both stay. A set
    # formulation (以习近平同志为总书记的党中央) is said word for word: its letters count for no run.
    return [s for s in draft.sentences
            if s.copied_chars > limit and getattr(s, "kind", "claim") in ("claim", "short")
            and copies.longest_copied_run(without_formulae(s.text))[0] > limit]


def without_formulae(text: str) -> str:
    """`text` with each set formulation put as a comma, so that no copied run goes through one."""
    return spliced(text, [(start, end, "，") for start, end in formulae(text)])


def finish_section(settings: Settings, generator, draft: Draft, passages: list[Passage], index: CorpusIndex,
                   embed, max_copy: int | None = None) -> Draft:
    """Cite and check a written section, then rewrite what still copies more than `max_copy`
    characters in a row (DEFAULT_MAX_COPY when None)."""
    verify = model_verifier(generator, settings.prompts)
    finish_draft(draft, passages, index, embed, verify)
    limit = DEFAULT_MAX_COPY if max_copy is None else max_copy
    if over_limit(draft, limit, copy_index_for(index)) and draft.text.strip():
        reduce_copying(settings, generator, draft, passages, index, embed, limit)
    return draft


def reduce_copying(
    settings: Settings,
    generator,
    draft: Draft,
    passages: list[Passage],
    index: CorpusIndex,
    embed,
    limit: int,
) -> Draft:
    """Rewrite the sentences of a finished draft whose longest copied run exceeds `limit`."""
    copies = copy_index_for(index)
    verify = model_verifier(generator, settings.prompts)
    for attempt in range(ROUNDS):
        over = over_limit(draft, limit, copies)
        if not over:
            break
        text = draft.text
        for sentence in over:
            _, run = copies.longest_copied_run(sentence.text)
            messages = messages_for(settings, "rewrite", sentence=sentence.text, copied=run, limit=limit)
            # Later rounds sample more freely: the same prompt at the same temperature
            # tends to give back the same wording.
            reply = write(generator, messages, token_budget(len(sentence.text)),
                          temperature=0.3 + 0.3 * attempt)
            new = clean_rewrite(reply, sentence.text)
            if new and copies.longest_copied_run(new)[0] < sentence.copied_chars:
                text = text.replace(sentence.text, new, 1)
        draft.text = text
        finish_draft(draft, passages, index, embed, verify)
    left = over_limit(draft, limit, copies)
    draft.copy["max_copy"] = limit
    draft.copy["over_limit"] = len(left)
    if left:
        draft.notes.append(
            f"有 {len(left)} 句改写 {ROUNDS} 轮后仍与原文连续相同超过 {limit} 字，请手工改写："
            + "；".join(s.text for s in left)
        )
    return draft
