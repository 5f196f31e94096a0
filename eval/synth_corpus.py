"""A reproducible synthetic corpus for scale benchmarks (never for quality figures).

    python eval/synth_corpus.py --docs 1000 --out /tmp/synth [--seed 7] [--corpus data/corpus]

Each synthetic speech follows the structure of one cleaned sample speech (its
salutation, numbered headings and paragraph order) while its sentences are
recombined and perturbed: some replaced by sentences of other speeches, some
dropped, some added, neighbours swapped, an opening sentence (where inline
headings sit) traded for another of the same heading kind, whole paragraphs
dropped or borrowed. Texts therefore keep the vocabulary, lengths and
structure of real speeches, and chunking and BM25 see realistic input.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.corpus.chunk import chunk_speech  # noqa: E402
from rag.corpus.read import read_corpus  # noqa: E402
from rag.corpus.split import speech_id  # noqa: E402
from rag.corpus.structure import HEADING_MARKERS, SENTENCE_SPLIT, ends_sentence  # noqa: E402
from rag.types import Chunk, Speech  # noqa: E402

REPLACE, DROP, INSERT, SWAP = 0.3, 0.1, 0.1, 0.15
DROP_PARAGRAPH, BORROW_PARAGRAPH, TRADE_OPENING = 0.08, 0.08, 0.5
_YEAR = re.compile(r"(19|20)\d\d")


def sentences(paragraph: str) -> list[str]:
    return [s for s in SENTENCE_SPLIT.split(paragraph) if s]


def heading_kind(paragraph: str) -> str | None:
    for kind, pattern in HEADING_MARKERS:
        if pattern.match(paragraph):
            return kind
    return None


class Synthesizer:
    """Makes speech number n the same way every time for a given seed."""

    def __init__(self, speeches: list[Speech], seed: int = 7):
        if not speeches:
            raise ValueError("the sample corpus holds no speeches")
        self.templates = speeches
        self.seed = seed
        bodies = [p for s in speeches for p in s.paragraphs if ends_sentence(p) and len(p) > 40]
        self.pool = [t for p in bodies for t in sentences(p)]
        self.bodies = bodies
        self.openings: dict[str, list[str]] = {}
        for p in bodies:
            kind = heading_kind(p)
            if kind:
                self.openings.setdefault(kind, []).append(sentences(p)[0])

    def speech(self, n: int) -> Speech:
        rng = random.Random(self.seed * 1_000_003 + n)
        template = rng.choice(self.templates)
        paragraphs = []
        for paragraph in template.paragraphs:
            if not ends_sentence(paragraph) or len(paragraph) <= 40:
                paragraphs.append(paragraph)  # headings, salutations, short lines: the skeleton
                continue
            if rng.random() < DROP_PARAGRAPH:
                continue
            paragraphs.append(self._perturb(paragraph, rng))
            if rng.random() < BORROW_PARAGRAPH:
                paragraphs.append(self._perturb(rng.choice(self.bodies), rng))
        title = _YEAR.sub(lambda _: str(rng.randint(1995, 2026)), template.title)
        source = f"synth/{n:07d}.txt"
        return Speech(speech_id(source, 1), title, source, paragraphs)

    def _perturb(self, paragraph: str, rng: random.Random) -> str:
        parts = sentences(paragraph)
        opening, rest = parts[0], parts[1:]
        kind = heading_kind(opening)
        if kind and rng.random() < TRADE_OPENING:
            opening = rng.choice(self.openings[kind])
        out = []
        for sentence in rest:
            roll = rng.random()
            if roll < DROP:
                continue
            out.append(rng.choice(self.pool) if roll < DROP + REPLACE else sentence)
            if rng.random() < INSERT:
                out.append(rng.choice(self.pool))
        for i in range(len(out) - 1):
            if rng.random() < SWAP:
                out[i], out[i + 1] = out[i + 1], out[i]
        return opening + "".join(out)

    def speeches(self, count: int, start: int = 0) -> Iterator[Speech]:
        for n in range(start, start + count):
            yield self.speech(n)

    def chunks(self, count: int) -> tuple[list[Chunk], list[Speech]]:
        """Speeches, chunked with the real chunker, until there are `count` chunks."""
        chunks: list[Chunk] = []
        speeches: list[Speech] = []
        n = 0
        while len(chunks) < count:
            speech = self.speech(n)
            speeches.append(speech)
            chunks += chunk_speech(speech)
            n += 1
        return chunks[:count], speeches


def speech_text(speech: Speech) -> str:
    return "\n".join([speech.title, *speech.paragraphs]) + "\n"


def sample_speeches(corpus: Path) -> list[Speech]:
    return read_corpus([corpus]).speeches


def write_corpus(out: Path, docs: int, seed: int, corpus: Path) -> int:
    """Write `docs` synthetic speeches as UTF-8 text files; returns characters written."""
    synth = Synthesizer(sample_speeches(corpus), seed)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for n, speech in enumerate(synth.speeches(docs)):
        text = speech_text(speech)
        (out / f"{n:07d}.txt").write_text(text, "utf-8")
        written += len(text)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    args = parser.parse_args()
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    chars = write_corpus(args.out, args.docs, args.seed, args.corpus)
    print(f"{args.docs} speeches, {chars:,} characters -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
