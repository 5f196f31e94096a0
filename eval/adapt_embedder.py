"""Does adapting the embedding model to paraphrase search pay? Measured before it is built in.

    python eval/adapt_embedder.py --out DIR [--pairs eval/data/paraphrase_pairs.jsonl]
        [--model FOLDER] [--epochs 2] [--lr 2e-5]

Fine-tunes the encoder layers of a sentence-transformers model (the bundled e5-small by default;
its word embeddings stay as they are) on pairs of a query in other words and the sentence it
restates, with the other sentences of a batch as negatives, and saves the result as a
sentence-transformers folder. Both sides are embedded as the index embeds sentences (the query
prompt). The pairs were written over speeches that are not in the sample corpus, so the query
sets of the sample corpus measure what the adaptation brings to a corpus it has not seen:

    wengao ingest data/corpus --index /tmp/adapted --embed-model DIR
    WENGAO_EMBED_MODEL=DIR python eval/retrieval.py --index /tmp/adapted --set SET --modes hybrid
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PAIRS = ROOT / "eval/data/paraphrase_pairs.jsonl"
BATCH = 32
# e5's own training temperature: cosines are multiplied by 1 / 0.05 before the softmax.
SCALE = 20.0
SEED = 0


def load_pairs(path: Path) -> list[tuple[str, str]]:
    from rag.search.query import search_text

    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    # The query is searched as `wengao search` searches it: ordinals and outline shells gone.
    return [(search_text(r["query"]), r["sentence"]) for r in rows]


def fine_tune(model_path: Path, pairs: list[tuple[str, str]], epochs: int, lr: float):
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(SEED)
    shuffler = random.Random(SEED)
    model = SentenceTransformer(str(model_path), device="cpu")
    for parameter in model[0].auto_model.embeddings.parameters():
        parameter.requires_grad = False
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    prompt = model.prompts.get("query", "")

    def embed(texts: list[str]):
        features = model.preprocess([prompt + t for t in texts])
        return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=1)

    model.train()
    started = time.perf_counter()
    for epoch in range(epochs):
        order = pairs[:]
        shuffler.shuffle(order)
        losses = []
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            queries, sentences = embed([q for q, _ in batch]), embed([s for _, s in batch])
            loss = torch.nn.functional.cross_entropy(queries @ sentences.T * SCALE, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        print(f"epoch {epoch + 1}: mean loss {sum(losses) / len(losses):.3f}, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    model.eval()
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to save the adapted model in")
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--model", type=Path, help="sentence-transformers folder (default: the bundled one)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=2e-5)
    args = parser.parse_args(argv)

    from rag.index.embedder import embed_model_path
    from rag.settings import load_settings

    model_path = args.model or embed_model_path(load_settings())
    pairs = load_pairs(args.pairs)
    print(f"{len(pairs)} pairs from {args.pairs.name}; adapting {model_path}", flush=True)
    fine_tune(model_path, pairs, args.epochs, args.lr).save(str(args.out))
    print(f"saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
