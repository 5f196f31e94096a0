"""Fluency of written sections: does blocking copies make the text stilted?

    python eval/fluency.py [--index DIR] [--tasks eval/data/generation_tasks.jsonl] [--limit N]
        [--model PATH] [--paragraphs 30] [--json-out FILE]

Text written under a copy ban can turn into 洗稿: synonyms swapped in, words in odd
order. A language model notices: such text is less likely under it. Each expand task
is written twice with the same seed, by the default path (copies blocked, then the
rewrite pass) and with the block lifted (a ban on runs longer than the section itself,
no rewrite), and each text's perplexity is taken under the model with no passages in
the prompt, only a request for a paragraph of a speech. Paragraphs of the corpus's own
speeches, of similar length, are the reference for fluent text in this register.
Reported: the median perplexity of each kind and the blocked / unblocked ratio,
measured side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generation import DEFAULT_TASKS, Seeded, load_tasks  # noqa: E402

from rag.corpus.clean import core_text  # noqa: E402

# The request the text is scored as the reply to: a paragraph of a speech, no sources.
NEUTRAL_REQUEST = "请写一段讲话稿的正文。"
# Corpus paragraphs of about a section's paragraph length.
MIN_PARAGRAPH, MAX_PARAGRAPH = 120, 400
# Longer than any section: the ban never fires.
UNBLOCKED = 100_000


class Scorer:
    """Perplexity of a reply under the model, every position's logits kept."""

    def __init__(self, model_path: Path, generator) -> None:
        import llama_cpp

        self.llm = llama_cpp.Llama(model_path=str(model_path), n_ctx=2048, logits_all=True,
                                   n_threads=2, verbose=False)
        self.generator = generator  # for its chat template

    def perplexity(self, text: str) -> float:
        # The template's prompt ends with the assistant's turn opened: the reply's tokens follow.
        prompt, _ = self.generator.prompt_tokens([{"role": "user", "content": NEUTRAL_REQUEST}])
        tokens = prompt + self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        tokens = tokens[:self.llm.n_ctx()]
        self.llm.reset()
        self.llm.eval(tokens)
        logits = np.asarray(self.llm.scores[:len(tokens)], dtype=np.float64)
        nll = []
        for i in range(len(prompt), len(tokens)):
            row = logits[i - 1]
            top = row.max()
            nll.append(top + math.log(np.exp(row - top).sum()) - row[tokens[i]])
        return math.exp(sum(nll) / len(nll))


def corpus_paragraphs(chunks, count: int) -> list[str]:
    """Every k-th paragraph of the corpus of a section paragraph's length, `count` in all."""
    found = [line for c in chunks for line in c.text.splitlines()
             if MIN_PARAGRAPH <= len(core_text(line)) <= MAX_PARAGRAPH]
    step = max(1, len(found) // count)
    return found[::step][:count]


def write_both(task: dict, settings, searcher, generator) -> tuple[str, str]:
    """The section body by the default path and with the copy block lifted."""
    from rag.write.expand import ExpandRequest, expand
    from rag.write.rewrite import finish_section

    request = ExpandRequest(task["point"], task.get("topic", ""), task.get("length", 300))
    blocked, passages = expand(settings, searcher, generator, request)
    finish_section(settings, generator, blocked, passages, searcher.index, searcher.encode_queries)
    free = ExpandRequest(task["point"], task.get("topic", ""), task.get("length", 300), max_copy=UNBLOCKED)
    unblocked, _ = expand(settings, searcher, generator, free)
    return blocked.text.partition("\n")[2], unblocked.text.partition("\n")[2]


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--tasks", type=Path, default=DEFAULT_TASKS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--paragraphs", type=int, default=30)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)

    from rag.llm.bundled import resolve_llm
    from rag.llm.generate import generator_for
    from rag.search.hybrid import open_searcher
    from rag.settings import load_settings

    settings = load_settings(index=args.index, llm_model=args.model)
    searcher = open_searcher(settings)
    generator = generator_for(settings)
    scorer = Scorer(resolve_llm(settings), generator)
    rows = []
    for task in load_tasks(args.tasks, ["expand"], args.limit):
        if task.get("off_corpus"):
            continue
        blocked, unblocked = write_both(task, settings, searcher, Seeded(generator))
        rows.append({"id": task["id"], "blocked": blocked, "unblocked": unblocked,
                     "ppl_blocked": round(scorer.perplexity(blocked), 2),
                     "ppl_unblocked": round(scorer.perplexity(unblocked), 2)})
        row = rows[-1]
        print(f"{task['id']}  blocked {row['ppl_blocked']:7.2f}  unblocked {row['ppl_unblocked']:7.2f}",
              flush=True)
    corpus = [scorer.perplexity(p) for p in corpus_paragraphs(searcher.index.chunks, args.paragraphs)]
    ratios = [r["ppl_blocked"] / r["ppl_unblocked"] for r in rows]
    summary = {"sections": len(rows), "blocked": median([r["ppl_blocked"] for r in rows]),
               "unblocked": median([r["ppl_unblocked"] for r in rows]), "corpus": median(corpus),
               "corpus_paragraphs": len(corpus), "ratio_blocked_unblocked": median(ratios)}
    print(f"\nmedian perplexity under the model, no passages in the prompt\n"
          f"  default path (blocked + rewrite)  {summary['blocked']:7.2f}"
          f"   ({summary['sections']} sections)\n"
          f"  copy block lifted                 {summary['unblocked']:7.2f}\n"
          f"  corpus paragraphs                 {summary['corpus']:7.2f}   ({summary['corpus_paragraphs']})\n"
          f"  blocked / unblocked, per section  {summary['ratio_blocked_unblocked']:7.2f}  (median)")
    if args.json_out:
        out = {"summary": summary, "sections": rows}
        args.json_out.write_text(json.dumps(out, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
