"""Kill `wengao ingest` with SIGKILL at random moments; the index must survive every kill.

    python eval/fault_kill.py --kills 20 --seed 7

Every run indexes a changed corpus, so it really embeds and writes a new
generation: one file, rewritten before each run as a speech made of paragraphs
drawn from a compilation in data/corpus, so every run embeds about as much as
the first. The first run builds the index uncut and times its phases as seen
from outside the process: start-up (imports, loading the embedding model)
until the embedding progress bar shows on stderr, embedding until the new
generation's folder appears, writing until CURRENT names the new generation.
The kill moments are drawn over that whole span, one in each of `--kills`
equal slices. A moment that falls in the embedding or writing phase is timed
from the start of that phase in the run being killed, so it lands there
however fast or slow that run's start-up goes.

After every kill the index must open with every checksum verified and answer a
search. At the end an uncut run must make a new generation live, leaving only
the two generations the index keeps (the live one and the one before it).

Prints one line, e.g.
    kills=20 survived=20 rerun=ok phases=startup:13,embedding:3,writing:4 first_run=14.2s rerun=12.9s
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import WengaoError
from rag.index import CorpusIndex
from rag.retrieve import Searcher

ROOT = Path(__file__).resolve().parent.parent
RESERVE = ROOT / "data" / "corpus" / "002_6c45b84abf69550e.txt"
# Paragraphs per run: about eight new passages, so embedding takes a visible part of the run.
PARAGRAPHS = 8
# sentence-transformers draws this progress bar when it starts embedding.
EMBED_MARK = b"Batches"
POLL_S = 0.005
PHASES = ("startup", "embedding", "writing", "swapped")


@dataclass
class Run:
    seconds: float  # launch to exit
    events: dict[str, float]  # phase -> seconds after launch when it was first seen
    returncode: int

    @property
    def phase(self) -> str:
        """The last phase seen before the process ended."""
        return max(self.events, key=self.events.__getitem__)


@dataclass
class Summary:
    kills: int
    survived: int
    rerun_ok: bool
    phases: Counter
    generations_left: int
    first_run_s: float
    rerun_s: float
    rerun_embedded: int

    def line(self) -> str:
        phases = ",".join(f"{p}:{self.phases[p]}" for p in (*PHASES, "finished") if self.phases[p])
        return (f"kills={self.kills} survived={self.survived} rerun={'ok' if self.rerun_ok else 'FAILED'} "
                f"phases={phases} generations_left={self.generations_left} first_run={self.first_run_s:.1f}s "
                f"rerun={self.rerun_s:.1f}s rerun_embedded={self.rerun_embedded}")


def _pointer(index_dir: Path) -> str:
    current = index_dir / "CURRENT"
    return current.read_text("utf-8").strip() if current.is_file() else ""


def ingest_command(corpus: Path, index_dir: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index", str(index_dir), *flags]


def watch(cmd: list[str], env: dict, index_dir: Path, log: Path, kill_at: tuple[str, float] | None) -> Run:
    """Run `cmd`, noting when each phase starts; SIGKILL it `kill_at[1]` s after phase `kill_at[0]` starts.

    A phase that ends sooner than planned brings the kill forward to the start of
    the next one, so every planned kill is delivered even when this run is faster.
    """
    generations = set(index_dir.glob("gen-*"))
    live = _pointer(index_dir)
    with log.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    events = {"startup": 0.0}
    while proc.poll() is None:
        now = time.perf_counter() - start
        if "embedding" not in events and EMBED_MARK in log.read_bytes():
            events["embedding"] = now
        if "writing" not in events and set(index_dir.glob("gen-*")) - generations:
            events["writing"] = now
        if "swapped" not in events and _pointer(index_dir) != live:
            events["swapped"] = now
        if kill_at is not None and _due(kill_at, events, now):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            break
        time.sleep(POLL_S)
    if "swapped" not in events and _pointer(index_dir) != live:
        events["swapped"] = time.perf_counter() - start
    return Run(time.perf_counter() - start, events, proc.returncode)


def _due(kill_at: tuple[str, float], events: dict[str, float], now: float) -> bool:
    phase, offset = kill_at
    if any(later in events for later in PHASES[PHASES.index(phase) + 1 :]):
        return True
    return phase in events and now >= events[phase] + offset


def kill_plan(first: Run, kills: int, rng: random.Random) -> list[tuple[str, float]]:
    """One moment in each of `kills` equal slices of launch-to-swap, as (phase, seconds into it)."""
    missing = [p for p in PHASES if p not in first.events]
    if missing:
        raise RuntimeError(f"the first run showed no {', '.join(missing)} phase; cannot time the kills")
    span = first.events["swapped"]
    plan = []
    for k in range(kills):
        moment = (k + rng.random()) / kills * span
        phase = max((p for p in PHASES if first.events[p] <= moment), key=first.events.__getitem__)
        plan.append((phase, moment - first.events[phase]))
    return plan


def new_speech(corpus: Path, paragraphs: list[str], run: int, rng: random.Random) -> str:
    """Give the corpus new text: its one file becomes another speech; returns the title."""
    title = f"在第{run}次全市重点工作推进会上的讲话"
    body = rng.sample(paragraphs, PARAGRAPHS)
    (corpus / "speech.txt").write_text("\n\n".join([title, "同志们：", *body]) + "\n", "utf-8")
    return title


def answers(index_dir: Path) -> bool:
    """The index opens with every checksum verified, and a search for one of its passages finds it first.

    The query's vector is the passage's own stored one: the index is under test
    here, not the embedding model, and loading that would slow every check.
    """
    try:
        index = CorpusIndex.open(index_dir, verify=True)
    except WengaoError:
        return False
    probe = len(index.chunks) // 2
    searcher = Searcher(index, lambda queries: index.vectors[[probe] * len(queries)])
    hits = searcher.search(index.chunks[probe].text, k=3)
    return bool(hits) and hits[0].chunk.chunk_id == index.chunks[probe].chunk_id


def reserve_paragraphs() -> list[str]:
    lines = (line.strip() for line in RESERVE.read_text("utf-8").splitlines())
    return [line for line in lines if 60 <= len(line) <= 400]


def rerun(corpus: Path, index_dir: Path, env: dict, title: str) -> tuple[bool, float, dict]:
    """An uncut run: is the new generation live, with the new speech, and nothing else left over?"""
    previous = _pointer(index_dir)
    start = time.perf_counter()
    proc = subprocess.run(ingest_command(corpus, index_dir, "--json"), env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(f"the last ingest failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
        return False, seconds, {}
    report = json.loads(proc.stdout.splitlines()[-1])
    live = _pointer(index_dir)
    left = sorted(p.name for p in index_dir.glob("gen-*"))
    ok = (live != previous and title in report["titles"] and answers(index_dir)
          and left == sorted({live, previous}) and not list(index_dir.glob("CURRENT.*.tmp")))
    return ok, seconds, report


def run(kills: int, seed: int, workdir: Path, say: Callable[[str], None] = lambda _: None) -> Summary:
    """Build an index in `workdir`, kill `kills` ingests of a changed corpus, then let one finish."""
    rng = random.Random(seed)
    corpus, index_dir, home = workdir / "corpus", workdir / "index", workdir / "home"
    corpus.mkdir(parents=True)
    paragraphs = reserve_paragraphs()
    env = dict(os.environ, WENGAO_HOME=str(home))
    log = workdir / "stderr.log"
    new_speech(corpus, paragraphs, 1, rng)
    first = watch(ingest_command(corpus, index_dir), env, index_dir, log, None)
    if first.returncode != 0:
        tail = log.read_text("utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"the first ingest failed (exit {first.returncode}):\n{tail}")
    say(f"first run {first.seconds:.1f}s: " + ", ".join(f"{p} {t:.1f}s" for p, t in first.events.items()))

    phases: Counter = Counter()
    survived = 0
    for n, (phase, offset) in enumerate(kill_plan(first, kills, rng), start=1):
        new_speech(corpus, paragraphs, n + 1, rng)
        killed = watch(ingest_command(corpus, index_dir), env, index_dir, log, (phase, offset))
        hit = killed.phase if killed.returncode == -signal.SIGKILL else "finished"
        phases[hit] += 1
        ok = answers(index_dir)
        survived += ok
        say(f"kill {n}/{kills}: planned {phase} + {offset:.2f}s, hit {hit} at {killed.seconds:.2f}s, "
            f"index {'ok' if ok else 'BROKEN'}")

    title = new_speech(corpus, paragraphs, kills + 2, rng)
    rerun_ok, rerun_s, report = rerun(corpus, index_dir, env, title)
    return Summary(kills, survived, rerun_ok, phases, len(list(index_dir.glob("gen-*"))), first.seconds,
                   rerun_s, report.get("embedded", -1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wengao-kill-") as workdir:
        summary = run(args.kills, args.seed, Path(workdir), say=lambda text: print(text, file=sys.stderr))
    print(summary.line())


if __name__ == "__main__":
    main()
