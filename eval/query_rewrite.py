"""Does a rewritten query find an outline point's passage better? Measured before it is built in.

    python eval/query_rewrite.py [--set eval/data/retrieval_queries_dev.jsonl] [--index DIR]
        [--kinds outline] [--model PATH]

For each query of the chosen kinds, the local model writes the point's idea in three other
phrasings (prompts/query_rewrite.md); the point and its phrasings are searched (hybrid, top 10)
and the lists fused by reciprocal rank, the point's own list counted twice. Prints recall@1/5,
MRR@10 of the point alone and of the fused lists side by side, and the model's time per query,
which `expand` and `outline` would wait for before their first token.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.retrieval import DEFAULT_SET, first_relevant_rank, load_queries, relevance  # noqa: E402
from rag.search.hybrid import RRF_K  # noqa: E402

DEPTH = 10


def fuse(lists: list[list[str]], weights: list[float]) -> list[str]:
    """Chunk ids by weighted reciprocal rank over the lists."""
    scores: dict[str, float] = {}
    for ids, weight in zip(lists, weights):
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (RRF_K + rank)
    return sorted(scores, key=lambda i: -scores[i])


def phrasings(generator, settings, point: str) -> list[str]:
    from rag.llm.generate import messages_for

    messages = messages_for(settings, "query_rewrite", point=point)
    reply = "".join(generator.stream(messages, max_tokens=120, temperature=0.3))
    lines = [line.strip(" -·•0123456789.、）)") for line in reply.splitlines()]
    return [line for line in lines if 4 <= len(line) <= 60][:3]


def scores(ranks: list[int | None]) -> tuple[float, float, float]:
    n = len(ranks)
    return (sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 5 for r in ranks) / n,
            sum(1 / r for r in ranks if r is not None and r <= DEPTH) / n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--kinds", default="outline")
    parser.add_argument("--model", help="GGUF path (default: the bundled model)")
    args = parser.parse_args(argv)

    from rag.cli.drafting import load
    from rag.settings import load_settings

    settings = load_settings(index=args.index, llm_model=args.model)
    generator, searcher = load(settings, "query_rewrite")
    kinds = set(args.kinds.split(","))
    queries = [q for q in load_queries(args.set) if q["kind"] in kinds]
    alone, fused, seconds = [], [], []
    for q in queries:
        start = time.perf_counter()
        others = phrasings(generator, settings, q["query"])
        seconds.append(time.perf_counter() - start)
        lists = searcher.search_many([q["query"], *others], k=DEPTH)
        texts = {p.chunk.chunk_id: {"text": p.chunk.text} for hits in lists for p in hits}
        ids = [[p.chunk.chunk_id for p in hits] for hits in lists]
        ranked = fuse(ids, [2.0] + [1.0] * len(others))[:DEPTH]
        alone.append(first_relevant_rank(relevance([texts[i] for i in ids[0]], q["answers"])))
        fused.append(first_relevant_rank(relevance([texts[i] for i in ranked], q["answers"])))
        print(f"{q['id']}: {alone[-1]} -> {fused[-1]}  {q['query']} | {' | '.join(others)}",
              file=sys.stderr, flush=True)
    print(f"{args.set.name}, kinds {args.kinds}: {len(queries)} queries")
    print(f"{'':16}{'point alone':>12}{'rewritten':>12}")
    for name, a, b in zip(("recall@1", "recall@5", "mrr@10"), scores(alone), scores(fused)):
        print(f"{name:16}{a:12.3f}{b:12.3f}")
    print(f"model time per query: median {statistics.median(seconds):.2f} s "
          f"(added before an expand's first token)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
