"""Calibrate the support judge of rag/check/cite.py against hand-labelled sentence-passage pairs.

    python eval/calibrate_support.py [--index DIR] [--set FILE ...]
        [--side queries|passages] [--bench-copy]

Each pair is a sentence in speech register and a chunk of the bundled corpus,
labelled 1 when the chunk supports the sentence (a faithful or loose paraphrase,
or a near-verbatim copy) and 0 when it does not (an on-topic claim the chunk does
not make, one that reuses the chunk's words to say something else, or another
subject). By default three sets together: sentences written by hand
(support_pairs.jsonl), sentences the 1.5B model wrote when it still copied
(generated_support_labels.jsonl), and sentences it wrote paraphrasing under the
copy block (paraphrase_support_labels.jsonl). The judge (rag.check.cite.judge) says "supported" when

    overlap + SIM_WEIGHT * (similarity - SIM_BASE) >= SUPPORT_MIN

with similarity the best cosine between the sentence and one of the chunk's
sentences and overlap the share of the sentence's character bigrams found in the
chunk. The script scores every pair with the real embedding model and runs a grid
over SIM_WEIGHT (0 = bigram overlap alone) and SUPPORT_MIN. The choice is the
best agreement among the points with precision at least MIN_PRECISION: a wrong
citation misleads, so at most one in ten may be wrong; but once drafts paraphrase
their sources, a judge tuned for precision alone (F0.5) leaves most of their
sentences without a source the writer could check. Both are averaged over each grid
point's 3x3 neighbourhood so the choice sits on the plateau rather than on one
lucky cell. A 5-fold cross-validation of
that choice gives the figure to expect on sentences not used for tuning. It prints
the grid, the chosen point, agreement on the pairs that share no run of
FLAG_COPY_AT characters with their chunk (paraphrase, the case the judge finds
hard), the judge's figures at the constants now in
rag/check/cite.py, the pairs it misjudges, and the lines to put into rag/check/cite.py.

--bench-copy times rag.check.copycheck.CopyIndex instead: on the index's chunks and on
synthetic corpora of 100,000 chunks (see bench_copy).

The index only supplies chunk texts (by chunk_id), so any index of data/corpus
will do: `wengao ingest data/corpus --index /tmp/idx`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rag.check.cite import Weights

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = [ROOT / "eval/data" / name for name in
                ("support_pairs.jsonl", "generated_support_labels.jsonl", "paraphrase_support_labels.jsonl")]
WEIGHTS = [round(float(x), 2) for x in np.arange(0.0, 12.01, 0.5)]
THRESHOLDS = [round(float(x), 2) for x in np.arange(0.56, 1.041, 0.02)]
BETA = 0.5
MIN_PRECISION = 0.9
FOLDS = 5
# Widths of the band round SUPPORT_MIN in which the model is asked (the narrowest that comes
# within half a point of the best agreement is chosen: each pair asked costs about a second).
BANDS = (0.1, 0.2, 0.3, 0.5, 1.0)


def load_pairs(path: Path) -> list[dict]:
    pairs = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    for pair in pairs:  # written sets have a note, generated ones a reason
        pair.setdefault("note", pair.get("reason", ""))
    return pairs


def score_pairs(pairs: list[dict], chunks: dict, embed) -> list[dict]:
    """similarity / overlap of every pair, as rag.check.cite.support_score computes them.
    Two embedding calls in all: the sentences, then every distinct chunk sentence."""
    from rag.check.cite import nearest, passage_sentences, support_score
    from rag.check.copycheck import CopyIndex

    missing = sorted({p["chunk_id"] for p in pairs} - set(chunks))
    if missing:
        raise SystemExit(f"chunks not in the index (built from another corpus?): {', '.join(missing[:5])}")
    svecs = embed([p["sentence"] for p in pairs])
    per_chunk = {cid: passage_sentences(chunks[cid].text) for cid in {p["chunk_id"] for p in pairs}}
    flat = list(dict.fromkeys(s for sents in per_chunk.values() for s in sents))
    row = {s: i for i, s in enumerate(flat)}
    pvecs = embed(flat)
    out = []
    for pair, svec in zip(pairs, svecs):
        sents = per_chunk[pair["chunk_id"]]
        text = chunks[pair["chunk_id"]].text
        s = support_score(pair["sentence"], text, svec, pvecs[[row[x] for x in sents]])
        out.append({**pair, **{k: s[k] for k in ("similarity", "overlap", "support", "supported")},
                    "run": CopyIndex([text]).longest_copied_run(pair["sentence"])[0],
                    "nearest": nearest(sents, s["sims"])})
    return out


def is_paraphrase(pair: dict) -> bool:
    """True when the sentence copies no run of FLAG_COPY_AT characters from its chunk."""
    from rag.check.finish import FLAG_COPY_AT

    return pair["run"] < FLAG_COPY_AT


def paraphrase_metrics(scored: list[dict], predicted: list[bool]) -> tuple[dict, int]:
    """metrics() on the pairs without a copied run, and how many they are."""
    loose = [(p["label"], v) for p, v in zip(scored, predicted) if is_paraphrase(p)]
    return metrics([y for y, _ in loose], [v for _, v in loose]), len(loose)


def metrics(labels: list[int], predicted: list[bool]) -> dict:
    tp = sum(1 for y, p in zip(labels, predicted) if y and p)
    fp = sum(1 for y, p in zip(labels, predicted) if not y and p)
    fn = sum(1 for y, p in zip(labels, predicted) if y and not p)
    agreement = sum(1 for y, p in zip(labels, predicted) if bool(y) == p) / len(labels)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    b2 = BETA * BETA
    fbeta = (1 + b2) * precision * recall / (b2 * precision + recall) if precision + recall else 0.0
    return {"agreement": agreement, "precision": precision, "recall": recall, "f0.5": fbeta}


def predict(scored: list[dict], weight: float, threshold: float) -> list[bool]:
    from rag.check.cite import SIM_BASE

    return [p["overlap"] + weight * (p["similarity"] - SIM_BASE) >= threshold for p in scored]


def grid(scored: list[dict]) -> dict[tuple[float, float], dict]:
    labels = [p["label"] for p in scored]
    return {(w, t): metrics(labels, predict(scored, w, t)) for w in WEIGHTS for t in THRESHOLDS}


def choose(results: dict[tuple[float, float], dict]) -> tuple[float, float]:
    """The grid point whose 3x3 neighbourhood has the best mean agreement at a mean precision
    of at least MIN_PRECISION (the best mean F0.5 if none has)."""

    def smoothed(key: tuple[float, float]) -> tuple[bool, float, float]:
        i, j = WEIGHTS.index(key[0]), THRESHOLDS.index(key[1])
        near = [results[(WEIGHTS[a], THRESHOLDS[b])]
                for a in range(max(i - 1, 0), min(i + 2, len(WEIGHTS)))
                for b in range(max(j - 1, 0), min(j + 2, len(THRESHOLDS)))]
        precise = float(np.mean([m["precision"] for m in near])) >= MIN_PRECISION
        mean = {k: round(float(np.mean([m[k] for m in near])), 6) for k in ("agreement", "f0.5")}
        return (precise, mean["agreement"] if precise else mean["f0.5"],
                mean["f0.5"] if precise else mean["agreement"])

    return max(results, key=smoothed)


def cross_validate(scored: list[dict]) -> list[bool]:
    """Choose on four fifths, judge the held-out fifth: every pair's verdict from a choice made without it."""
    order = np.random.default_rng(0).permutation(len(scored))
    predicted = [False] * len(scored)
    for fold in np.array_split(order, FOLDS):
        held = set(fold.tolist())
        weight, threshold = choose(grid([p for k, p in enumerate(scored) if k not in held]))
        for k in fold:
            predicted[k] = predict([scored[k]], weight, threshold)[0]
    return predicted


def model_logits(scored: list[dict], settings) -> None:
    """Each pair's yes-minus-no logit from the local model, as rag.check.cite.model_verifier asks it."""
    from rag.check.cite import model_verifier
    from rag.llm.generate import generator_for

    verify = model_verifier(generator_for(settings), settings.prompts)
    start = time.perf_counter()
    for pair in scored:
        pair["logit"] = verify(pair["nearest"], pair["sentence"])
    print(f"model asked about {len(scored)} pairs in {time.perf_counter() - start:.0f} s")


def _features(pairs: list[dict]) -> np.ndarray:
    return np.array([[p["similarity"], p["overlap"], p["logit"]] for p in pairs])


def fit_model(pairs: list[dict], band: float) -> Weights:
    """MODEL_WEIGHTS: a logistic regression on (similarity, overlap, logit), its bias moved to the
    best agreement at precision >= MIN_PRECISION of the judge it makes with `band`."""
    from sklearn.linear_model import LogisticRegression

    labels = np.array([p["label"] for p in pairs])
    fitted = LogisticRegression(C=10.0, max_iter=1000).fit(_features(pairs), labels)
    w_sim, w_overlap, w_logit = (float(w) for w in fitted.coef_[0])
    best: tuple[bool, float, float] | None = None
    for shift in np.arange(-3.0, 3.01, 0.05):
        weights = (w_sim, w_overlap, w_logit, float(fitted.intercept_[0]) + shift)
        m = metrics(list(labels), model_predict(pairs, band, weights))
        key = (m["precision"] >= MIN_PRECISION, m["agreement"], -abs(shift))
        if best is None or key > best:
            best, chosen = key, weights
    return chosen


def model_predict(pairs: list[dict], band: float, weights: Weights) -> list[bool]:
    """The judge with the model: the rule outside `band`, the weights inside it (rag.check.cite.align
    asks about at most MAX_CITATIONS_PER_SENTENCE passages of a sentence; here every pair counts)."""
    from rag.check.cite import SUPPORT_MIN, model_judge, unsure

    return [model_judge(p, p["logit"], weights) if unsure(p["support"], band) else p["support"] >= SUPPORT_MIN
            for p in pairs]


def model_report(scored: list[dict]) -> None:
    """The judge with the model at rag/check/cite.py's constants, then cross-validated figures band by
    band, then the constants they choose."""
    from rag.check.cite import MODEL_WEIGHTS, VERIFY_BAND, unsure

    labels = [p["label"] for p in scored]
    now = model_predict(scored, VERIFY_BAND, MODEL_WEIGHTS)
    m = metrics(labels, now)
    lm, n_loose = paraphrase_metrics(scored, now)
    print(f"\nwith the model at rag/check/cite.py now (band {VERIFY_BAND}): agreement {m['agreement']:.3f}  "
          f"precision {m['precision']:.3f}  recall {m['recall']:.3f}\n"
          f"  on the {n_loose} pairs without a copied run: agreement {lm['agreement']:.3f}  "
          f"precision {lm['precision']:.3f}  recall {lm['recall']:.3f}")
    order = np.random.default_rng(0).permutation(len(scored))
    print(f"\nwith the model, {FOLDS}-fold cross-validated (weights fitted on four fifths):")
    print("  band   verified   agreement  precision  recall   without a copied run: agreement  precision")
    agreements = {}
    for band in BANDS:
        predicted = [False] * len(scored)
        for fold in np.array_split(order, FOLDS):
            held = set(fold.tolist())
            weights = fit_model([p for k, p in enumerate(scored) if k not in held], band)
            for k in fold:
                predicted[k] = model_predict([scored[k]], band, weights)[0]
        m = metrics(labels, predicted)
        lm, _ = paraphrase_metrics(scored, predicted)
        verified = np.mean([unsure(p["support"], band) for p in scored])
        print(f"  {band:4.2f}   {verified:7.0%}   {m['agreement']:9.3f}  {m['precision']:9.3f}  "
              f"{m['recall']:6.3f}   {lm['agreement']:31.3f}  {lm['precision']:9.3f}")
        agreements[band] = m["agreement"]
    chosen_band = min(b for b in BANDS if agreements[b] >= max(agreements.values()) - 0.005)
    weights = fit_model(scored, chosen_band)
    print(f"\nfor rag/check/cite.py:\nVERIFY_BAND = {chosen_band}\n"
          f"MODEL_WEIGHTS = ({', '.join(f'{w:.3f}' for w in weights)})")


def print_grid(results: dict, chosen: tuple[float, float]) -> None:
    print("agreement (%) over the grid; rows SIM_WEIGHT, columns SUPPORT_MIN; "
          "p = precision >= 0.95, * = chosen")
    print("weight" + "".join(f"{t:>4.2f}"[1:].rjust(4) for t in THRESHOLDS))
    for w in WEIGHTS:
        cells = []
        for t in THRESHOLDS:
            m = results[(w, t)]
            mark = "*" if (w, t) == chosen else ("p" if m["precision"] >= 0.95 else " ")
            cells.append(f"{100 * m['agreement']:>3.0f}{mark}")
        print(f"{w:>6.1f}" + "".join(cells))


def by_note(scored: list[dict], predicted: list[bool]) -> None:
    kinds: Counter = Counter()
    right: Counter = Counter()
    for p, pred in zip(scored, predicted):
        kind = p["note"].split(":")[0].split(" (")[0]
        kinds[kind] += 1
        right[kind] += bool(p["label"]) == pred
    for kind in kinds:
        print(f"  {kind:<32} {right[kind]:>3}/{kinds[kind]:<3} judged as labelled")


def bench_copy(chunks: list, n_big: int = 100_000) -> None:
    """Build and query times of CopyIndex: the index's chunks, then n_big synthetic chunks
    of 300 characters, (a) random characters, (b) the corpus's own sentences recombined,
    so every real sentence recurs hundreds of times (the worst case for candidates)."""
    from rag.check.cite import passage_sentences
    from rag.check.copycheck import CopyIndex, copy_report

    texts = [c.text for c in chunks]
    sentences = [s for t in texts for s in passage_sentences(t)]
    rng = np.random.default_rng(0)
    # A draft: 20 corpus sentences (copied) and 20 sentences of shuffled characters.
    draft = [sentences[i] for i in rng.choice(len(sentences), 20, replace=False)]
    draft += ["".join(rng.permutation(list(s))) for s in draft]

    def run(label: str, corpus: list[str], stride: int | None = None) -> None:
        start = time.perf_counter()
        index = CopyIndex(corpus, stride)
        built = time.perf_counter() - start
        start = time.perf_counter()
        report = copy_report(draft, index)
        took = time.perf_counter() - start
        size = (index.hashes.nbytes + index.owner.nbytes) / 2**20
        print(f"{label:<34} {len(corpus):>7} chunks {sum(map(len, corpus)) / 1e6:>5.1f}M chars  "
              f"stride {index.stride}  {size:>6.1f} MB  build {built:>6.2f} s  "
              f"{len(draft)} sentences {1000 * took:>7.1f} ms  (longest {report['longest']})")

    run("bundled corpus", texts)
    alphabet = np.array(sorted({ch for t in texts for ch in t if "\u4e00" <= ch <= "\u9fff"}))
    rand = ["".join(alphabet[rng.integers(0, len(alphabet), 300)]) for _ in range(n_big)] + texts
    run("random characters", rand)
    run("random characters, every position", rand, stride=1)
    del rand
    recombined = []
    for _ in range(n_big):
        picked, size = [], 0
        while size < 300:
            picked.append(sentences[rng.integers(len(sentences))])
            size += len(picked[-1])
        recombined.append("".join(picked))
    run("corpus sentences recombined", recombined)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, help="index of data/corpus (default: the configured one)")
    parser.add_argument("--set", type=Path, action="append", help="labelled pairs (default: the three sets)")
    parser.add_argument("--side", choices=("queries", "passages"), default="queries",
                        help="e5 prompt used for both sides (default: query:, e5's choice for similarity)")
    parser.add_argument("--model", action="store_true",
                        help="also ask the local model about each pair (check.cite.model_verifier), ~8 min")
    parser.add_argument("--bench-copy", action="store_true",
                        help="time rag.check.copycheck.CopyIndex instead (no calibration, no model)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from rag.check import cite
    from rag.index.embedder import Embedder
    from rag.index.store import CorpusIndex
    from rag.settings import load_settings

    settings = load_settings(index=args.index)
    index = CorpusIndex.open(settings.index_dir, verify=False)
    if args.bench_copy:
        bench_copy(index.chunks)
        return 0
    chunks = {c.chunk_id: c for c in index.chunks}
    pairs = [p for path in args.set or DEFAULT_SETS for p in load_pairs(path)]
    embedder = Embedder(settings)
    embed = embedder.queries if args.side == "queries" else (lambda texts: embedder.passages(texts))
    start = time.perf_counter()
    scored = score_pairs(pairs, chunks, embed)
    print(f"{len(pairs)} pairs ({sum(p['label'] for p in pairs)} supported), "
          f"scored in {time.perf_counter() - start:.1f} s with {embedder.path.name} ({args.side})\n")

    results = grid(scored)
    chosen = choose(results)
    print_grid(results, chosen)
    labels = [p["label"] for p in scored]
    points = (("chosen", chosen), ("rag/check/cite.py now", (cite.SIM_WEIGHT, cite.SUPPORT_MIN)))
    for name, (weight, threshold) in points:
        predicted = predict(scored, weight, threshold)
        m = metrics(labels, predicted)
        loose = [x for x in scored if is_paraphrase(x)]
        p = metrics([x["label"] for x in loose], predict(loose, weight, threshold))
        print(f"\n{name}: SIM_WEIGHT={weight:.1f} SUPPORT_MIN={threshold:.2f}  "
              f"agreement {m['agreement']:.3f}  precision {m['precision']:.3f}  "
              f"recall {m['recall']:.3f}  F0.5 {m['f0.5']:.3f}\n"
              f"  on the {len(loose)} pairs without a copied run: agreement {p['agreement']:.3f}  "
              f"precision {p['precision']:.3f}  recall {p['recall']:.3f}")
        by_note(scored, predicted)
    verdicts = cross_validate(scored)
    cv = metrics(labels, verdicts)
    cvp, _ = paraphrase_metrics(scored, verdicts)
    print(f"\n{FOLDS}-fold cross-validation of the choice: agreement {cv['agreement']:.3f}  "
          f"precision {cv['precision']:.3f}  recall {cv['recall']:.3f}; "
          f"without a copied run: agreement {cvp['agreement']:.3f}")
    overlap_only = max((t for t in THRESHOLDS), key=lambda t: results[(0.0, t)]["f0.5"])
    m = results[(0.0, overlap_only)]
    print(f"bigram overlap alone (>= {overlap_only:.2f}): agreement {m['agreement']:.3f}  "
          f"precision {m['precision']:.3f}  recall {m['recall']:.3f}")
    sims = [round(x, 3) for x in np.arange(0.85, 0.99, 0.005)]
    best_sim = max(sims, key=lambda t: metrics(labels, [p["similarity"] >= t for p in scored])["f0.5"])
    m = metrics(labels, [p["similarity"] >= best_sim for p in scored])
    print(f"cosine alone (>= {best_sim:.3f}): agreement {m['agreement']:.3f}  "
          f"precision {m['precision']:.3f}  recall {m['recall']:.3f}")
    print("\nmisjudged at the chosen point:")
    for p, pred in zip(scored, predict(scored, *chosen)):
        if bool(p["label"]) != pred:
            print(f"  label {p['label']} sim {p['similarity']:.3f} ovl {p['overlap']:.2f}  "
                  f"{p['chunk_id']}  {p['sentence'][:36]}  [{p['note'][:34]}]")
    print(f"\nfor rag/check/cite.py:\nSIM_WEIGHT = {chosen[0]:.1f}\nSUPPORT_MIN = {chosen[1]:.2f}")
    if args.model:
        model_logits(scored, settings)
        model_report(scored)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
