"""Evaluate 素材问答 (rag/write/ask.py): the quoted evidence, and the synthesis the model adds.

    python eval/ask.py [--split dev|dev2|test|test2|...|test17|other]
                       [--index DIR] [--no-model] [--cold N] [--json] [--failures]

Questions are in eval/data/ask_<split>.jsonl, written by reading the bundled corpus; tune on dev
and dev2; test to test17 were each held out and run once. dev2 names
speeches in shortened forms (县里那篇, 培训班上的讲话, 文化厅那篇) and asks for whole lists
(哪几点要求, 哪四个坚持). `other` asks about another corpus, eval/data/corpus_other (four
speeches on other subjects, written after the rules were): index it first and pass that index
(wengao ingest eval/data/corpus_other --index DIR).
Each names its gold: exact corpus text (a sentence or a distinctive part of one) that a right
answer quotes, and the speeches it comes from. Kinds:
literal (a phrase in quotation marks, "phrase" given), which (which speeches say X, in other
words), one (what one speech says about T), figures, compare (two speeches), followup (read
with "context", the question before; the context is looked up as the chat does, without the
model), list (every item of a list, each item a gold text).

Reported:
- literal recall: occurrences of the phrase the evidence holds, over those in the raw corpus
  files (counted on letters and digits, without the index); the target is 1.0;
- hit: share of other questions with a gold text among the quotes (target >= 0.9); gold
  recall: share of gold texts quoted; speech recall: share of gold speeches quoted;
- precision: share of quotes holding a gold text (a lower bound: gold lists are not all the
  answers), and share of quotes from a gold speech;
- declined_off_corpus: questions the relevance judge turned away as off the corpus (no
  quotes: each counts as a miss);
- echoed: answers whose synthesis repeats 8+ characters of the prompt's own text or a
  【待填】 slot (target 0); cut: replies stopped for echoing (then written once more);
- invented: answers whose synthesis states a specific its quotes lack; dropped: sentences
  left out for that; idiom_slips: idioms of the quotes written with a character wrong (如履薄雪);
- evidence_s / total_s: median and worst seconds to the evidence and to the end of the
  synthesis, the model warm and search warmed (loaded once, as the workspace does at its start).
--cold N times N runs of `wengao ask --json` from a cold command line, evidence as printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.corpus.clean import core_text  # noqa: E402

DATA = ROOT / "eval/data"
SPLITS = ("dev", "dev2", "test", "test2", "test3", "test4", "test5", "test6", "test7", "test8", "test9",
          "test10", "test11", "test12", "test13", "test14", "test15", "test16", "test17", "other")
SAMPLE_CORPUS = ROOT / "data/corpus"
# A split asked of another corpus than the sample: its raw files, for the literal counts.
CORPUS_OF = {"other": DATA / "corpus_other"}


def load(split: str) -> list[dict]:
    path = DATA / f"ask_{split}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def corpus_count(phrase: str, corpus: Path = SAMPLE_CORPUS) -> int:
    """Occurrences of the phrase in the raw corpus files, on letters and digits alone."""
    wanted = core_text(phrase)
    return sum(core_text(p.read_text("utf-8")).count(wanted) for p in corpus.glob("*.txt"))


def holds(text: str, gold: str) -> bool:
    return core_text(gold) in core_text(text)


def score(row: dict, evidence: list[dict], corpus: Path = SAMPLE_CORPUS) -> dict:
    """The evidence figures of one question."""
    quotes = [e["text"] for e in evidence]
    found = [g for g in row["gold"] if any(holds(q, g) for q in quotes)]
    titles = {e["title"] for e in evidence}
    out = {
        "hit": bool(found),
        "gold_recall": len(found) / len(row["gold"]) if row["gold"] else 1.0,
        "speech_recall": len(set(row["speeches"]) & titles) / len(set(row["speeches"])),
        "precision": (sum(any(holds(q, g) for g in row["gold"]) for q in quotes) / len(quotes)
                      if quotes else 0.0),
        "speech_precision": (sum(e["title"] in row["speeches"] for e in evidence) / len(evidence)
                             if evidence else 0.0),
        "quotes": len(quotes),
    }
    if row.get("phrase"):
        wanted = core_text(row["phrase"])
        held = sum(core_text(q).count(wanted) for q in quotes)
        total = corpus_count(row["phrase"], corpus)
        out["literal_recall"] = min(held, total) / total if total else 1.0
    return out


def synthesis_checks(settings, text: str, evidence: list[dict]) -> dict:
    from rag.check.copycheck import CopyIndex, invented_specifics
    from rag.check.idiom_slips import idiom_slips
    from rag.corpus.structure import SLOT
    from rag.write.ask import ECHO_CHARS, template_text

    template = CopyIndex(template_text(settings))
    echoed = bool(SLOT.search(text)) or template.longest_copied_run(text)[0] >= ECHO_CHARS
    sources = [e["text"] for e in evidence]
    slips = [written for written, _ in idiom_slips(text, sources)]
    return {"echoed": echoed, "invented": invented_specifics(text, sources), "idiom_slips": slips}


def quotes_only(evidence: list, start: float) -> dict:
    """An answer's fields when no synthesis is written: the quotes and the time to them."""
    return {"evidence": [e.to_dict() for e in evidence], "text": "", "notes": [], "echo_cuts": 0,
            "timings": {"evidence": round(time.perf_counter() - start, 3)}}


def run_split(rows: list[dict], index: str | None, with_model: bool,
              corpus: Path = SAMPLE_CORPUS) -> list[dict]:
    from rag.errors import OffCorpus
    from rag.index.embedder import Embedder
    from rag.search.hybrid import open_searcher
    from rag.settings import load_settings
    from rag.write.ask import answer, gather, resolve

    settings = load_settings(index=Path(index) if index else None)
    searcher = open_searcher(settings, Embedder(settings))
    searcher.warm()  # as the workspace does when it starts
    generator = None
    if with_model:
        from rag.llm.generate import generator_for

        generator = generator_for(settings)
    results = []
    for row in rows:
        context = None
        if row.get("context"):
            request = resolve(row["context"], searcher)
            try:
                evidence, _ = gather(searcher, request)
            except OffCorpus:
                # The question before was turned away: the follow-up is asked after no quotes.
                evidence = []
            from rag.write.ask import Context

            context = Context(request.query, request.phrases, request.speech_ids, evidence)
        start = time.perf_counter()
        try:
            if with_model:
                payload = answer(settings, searcher, generator, row["question"], context=context).to_dict()
            else:
                evidence, _ = gather(searcher, resolve(row["question"], searcher, context))
                payload = quotes_only(evidence, start)
            declined = False
        except OffCorpus:
            # Judged off the corpus: no quotes, so a miss, as the user sees it.
            payload, declined = quotes_only([], start), True
        out = {"id": row["id"], "kind": row["kind"], "question": row["question"], "declined": declined,
               **score(row, payload["evidence"], corpus),
               "evidence_s": payload["timings"]["evidence"], "total_s": payload["timings"].get("total"),
               "text": payload["text"], "echo_cuts": payload["echo_cuts"],
               "dropped": sum(n.startswith("归纳中有原句里没有") for n in payload["notes"]),
               "quoted": [e["text"][:60] for e in payload["evidence"]]}
        if with_model:
            out.update(synthesis_checks(settings, payload["text"], payload["evidence"]))
        results.append(out)
        print(f"{row['id']} hit={out['hit']} quotes={out['quotes']} evidence={out['evidence_s']}s "
              f"total={out['total_s']}s {payload['text'][:60]}", file=sys.stderr, flush=True)
    return results


def summary(results: list[dict]) -> dict:
    literal = [r for r in results if "literal_recall" in r]
    lookup = [r for r in results if "literal_recall" not in r]
    mean = lambda rows, key: round(statistics.mean(r[key] for r in rows), 3) if rows else None  # noqa: E731
    out = {
        "questions": len(results),
        "literal_recall": mean(literal, "literal_recall"),
        "literal_all_listed": sum(r["literal_recall"] == 1.0 for r in literal),
        "literal_questions": len(literal),
        "hit": mean(lookup, "hit"),
        "gold_recall": mean(results, "gold_recall"),
        "speech_recall": mean(results, "speech_recall"),
        "precision": mean(results, "precision"),
        "speech_precision": mean(results, "speech_precision"),
        "quotes_per_answer": mean(results, "quotes"),
        "declined_off_corpus": sum(r["declined"] for r in results),
        "evidence_s_median": round(statistics.median(r["evidence_s"] for r in results), 3),
        "evidence_s_max": max(r["evidence_s"] for r in results),
        "by_kind": {k: mean([r for r in lookup if r["kind"] == k], "hit")
                    for k in dict.fromkeys(r["kind"] for r in lookup)},
    }
    answered = [r for r in results if r["total_s"] is not None]  # not turned away
    if answered and "echoed" in answered[0]:
        out.update({
            "echoed": sum(r["echoed"] for r in answered),
            "echo_cuts": sum(r["echo_cuts"] for r in answered),
            "invented": sum(bool(r["invented"]) for r in answered),
            "dropped_sentences": sum(r["dropped"] for r in answered),
            "idiom_slips": sum(len(r["idiom_slips"]) for r in answered),
            "no_synthesis": sum(not r["text"] for r in answered),
            "total_s_median": round(statistics.median(r["total_s"] for r in answered), 3),
            "total_s_max": max(r["total_s"] for r in answered),
        })
    return out


def cold_runs(question: str, index: str | None, runs: int) -> list[float]:
    """Seconds from starting `wengao ask` to the evidence on screen, as the terminal shows it."""
    times = []
    argv = [sys.executable, "-m", "rag.cli", "ask", question] + (["--index", index] if index else [])
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
        for line in proc.stdout:
            # The quotes are printed at once under this header; the synthesis follows on its line.
            if line.startswith("原文摘录") or "没有找到回答" in line:
                times.append(round(time.perf_counter() - start, 2))
                break
        proc.kill()
        proc.wait()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="dev")
    parser.add_argument("--index")
    parser.add_argument("--no-model", action="store_true", help="evidence only, no synthesis")
    parser.add_argument("--cold", type=int, default=0, help="also time N cold command lines")
    parser.add_argument("--failures", action="store_true", help="print questions without a gold quote")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run_split(load(args.split), args.index, not args.no_model,
                        CORPUS_OF.get(args.split, SAMPLE_CORPUS))
    report = {"split": args.split, **summary(results)}
    if args.cold:
        report["cold_evidence_s"] = cold_runs(load(args.split)[0]["question"], args.index, args.cold)
    if args.failures:
        for r in results:
            if not r["hit"] or r.get("literal_recall", 1.0) < 1.0 or r.get("echoed") or r.get("invented"):
                print(json.dumps(r, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(report if not args.json else {"report": report, "results": results},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
