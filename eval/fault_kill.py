"""Kill `wengao ingest` and `wengao serve` (SIGKILL) at every step where a kill could cost an index or a file.

    python eval/fault_kill.py --per-phase 5 --serve-rounds 2 --seed 7

An index build is killed `--per-phase` times at each of its steps. Most are named
points (rag/faultpoint.py) where the process kills itself, so the kill lands
exactly there: as each file of the new generation is about to be written, once
all are written but none fsynced, once all are fsynced but CURRENT not yet
renamed, right after the rename, and as an old generation is about to be
removed. Reading and embedding are killed at a random moment within them, timed
by what the build prints (the 读取文件 and Batches progress bars), as is writing
(from the new generation's folder appearing to CURRENT changing), where a kill
can fall inside a file being written. Each such kill is classified afterwards
by what the process had done when it died; one that fell outside its phase is
counted where it fell and tried again.

The corpus: 40 .docx files of one paragraph each (reading them takes a few
tenths of a second) and one speech, rewritten before every run from paragraphs
of a compilation in data/corpus, so every run embeds and writes a new generation.
After every kill the next start must see the old index or the new one, whole
(every checksum verified, a search finds its passage, the speeches exactly the
old or the new corpus's), or a clear error naming the rebuild command; never a
mix. At the end an uncut run must make a new generation live, leaving only the
live one and the one before it.

Then the workspace: `wengao serve` is killed, at named points, while it adds
an upload, removes a speech that came from an upload (its file goes to trash/)
and removes one from another folder (its file is listed in excluded.txt):
before the rebuild starts, while the new generation is written, just before and
just after CURRENT is renamed; `--serve-rounds` times each. After each kill the
workspace is started again, and the corpus folder, trash/, excluded.txt and the
index must agree: a file is in the index and its folder, or in neither.

Prints the table of kills by phase: where they landed, how many, how many the
index survived, what the next start saw; then the folder/index disagreements.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from docx import Document

from rag.errors import WengaoError
from rag.faultpoint import VARIABLE as FAULT_AT
from rag.index.store import CorpusIndex
from rag.search.hybrid import Searcher

ROOT = Path(__file__).resolve().parent.parent
RESERVE = ROOT / "data" / "corpus" / "002_6c45b84abf69550e.txt"
FILLERS = 40
PARAGRAPHS = 3  # a new speech of this many paragraphs: embedding takes a second or two
READ_MARK, READ_DONE = "读取文件".encode(), "读取文件: 100%".encode()
EMBED_MARK = b"Batches"  # sentence-transformers draws this progress bar when it starts embedding
REBUILD_HINT = "重建索引: wengao ingest"
POLL_S = 0.005
# What a build has done, in order, as seen from outside: its output and the index folder
# ("loading": the files are read; chunking them and loading the embedding model follow).
STAGES = ("startup", "reading", "loading", "embedding", "writing", "switched")
TIMED = ("reading", "embedding", "writing")
# The named points of a build (rag/index/store.py), in the order it reaches them.
BUILD_POINTS = ("write chunks.jsonl", "write speeches.jsonl", "write vectors.npy", "write bm25_vocab.json",
                "write bm25_chars_vocab.json", "write sentences.npy", "write sentence_chunks.npy",
                "write sentences_use.npy", "write manifest.json", "written", "fsynced", "renamed", "prune")
SERVE_LLM = "qwen2.5-coder-0.5b"  # the generator plays no part here: the smaller one starts sooner
SERVE_STARTUP_S = 240
SERVE_ACTIONS = {
    "upload": ("upload stored", "write chunks.jsonl", "fsynced", "renamed"),
    "remove an upload": ("speech removed", "write chunks.jsonl", "fsynced", "renamed"),
    "remove a bundled speech": ("speech removed", "write chunks.jsonl", "fsynced", "renamed"),
}
BUNDLED = 6  # .docx files in the workspace's own corpus folder, beside its uploads
UPLOADS = 4  # uploads in the workspace before the first kill


@dataclass
class Row:
    kills: int = 0
    survived: int = 0
    saw: Counter = field(default_factory=Counter)


@dataclass
class Table:
    rows: dict[str, Row] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    rerun: str = ""

    def add(self, where: str, saw: str, survived: bool) -> None:
        row = self.rows.setdefault(where, Row())
        row.kills += 1
        row.survived += survived
        row.saw[saw] += 1

    def text(self) -> str:
        width = max(len(w) for w in self.rows)
        lines = [f"{'killed at':<{width}}  kills  survived  next start saw"]
        for where, row in self.rows.items():
            saw = ", ".join(f"{what} {n}" for what, n in sorted(row.saw.items()))
            lines.append(f"{where:<{width}}  {row.kills:>5}  {row.survived:>8}  {saw}")
        kills, survived = (sum(getattr(r, n) for r in self.rows.values()) for n in ("kills", "survived"))
        lines.append(f"{'total':<{width}}  {kills:>5}  {survived:>8}")
        lines.append(f"folder/index disagreements after a killed upload or removal: "
                     f"{len(self.disagreements)}")
        lines += [f"  {d}" for d in self.disagreements]
        lines.append(f"uncut rebuild after the kills: {self.rerun}")
        return "\n".join(lines)


def pointer(index_dir: Path) -> str:
    current = index_dir / "CURRENT"
    return current.read_text("utf-8").strip() if current.is_file() else ""


def generations(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.glob("gen-*")}


def stage(log: bytes, new_folder: bool, switched: bool) -> str:
    """How far a build had got, from what it printed and what it left in the index folder."""
    if switched:
        return "switched"
    if new_folder:
        return "writing"
    if EMBED_MARK in log:
        return "embedding"
    if READ_DONE in log:
        return "loading"
    return "reading" if READ_MARK in log else "startup"


@dataclass
class Run:
    returncode: int
    stage: str  # how far it got
    seen: dict[str, float]  # stage -> seconds after launch when it was first seen


def run_build(cmd: list[str], env: dict, index_dir: Path, log: Path,
              kill_at: tuple[str, float] | None = None) -> Run:
    """Run a build, noting when each stage starts; SIGKILL it `kill_at[1]` s into stage `kill_at[0]`."""
    before, live = generations(index_dir), pointer(index_dir)

    def now_stage() -> str:
        return stage(log.read_bytes(), bool(generations(index_dir) - before), pointer(index_dir) != live)

    with log.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    seen = {"startup": 0.0}
    while proc.poll() is None:
        elapsed = time.perf_counter() - start
        seen.setdefault(now_stage(), elapsed)
        if kill_at and kill_at[0] in seen and elapsed >= seen[kill_at[0]] + kill_at[1]:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            break
        time.sleep(POLL_S)
    seen.setdefault(now_stage(), time.perf_counter() - start)
    return Run(proc.returncode, now_stage(), seen)


def ingest_command(corpora: list[Path], index_dir: Path) -> list[str]:
    return [sys.executable, "-m", "rag.cli", "ingest", *map(str, corpora), "--index", str(index_dir)]


def reserve_paragraphs() -> list[str]:
    lines = (line.strip() for line in RESERVE.read_text("utf-8").splitlines())
    return [line for line in lines if 60 <= len(line) <= 400]


def write_docx(path: Path, title: str, paragraph: str) -> None:
    document = Document()
    document.add_paragraph(title)
    document.add_paragraph(paragraph)
    document.save(str(path))


def new_speech(path: Path, paragraphs: list[str], run: int, rng: random.Random) -> str:
    """Rewrite the speech at `path` with other paragraphs; returns its title."""
    title = f"在第{run}次全市重点工作推进会上的讲话"
    path.write_text("\n\n".join([title, "同志们：", *rng.sample(paragraphs, PARAGRAPHS)]) + "\n", "utf-8")
    return title


def answers(index: CorpusIndex) -> bool:
    """A search for the index's longest passage finds it first (a short one, 同志们：, recurs).

    The query's vector is the passage's own stored one: the index is under test
    here, not the embedding model, and loading that would slow every check.
    """
    probe = max(range(len(index.chunks)), key=lambda i: len(index.chunks[i].text))
    first = int(index.sentences.offsets[probe])  # its first sentence, for the USE side
    searcher = Searcher(index, lambda queries: index.vectors[[probe] * len(queries)],
                        lambda queries: index.sentences.use_vectors[[first] * len(queries)])
    hits = searcher.search(index.chunks[probe].text, k=3)
    return bool(hits) and hits[0].chunk.chunk_id == index.chunks[probe].chunk_id


def open_index(index_dir: Path) -> CorpusIndex | str:
    """The index as the next command opens it (every checksum verified), or what that command says."""
    try:
        index = CorpusIndex.open(index_dir, verify=True)
    except WengaoError as exc:
        return "error" if REBUILD_HINT in str(exc) else f"UNCLEAR ERROR ({exc})"
    return index if answers(index) else "BROKEN (a search misses its own passage)"


def titles(index: CorpusIndex) -> set[str]:
    return {s["title"] for s in index.speeches}


class BuildKills:
    """The index-build half: a corpus, an index, and the kills."""

    def __init__(self, workdir: Path, rng: random.Random, table: Table, say: Callable[[str], None]):
        self.rng, self.table, self.say = rng, table, say
        self.corpus, self.index_dir = workdir / "corpus", workdir / "index"
        self.env = dict(os.environ, WENGAO_HOME=str(workdir / "home"))
        self.env.pop(FAULT_AT, None)
        self.log = workdir / "ingest.log"
        self.runs = 0
        paragraphs = reserve_paragraphs()
        self.pool = paragraphs[FILLERS:]
        self.corpus.mkdir(parents=True)
        for n, paragraph in enumerate(paragraphs[:FILLERS], start=1):
            write_docx(self.corpus / f"材料{n:02d}.docx", f"关于重点工作的材料之{n}", paragraph)
        self.windows: dict[str, float] = {}
        self.static: set[str] = set()  # the titles of the corpus but the changing speech

    def _changed(self) -> str:
        self.runs += 1
        return new_speech(self.corpus / "speech.txt", self.pool, self.runs, self.rng)

    def _uncut(self) -> Run:
        run = run_build(ingest_command([self.corpus], self.index_dir), self.env, self.index_dir, self.log)
        if run.returncode != 0:
            tail = self.log.read_text("utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"an uncut ingest failed (exit {run.returncode}):\n{tail}")
        return run

    def calibrate(self) -> None:
        """A first build, then one of a changed corpus, timed: how long reading, embedding, writing take."""
        title = self._changed()
        self._uncut()
        self.static = titles(CorpusIndex.open(self.index_dir)) - {title}
        self._changed()
        seen = self._uncut().seen
        following = dict(zip(STAGES, STAGES[1:]))
        unseen = [s for s in (*TIMED, *(following[s] for s in TIMED)) if s not in seen]
        if unseen:
            raise RuntimeError(f"an uncut build showed no {', '.join(unseen)} stage; cannot time the kills")
        self.windows = {s: seen[following[s]] - seen[s] for s in TIMED}
        self.say("phases of an uncut run: " + ", ".join(f"{s} {t:.2f}s" for s, t in self.windows.items()))

    def kill(self, point: str | None = None, timed: str | None = None) -> str:
        """One killed build, at a named point or at a random moment in a stage; the row it counts in."""
        title = self._changed()
        live = pointer(self.index_dir)
        env = dict(self.env, **{FAULT_AT: point}) if point else self.env
        kill_at = (timed, self.rng.uniform(0.05, 0.9) * self.windows[timed]) if timed else None
        run = run_build(ingest_command([self.corpus], self.index_dir), env, self.index_dir, self.log, kill_at)
        if run.returncode != -signal.SIGKILL:
            # Not killed: the point was never reached, or the build ended before the moment came.
            if point:
                raise RuntimeError(f"the build never reached {point!r} (exit {run.returncode})")
            return "finished"
        where = point or f"{run.stage} (random moment)"
        index = open_index(self.index_dir)
        if isinstance(index, str):
            saw = index
        elif index.folder.name == live:
            saw = "old"
        else:
            saw = "new" if titles(index) == self.static | {title} else "MIXED"
        self.table.add(f"ingest: {where}", saw, saw in ("old", "new"))
        self.say(f"ingest killed at {where}: next start saw {saw}")
        return run.stage

    def rerun(self) -> str:
        """An uncut build after all the kills: live, and nothing left over but the generation before it."""
        previous = pointer(self.index_dir)
        self._changed()
        self._uncut()
        live = pointer(self.index_dir)
        left = generations(self.index_dir)
        index = open_index(self.index_dir)
        if isinstance(index, str) or live == previous or left != {live, previous} \
                or list(self.index_dir.glob("CURRENT.*.tmp")):
            return f"FAILED (live {live}, left {sorted(left)}, index {index})"
        return "ok, 2 generations left"


def run_builds(per_phase: int, workdir: Path, rng: random.Random, table: Table, say: Callable[[str], None],
               points: tuple[str, ...] = BUILD_POINTS) -> None:
    builds = BuildKills(workdir, rng, table, say)
    builds.calibrate()
    for _ in range(per_phase):
        for timed in TIMED:
            # A moment that falls outside the phase in this run is counted where it fell, and tried again.
            for _attempt in range(3):
                if builds.kill(timed=timed) == timed:
                    break
        for point in points:
            builds.kill(point=point)
    table.rerun = builds.rerun()


# --- the workspace --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """One `wengao serve`, started with its kill aimed at `point` (or none)."""

    def __init__(self, home: Path, index_dir: Path, point: str | None, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/gradio_api"
        env = dict(os.environ, WENGAO_HOME=str(home), WENGAO_LLM=SERVE_LLM)
        env.pop(FAULT_AT, None)
        if point:
            env[FAULT_AT] = point
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ui", "serve", "--port", str(self.port), "--index", str(index_dir)],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SERVE_STARTUP_S
        while not self._listening():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"wengao serve did not start:\n{log.read_text('utf-8')[-2000:]}")
            time.sleep(0.1)

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def call(self, api: str, data: list) -> None:
        """Click the button behind `api` with `data`; follow the request until it ends or the server dies."""
        with httpx.Client(timeout=SERVE_STARTUP_S) as client:
            try:
                event = client.post(f"{self.base}/call/{api}", json={"data": data}).json()["event_id"]
                with client.stream("GET", f"{self.base}/call/{api}/{event}") as stream:
                    for _ in stream.iter_lines():
                        pass
            except httpx.TransportError:
                pass  # killed while the request ran: what is being tested

    def upload(self, path: Path) -> None:
        with httpx.Client(timeout=60) as client, path.open("rb") as fh:
            files = [("files", (path.name, fh, "text/plain"))]
            stored = client.post(f"{self.base}/upload", files=files).json()[0]
        upload = {"path": stored, "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}
        self.call("add_files", [[upload]])

    def killed(self) -> bool:
        try:
            return self.proc.wait(timeout=60) == -signal.SIGKILL
        except subprocess.TimeoutExpired:
            self.stop()
            return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class ServeKills:
    """The workspace half: a home with uploads, a bundled folder, its index, and the kills."""

    def __init__(self, workdir: Path, rng: random.Random, table: Table, say: Callable[[str], None]):
        self.rng, self.table, self.say = rng, table, say
        self.home, self.bundled, self.outbox = (workdir / f"ws-{n}" for n in ("home", "bundled", "outbox"))
        self.index_dir = self.home / "index"
        self.uploads, self.trash = self.home / "corpus", self.home / "trash"
        self.excluded_list = self.home / "excluded.txt"
        self.log = workdir / "serve.log"
        self.pool = reserve_paragraphs()
        self.count = 0
        for folder in (self.bundled, self.uploads, self.outbox):
            folder.mkdir(parents=True)
        for n in range(1, BUNDLED + 1):
            write_docx(self.bundled / f"本地材料{n}.docx", f"本地材料之{n}", self.pool[-n])
        for _ in range(UPLOADS):
            self._speech(self.uploads)
        env = dict(os.environ, WENGAO_HOME=str(self.home))
        env.pop(FAULT_AT, None)
        subprocess.run(ingest_command([self.bundled, self.uploads], self.index_dir), env=env, cwd=ROOT,
                       check=True, capture_output=True)

    def _speech(self, folder: Path) -> Path:
        """A short new speech file in `folder`, named and titled apart from every other."""
        self.count += 1
        path = folder / f"讲话{self.count:02d}.txt"
        body = self.rng.sample(self.pool[:-BUNDLED], 2)
        title = f"在第{self.count}次专题会议上的讲话"
        path.write_text("\n\n".join([title, "同志们：", *body]) + "\n", "utf-8")
        return path

    def excluded(self) -> set[str]:
        if not self.excluded_list.is_file():
            return set()
        lines = self.excluded_list.read_text("utf-8").splitlines()
        return {Path(line).name for line in lines if line.strip()}

    def disagreements(self, index: CorpusIndex) -> list[str]:
        """Files in a folder of the corpus but not in the index, and the other way round."""
        indexed = set(index.manifest["files"])
        uploads = {p.name for p in self.uploads.iterdir()}
        bundled = {p.name for p in self.bundled.iterdir()} - self.excluded()
        problems = [f"{n} is in corpus/ but not in the index" for n in sorted(uploads - indexed)]
        problems += [f"{n} is not in excluded.txt but not in the index" for n in sorted(bundled - indexed)]
        problems += [f"{n} is in the index but in no folder of the corpus (or excluded)"
                     for n in sorted(indexed - uploads - bundled)]
        if (self.home / "corpus-change.json").exists():
            problems.append("corpus-change.json is left after the start")
        return problems

    def check(self, what: str, target: str) -> None:
        """After a restart: the index whole, the folders agreeing with it, `target` as before or changed."""
        index = open_index(self.index_dir)
        if isinstance(index, str):
            self.table.add(what, index, False)
            return
        problems = self.disagreements(index)
        self.table.disagreements += [f"{what}: {p}" for p in problems]
        added = what.startswith("serve: upload")
        saw = "new" if (target in index.manifest["files"]) == added else "old"
        self.table.add(what, saw, not problems)
        self.say(f"{what}: next start saw {saw}, {len(problems)} disagreements")

    def target(self, action: str) -> tuple[str, str]:
        """The file an action works on and the speech id to remove (empty for an upload)."""
        if action == "upload":
            return self._speech(self.outbox).name, ""
        index = CorpusIndex.open(self.index_dir)
        folder = self.uploads if action == "remove an upload" else self.bundled
        names = {p.name for p in folder.iterdir()} - self.excluded()
        speech = self.rng.choice([s for s in index.speeches if s["source"] in names])
        return speech["source"], speech["speech_id"]

    def act(self, serve: Serve, action: str, target: str, speech_id: str) -> None:
        if action == "upload":
            serve.upload(self.outbox / target)
        else:
            serve.call("remove_speech", [speech_id])


def run_workspace(rounds: int, workdir: Path, rng: random.Random, table: Table, say: Callable[[str], None],
                  actions: dict[str, tuple[str, ...]] = SERVE_ACTIONS) -> None:
    ws = ServeKills(workdir, rng, table, say)
    plan = [(action, point) for _ in range(rounds) for action, points in actions.items() for point in points]
    pending: tuple[str, str] | None = None  # the last kill, checked once the next start is up
    for action, point in [*plan, (None, None)]:
        serve = Serve(ws.home, ws.index_dir, point, ws.log)
        if pending:
            ws.check(*pending)
        if action is None:
            serve.stop()
            break
        target, speech_id = ws.target(action)
        ws.act(serve, action, target, speech_id)
        if not serve.killed():
            raise RuntimeError(f"wengao serve was not killed at {point!r} while it did: {action}:\n"
                               f"{ws.log.read_text('utf-8')[-2000:]}")
        pending = (f"serve: {action}, {point}", target)


def run(per_phase: int, serve_rounds: int, seed: int, workdir: Path,
        say: Callable[[str], None] = lambda _: None) -> Table:
    rng = random.Random(seed)
    table = Table()
    run_builds(per_phase, workdir, rng, table, say)
    run_workspace(serve_rounds, workdir, rng, table, say)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-phase", type=int, default=5, help="kills at each step of an index build")
    parser.add_argument("--serve-rounds", type=int, default=2,
                        help="kills at each step of each workspace change (3 changes, 4 steps)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wengao-kill-") as workdir:
        table = run(args.per_phase, args.serve_rounds, args.seed, Path(workdir),
                    say=lambda text: print(text, file=sys.stderr, flush=True))
    print(table.text())


if __name__ == "__main__":
    main()
