"""Grounded generation over a task set: are the citations right, is anything invented or copied?

    python eval/generation.py [--tasks eval/data/generation_tasks.jsonl] [--index DIR] [--model PATH]
        [--kinds expand,ask,outline] [--limit N] [--labels-only] [--json] [--json-out FILE]

eval/data/generation_tasks_test3.jsonl and generation_tasks_test4.jsonl were each
written fresh as a held-out set of expand tasks and run once with --tasks (their
figures are in the README).

Every expand and ask task runs the real pipeline (retrieve -> generate ->
rag.check.finish.finish_draft) and is scored with the support judge of rag/check/cite.py,
ALCE-style, over its claim sentences (headings, salutations and short formulas
carry no claim):
- citation recall: share of claims whose cited passages, taken together, support
  them (the judge on the claim against the concatenated passage texts); a claim
  citing nothing is unsupported;
- citation precision: share of citations that are precise. As ALCE's code counts
  it, a citation is imprecise when its sentence is not supported by its citations
  together, or when it does not support the sentence alone while the sentence's
  other citations still do without it.
The same two figures are given for two baselines on the same text: the [n]
markers the model wrote itself (a marker to a passage that does not exist is a
citation that supports nothing) and "every claim cites the top passage". Our own
citations come from the same judge (rag.check.cite.align cites only passages that pass
alone), so their precision is 1 and their recall 1 - unsupported share by
construction; the baselines and the agreement with hand labels are what say how
far the judge, and so the citations, can be trusted.
Also per draft: unsupported share, invented specifics against the passages shown
to the model, the longest verbatim run from the corpus, the share of characters
in runs of FLAG_COPY_AT or more and the sentences holding one, sentences reworded from one
sentence of the passages (REWORDED_SHARE of their character pairs or more in it: a copy ban
on runs lets a sentence through that swaps a word every few characters), and idioms of the
passages written with a character wrong (rag/check/idiom_slips.py), and set formulations of the
passages written almost right (以习近平同志为总书记、党中央; rag/check/misquotes.py) beside the count of
set formulations written.

Outline tasks: points given against the requested range, share of points the
off-corpus judge of rag/search/relevance.py finds grounded (with the best cosine of
their passages), points that repeat a section heading of the corpus, and points
that repeat an earlier point's wording.

Tasks marked off_corpus should be declined: the pipeline raises OffCorpus, or
an answer says the corpus has nothing. A decline of an on-corpus task is a false
decline. The verdict of the relevance judge on each request is listed as well
(judge_relevant), whether or not the pipeline acts on it.

Judge agreement: the judge against the hand labels of eval/data/support_pairs.jsonl
(written sentences), eval/data/generated_support_labels.jsonl (sentences the 1.5B
model wrote for these tasks while it still copied) and
eval/data/paraphrase_support_labels.jsonl (sentences it wrote under the copy block,
for these tasks and those of eval/data/support_label_tasks.jsonl); each with the
passage it cites or, uncited, its best-scoring passage.

Sampling: the pipeline passes no seed, and without one each call draws the next,
so a task's text would depend on the tasks run before it; the generator is
wrapped to sample every task with SEED at the pipeline's own temperature (0.3).
Prompts share the system prompt, so from the second task on its KV cache is
reused, as in the application.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import calibrate_support as calibrate  # noqa: E402

from rag import errors  # noqa: E402
from rag.check.cite import (  # noqa: E402
    Embed,
    align,
    passage_sentences,
    split_draft,
    support_score,
    unsupported_share,
)
from rag.check.copycheck import invented_specifics  # noqa: E402
from rag.check.finish import FLAG_COPY_AT  # noqa: E402
from rag.check.idiom_slips import idiom_slips  # noqa: E402
from rag.check.misquotes import formula_slips  # noqa: E402
from rag.corpus.clean import bigrams, core_text  # noqa: E402
from rag.corpus.structure import HEADING_MARKERS  # noqa: E402
from rag.corpus.words import formulae  # noqa: E402

DEFAULT_TASKS = ROOT / "eval/data/generation_tasks.jsonl"
KINDS = ("expand", "ask", "outline")
SEED = 42
# How an answer says the passages hold nothing on the question (语料中没有找到相关内容).
NOTHING_FOUND = "没有找到相关内容"
# A claim with this share of its character pairs in one sentence of the passages is that sentence
# reworded, whatever its longest copied run (面对新情况、新变化，在思想上引起高度重视…… for 面对这些
# 新情况、新变化，要从思想上引起高度重视……); counted from REWORDED_PAIRS pairs up.
REWORDED_SHARE = 0.8
REWORDED_PAIRS = 8
# A section's length is right within this share of the request.
LENGTH_TOLERANCE = 0.25
# Searched per request for the relevance judge, as it was calibrated.
RELEVANCE_K = 10
# Where rag.errors has no OffCorpus the drafting commands never refuse; `except ()` catches nothing.
OFF_CORPUS = getattr(errors, "OffCorpus", ())

Supports = Callable[[str, list[str]], bool]


# --- metrics -----------------------------------------------------------------------


class Judge:
    """rag.check.cite.support_score on a sentence against passages taken together, embeddings kept:
    precision judges each citation alone and the others without it."""

    def __init__(self, embed: Embed):
        self.embed = embed
        self.vectors: dict[str, np.ndarray] = {}

    def prime(self, texts: list[str]) -> None:
        """Embed in one call what later calls will need."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.embed(missing)))

    def __call__(self, sentence: str, passages: list[str]) -> bool:
        text = "\n".join(passages)
        sentences = passage_sentences(text)
        if not sentences:
            return False
        self.prime([sentence, *sentences])
        rows = np.array([self.vectors[s] for s in sentences])
        return bool(support_score(sentence, text, self.vectors[sentence], rows)["supported"])


def citation_scores(claims: list[tuple[str, list[str]]], supports: Supports) -> dict:
    """ALCE citation recall and precision over (claim, texts of the passages it cites)."""
    supported = precise = cited = 0
    for sentence, texts in claims:
        cited += len(texts)
        if not (texts and supports(sentence, texts)):
            continue
        supported += 1
        for i, text in enumerate(texts):
            rest = texts[:i] + texts[i + 1 :]
            precise += supports(sentence, [text]) or not (rest and supports(sentence, rest))
    return {
        "claims": len(claims),
        "citations": cited,
        "recall": round(supported / len(claims), 3) if claims else None,
        "precision": round(precise / cited, 3) if cited else None,
    }


def heading_core(text: str) -> str:
    """A heading's words without its numbering, 要 or punctuation: 一要… and （二）… compare as words."""
    text = text.strip()
    for _, pattern in HEADING_MARKERS:
        if match := pattern.match(text):
            text = text[match.end() :]
            break
    return core_text(text).removeprefix("要")


def copied_headings(points: list[str], headings: set[str]) -> int:
    """Points whose words are those of a section heading in the corpus (`headings` as heading_core)."""
    return sum(heading_core(p) in headings for p in points)


def said_again(texts: list[str]) -> int:
    """Texts most of whose wording an earlier one already has (rag.write.expand.says_again, the rule a
    section's sentences are held to)."""
    from rag.write.expand import says_again

    grams = [bigrams(t) for t in texts]
    return sum(any(says_again(g, earlier) for earlier in grams[:i]) for i, g in enumerate(grams))


def near_duplicates(points: list[str]) -> int:
    """Points most of whose wording an earlier point already has."""
    return said_again([heading_core(p) for p in points])


def stats(values: list) -> dict:
    """Mean and median of the values that exist."""
    present = [v for v in values if v is not None]
    if not present:
        return {"n": 0, "mean": None, "median": None}
    return {"n": len(present), "mean": round(statistics.fmean(present), 3),
            "median": round(statistics.median(present), 3)}


# --- running the pipeline --------------------------------------------------------------


class Seeded:
    """The generator sampling every request with one seed; the pipeline passes none."""

    def __init__(self, generator, seed: int = SEED):
        self.generator = generator
        self.seed = seed

    @property
    def timings(self):
        return self.generator.timings

    def stream(self, messages: list[dict], **options) -> Iterator[str]:
        return self.generator.stream(messages, seed=self.seed, **options)


def load_tasks(path: Path, kinds: list[str], limit: int | None) -> list[dict]:
    tasks = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [t for t in tasks if t["kind"] in kinds][:limit]


def relevant(searcher, query: str) -> bool:
    from rag.search.relevance import judge

    return judge(searcher, query, searcher.search(query, k=RELEVANCE_K)).relevant


def timing_fields(timings: dict, total: float) -> dict:
    keep = ("retrieve", "first_token", "tokens_per_second", "generated_tokens")
    return {**{k: timings.get(k) for k in keep}, "total": round(total, 3)}


def score_draft(reply: str, draft, passages: list, judge: Judge) -> dict:
    """All draft figures; `reply` is the text before finish_draft took the model's markers out."""
    texts = [p.chunk.text for p in passages]
    by_id = {p.chunk.chunk_id: p.chunk.text for p in passages}
    cited = {c.n: c.chunk_id for c in draft.citations}
    claims = [s for s in draft.sentences if s.kind == "claim"]
    units = [u for u in split_draft(reply) if u.kind == "claim"]
    sources = [s for t in texts for s in passage_sentences(t)]
    judge.prime([s.text for s in claims] + sources)
    ours = [(s.text, [by_id[cited[n]] for n in s.citations]) for s in claims]
    # A marker numbers the passages as the prompt showed them; one past the end supports nothing.
    marked = [(u.text, [texts[n - 1] if 0 < n <= len(texts) else "" for n in dict.fromkeys(u.markers)])
              for u in units]
    top = [(s.text, texts[:1]) for s in claims]
    return {
        "ours": citation_scores(ours, judge),
        "model_markers": citation_scores(marked, judge),
        "top_passage": citation_scores(top, judge),
        "unsupported": round(unsupported_share(draft.sentences), 3),
        "invented": invented_specifics(draft.text, texts),
        "idiom_slips": [written for written, _ in idiom_slips(draft.text, texts)],
        "formula_slips": [draft.text[start:end] for start, end, _ in formula_slips(draft.text, texts)],
        "formulae": len(formulae(draft.text)),
        "longest_copy": draft.copy.get("longest", 0),
        "copied_share": draft.copy.get("copied_share", 0.0),
        "copied_sentences": sum(s.copied_chars >= FLAG_COPY_AT for s in draft.sentences),
        "reworded_sentences": reworded([s.text for s in claims], sources),
        "text": draft.text,
        "sentences": [{"text": s.text, "kind": s.kind, "cited": [cited[n] for n in s.citations]}
                      for s in draft.sentences],
        "passages": list(by_id),
    }


def reworded(claims: list[str], sentences: list[str]) -> int:
    """How many of `claims` are one of the passages' `sentences` reworded (see REWORDED_SHARE)."""
    sources = [bigrams(s) for s in sentences]
    claimed = [grams for grams in map(bigrams, claims) if len(grams) >= REWORDED_PAIRS]
    return sum(any(len(grams & s) >= REWORDED_SHARE * len(grams) for s in sources) for grams in claimed)


def section_figures(draft, length: int) -> dict:
    """Length against the request and sentences that say an earlier one again."""
    body = draft.text.partition("\n")[2]
    claims = [s.text for s in draft.sentences if s.kind == "claim"]
    repeated = said_again(claims)
    ratio = len(core_text(body)) / length
    return {"length_ratio": round(ratio, 3), "length_ok": abs(ratio - 1) <= LENGTH_TOLERANCE,
            "repeated": repeated, "paragraphs": [p for p in body.split("\n") if p.strip()],
            "claims": len(claims)}


def run_draft(task: dict, settings, searcher, generator, judge: Judge) -> dict:
    from rag.check.finish import finish_draft
    from rag.write.ask import ANSWER_CHARS, answer
    from rag.write.expand import ExpandRequest, expand
    from rag.write.rewrite import finish_section

    start = time.perf_counter()
    if task["kind"] == "expand":
        request = ExpandRequest(task["point"], task.get("topic", ""), task.get("length", 300))
        draft, passages = expand(settings, searcher, generator, request)
        reply = draft.text
        # The default path of every drafting command: cite, then rewrite what still copies.
        finish_section(settings, generator, draft, passages, searcher.index, searcher.encode_queries)
    else:
        draft, passages = answer(settings, searcher, generator, task["question"],
                                 task.get("length", ANSWER_CHARS))
        reply = draft.text
        finish_draft(draft, passages, searcher.index, searcher.encode_queries)
    out = {"timings": timing_fields(draft.timings, time.perf_counter() - start),
           **score_draft(reply, draft, passages, judge)}
    # The same text judged by the rule alone, without asking the model (rag.check.cite.VERIFY_BAND).
    by_rule, _ = align(draft.text, passages, searcher.encode_queries)
    out["unsupported_rule"] = round(unsupported_share(by_rule), 3)
    if task["kind"] == "expand":
        out.update(section_figures(draft, request.length))
    out["declined"] = task["kind"] == "ask" and NOTHING_FOUND in draft.text
    return out


def on_point(rows: list[dict], tasks: list[dict], embed: Embed) -> None:
    """Mark each section on its point when its paragraphs, taken together, are closer to its own
    point than to any other point of the task set, and give the share of the point's words
    (character bigrams, ordinal and outline shell stripped) that the section uses."""
    from rag.search.query import search_text

    points = [search_text(t["point"]) for t in tasks if t["kind"] == "expand" and not t.get("off_corpus")]
    if not points:
        return
    point_vectors = embed(points)
    for row, task in zip(rows, tasks, strict=True):
        if not row.get("paragraphs"):
            continue
        own = search_text(task["point"])
        section = embed(row["paragraphs"]).mean(axis=0)
        similarity = point_vectors @ section
        row["point_similarity"] = round(float(similarity[points.index(own)]), 3)
        row["on_point"] = int(np.argmax(similarity)) == points.index(own)
        words = bigrams(own)
        row["point_words"] = round(len(words & bigrams("".join(row["paragraphs"]))) / max(1, len(words)), 3)


def run_outline(task: dict, settings, searcher, generator, headings: set[str]) -> dict:
    from rag.write.outline import parse_points_arg, propose_outline

    start = time.perf_counter()
    least, most = parse_points_arg(task.get("points", "3-6"))
    outline = propose_outline(settings, searcher, generator, task["topic"], (least, most))
    points = [p.text for p in outline.points]
    verdicts = [relevant(searcher, p) for p in points]
    cosines = [max((q.scores.get("dense", 0.0) for q in p.passages), default=0.0) for p in outline.points]
    return {
        "timings": timing_fields(outline.timings, time.perf_counter() - start),
        "points": points,
        "range": [least, most],
        "in_range": least <= len(points) <= most,
        "grounded": round(sum(verdicts) / len(points), 3) if points else None,
        "best_cosine": stats(cosines)["mean"],
        "copied_headings": copied_headings(points, headings),
        "duplicates": near_duplicates(points),
        "declined": False,
    }


def run_task(task: dict, settings, searcher, generator, judge: Judge, headings: set[str]) -> dict:
    query = task.get("point") or task.get("question") or task["topic"]
    row = {"id": task["id"], "kind": task["kind"], "off_corpus": bool(task.get("off_corpus")),
           "judge_relevant": relevant(searcher, query)}
    try:
        if task["kind"] == "outline":
            row.update(run_outline(task, settings, searcher, generator, headings))
        else:
            row.update(run_draft(task, settings, searcher, generator, judge))
    except OFF_CORPUS as exc:
        row.update(declined=True, refused_with=str(exc).splitlines()[0])
    return row


# --- judge agreement ------------------------------------------------------------------------


def label_agreement(chunks: list, embed: Embed) -> dict:
    """The judge against each set of hand labels, and all together."""
    by_id = {c.chunk_id: c for c in chunks}
    out, everything = {}, []
    for name, path in zip(("written", "generated", "paraphrase"), calibrate.DEFAULT_SETS):
        if not path.exists():
            continue
        scored = calibrate.score_pairs(calibrate.load_pairs(path), by_id, embed)
        everything += scored
        out[name] = agreement(scored)
        out[name]["misjudged"] = [
            {"label": p["label"], "similarity": round(p["similarity"], 3), "overlap": round(p["overlap"], 2),
             "chunk_id": p["chunk_id"], "sentence": p["sentence"]}
            for p in scored if bool(p["label"]) != p["supported"]
        ]
    if everything:
        out["all"] = agreement(everything)
    return out


def agreement(scored: list[dict]) -> dict:
    labels = [p["label"] for p in scored]
    m = calibrate.metrics(labels, [p["supported"] for p in scored])
    return {"pairs": len(scored), "supported": sum(labels), **{k: round(v, 3) for k, v in m.items()}}


# --- summary and output ---------------------------------------------------------------------


def summarise(rows: list[dict]) -> dict:
    drafts = [r for r in rows if r["kind"] != "outline" and not r["off_corpus"] and "ours" in r]
    outlines = [r for r in rows if r["kind"] == "outline" and "points" in r]
    off = [r for r in rows if r["off_corpus"]]
    on = [r for r in rows if not r["off_corpus"]]
    summary: dict = {"drafts": {"n": len(drafts)}}
    for name in ("ours", "model_markers", "top_passage"):
        summary["drafts"][name] = {k: stats([r[name][k] for r in drafts])
                                   for k in ("recall", "precision", "citations")}
    for key in ("unsupported", "unsupported_rule", "longest_copy", "copied_share", "copied_sentences"):
        summary["drafts"][key] = stats([r[key] for r in drafts])
    summary["drafts"]["invented"] = stats([len(r["invented"]) for r in drafts])
    summary["drafts"]["idiom_slips"] = sum(len(r["idiom_slips"]) for r in drafts)
    summary["drafts"]["formula_slips"] = sum(len(r.get("formula_slips", ())) for r in drafts)
    summary["drafts"]["formulae"] = sum(r.get("formulae", 0) for r in drafts)
    sections = [r for r in drafts if "length_ratio" in r]
    claims = sum(r["claims"] for r in sections)
    summary["sections"] = {
        "n": len(sections),
        "copied_sentence_share": round(sum(r["copied_sentences"] for r in sections) / max(1, claims), 3),
        "reworded_sentence_share": round(sum(r["reworded_sentences"] for r in sections) / max(1, claims), 3),
        "repeated": sum(r["repeated"] for r in sections),
        "on_point": sum(bool(r.get("on_point")) for r in sections),
        "point_words": stats([r.get("point_words", 0.0) for r in sections]),
        "length_ok": sum(r["length_ok"] for r in sections),
        "length_ratio": stats([r["length_ratio"] for r in sections]),
    }
    summary["outlines"] = {
        "n": len(outlines),
        "in_range": sum(r["in_range"] for r in outlines),
        "grounded": stats([r["grounded"] for r in outlines]),
        "best_cosine": stats([r["best_cosine"] for r in outlines]),
        "copied_headings": sum(r["copied_headings"] for r in outlines),
        "duplicates": sum(r["duplicates"] for r in outlines),
        "points": sum(len(r["points"]) for r in outlines),
    }
    summary["off_corpus"] = {
        "declined": sum(r["declined"] for r in off), "total": len(off),
        "judge_declines": sum(not r["judge_relevant"] for r in off),
    }
    summary["on_corpus"] = {
        "false_declines": sum(r["declined"] for r in on), "total": len(on),
        "judge_declines": sum(not r["judge_relevant"] for r in on),
    }
    summary["timings"] = {
        kind: {k: stats([r["timings"][k] for r in rows if r["kind"] == kind and "timings" in r])["median"]
               for k in ("retrieve", "first_token", "tokens_per_second", "total")}
        for kind in KINDS if any(r["kind"] == kind and "timings" in r for r in rows)
    }
    return summary


def cell(value, width: int, digits: int = 2) -> str:
    if value is None:
        return f"{'-':>{width}}"
    if isinstance(value, float):
        return f"{value:>{width}.{digits}f}"
    return f"{value:>{width}}"


def print_tasks(rows: list[dict]) -> None:
    print(f"{'id':8} {'kind':7} {'claims':>6} {'recall':>6} {'prec':>6} {'unsup':>6} {'invent':>6} "
          f"{'copy':>5} {'ftok s':>7} {'total s':>7}  notes")
    for r in rows:
        if r["kind"] == "outline" or "ours" not in r:
            continue
        notes = ("off-corpus " if r["off_corpus"] else "") + ("DECLINED" if r["declined"] else "")
        if "length_ratio" in r:
            notes += (f"length {r['length_ratio']:.2f} {'on point' if r.get('on_point') else 'OFF POINT'} "
                      f"repeated {r['repeated']}")
        t = r["timings"]
        print(f"{r['id']:8} {r['kind']:7} {r['ours']['claims']:>6} {cell(r['ours']['recall'], 6)} "
              f"{cell(r['ours']['precision'], 6)} {cell(r['unsupported'], 6)} {len(r['invented']):>6} "
              f"{r['longest_copy']:>5} {cell(t['first_token'], 7, 1)} {cell(t['total'], 7, 1)}  {notes}")
    outlines = [r for r in rows if r["kind"] == "outline" and "points" in r]
    if outlines:
        print(f"\n{'id':8} {'points':>6} {'range':>6} {'ground':>6} {'cosine':>6} {'copied':>6} {'dups':>5} "
              f"{'ftok s':>7} {'total s':>7}")
        for r in outlines:
            t = r["timings"]
            print(f"{r['id']:8} {len(r['points']):>6} {'-'.join(map(str, r['range'])):>6} "
                  f"{cell(r['grounded'], 6)} {cell(r['best_cosine'], 6, 3)} {r['copied_headings']:>6} "
                  f"{r['duplicates']:>5} {cell(t['first_token'], 7, 1)} {cell(t['total'], 7, 1)}")
    for r in rows:
        if "refused_with" in r:
            print(f"{r['id']}: refused: {r['refused_with']}")


def print_summary(summary: dict) -> None:
    d = summary["drafts"]
    if d["n"]:
        print(f"\non-corpus drafts: {d['n']}   (mean / median per draft)")
        print(f"{'citations':16} {'recall':>13} {'precision':>13} {'per draft':>13}")
        for name in ("ours", "model_markers", "top_passage"):
            m = d[name]
            print(f"{name:16} " + " ".join(f"{cell(m[k]['mean'], 6, 3)} {cell(m[k]['median'], 6, 3)}"
                                           for k in ("recall", "precision", "citations")))
        for key in ("unsupported", "unsupported_rule", "invented", "longest_copy", "copied_share",
                    "copied_sentences"):
            print(f"{key:16} {cell(d[key]['mean'], 6, 3)} {cell(d[key]['median'], 6, 3)}")
        print(f"{'idiom slips':16} {d['idiom_slips']:>6} in all")
        print(f"{'formula slips':16} {d['formula_slips']:>6} in all, "
              f"{d['formulae']} set formulations written")
    s = summary.get("sections", {})
    if s.get("n"):
        print(f"\nsections: {s['n']}; sentences with a copied run >= {FLAG_COPY_AT}: "
              f"{s['copied_sentence_share']:.3f}; reworded from one sentence of the passages: "
              f"{s['reworded_sentence_share']:.3f}; repeated sentences {s['repeated']}; on their point "
              f"{s['on_point']}/{s['n']} (point's words used {s['point_words']['mean']}); length within "
              f"{LENGTH_TOLERANCE:.0%} {s['length_ok']}/{s['n']} (length / request median "
              f"{s['length_ratio']['median']})")
    o = summary["outlines"]
    if o["n"]:
        print(f"\noutlines: {o['n']}, {o['points']} points; in range {o['in_range']}/{o['n']}; "
              f"grounded {o['grounded']['mean']}; best cosine {o['best_cosine']['mean']}; "
              f"copied headings {o['copied_headings']}; near duplicates {o['duplicates']}")
    off, on = summary["off_corpus"], summary["on_corpus"]
    print(f"\noff-corpus declined {off['declined']}/{off['total']} (relevance judge would decline "
          f"{off['judge_declines']}); on-corpus false declines {on['false_declines']}/{on['total']} "
          f"(judge would decline {on['judge_declines']})")
    print("\nmedian seconds: " + "; ".join(
        f"{kind} retrieve {t['retrieve']} first token {t['first_token']} tokens/s {t['tokens_per_second']} "
        f"total {t['total']}" for kind, t in summary["timings"].items()))


def print_labels(labels: dict) -> None:
    print("\nsupport judge against hand labels")
    print(f"{'set':10} {'pairs':>5} {'supp':>5} {'agree':>6} {'prec':>6} {'recall':>6}")
    for name, m in labels.items():
        print(f"{name:10} {m['pairs']:>5} {m['supported']:>5} {m['agreement']:>6.3f} {m['precision']:>6.3f} "
              f"{m['recall']:>6.3f}")
    for m in labels.get("generated", {}).get("misjudged", []):
        print(f"  label {m['label']} sim {m['similarity']:.3f} ovl {m['overlap']:.2f} {m['chunk_id']} "
              f"{m['sentence'][:40]}")


def parse_kinds(value: str) -> list[str]:
    kinds = [k.strip() for k in value.split(",") if k.strip()]
    if not kinds or set(kinds) - set(KINDS):
        raise argparse.ArgumentTypeError(f"kinds must be among {','.join(KINDS)}")
    return kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=Path, default=DEFAULT_TASKS, help="tasks (JSON lines)")
    parser.add_argument("--index", type=Path, help="index of data/corpus (default: the configured one)")
    parser.add_argument("--model", type=Path, help="GGUF model file (default: the configured one)")
    parser.add_argument("--kinds", type=parse_kinds, default=list(KINDS), help="comma-separated task kinds")
    parser.add_argument("--limit", type=int, help="run only the first N tasks (after --kinds)")
    parser.add_argument("--labels-only", action="store_true", help="judge agreement only, no generation")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--json-out", type=Path, help="also write the JSON object to this file")
    args = parser.parse_args(argv)

    from rag.cli.drafting import load
    from rag.index.embedder import Embedder
    from rag.search.hybrid import open_searcher
    from rag.settings import load_settings

    settings = load_settings(index=args.index, llm_model=args.model)
    out: dict = {"seed": SEED}
    try:
        if args.labels_only:
            searcher = open_searcher(settings, Embedder(settings))
        else:
            generator, searcher = load(settings, "paragraph")
            generator = Seeded(generator)
            judge = Judge(searcher.encode_queries)
            headings = {heading_core(h) for c in searcher.index.chunks for h in c.section}
            rows = []
            tasks = load_tasks(args.tasks, args.kinds, args.limit)
            for n, task in enumerate(tasks, start=1):
                rows.append(run_task(task, settings, searcher, generator, judge, headings))
                took = rows[-1].get("timings", {}).get("total")
                print(f"[{n}/{len(tasks)}] {task['id']} {task['kind']} {took} s", file=sys.stderr, flush=True)
            on_point(rows, tasks, searcher.encode_queries)
            out["model"] = generator.generator.name
            out["tasks"] = rows
            out["summary"] = summarise(rows)
    except errors.WengaoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out["labels"] = label_agreement(searcher.index.chunks, searcher.encode_queries)
    if args.json_out:
        args.json_out.write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    if "tasks" in out:
        print_tasks(out["tasks"])
        print_summary(out["summary"])
    print_labels(out["labels"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
