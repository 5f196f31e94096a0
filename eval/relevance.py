"""Evaluate the relevance judge of rag/search/relevance.py on labelled requests.

    python eval/relevance.py [--set eval/data/relevance_queries.jsonl] [--index DIR]
        [-k 10] [--failures] [--sweep] [--json]

Each line of the set is a request a user might give a drafting command, labelled
relevant when the bundled corpus speaks to it, with a "split" field: tune on
"dev" only, keep "test" for the figures to expect. Every request is searched as
the drafting commands do it (hybrid, top k) and judged by rag.search.relevance.judge.

The decision scored is "off-corpus" (the judge refuses to draft):
- accuracy: share of requests judged as labelled;
- precision: share of refused requests that are really off-topic;
- recall: share of off-topic requests refused;
- blocked: share of relevant requests refused (the costly error).

--sweep prints, for the dev split, the distribution of each feature per class,
the requests closest to the boundary and a grid over COVERAGE_WEIGHT. For each
weight the threshold is MARGIN below the lowest relevant score, so no relevant
dev request is blocked and the next one has some room; "passed" counts the
off-topic requests at or above it. The chosen weight lets the fewest through
(the middle one when several tie): the values for COVERAGE_WEIGHT and
RELEVANT_MIN in rag/search/relevance.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_SET = ROOT / "eval/data/relevance_queries.jsonl"
SPLITS = ("dev", "test")
WEIGHTS = [round(float(x), 3) for x in np.arange(0.0, 0.201, 0.01)]
# The threshold sits this far below the lowest-scoring relevant dev request:
# blocking a real request costs more than drafting from weak material, and the
# next relevant request may score a little lower than any seen.
MARGIN = 0.01


def load_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def judge_all(rows: list[dict], index_dir: str | None, k: int) -> list[dict]:
    """Each row with the judge's features and verdict."""
    from rag.index.embedder import Embedder
    from rag.search.hybrid import open_searcher
    from rag.search.relevance import judge
    from rag.settings import load_settings

    settings = load_settings(index=Path(index_dir) if index_dir else None)
    searcher = open_searcher(settings, Embedder(settings))
    results = searcher.search_many([r["query"] for r in rows], k)
    out = []
    for row, passages in zip(rows, results):
        verdict = judge(searcher, row["query"], passages)
        out.append({**row, "dense": verdict.dense, "coverage": verdict.coverage,
                    "score": verdict.score, "judged_relevant": verdict.relevant})
    return out


def metrics(labels: list[bool], judged: list[bool]) -> dict:
    """Figures of the off-corpus decision; labels and judged are "relevant" flags."""
    off = [not y for y in labels]
    refused = [not j for j in judged]
    tp = sum(o and r for o, r in zip(off, refused))
    n_refused, n_off, n_on = sum(refused), sum(off), len(labels) - sum(off)
    blocked = sum(r and not o for o, r in zip(off, refused))
    return {
        "n": len(labels),
        "relevant": n_on,
        "off_topic": n_off,
        "accuracy": round(sum(y == j for y, j in zip(labels, judged)) / len(labels), 3) if labels else 0.0,
        "precision": round(tp / n_refused, 3) if n_refused else 1.0,
        "recall": round(tp / n_off, 3) if n_off else 1.0,
        "blocked": round(blocked / n_on, 3) if n_on else 0.0,
        "blocked_n": blocked,
        "passed_n": n_off - tp,
    }


def sweep(rows: list[dict]) -> dict:
    labels = np.array([bool(r["relevant"]) for r in rows])
    dense = np.array([r["dense"] for r in rows])
    coverage = np.array([r["coverage"] for r in rows])
    grid = []
    for w in WEIGHTS:
        scores = dense + w * coverage
        lowest = float(scores[labels].min())
        threshold = round(lowest - MARGIN, 4)
        grid.append({"weight": w, "lowest_relevant": round(lowest, 4), "threshold": threshold,
                     **metrics(labels.tolist(), (scores >= threshold).tolist())})
    fewest = min(g["passed_n"] for g in grid)
    tied = [g for g in grid if g["passed_n"] == fewest]
    chosen = tied[len(tied) // 2]
    quantiles = (0.0, 0.1, 0.5, 0.9, 1.0)
    spread = {
        name: {cls: [round(float(np.quantile(values[labels == flag], q)), 3) for q in quantiles]
               for cls, flag in (("relevant", True), ("off_topic", False))}
        for name, values in (("dense", dense), ("coverage", coverage))
    }
    return {"quantiles": list(quantiles), "spread": spread, "grid": grid, "chosen": chosen}


def report(rows: list[dict]) -> dict:
    out = {}
    for split in SPLITS + ("all",):
        part = [r for r in rows if split == "all" or r.get("split") == split]
        if part:
            out[split] = metrics([r["relevant"] for r in part], [r["judged_relevant"] for r in part])
    return out


def print_report(summary: dict, rows: list[dict], failures: bool) -> None:
    from rag.search.relevance import COVERAGE_WEIGHT, RELEVANT_MIN

    print(f"judge: dense + {COVERAGE_WEIGHT} * coverage >= {RELEVANT_MIN}")
    print(f"{'split':6} {'n':>4} {'rel':>4} {'off':>4} {'acc':>6} {'prec':>6} {'recall':>6} {'blocked':>8}")
    for split, m in summary.items():
        print(f"{split:6} {m['n']:4d} {m['relevant']:4d} {m['off_topic']:4d} {m['accuracy']:6.3f} "
              f"{m['precision']:6.3f} {m['recall']:6.3f} {m['blocked']:8.3f}")
    if failures:
        wrong = [r for r in rows if r["relevant"] != r["judged_relevant"]]
        print(f"\nmisjudged: {len(wrong)}")
        for r in sorted(wrong, key=lambda r: (r.get("split", ""), r["score"])):
            kind = "BLOCKED" if r["relevant"] else "passed"
            print(f"  {kind:7} {r.get('split', ''):4} dense={r['dense']:.3f} coverage={r['coverage']:.2f} "
                  f"score={r['score']:.3f}  {r['query']}  ({r.get('note', '')})")


def print_sweep(result: dict, rows: list[dict]) -> None:
    print("\ndev feature distributions (quantiles " + " ".join(map(str, result["quantiles"])) + ")")
    for name, per_class in result["spread"].items():
        for cls, values in per_class.items():
            print(f"  {name:8} {cls:9} " + " ".join(f"{v:6.3f}" for v in values))
    print("\nclosest to the boundary (dev, by score at the chosen weight):")
    w = result["chosen"]["weight"]
    ordered = sorted(rows, key=lambda r: r["dense"] + w * r["coverage"])
    lowest_on = next(i for i, r in enumerate(ordered) if r["relevant"])
    for r in ordered[max(0, lowest_on - 6): lowest_on + 6]:
        print(f"  {'rel' if r['relevant'] else 'off'} {r['dense'] + w * r['coverage']:.4f} "
              f"dense={r['dense']:.3f} coverage={r['coverage']:.2f}  {r['query']}")
    print(f"\n{'weight':>6} {'lowest':>7} {'thresh':>7} {'passed':>6} {'acc':>6} {'recall':>6}")
    for g in result["grid"]:
        mark = "  <- chosen" if g is result["chosen"] else ""
        print(f"{g['weight']:6.2f} {g['lowest_relevant']:7.4f} {g['threshold']:7.4f} {g['passed_n']:6d} "
              f"{g['accuracy']:6.3f} {g['recall']:6.3f}{mark}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the off-corpus judge on labelled requests.")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled requests (JSON lines)")
    parser.add_argument("--index", help="index directory (default: the configured one)")
    parser.add_argument("-k", type=int, default=10, help="passages retrieved per request, as for drafting")
    parser.add_argument("--failures", action="store_true", help="list misjudged requests with their features")
    parser.add_argument("--sweep", action="store_true", help="feature spread and threshold sweep on dev")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)

    from rag.errors import WengaoError

    try:
        rows = judge_all(load_set(args.set), args.index, args.k)
    except WengaoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = report(rows)
    dev = [r for r in rows if r.get("split") == "dev"]
    swept = sweep(dev) if args.sweep and dev else None
    if args.json:
        out: dict = {"summary": summary}
        if args.failures:
            out["failures"] = [r for r in rows if r["relevant"] != r["judged_relevant"]]
        if swept:
            out["sweep"] = swept
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print_report(summary, rows, args.failures)
    if swept:
        print_sweep(swept, dev)
    return 0


if __name__ == "__main__":
    sys.exit(main())
