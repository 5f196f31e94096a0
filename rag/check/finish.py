"""Attach the evidence to generated text: citations, copying, invented specifics."""

from __future__ import annotations

from rag.check.cite import Verify, align, strip_markers, unsupported_share
from rag.check.copycheck import CopyIndex, copy_report, invented_specifics
from rag.check.idiom_slips import idiom_slips
from rag.check.misquotes import formula_slips
from rag.index.store import CorpusIndex, per_index
from rag.types import Draft, Passage

FLAG_COPY_AT = 20
INVENTED_NOTE = "原材料中没有的具体信息，请核实："
SLIP_NOTE = "疑似成语或提法误写，请核对："


@per_index
def copy_index_for(index: CorpusIndex) -> CopyIndex:
    """Built once per index generation: the corpus is what 查重 compares against."""
    return CopyIndex.from_chunks(index.chunks)


def finish_draft(draft: Draft, passages: list[Passage], index: CorpusIndex, embed,
                 verify: Verify | None = None) -> Draft:
    """Cite, measure copying and list invented specifics; safe to run again after an edit.
    `verify`: the local model settles the citations the judge is least sure of."""
    copies = copy_index_for(index)
    sentences, citations = align(draft.text, passages, embed, copies, verify)
    # Markers the model wrote were hints for align; the verified ones live in `sentences`.
    draft.text = strip_markers(draft.text)
    report = copy_report([s.text for s in sentences], copies, FLAG_COPY_AT)
    draft.sentences = sentences
    draft.citations = citations
    draft.copy = {k: v for k, v in report.items() if k != "flagged"}
    draft.copy["unsupported_share"] = round(unsupported_share(sentences), 3)
    draft.notes = [n for n in draft.notes if not n.startswith((INVENTED_NOTE, SLIP_NOTE))]
    sources = [p.chunk.text for p in passages]
    invented = invented_specifics(draft.text, sources)
    if invented:
        draft.notes.append(INVENTED_NOTE + "、".join(invented))
    slips = idiom_slips(draft.text, sources) + [
        (draft.text[start:end], formula) for start, end, formula in formula_slips(draft.text, sources)]
    if slips:
        draft.notes.append(SLIP_NOTE + "；".join(f"{written}（原文作“{idiom}”）" for written, idiom in slips))
    return draft
