"""Check the retrieval query set (dev and held-out test split) against the sample corpus.

    python eval/check_query_set.py [DEV.jsonl TEST.jsonl] [--corpus data/corpus] [--verbose]

The answers are looked up in the chunks the project's own ingest builds (rag.corpus.read.read_corpus),
since those are what a search returns. Checks, for every record of every file:

- fields: exactly id, query, kind, answers, speech; kind is paraphrase / keyword / cross / outline;
  1-3 answers of 8-40 characters each; ids and query texts unique across all files;
- every answer occurs, after removing whitespace and punctuation/symbols (the relevance rule),
  in at least one chunk; `speech` names the title of a chunk the first answer occurs in;
- paraphrase: the query (8-40 characters) shares no run of 4 or more characters with any
  sentence that contains an answer (both normalised the same way);
- cross: `speech` lists the titles (two, or more when the idea recurs) of the speeches the answers
  come from; the answers occur in chunks of at least two different speeches, and in each title listed;
- outline: the query opens with an ordinal (一要 / 二是 / （三） / 第四， / 5、 ...).

Prints a count per kind and split, every violation, and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from check_queries import normalize, read_jsonl  # noqa: E402

from rag.corpus.read import read_corpus  # noqa: E402

DEFAULT_SETS = [
    ROOT / "eval/data/retrieval_queries_dev.jsonl",
    ROOT / "eval/data/retrieval_queries_test.jsonl",
]
DEFAULT_CORPUS = ROOT / "data/corpus"
KINDS = ("paraphrase", "keyword", "cross", "outline")
KEYS = {"id", "query", "kind", "answers", "speech"}
MIN_ANSWER, MAX_ANSWER = 8, 40
MIN_PARAPHRASE, MAX_PARAPHRASE = 8, 40
MAX_KEYWORD = 24
SHARED_RUN = 4  # a paraphrase may not share a run of this many characters with its sentence
SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")
CN_NUM = "一二三四五六七八九十"
ORDINAL = re.compile(
    rf"^\s*(?:[{CN_NUM}]+[要是、，,]|（[{CN_NUM}]+）|\([{CN_NUM}0-9]+\)|第[{CN_NUM}]+[，,、]?|[0-9]+[、.．])"
)


def shared_run(query: str, sentence: str, size: int = SHARED_RUN) -> str | None:
    """The first run of `size` characters of the query found in the sentence, if any (both normalised)."""
    q, s = normalize(query), normalize(sentence)
    for i in range(len(q) - size + 1):
        if q[i : i + size] in s:
            return q[i : i + size]
    return None


def _around(sentence: str, run: str, width: int = 20) -> str:
    """The normalised sentence near the shared run, for the report."""
    norm = normalize(sentence)
    at = norm.find(run)
    return norm[max(0, at - width) : at + len(run) + width]


@dataclass(frozen=True)
class ChunkText:
    chunk_id: str
    speech_id: str
    title: str
    text: str
    norm: str
    sentences: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # normalised [start, end) of each sentence

    def sentences_with(self, answer_norm: str) -> list[str]:
        """The sentences an occurrence of the answer overlaps."""
        found: list[str] = []
        start = self.norm.find(answer_norm)
        while start != -1:
            end = start + len(answer_norm)
            for sentence, (a, b) in zip(self.sentences, self.spans):
                if a < end and start < b and sentence not in found:
                    found.append(sentence)
            start = self.norm.find(answer_norm, start + 1)
        return found


def load_chunks(corpus_dir: Path) -> list[ChunkText]:
    corpus = read_corpus([corpus_dir])
    chunks: list[ChunkText] = []
    for chunk in corpus.chunks:
        sentences = tuple(s for s in SENTENCE_END.split(chunk.text) if normalize(s))
        spans: list[tuple[int, int]] = []
        offset = 0
        for sentence in sentences:
            length = len(normalize(sentence))
            spans.append((offset, offset + length))
            offset += length
        chunks.append(
            ChunkText(
                chunk.chunk_id,
                chunk.speech_id,
                chunk.title,
                chunk.text,
                normalize(chunk.text),
                sentences,
                tuple(spans),
            )
        )
    return chunks


def shape_errors(record: dict) -> list[str]:
    errors: list[str] = []
    keys = set(record)
    if keys != KEYS:
        errors.append(f"fields: missing {sorted(KEYS - keys)}, unexpected {sorted(keys - KEYS)}")
    if not isinstance(record.get("id"), str) or not record.get("id"):
        errors.append("id: not a non-empty string")
    if not isinstance(record.get("query"), str) or not record.get("query", "").strip():
        errors.append("query: not a non-empty string")
    if record.get("kind") not in KINDS:
        errors.append(f"kind: {record.get('kind')!r} is not one of {', '.join(KINDS)}")
    answers = record.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= 3:
        errors.append("answers: not a list of 1-3 spans")
    elif not all(isinstance(a, str) for a in answers):
        errors.append("answers: not all strings")
    else:
        for answer in answers:
            if not MIN_ANSWER <= len(answer) <= MAX_ANSWER:
                errors.append(f"answer {answer!r}: {len(answer)} characters, not {MIN_ANSWER}-{MAX_ANSWER}")
    speech = record.get("speech")
    if record.get("kind") == "cross":
        if not (isinstance(speech, list) and len(speech) >= 2 and all(isinstance(s, str) for s in speech)):
            errors.append("speech: a cross query needs a list of (at least) two titles")
    elif not isinstance(speech, str) or not speech:
        errors.append("speech: not a non-empty title")
    return errors


def content_errors(record: dict, chunks: list[ChunkText]) -> list[str]:
    """Answers against the chunks, and the per-kind rules."""
    errors: list[str] = []
    kind, query, speech = record["kind"], record["query"], record["speech"]
    hits: dict[str, list[ChunkText]] = {}
    for answer in record["answers"]:
        norm = normalize(answer)
        hits[answer] = [c for c in chunks if norm and norm in c.norm]
        if not hits[answer]:
            errors.append(f"answer not found in any chunk: {answer!r}")
    if errors:
        return errors

    first = record["answers"][0]
    if kind == "cross":
        titles = {c.title for a in record["answers"] for c in hits[a]}
        speech_ids = {c.speech_id for a in record["answers"] for c in hits[a]}
        if len(speech_ids) < 2:
            errors.append("cross: all answers come from one speech")
        for title in speech:
            if title not in titles:
                errors.append(f"cross: no answer occurs in speech {title!r}")
        if len(set(speech)) < len(speech):
            errors.append("cross: a title is listed twice")
    elif speech not in {c.title for c in hits[first]}:
        errors.append(f"speech: the first answer does not occur in {speech!r}")

    if kind == "paraphrase":
        if not MIN_PARAPHRASE <= len(query) <= MAX_PARAPHRASE:
            errors.append(f"paraphrase: {len(query)} characters, not {MIN_PARAPHRASE}-{MAX_PARAPHRASE}")
        for answer in record["answers"]:
            for chunk in hits[answer]:
                for sentence in chunk.sentences_with(normalize(answer)):
                    run = shared_run(query, sentence)
                    if run:
                        errors.append(
                            f"paraphrase shares {run!r} with {chunk.chunk_id}: …{_around(sentence, run)}…"
                        )
    elif kind == "outline" and not ORDINAL.match(query):
        errors.append("outline: the query does not open with an ordinal")
    elif kind == "keyword" and len(query) > MAX_KEYWORD:
        errors.append(f"keyword: {len(query)} characters, longer than {MAX_KEYWORD}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="also list the speeches each split covers")
    args = parser.parse_args(argv)

    chunks = load_chunks(args.corpus)
    violations: list[str] = []
    seen_ids: dict[str, str] = {}
    seen_queries: dict[str, str] = {}
    counts: dict[str, Counter[str]] = {}
    speeches: dict[str, Counter[str]] = {}
    for path in args.sets:
        if not path.exists():
            violations.append(f"{path}: missing")
            continue
        records, errors = read_jsonl(path)
        violations += errors
        counts[path.name] = Counter()
        speeches[path.name] = Counter()
        for record in records:
            label = f"{path.name}:{record.get('id', '?')}"
            problems = shape_errors(record)
            if not problems:
                problems = content_errors(record, chunks)
            rid, query = record.get("id"), record.get("query")
            if isinstance(rid, str):
                if rid in seen_ids:
                    problems.append(f"id also in {seen_ids[rid]}")
                seen_ids.setdefault(rid, path.name)
            if isinstance(query, str):
                if normalize(query) in seen_queries:
                    problems.append(f"query text repeats {seen_queries[normalize(query)]}")
                seen_queries.setdefault(normalize(query), label)
            violations += [f"{label}: {p}" for p in problems]
            counts[path.name][str(record.get("kind"))] += 1
            titles = record.get("speech")
            for title in titles if isinstance(titles, list) else [titles]:
                speeches[path.name][str(title)] += 1

    print(f"{'split':<36}" + "".join(f"{k:>12}" for k in KINDS) + f"{'all':>8}")
    total: Counter[str] = Counter()
    for name, counter in counts.items():
        total.update(counter)
        print(f"{name:<36}" + "".join(f"{counter[k]:>12}" for k in KINDS) + f"{sum(counter.values()):>8}")
    print(f"{'total':<36}" + "".join(f"{total[k]:>12}" for k in KINDS) + f"{sum(total.values()):>8}")
    if args.verbose:
        for name, counter in speeches.items():
            print(f"\n{name}: queries per speech title")
            for title, n in counter.most_common():
                print(f"  {n:>4}  {title}")

    if violations:
        print(f"\n{len(violations)} violation(s):")
        for line in violations:
            print(f"  {line}")
        return 1
    print("\nno violations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
