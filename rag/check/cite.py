"""Citations established after generation.

Small local models do not write citation markers reliably, so every sentence of
a draft is aligned with the passages it was written from: a passage supports a
sentence when one of its sentences means nearly the same (embedding cosine) and
the two share enough wording (character bigrams). Markers the model did write
are only hints: one is kept when its passage passes the same check.

`embed` is any function that maps texts to L2-normalised rows. With the e5 model
use `Embedder.queries` for both sides: e5 asks for the "query: " prompt on
symmetric (sentence-to-sentence) tasks, and the thresholds below were measured
that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.corpus.clean import bigrams, core_text
from rag.corpus.structure import (
    TERMINAL,
    ends_sentence,
    heading_of,
    is_salutation,
    is_title_like,
    split_sentences,
)
from rag.llm.prompts import support_check_messages
from rag.types import Citation, Passage, SentenceSupport

if TYPE_CHECKING:
    from rag.check.copycheck import CopyIndex

Embed = Callable[[list[str]], np.ndarray]
# (the passage's sentences nearest the sentence, the sentence) -> the model's yes-minus-no logit
Verify = Callable[[str, str], float]

# The support judge. similarity: best cosine between the sentence and one of the
# passage's sentences; overlap: share of the sentence's character bigrams found in
# the passage. A passage supports a sentence when
#     overlap + SIM_WEIGHT * (similarity - SIM_BASE) >= SUPPORT_MIN
# i.e. at cosine 0.90 (about where on-topic sentences that say something else sit
# with e5-small) 80% of the bigrams must be in the passage, and each 0.01 of cosine
# above that lets 9 points of the wording differ. Calibrated with
# eval/calibrate_support.py on 442 hand-labelled pairs (written sentences, and
# sentences the 1.5B model wrote copying and then paraphrasing under the copy block),
# the best agreement at precision >= 0.9: agreement 0.871, precision 0.917, recall
# 0.882; 5-fold cross-validated 0.864 / 0.913 / 0.875, and 0.832 on the 352 pairs
# that copy no 20-character run. The constants before (5.0 / 0.86, chosen for F0.5 on
# written sentences) gave 0.819 / 0.964 / 0.750 and 0.776 on those 352: they left
# most paraphrased sentences without a source. Still misjudged: loose summaries
# (cosine no higher than for wrong claims) and sentences that reuse a passage's words
# to say something else (see invented_specifics in rag/check/copycheck.py for figures).
SIM_BASE = 0.90
SIM_WEIGHT = 9.0
SUPPORT_MIN = 0.80
# Where that judge is least sure (support within VERIFY_BAND of SUPPORT_MIN, most often a
# paraphrase), the local model is asked whether the passage's two sentences nearest the
# sentence say it (prompts/support_check*.md), and its yes-minus-no logit weighs in:
#     MODEL_WEIGHTS . (similarity, overlap, logit, 1) >= 0
# Calibrated with eval/calibrate_support.py --model on the same 442 pairs, the narrowest band
# within half a point of the best agreement: 28% of the pairs are asked about, and
# cross-validated agreement goes from 0.864 to 0.891 (precision 0.913 to 0.923), from 0.832 to
# 0.866 on the 352 that copy no 20-character run. A model server gives no logits to read.
VERIFY_BAND = 0.3
MODEL_WEIGHTS = (2.704, 5.557, 1.472, -6.793)
# A sentence rarely rests on more than two passages; more numbers are noise.
MAX_CITATIONS_PER_SENTENCE = 2
# Fewer letters/digits than this and a "sentence" carries no claim (同志们！ 谢谢大家！).
MIN_CLAIM_CHARS = 8

# [1] [1,2] [1、2] ［1］ 【1】: the forms small models produce (only digits: 【待填：…】 is not one).
MARKER = re.compile(r"[\[［【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]］】]")
# Removing a marker removes the space a model put before it ("落实 [1]。" -> "落实。").
_SPACED_MARKER = re.compile(r"\s*" + MARKER.pattern)
# A marker written after the full stop ("…。[1]") belongs to the sentence before it;
# moving it in front of the stops and closers keeps it there when the text is split. The
# space after the markers stays where it is, as strip_markers leaves it.
_MARKER_AFTER_STOP = re.compile(rf"({TERMINAL.pattern})\s*((?:\s*{MARKER.pattern})+)")

MAX_HEADING_CHARS = 40
KINDS = ("claim", "heading", "salutation", "short")


@dataclass
class DraftUnit:
    """One sentence (or heading line) of a draft, its markers taken out."""

    text: str
    markers: list[int] = field(default_factory=list)
    kind: str = "claim"


@dataclass
class CitedSentence(SentenceSupport):
    """SentenceSupport plus what kind of unit it is and which model markers were dropped.

    kind is one of KINDS; only "claim" sentences are judged, the others carry no
    content that a source could support (headings, salutations, 谢谢大家！).
    """

    kind: str = "claim"
    dropped_markers: list[int] = field(default_factory=list)


def sentence_kind(text: str) -> str:
    if is_salutation(text):
        return "salutation"
    heading = heading_of(text)
    if (heading is not None and heading.whole_line) or is_title_like(text):
        return "heading"
    if len(core_text(text)) < MIN_CLAIM_CHARS:
        return "short"
    return "claim"


def is_heading_line(line: str) -> bool:
    """A short first line without a full stop, with text under it: a section heading,
    numbered or not (要在统筹协调上下功夫)."""
    return len(line) <= MAX_HEADING_CHARS and not ends_sentence(line)


def _markers(text: str) -> tuple[str, list[int]]:
    found = [int(n) for m in MARKER.finditer(text) for n in re.split(r"\s*[,，、]\s*", m.group(1))]
    return _SPACED_MARKER.sub("", text).strip(), found


def _markers_before_stops(line: str) -> str:
    """Markers written after a sentence end, moved in front of it. Moving one can leave a
    stop right before the next (。[1]】[2] -> [1]。】[2]), so this repeats until none is left."""
    while (moved := _MARKER_AFTER_STOP.sub(lambda m: m.group(2).strip() + m.group(1), line)) != line:
        line = moved
    return line


def split_draft(text: str) -> list[DraftUnit]:
    """Lines, then sentences; a heading or salutation line stays one unit."""
    units: list[DraftUnit] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        line = _markers_before_stops(line)
        bare, _ = _markers(line)
        # A first line of markers or punctuation only is no heading: it has no words.
        heading = bool(core_text(bare)) and sentence_kind(bare) != "salutation" and is_heading_line(bare)
        if i == 0 and len(lines) > 1 and heading:
            units.append(DraftUnit(bare, [], "heading"))
            continue
        pieces = [line] if sentence_kind(bare) in ("heading", "salutation") else split_sentences(line)
        for piece in pieces:
            clean, markers = _markers(piece)
            if not core_text(clean):
                # A marker (or punctuation) left on its own belongs to the sentence before.
                if units and markers:
                    units[-1].markers.extend(markers)
                continue
            units.append(DraftUnit(clean, markers, sentence_kind(clean)))
    return units


def draft_sentences(text: str) -> list[str]:
    """The sentences of generated text, [n] markers removed, headings as their own units."""
    return [u.text for u in split_draft(text)]


def passage_sentences(text: str) -> list[str]:
    """A passage's sentences, the units a quote is taken from."""
    out = []
    for line in text.splitlines():
        out.extend(s.strip() for s in split_sentences(line.strip()) if core_text(s))
    return out


def support_value(similarity: float, overlap: float) -> float:
    return overlap + SIM_WEIGHT * (similarity - SIM_BASE)


def judge(similarity: float, overlap: float) -> bool:
    return support_value(similarity, overlap) >= SUPPORT_MIN


def _score(sentence_grams: set[str], passage_grams: set[str], sentence_vec, passage_vecs) -> dict:
    sims = np.asarray(passage_vecs, dtype=np.float32) @ np.asarray(sentence_vec, dtype=np.float32)
    best = int(np.argmax(sims)) if len(sims) else -1
    similarity = float(sims[best]) if len(sims) else 0.0
    overlap = len(sentence_grams & passage_grams) / len(sentence_grams) if sentence_grams else 0.0
    support = support_value(similarity, overlap)
    return {"similarity": similarity, "overlap": overlap, "support": support, "best": best,
            "supported": support >= SUPPORT_MIN, "sims": sims}


def model_verifier(generator, prompts: Path) -> Verify | None:
    """The local model as `verify`; None for a model server, which gives no logits to read."""
    if not hasattr(generator, "choice_logits"):
        return None

    def verify(source: str, sentence: str) -> float:
        yes, no = generator.choice_logits(support_check_messages(prompts, source, sentence), ("是", "否"))
        return yes - no

    return verify


def nearest(sentences: list[str], sims: np.ndarray, k: int = 2) -> str:
    """The `k` sentences most like the judged one, in the passage's order: what the model reads."""
    return "".join(sentences[i] for i in sorted(np.argsort(-sims)[:k].tolist()))


def unsure(support: float, band: float) -> bool:
    """Whether the rule's value is too near its threshold to go on alone."""
    return abs(support - SUPPORT_MIN) < band


Weights = tuple[float, float, float, float]


def model_judge(score: dict, logit: float, weights: Weights) -> bool:
    """The verdict on a pair the rule is unsure of, with the model's yes-minus-no `logit`."""
    w_sim, w_overlap, w_logit, bias = weights
    return w_sim * score["similarity"] + w_overlap * score["overlap"] + w_logit * logit + bias >= 0


def support_score(sentence: str, passage_text: str, sentence_vec, passage_sentence_vecs) -> dict:
    """How well one passage supports one sentence.

    similarity: max cosine between the sentence and the passage's sentences
    (rows of passage_sentence_vecs, in passage_sentences() order); best: the
    index of that sentence; overlap: share of the sentence's character bigrams
    (punctuation removed) that occur in the passage; support: the two combined
    (support_value); supported: support >= SUPPORT_MIN.
    Cosine alone cannot tell "says the same" from "says something else about the
    same subject"; bigram overlap alone misses paraphrase. Combined, a close
    meaning makes up for some change of wording and the other way round.
    """
    return _score(bigrams(sentence), bigrams(passage_text), sentence_vec, passage_sentence_vecs)


def align(
    text: str, passages: list[Passage], embed: Embed, copy_index: CopyIndex | None = None,
    verify: Verify | None = None,
) -> tuple[list[SentenceSupport], list[Citation]]:
    """Sentences of `text` with the passages that support them, and the numbered citations.

    Returns CitedSentence objects (a SentenceSupport with `kind`). Only "claim"
    sentences are judged; headings, salutations and short formulas keep
    supported=False with no citations and are left out of unsupported_share().
    A passage supports a claim when judge() passes; a claim cites at most
    MAX_CITATIONS_PER_SENTENCE passages, those the model marked (and that pass)
    first, then the rest by support value. A marker [n] refers to
    passages[n-1]; it is dropped (listed in dropped_markers) when that passage
    does not pass or does not exist. Citations are numbered 1..n by first use;
    a citation's quote is the passage sentence that best matched its first use.
    With a copy_index, every sentence's copied_chars is its longest verbatim run; with
    `verify`, the local model settles the pairs the judge is least sure of (VERIFY_BAND).
    """
    units = split_draft(text)
    claims = [i for i, u in enumerate(units) if u.kind == "claim"]
    per_passage = [passage_sentences(p.chunk.text) for p in passages]
    # One embedding call for the draft, one for every distinct passage sentence.
    flat = list(dict.fromkeys(s for sents in per_passage for s in sents))
    row = {s: i for i, s in enumerate(flat)}
    svecs = embed([units[i].text for i in claims]) if claims else None
    pvecs = embed(flat) if flat and claims else None
    passage_grams = [bigrams(p.chunk.text) for p in passages]

    sentences: list[SentenceSupport] = []
    citations: list[Citation] = []
    number: dict[int, int] = {}  # passage position -> citation number
    claim_row = {unit_index: r for r, unit_index in enumerate(claims)}
    for i, unit in enumerate(units):
        out = CitedSentence(text=unit.text, kind=unit.kind)
        sentences.append(out)
        if copy_index is not None:
            out.copied_chars = copy_index.longest_copied_run(unit.text)[0]
        if unit.kind != "claim":
            out.dropped_markers = list(unit.markers)
            continue
        grams = bigrams(unit.text)
        scores = {j: _score(grams, passage_grams[j], svecs[claim_row[i]], pvecs[[row[x] for x in sents]])
                  for j, sents in enumerate(per_passage) if sents}
        if verify is not None:
            # The model is asked about the likeliest of the unsure passages, as many as may be cited.
            asked = sorted((j for j, s in scores.items() if unsure(s["support"], VERIFY_BAND)),
                           key=lambda j: -scores[j]["support"])
            for j in asked[:MAX_CITATIONS_PER_SENTENCE]:
                s = scores[j]
                logit = verify(nearest(per_passage[j], s["sims"]), unit.text)
                s["supported"] = model_judge(s, logit, MODEL_WEIGHTS)
        passing = {j: (s["support"], per_passage[j][s["best"]]) for j, s in scores.items() if s["supported"]}
        marked = list(dict.fromkeys(n - 1 for n in unit.markers))
        out.dropped_markers = [j + 1 for j in marked if j not in passing]
        kept = [j for j in marked if j in passing]
        rest = sorted((j for j in passing if j not in kept), key=lambda j: -passing[j][0])
        for j in (kept + rest)[:MAX_CITATIONS_PER_SENTENCE]:
            if j not in number:
                number[j] = len(citations) + 1
                chunk = passages[j].chunk
                citations.append(Citation(number[j], chunk.chunk_id, chunk.title, chunk.section_path,
                                          passing[j][1], chunk.source))
            out.citations.append(number[j])
            out.quotes.append(passing[j][1])
        out.supported = bool(out.citations)
    return sentences, citations


def unsupported_share(sentences: list[SentenceSupport]) -> float:
    """Share of claim sentences (by count) without support; headings, salutations and
    short formulas are excluded. Plain SentenceSupport objects are classified by their text."""
    claims = [s for s in sentences if (getattr(s, "kind", None) or sentence_kind(s.text)) == "claim"]
    return sum(not s.supported for s in claims) / len(claims) if claims else 0.0


def strip_markers(text: str) -> str:
    """The text without the markers a model wrote; verified ones are added by cited_paragraphs."""
    return "\n".join(_SPACED_MARKER.sub("", line).rstrip() for line in text.splitlines())


def cited_paragraphs(
    text: str, sentences: list[SentenceSupport], number: Callable[[int], int] = lambda n: n
) -> list[str]:
    """The paragraphs of `text`, each supported sentence followed by its verified [n] markers.

    `number` renumbers citations, e.g. from one section's numbering to the whole speech's.
    A sentence that cannot be located in the text (it never should) goes unmarked.
    """
    lines = [line.strip() for line in strip_markers(text).splitlines() if line.strip()]
    whole = "\n".join(lines)
    pending = [s for s in sentences if s.text in whole]
    paragraphs = []
    for line in lines:
        out, pos = [], 0
        while pending and (at := line.find(pending[0].text, pos)) >= 0:
            sentence = pending.pop(0)
            end = at + len(sentence.text)
            out.append(line[pos:end])
            if sentence.citations:
                out.append("[" + ",".join(str(number(n)) for n in sentence.citations) + "]")
            pos = end
        out.append(line[pos:])
        paragraphs.append("".join(out))
    return paragraphs
