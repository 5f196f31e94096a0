"""Noise-removal evaluation: what web noise the ingest pipeline keeps, and what speech text it loses.

    python eval/noise.py [--split dev|test|test2|test3|test4|test5|test6|test7|test8|test9|test10|test11|
                                  test12|test13|test14|all] [--json]

The set (eval/data/noise/, made by make_noise_set.py there) holds noisy speech documents
and, per document, the gold: the speeches' title lines and paragraphs exactly as written.
For a split, `rag.corpus.read.read_corpus([<split>/docs])` runs once over the docs folder, as a
user would ingest it. Per document:

- input: the document's text as the file holds it, read by this script and not by the
  pipeline's reader (whose own clean-up, such as decoding entities, is part of what is
  measured): decoded with the encoding the generator wrote, for HTML the text of every
  node but script and style, for Markdown without the markup the generator added; then
  rag.corpus.clean.normalize, whitespace removed;
- gold: the gold titles and paragraphs, through the same normalize, whitespace removed;
- kept: what the pipeline keeps of the file, whitespace removed: per speech its title
  (unless derived from the file name, which is not text of the file), then its chunks in
  order, each preceded by the headings that are new in its section path and not already
  in its text (rag/corpus/chunk.py leaves whole-line headings out of chunk text and keeps them in
  chunk.section only; chunks do not overlap).

kept is aligned to gold with difflib.SequenceMatcher (autojunk=False). Then:
- noise left = kept chars not matched to gold; speech removed = gold chars not matched;
- noise total = len(input) - len(gold) (gold is written into the input verbatim, except
  where an HTML entity stands for a quote mark);
- noise removed = noise total - noise left; precision = noise removed / (noise removed +
  speech removed); recall = noise removed / noise total;
- a gold speech has a chunk when some chunk has most of its gold-matched chars inside it.

Leftover runs are attributed to noise kinds by matching them against the noise strings
the generator recorded for the document (labels.json); the rest is "unattributed".
Near-duplicate paragraphs dropped by rag/corpus/dedupe.py would count as speech removed; the set
has none, and the pipeline's duplicate count is printed so that stays visible.

Targets: noise left <= 0.5% of kept text (chunk text plus titles and path-only headings),
speech removed <= 0.2% of gold text, no gold speech without a chunk, every doc read.
Exit status: 0 when every target is met in every split run, 1 when any is missed (the
report is printed either way), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.corpus.clean import normalize  # noqa: E402
from rag.corpus.read import Corpus, read_corpus  # noqa: E402
from rag.types import Chunk, Speech  # noqa: E402

DATA = ROOT / "eval/data/noise"
# All but dev are held out.
SPLITS = ("dev", "test", "test2", "test3", "test4", "test5", "test6", "test7", "test8", "test9", "test10",
          "test11", "test12", "test13", "test14")
TARGET_LEFT = 0.005  # noise chars left / kept chars
TARGET_LOST = 0.002  # speech chars removed / gold chars
WORST = 10
EXAMPLES = 3
PREVIEW = 40
# Full-width punctuation normalize() may or may not produce, depending on the neighbours a
# noise string ends up with; folded to ASCII before leftovers are matched to noise strings.
_FOLD = str.maketrans("，：；！？（）", ",:;!?()")


def squash(text: str) -> str:
    """Text without whitespace: layout (line breaks, indents, PDF wrapping) is not content."""
    return "".join(ch for ch in text if not ch.isspace())


def squash_map(text: str) -> tuple[str, list[int]]:
    """squash(text), and where each of its characters stands in `text` (to show excerpts as written)."""
    where = [i for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(text[i] for i in where), where


class _PageText(HTMLParser):
    """All text nodes of a page except scripts and styles: what a reader of the page sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data + "\n")


_MD_MARKUP = re.compile(r"^(#{1,6} |> )|\*\*", re.M)


def file_text(path: Path, label: dict) -> str:
    """The text a document holds, noise included, independent of rag/corpus/readers.py."""
    text = path.read_bytes().decode(label["encoding"])
    if label["format"] == "html":
        page = _PageText()
        page.feed(text)
        page.close()
        return "".join(page.parts)
    if label["format"] == "md":
        return _MD_MARKUP.sub("", text)
    return text


def gold_text(speech: dict) -> str:
    return normalize("\n".join(speech["titles"] + speech["paragraphs"]))


def kept_pieces(speech: Speech, chunks: list[Chunk]) -> list[tuple[str, str]]:
    """(origin, text) of everything the pipeline keeps of one speech, in order."""
    pieces = [] if speech.title_derived else [("title", speech.title)]
    previous: list[str] = []
    for n, chunk in enumerate(chunks):
        same = 0
        while same < min(len(previous), len(chunk.section)) and previous[same] == chunk.section[same]:
            same += 1
        for heading in chunk.section[same:]:
            # An inline heading is the opening of its paragraph, already in the text
            # (shortened with "…" when long); only whole-line headings live in the path alone.
            if heading.rstrip("…") not in chunk.text:
                pieces.append(("heading", heading))
        pieces.append((f"chunk{n}", chunk.text))
        previous = chunk.section
    return pieces


def runs(matched: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of unmatched characters."""
    out: list[tuple[int, int]] = []
    start = None
    for i, ok in enumerate([*matched, True]):
        if not ok and start is None:
            start = i
        elif ok and start is not None:
            out.append((start, i))
            start = None
    return out


def attribute(run: str, records: list[tuple[str, str]]) -> Counter:
    """Leftover characters per noise kind: those found in a recorded noise string of that kind.

    Whole recorded strings are found first (longest first, every occurrence); what is left
    is matched in pieces, the record with the most shared characters first, so that a long
    string does not claim two-character scraps of another kind's string.
    """
    owner: list[str | None] = [None] * len(run)
    folded = run.translate(_FOLD)

    def rest() -> str:
        return "".join(ch if o is None else "\0" for ch, o in zip(folded, owner))

    for kind, text in records:
        start = rest().find(text)
        while text and start >= 0:
            owner[start : start + len(text)] = [kind] * len(text)
            start = rest().find(text, start + len(text))
    while None in owner:
        best: tuple[int, str, list[tuple[int, int]]] = (0, "", [])
        for kind, text in records:
            blocks = SequenceMatcher(None, rest(), text, autojunk=False).get_matching_blocks()
            # Single shared characters are coincidence, not the same string.
            found = [(a, size) for a, _, size in blocks if size >= 2]
            best = max(best, (sum(size for _, size in found), kind, found))
        if not best[0]:
            break
        for a, size in best[2]:
            owner[a : a + size] = [best[1]] * size
    return Counter(o or "unattributed" for o in owner)


def excerpts(raw: str, where: list[int], spans: list[tuple[int, int]]) -> list[str]:
    """The longest runs as written (spaces kept, line breaks shown as ⏎), shortened."""
    out = []
    for start, end in sorted(spans, key=lambda s: s[0] - s[1])[:EXAMPLES]:
        text = re.sub(r"\s*\n\s*", "⏎", raw[where[start] : where[end - 1] + 1])
        out.append(text if len(text) <= PREVIEW else text[:PREVIEW] + "…")
    return out


def score_doc(label: dict, gold: dict, source: str, read: bool, speeches: list[Speech],
              chunks_of: dict[str, list[Chunk]]) -> dict:
    """Compare one document's kept text with its gold."""
    gold_raw = "\n".join(gold_text(s) for s in gold["speeches"])
    gold_all, gold_where = squash_map(gold_raw)
    bounds = [0]
    for s in gold["speeches"]:
        bounds.append(bounds[-1] + len(squash(gold_text(s))))

    kept_raw, raw_origin = "", []
    for speech in speeches:
        for origin, text in kept_pieces(speech, chunks_of.get(speech.speech_id, [])):
            kept_raw += text + "\n"
            raw_origin += [f"{speech.speech_id}:{origin}"] * (len(text) + 1)
    kept, kept_where = squash_map(kept_raw)
    origin = [raw_origin[i] for i in kept_where]

    matcher = SequenceMatcher(None, gold_all, kept, autojunk=False)
    gold_ok, kept_ok = [False] * len(gold_all), [False] * len(kept)
    gold_of_kept: dict[int, int] = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            gold_ok[a + k] = kept_ok[b + k] = True
            gold_of_kept[b + k] = a + k
    matched = sum(gold_ok)

    input_text = squash(normalize(source))
    noise_total = max(0, len(input_text) - len(gold_all))
    # Gold chars the input does not have (entity-encoded quotes): the set's own sanity check.
    in_input = SequenceMatcher(None, gold_all, input_text, autojunk=False).get_matching_blocks()
    gold_not_in_input = len(gold_all) - sum(size for _, _, size in in_input)

    # Which gold speech each chunk mostly lands in.
    votes: dict[str, Counter] = defaultdict(Counter)
    for b, a in gold_of_kept.items():
        if ":chunk" in origin[b]:
            votes[origin[b]][next(i for i in range(len(bounds) - 1) if bounds[i] <= a < bounds[i + 1])] += 1
    covered = {v.most_common(1)[0][0] for v in votes.values()}

    records = sorted(
        {(r["kind"], squash(normalize(r["text"])).translate(_FOLD)) for r in label["noise"]},
        key=lambda r: -len(r[1]),
    )
    left_runs = runs(kept_ok)
    by_kind: Counter = Counter()
    for start, end in left_runs:
        by_kind += attribute(kept[start:end], records)
    injected: Counter = Counter()
    for r in label["noise"]:
        injected[r["kind"]] += len(squash(normalize(r["text"])))

    left, lost = len(kept) - matched, len(gold_all) - matched
    return {
        "doc": label["doc"],
        "kinds": label["kinds"],
        "layout": label["layout"],
        "read": read,
        "input_chars": len(input_text),
        "gold_chars": len(gold_all),
        "kept_chars": len(kept),
        "chunk_chars": sum(1 for o in origin if ":chunk" in o),
        "noise_chars": noise_total,
        "noise_left": left,
        "speech_removed": lost,
        "gold_not_in_input": gold_not_in_input,
        "gold_speeches": len(gold["speeches"]),
        "pipeline_speeches": len(speeches),
        "speeches_without_chunk": len(gold["speeches"]) - len(covered),
        "left_by_kind": dict(by_kind),
        "injected_by_kind": dict(injected),
        "left_examples": excerpts(kept_raw, kept_where, left_runs),
        "lost_examples": excerpts(gold_raw, gold_where, runs(gold_ok)),
    }


def totals(docs: list[dict]) -> dict:
    """Split-level figures from the per-document counts."""
    def total(key: str) -> int:
        return sum(d[key] for d in docs)

    kept, gold, noise = total("kept_chars"), total("gold_chars"), total("noise_chars")
    left, lost = total("noise_left"), total("speech_removed")
    removed = max(0, noise - left)
    kinds = sorted({k for d in docs for k in [*d["injected_by_kind"], *d["left_by_kind"]]})
    by_kind = {
        k: {
            "docs": sum(1 for d in docs if k in d["injected_by_kind"]),
            "injected": sum(d["injected_by_kind"].get(k, 0) for d in docs),
            "left": sum(d["left_by_kind"].get(k, 0) for d in docs),
        }
        for k in kinds
    }
    return {
        "docs": len(docs),
        "docs_unread": sum(1 for d in docs if not d["read"]),
        "gold_speeches": total("gold_speeches"),
        "pipeline_speeches": total("pipeline_speeches"),
        "input_chars": total("input_chars"),
        "gold_chars": gold,
        "kept_chars": kept,
        "noise_chars": noise,
        "noise_left": left,
        "speech_removed": lost,
        "gold_not_in_input": total("gold_not_in_input"),
        "noise_left_share": left / kept if kept else 0.0,
        "speech_removed_share": lost / gold if gold else 0.0,
        "precision": removed / (removed + lost) if removed + lost else 1.0,
        "recall": removed / noise if noise else 1.0,
        "speeches_without_chunk": total("speeches_without_chunk"),
        "by_kind": by_kind,
    }


def evaluate_split(split: str) -> dict:
    """Ingest one split's docs folder once and score every document against its gold."""
    root = DATA / split
    labels = json.loads((root / "labels.json").read_text(encoding="utf-8"))["docs"]
    corpus: Corpus = read_corpus([root / "docs"])
    read = {s.path for s in corpus.sources}
    speeches_of: dict[str, list[Speech]] = defaultdict(list)
    for speech in corpus.speeches:
        speeches_of[speech.source].append(speech)
    chunks_of: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in corpus.chunks:
        chunks_of[chunk.speech_id].append(chunk)

    docs = []
    for label in labels:
        gold = json.loads((root / label["gold"]).read_text(encoding="utf-8"))
        source = file_text(root / "docs" / label["doc"], label)
        doc = score_doc(label, gold, source, label["doc"] in read, speeches_of[label["doc"]], chunks_of)
        docs.append(doc)
    worst = sorted(docs, key=lambda d: d["noise_left"] + d["speech_removed"], reverse=True)[:WORST]
    summary = totals(docs)
    summary["duplicates_dropped"] = corpus.duplicates
    summary["skipped"] = corpus.skipped
    summary["targets_met"] = (
        summary["noise_left_share"] <= TARGET_LEFT
        and summary["speech_removed_share"] <= TARGET_LOST
        and summary["speeches_without_chunk"] == 0
        and summary["docs_unread"] == 0
    )
    return {"split": split, "totals": summary, "worst": [d["doc"] for d in worst], "docs": docs}


def print_report(result: dict) -> None:
    t = result["totals"]

    def mark(ok: bool) -> str:
        return "ok" if ok else "MISS"

    print(f"\n== noise removal, split {result['split']}: {t['docs']} docs, "
          f"{t['gold_speeches']} gold speeches (pipeline found {t['pipeline_speeches']}), "
          f"{t['duplicates_dropped']} paragraphs dropped as duplicates")
    if t["docs_unread"] or t["skipped"]:
        print(f"   unread docs: {t['docs_unread']}; skipped by the reader: {t['skipped']}")
    print(f"   chars: input {t['input_chars']}, gold {t['gold_chars']}, noise {t['noise_chars']}, "
          f"kept {t['kept_chars']} (gold chars not in the input: {t['gold_not_in_input']})")
    rows = [
        ("noise chars left / kept text", f"{t['noise_left_share']:.2%}", f"<= {TARGET_LEFT:.1%}",
         mark(t["noise_left_share"] <= TARGET_LEFT), f"{t['noise_left']} chars"),
        ("speech chars removed / gold", f"{t['speech_removed_share']:.2%}", f"<= {TARGET_LOST:.1%}",
         mark(t["speech_removed_share"] <= TARGET_LOST), f"{t['speech_removed']} chars"),
        ("precision of removal", f"{t['precision']:.3f}", "", "", ""),
        ("recall of removal", f"{t['recall']:.3f}", "", "", ""),
        ("gold speeches without a chunk", str(t["speeches_without_chunk"]), "0",
         mark(t["speeches_without_chunk"] == 0), ""),
    ]
    for name, value, target, ok, note in rows:
        print(f"   {name:<32}{value:>9}  {target:<8}{ok:<6}{note}")

    print("\n   noise kind       docs  injected     left   left %")
    # Most left first; what no recorded noise string explains comes last.
    for kind, k in sorted(t["by_kind"].items(), key=lambda kv: (kv[0] == "unattributed", -kv[1]["left"])):
        share = f"{k['left'] / k['injected']:.1%}" if k["injected"] else "-"
        print(f"   {kind:<16}{k['docs']:>5}{k['injected']:>10}{k['left']:>9}{share:>9}")

    print(f"\n   worst {len(result['worst'])} docs (noise left + speech removed):")
    docs = {d["doc"]: d for d in result["docs"]}
    for name in result["worst"]:
        d = docs[name]
        print(f"   {name:<22} left {d['noise_left']:>5}/{d['noise_chars']:<5} "
              f"removed {d['speech_removed']:>4}/{d['gold_chars']:<5} "
              f"speeches {d['pipeline_speeches']}/{d['gold_speeches']}"
              f"  [{', '.join(d['layout'])}; {', '.join(d['kinds']) or 'clean'}]")
        for example in d["left_examples"]:
            print(f"       left: {example}")
        for example in d["lost_examples"]:
            print(f"       lost: {example}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Character-level noise-removal evaluation of ingest.")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="dev")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    splits = list(SPLITS) if args.split == "all" else [args.split]
    results = [evaluate_split(split) for split in splits]
    if args.json:
        print(json.dumps({r["split"]: r for r in results}, ensure_ascii=False, indent=1))
    else:
        for result in results:
            print_report(result)
    return 0 if all(r["totals"]["targets_met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
