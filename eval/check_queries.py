"""Validate the retrieval evaluation sets against the sample corpus.

    python eval/check_queries.py [eval/data/retrieval_dev.jsonl eval/data/retrieval_test.jsonl]
        [--corpus data/corpus] [--quiet] [--chunks]

Checks, per file:
- JSON shape: exactly the keys id, query, kind, answers, speech; kind is one of
  outline / material / question; 1-3 answers; ids unique across all files given.
- Every answer span is 12-40 characters, has no line break, and is found (after
  removing whitespace and punctuation/symbols) inside exactly one line of the
  corpus, in the speech named by `speech` ("A / B" when the answers sit in two speeches).
- The paraphrase rule: for each query the longest run of consecutive Chinese characters
  shared with its answer paragraph(s) is printed; at least 70% of queries must have
  a longest common run of 4 characters or fewer.
- The dev and test sets share no query text.

With --chunks the spans are also looked up in the chunks the project's own
cleaning + chunking would build (rag.corpus.clean / rag.corpus.split / rag.corpus.chunk), as a warning:
a span cut by a chunk boundary or removed as noise could never be retrieved.

Exit status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = [ROOT / "eval/data/retrieval_dev.jsonl", ROOT / "eval/data/retrieval_test.jsonl"]
KINDS = ("outline", "material", "question")
KEYS = {"id", "query", "kind", "answers", "speech"}
MIN_SPAN, MAX_SPAN = 12, 40
MAX_SHARED_RUN = 4
MIN_PARAPHRASE_SHARE = 0.70

# The nine speeches of the sample corpus: label -> (file name prefix, 【篇N】 number or None).
# File 004 has no title line; it gets a descriptive label.
SPEECHES: dict[str, tuple[str, int | None]] = {
    "在全省文化系统办公室主任会议上的讲话": ("000_", None),
    "在全市党政办公室主任培训班上的讲话": ("001_", None),
    "在办公室主任会议上的讲话（篇1）": ("002_", 1),
    "在办公室例会上的讲话（篇2）": ("002_", 2),
    "在全县办公室主任会议上讲话（篇3）": ("002_", 3),
    "在办公室主任会议上的讲话（篇4）": ("002_", 4),
    "在办公室主任工作会议的经验交流讲话（篇5）": ("002_", 5),
    "在全区政府系统办公室主任会议上的讲话": ("003_", None),
    "（无标题）全县办公室系统会议讲话（004）": ("004_", None),
}
SPEECH_SEPARATOR = " / "
PART_MARKER = re.compile(r"^\s*【篇(\d+)】")


def normalize(text: str) -> str:
    """Text without whitespace, punctuation (P*) and symbols (S*): the relevance rule's form."""
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PS"
    )


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def longest_common_cjk_run(a: str, b: str) -> str:
    """The longest run of consecutive Chinese characters found in both texts.

    Both texts are normalised first, so a run may cross punctuation: the strictest
    reading of "shares no run of more than 4 consecutive Chinese characters".
    """
    a, b = normalize(a), normalize(b)
    best_len, best_end = 0, 0
    previous = [0] * (len(b) + 1)
    for i, ca in enumerate(a, start=1):
        current = [0] * (len(b) + 1)
        if is_cjk(ca):
            for j, cb in enumerate(b, start=1):
                if ca == cb:
                    current[j] = previous[j - 1] + 1
                    if current[j] > best_len:
                        best_len, best_end = current[j], i
        previous = current
    return a[best_end - best_len:best_end]


@dataclass(frozen=True)
class Line:
    file: str
    number: int  # 1-based line number within the file
    speech: str | None
    text: str
    norm: str


def load_corpus(corpus_dir: Path) -> list[Line]:
    files = sorted(corpus_dir.glob("*.txt"))
    if not files:
        raise SystemExit(f"no .txt files in {corpus_dir}")
    lines: list[Line] = []
    for path in files:
        part: int | None = None
        for number, text in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            marker = PART_MARKER.match(text)
            if marker:
                part = int(marker.group(1))
            lines.append(Line(path.name, number, _speech_of(path.name, part), text, normalize(text)))
    return lines


def _speech_of(file_name: str, part: int | None) -> str | None:
    for label, (prefix, wanted) in SPEECHES.items():
        if file_name.startswith(prefix) and (wanted is None or wanted == part):
            return label
    return None


def find_span(span: str, corpus: list[Line]) -> list[Line]:
    norm = normalize(span)
    return [line for line in corpus if norm and norm in line.norm]


def read_jsonl(path: Path) -> tuple[list[dict], list[str]]:
    records, errors = [], []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}:{number}: not JSON: {exc}")
            continue
        if not isinstance(record, dict):
            errors.append(f"{path.name}:{number}: not a JSON object")
            continue
        records.append(record)
    return records, errors


def shape_errors(record: dict) -> list[str]:
    errors = []
    keys = set(record)
    if keys != KEYS:
        missing, extra = KEYS - keys, keys - KEYS
        errors.append(f"keys: missing {sorted(missing)}, unexpected {sorted(extra)}")
    if not isinstance(record.get("id"), str) or not record.get("id"):
        errors.append("id must be a non-empty string")
    if not isinstance(record.get("query"), str) or not record.get("query", "").strip():
        errors.append("query must be a non-empty string")
    if record.get("kind") not in KINDS:
        errors.append(f"kind must be one of {KINDS}")
    answers = record.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= 3:
        errors.append("answers must be a list of 1-3 spans")
    elif not all(isinstance(a, str) for a in answers):
        errors.append("answers must be strings")
    if not isinstance(record.get("speech"), str) or not record.get("speech"):
        errors.append("speech must be a non-empty string")
    return errors


def check_file(path: Path, corpus: list[Line], quiet: bool) -> tuple[list[str], dict]:
    records, errors = read_jsonl(path)
    runs: list[int] = []
    kinds: Counter = Counter()
    speeches: Counter = Counter()
    rows = []
    for record in records:
        rid = record.get("id", "?")
        problems = shape_errors(record)
        if problems:
            errors += [f"{path.name} {rid}: {p}" for p in problems]
            continue
        named = record["speech"].split(SPEECH_SEPARATOR)
        for label in named:
            if label not in SPEECHES:
                errors.append(f"{path.name} {rid}: unknown speech {label!r}")
        paragraphs: list[Line] = []
        for span in record["answers"]:
            if "\n" in span or "\r" in span:
                errors.append(f"{path.name} {rid}: span has a line break: {span!r}")
            if not MIN_SPAN <= len(span) <= MAX_SPAN:
                errors.append(f"{path.name} {rid}: span is {len(span)} chars: {span!r}")
            found = find_span(span, corpus)
            if not found:
                errors.append(f"{path.name} {rid}: span not in corpus: {span!r}")
                continue
            if len(found) > 1:
                where = ", ".join(f"{f.file}:{f.number}" for f in found)
                errors.append(f"{path.name} {rid}: span not unique ({where}): {span!r}")
            line = found[0]
            if line.speech not in named:
                errors.append(
                    f"{path.name} {rid}: span is in {line.speech!r}, not in {named}: {span!r}"
                )
            paragraphs.append(line)
        for label in named:
            if label in SPEECHES and label not in {p.speech for p in paragraphs}:
                errors.append(f"{path.name} {rid}: no answer span in named speech {label!r}")
        shared = max(
            (longest_common_cjk_run(record["query"], p.text) for p in paragraphs),
            key=len,
            default="",
        )
        runs.append(len(shared))
        kinds[record["kind"]] += 1
        for label in named:
            speeches[label] += 1
        where = ",".join(f"{p.file[:3]}:{p.number}" for p in paragraphs)
        rows.append((rid, record["kind"], len(shared), shared, where, record["query"]))

    ids = Counter(r.get("id") for r in records)
    errors += [f"{path.name}: duplicate id {i}" for i, n in ids.items() if n > 1]
    share = sum(r <= MAX_SHARED_RUN for r in runs) / len(runs) if runs else 0.0
    if runs and share < MIN_PARAPHRASE_SHARE:
        errors.append(
            f"{path.name}: only {share:.0%} of queries share <= {MAX_SHARED_RUN} consecutive "
            f"Chinese characters with their answer paragraph (need >= {MIN_PARAPHRASE_SHARE:.0%})"
        )
    missing = [s for s in SPEECHES if speeches[s] == 0]
    if missing:
        errors.append(f"{path.name}: speeches without a query: {missing}")

    print(f"\n== {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{len(records)} queries")
    if not quiet:
        print(f"{'id':<5} {'kind':<9} {'LCS':>3}  {'shared run':<14} {'answer at':<16} query")
        for rid, kind, n, shared, where, query in rows:
            flag = " " if n <= MAX_SHARED_RUN else "*"
            print(f"{rid:<5} {kind:<9} {n:>3}{flag} {shared:<14} {where:<16} {query}")
    print(f"kinds: {dict(kinds)}")
    print("speeches:")
    for label in SPEECHES:
        print(f"  {speeches[label]:>3}  {label}")
    print(f"paraphrase share (LCS <= {MAX_SHARED_RUN}): {share:.1%} "
          f"({sum(r <= MAX_SHARED_RUN for r in runs)}/{len(runs)})")
    stats = {"records": records, "share": share}
    return errors, stats


def chunk_warnings(sets: dict[Path, list[dict]], corpus_dir: Path) -> list[str]:
    """Spans that no chunk of the project's own pipeline contains (cut or cleaned away)."""
    sys.path.insert(0, str(ROOT))
    try:
        from rag.corpus.read import read_corpus
    except ImportError as exc:
        return [f"--chunks skipped: cannot import rag.corpus.read ({exc})"]
    chunk_texts = [normalize(c.text) for c in read_corpus([corpus_dir]).chunks]
    warnings = []
    for path, records in sets.items():
        for record in records:
            for span in record.get("answers", []):
                if not any(normalize(span) in text for text in chunk_texts):
                    warnings.append(f"{path.name} {record.get('id')}: no chunk contains {span!r}")
    print(f"\n--chunks: {len(chunk_texts)} chunks built, {len(warnings)} spans not found in any")
    return warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--corpus", type=Path, default=ROOT / "data/corpus")
    parser.add_argument("--quiet", action="store_true", help="no per-query table")
    parser.add_argument("--chunks", action="store_true",
                        help="also check the spans survive the project's cleaning and chunking")
    args = parser.parse_args(argv)

    corpus = load_corpus(args.corpus)
    errors: list[str] = []
    sets: dict[Path, list[dict]] = {}
    for path in args.files:
        file_errors, stats = check_file(path.resolve(), corpus, args.quiet)
        errors += file_errors
        sets[path] = stats["records"]

    # Ids unique across files; held-out queries differ from the dev queries.
    seen_ids: Counter = Counter()
    seen_queries: dict[str, str] = {}
    for path, records in sets.items():
        for record in records:
            seen_ids[record.get("id")] += 1
            query = normalize(str(record.get("query", "")))
            if query in seen_queries and seen_queries[query] != path.name:
                errors.append(f"{path.name} {record.get('id')}: same query in {seen_queries[query]}")
            seen_queries.setdefault(query, path.name)
    if len(sets) > 1:
        errors += [f"id {i} used in more than one file" for i, n in seen_ids.items() if n > 1]

    if args.chunks:
        for warning in chunk_warnings(sets, args.corpus):
            print(f"WARNING {warning}")

    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for error in errors:
            print(f"  {error}")
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
