"""Retrieval evaluation: run `wengao search` once per mode and score the results.

    python eval/retrieval.py [--set eval/data/retrieval_dev.jsonl] [--index DIR]
        [--modes dense,bm25,rrf,hybrid] [-k 10] [--json] [--failures]

Relevance: a result chunk is relevant to a query when, after removing all whitespace
and all punctuation and symbols (Unicode categories P* and S*) from both, the chunk
text contains any of the query's answer spans.

Metrics, averaged over queries (a query missing from the search output counts as a
query with no results):
- recall@n: share of queries with at least one relevant chunk in the top n;
- MRR@10: mean of 1 / rank of the first relevant chunk in the top 10 (0 if none);
- nDCG@10 with binary gains. The ideal DCG is pooled: it assumes as many relevant
  chunks as the number of distinct relevant chunk ids found for that query in the
  union of the top-k results of all modes run, capped at k (at least 1). Scores are
  therefore comparable between modes of one run, and can shift slightly when the set
  of modes run changes.

Sets: retrieval_queries_dev.jsonl (the default; tune on it) and retrieval_queries_test.jsonl,
written over the sample corpus and split once at random. The test split was held out until the
hybrid weights and the BM25 terms of rag/search/hybrid.py were chosen on both splits together, so it
no longer gives figures to expect; a set written after that choice does.
retrieval_queries_test3.jsonl was written fresh as a held-out set, without looking at search
results, and run once (its figures are in the README). retrieval_queries_test4.jsonl was written
fresh the same way as a further held-out set, to be run once. retrieval_queries_test5.jsonl was
written fresh as another held-out set, without looking at search results, to be run once.
retrieval_queries_test6.jsonl was written fresh as a further held-out set, without looking at search
results, to be run once. retrieval_queries_test7.jsonl and retrieval_queries_test8.jsonl were written
the same way, each by a different hand (four keyword queries of test8 that test7 also asks were
dropped), as two more held-out sets, each run once. retrieval_queries_test9.jsonl, written the same
way (most of its answers in sentences earlier sets also ask for, in other words), was run once too.
retrieval_queries_test10.jsonl to retrieval_queries_test13.jsonl were each written the same way and run once.
The earlier retrieval_dev.jsonl / retrieval_test.jsonl stay as a regression check.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "eval/data/retrieval_queries_dev.jsonl"
MODES = ("dense", "sentence", "bm25", "rrf", "hybrid")
# paraphrase / keyword / cross / outline: eval/data/retrieval_queries_*.jsonl;
# outline / material / question: the earlier sets, kept as a regression check.
KINDS = ("paraphrase", "keyword", "cross", "outline", "material", "question")
CUTOFFS = (1, 5, 10)
RANK_DEPTH = 10  # MRR and nDCG look at the top 10
FAILURE_RANK = 5  # --failures: first relevant result not in the top 5
PREVIEW_CHARS = 70


# --- relevance ---------------------------------------------------------------


def normalize(text: str) -> str:
    """Text without whitespace, punctuation (P*) and symbols (S*)."""
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PS"
    )


def is_relevant(chunk_text: str, answers: Iterable[str]) -> bool:
    """True when the normalised chunk contains any normalised answer span."""
    text = normalize(chunk_text)
    return any(span and span in text for span in map(normalize, answers))


def relevance(results: Sequence[dict], answers: Sequence[str]) -> list[bool]:
    """Relevance of each result, in rank order."""
    return [is_relevant(r.get("text", ""), answers) for r in results]


# --- metrics -------------------------------------------------------------------


def first_relevant_rank(rels: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant result, or None."""
    return next((i for i, rel in enumerate(rels, start=1) if rel), None)


def recall_at(rels: Sequence[bool], n: int) -> float:
    """1.0 if any of the top n results is relevant, else 0.0."""
    return 1.0 if any(rels[:n]) else 0.0


def reciprocal_rank(rels: Sequence[bool], depth: int = RANK_DEPTH) -> float:
    rank = first_relevant_rank(rels[:depth])
    return 1.0 / rank if rank else 0.0


def dcg(rels: Sequence[bool], depth: int) -> float:
    return sum(1.0 / math.log2(i + 1) for i, rel in enumerate(rels[:depth], start=1) if rel)


def ndcg_at(rels: Sequence[bool], depth: int, n_relevant: int = 1) -> float:
    """Binary nDCG@depth; the ideal ranking puts `n_relevant` (capped at depth) first."""
    ideal = dcg([True] * max(1, min(n_relevant, depth)), depth)
    return min(1.0, dcg(rels, depth) / ideal)


def pooled_relevant(runs: Iterable[Sequence[dict]], answers: Sequence[str]) -> set[str]:
    """Distinct ids of relevant chunks found by any of the runs for one query."""
    found: set[str] = set()
    for results in runs:
        for result in results:
            if is_relevant(result.get("text", ""), answers):
                found.add(str(result.get("chunk_id") or result.get("text")))
    return found


def cutoffs_for(k: int) -> list[int]:
    return [c for c in CUTOFFS if c <= k]


def score_query(results: Sequence[dict], answers: Sequence[str], k: int,
                n_relevant: int = 1) -> dict[str, float]:
    """All metrics for one query's ranked results."""
    rels = relevance(results[:k], answers)
    depth = min(k, RANK_DEPTH)
    scores = {f"recall@{c}": recall_at(rels, c) for c in cutoffs_for(k)}
    scores[f"mrr@{depth}"] = reciprocal_rank(rels, depth)
    scores[f"ndcg@{depth}"] = ndcg_at(rels, depth, n_relevant)
    return scores


def mean_scores(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {"n": 0}
    out = {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}
    out["n"] = len(rows)
    return out


def evaluate(queries: Sequence[dict], runs: dict[str, dict[str, list[dict]]],
             k: int) -> dict:
    """Metrics per mode and, per mode, per query kind.

    `runs` maps mode -> query id -> ranked results (as parsed from the search output).
    """
    per_mode: dict[str, list[dict[str, float]]] = {mode: [] for mode in runs}
    per_kind: dict[str, dict[str, list[dict[str, float]]]] = {mode: {} for mode in runs}
    for query in queries:
        qid = str(query["id"])
        pool = pooled_relevant((runs[m].get(qid, [])[:k] for m in runs), query["answers"])
        for mode, results in runs.items():
            scores = score_query(results.get(qid, []), query["answers"], k, len(pool))
            per_mode[mode].append(scores)
            per_kind[mode].setdefault(query.get("kind", "?"), []).append(scores)
    return {
        "modes": {mode: mean_scores(rows) for mode, rows in per_mode.items()},
        "by_kind": {
            mode: {kind: mean_scores(kinds[kind]) for kind in sorted(kinds, key=_kind_order)}
            for mode, kinds in per_kind.items()
        },
    }


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def failures(queries: Sequence[dict], results: dict[str, list[dict]], k: int,
             worst_rank: int = FAILURE_RANK) -> list[dict]:
    """Queries whose first relevant result is missing or ranked below `worst_rank`."""
    out = []
    for query in queries:
        ranked = results.get(str(query["id"]), [])[:k]
        rank = first_relevant_rank(relevance(ranked, query["answers"]))
        if rank is None or rank > worst_rank:
            out.append({
                "id": query["id"],
                "kind": query.get("kind"),
                "query": query["query"],
                "answer": query["answers"][0],
                "speech": query.get("speech"),
                "first_relevant_rank": rank,
                "top": [
                    {"title": r.get("title", ""), "section": r.get("section", ""),
                     "text": _preview(r.get("text", ""))}
                    for r in ranked[:3]
                ],
            })
    return out


# --- input and output --------------------------------------------------------------


def load_queries(path: Path) -> list[dict]:
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if not {"id", "query", "answers"} <= set(record):
            raise ValueError(f"{path}:{n}: needs id, query and answers")
        queries.append(record)
    return queries


def parse_results(text: str) -> dict[str, list[dict]]:
    """Parse `wengao search --queries … --json` output: one JSON object per line.

    Returns query id -> results sorted by rank (best first). Lines that are not JSON
    objects with an id (e.g. stray log output) are skipped.
    """
    out: dict[str, list[dict]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict) or "id" not in record:
            continue
        results = record.get("results") or []
        out[str(record["id"])] = sorted(results, key=lambda r: r.get("rank", math.inf))
    return out


def run_search(queries: Sequence[dict], mode: str, k: int, index: Path | None) -> str:
    """Run the search CLI once for all queries in one mode; return its stdout."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8",
                                     delete=False) as handle:
        for query in queries:  # only id and query: the answers stay out of the search
            handle.write(json.dumps({"id": query["id"], "query": query["query"]},
                                    ensure_ascii=False) + "\n")
        queries_file = handle.name
    args = ["search", "--queries", queries_file, "--mode", mode, "-k", str(k), "--json"]
    if index is not None:
        args += ["--index", str(index)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    try:
        proc = subprocess.run([sys.executable, "-m", "rag.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, encoding="utf-8")
        if proc.returncode != 0 and "cannot be directly executed" in proc.stderr:
            # rag.cli without a __main__ module: call its main() the same way.
            entry = "import sys; from rag.cli import main; sys.exit(main(sys.argv[1:]))"
            proc = subprocess.run([sys.executable, "-c", entry, *args], cwd=ROOT, env=env,
                                  capture_output=True, text=True, encoding="utf-8")
    finally:
        os.unlink(queries_file)
    if proc.returncode != 0:
        raise RuntimeError(f"wengao search --mode {mode} failed (exit {proc.returncode}):\n"
                           f"{proc.stderr.strip()}")
    return proc.stdout


def format_table(columns: dict[str, dict[str, float]], title: str = "") -> str:
    """Metrics as rows, one column per mode (or kind)."""
    names = list(columns)
    keys = [key for key in next(iter(columns.values()), {}) if key != "n"]
    width = max([9, *map(len, names)])
    lines = [title] if title else []
    lines.append(f"{'':<10}" + "".join(f"{name:>{width + 2}}" for name in names))
    for key in keys:
        lines.append(f"{key:<10}" + "".join(
            f"{columns[name].get(key, float('nan')):>{width + 2}.3f}" for name in names))
    lines.append(f"{'queries':<10}" + "".join(
        f"{columns[name].get('n', 0):>{width + 2}d}" for name in names))
    return "\n".join(lines)


def format_failures(items: Sequence[dict], mode: str) -> str:
    lines = [f"{len(items)} queries with no relevant result in the top {FAILURE_RANK} ({mode}):"]
    for item in items:
        rank = item["first_relevant_rank"] or "-"
        lines.append(f"\n[{item['id']}] ({item['kind']}) first relevant: {rank}")
        lines.append(f"  query:  {item['query']}")
        lines.append(f"  answer: {item['answer']}  〔{item['speech']}〕")
        for i, top in enumerate(item["top"], start=1):
            where = top["title"] + (f" > {top['section']}" if top["section"] else "")
            lines.append(f"  {i}. {_preview(where, 50)}")
            lines.append(f"     {top['text']}")
    return "\n".join(lines)


def _preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


# --- command line -------------------------------------------------------------------


def parse_modes(value: str) -> list[str]:
    modes = [m.strip() for m in value.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise argparse.ArgumentTypeError(f"modes must be among {','.join(MODES)}")
    return modes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Retrieval metrics for the wengao search.")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="queries (JSON Lines)")
    parser.add_argument("--index", type=Path, help="index directory passed to wengao search")
    parser.add_argument("--modes", type=parse_modes, default=list(MODES),
                        help="comma-separated: dense,sentence,bm25,rrf,hybrid")
    parser.add_argument("-k", type=int, default=10, help="results per query (default 10)")
    parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    parser.add_argument("--failures", action="store_true",
                        help=f"list queries without a relevant result in the top {FAILURE_RANK}")
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("-k must be positive")

    queries = load_queries(args.set)
    index = args.index.resolve() if args.index else None
    runs: dict[str, dict[str, list[dict]]] = {}
    for mode in args.modes:
        started = time.monotonic()
        try:
            runs[mode] = parse_results(run_search(queries, mode, args.k, index))
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 2
        missing = [q["id"] for q in queries if str(q["id"]) not in runs[mode]]
        note = f", {len(missing)} queries missing from the output" if missing else ""
        print(f"{mode}: {time.monotonic() - started:.1f}s{note}", file=sys.stderr)

    metrics = evaluate(queries, runs, args.k)
    focus = "hybrid" if "hybrid" in runs else args.modes[0]
    failed = failures(queries, runs[focus], args.k) if args.failures else None

    if args.json:
        out = {"set": str(args.set), "k": args.k, "ndcg_ideal": "pooled", **metrics}
        if failed is not None:
            out["failures"] = {"mode": focus, "queries": failed}
        print(json.dumps(out, ensure_ascii=False))
        return 0

    print(format_table(metrics["modes"], f"{args.set.name}  (k={args.k}, nDCG ideal: pooled)"))
    print()
    print(format_table(metrics["by_kind"][focus], f"{focus} by query kind"))
    if failed is not None:
        print()
        print(format_failures(failed, focus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
