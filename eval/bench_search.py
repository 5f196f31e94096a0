"""Corpus checks, search latency and the index build's embedding rate.

    python eval/bench_search.py [--corpus data/corpus] [--runs 3] [--queries 50]

Prints, measured side by side in one run:
- speeches found with their titles, and any noise left in chunks;
- warm search latency p50/p95 per mode (dense, BM25, hybrid);
- chunks embedded per second by a full `ingest` into a fresh index, against
  plain `SentenceTransformer.encode` on the same chunk texts (median of runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.measure import latency, timed_ms  # noqa: E402
from rag.corpus.clean import glued_tail, noise_score  # noqa: E402
from rag.corpus.read import read_corpus  # noqa: E402
from rag.index.build import ingest  # noqa: E402
from rag.index.embedder import Embedder  # noqa: E402
from rag.index.store import passage_text  # noqa: E402
from rag.search.hybrid import open_searcher  # noqa: E402
from rag.settings import load_settings  # noqa: E402


def noise_left(chunks) -> list[tuple[str, str]]:
    """Lines of chunks that the noise rules would flag: should be none."""
    found = []
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            if noise_score(line) >= 2 or (glued_tail(line) and noise_score(glued_tail(line)) >= 1):
                found.append((chunk.chunk_id, line[:60]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    corpus = read_corpus([args.corpus])
    out: dict = {
        "speeches": len(corpus.speeches),
        "titles": [s.title for s in corpus.speeches],
        "chunks": len(corpus.chunks),
        "noise_lines_in_chunks": noise_left(corpus.chunks),
    }

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(index=Path(tmp) / "index")
        embedder = Embedder(settings)
        texts = [passage_text(c) for c in corpus.chunks]
        embedder.passages(texts[:8])  # warm-up: first call pays one-off set-up costs
        build_rates, plain_rates = [], []
        for run in range(args.runs):
            start = time.perf_counter()
            embedder.load().encode(texts, batch_size=settings.embed_batch_size, prompt_name="passage",
                                  normalize_embeddings=True)
            plain_rates.append(len(texts) / (time.perf_counter() - start))
            index_dir = Path(tmp) / f"index-{run}"
            build_settings = load_settings(index=index_dir)
            report = ingest([args.corpus], build_settings, progress=False, embedder=embedder)
            build_rates.append(report.embedded / report.seconds)
        out["embed_rate_plain"] = round(statistics.median(plain_rates), 1)
        out["embed_rate_build"] = round(statistics.median(build_rates), 1)
        out["embed_rate_ratio"] = round(out["embed_rate_build"] / out["embed_rate_plain"], 3)

        searcher = open_searcher(load_settings(index=Path(tmp) / "index-0"), embedder)
        queries = [json.loads(line)["query"] for line in
                   (ROOT / "eval/data/retrieval_dev.jsonl").read_text("utf-8").splitlines()]
        queries = (queries * (args.queries // len(queries) + 1))[: args.queries]
        searcher.search(queries[0])  # warm-up
        for mode in ("dense", "bm25", "hybrid"):
            times = timed_ms(lambda q, m=mode: searcher.search(q, k=10, mode=m), queries)
            out[f"search_ms_{mode}"] = latency(times)

    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"speeches: {out['speeches']}   chunks: {out['chunks']}")
    for title in out["titles"]:
        print(f"  - {title}")
    print(f"noise lines left in chunks: {len(out['noise_lines_in_chunks'])}")
    for chunk_id, line in out["noise_lines_in_chunks"]:
        print(f"  ! {chunk_id}: {line}")
    print(f"\nembedding rate (chunks/s, median of {args.runs}):")
    print(f"  plain SentenceTransformer.encode : {out['embed_rate_plain']}")
    print(f"  full ingest into a new index     : {out['embed_rate_build']}")
    print(f"  ratio                            : {out['embed_rate_ratio']}")
    print(f"\nwarm search latency over {args.queries} queries, k=10 (ms):")
    for mode in ("dense", "bm25", "hybrid"):
        s = out[f"search_ms_{mode}"]
        print(f"  {mode:7s} p50 {s['p50']:7.2f}   p95 {s['p95']:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
