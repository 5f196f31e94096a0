"""Load test of the workspace: several browser sessions at once, through the app's own events.

    python eval/load_test.py [--sessions 8] [--requests 40] [--mix search=12,ask=2,expand=3,outline=3]
        [--model FILE | --url http://127.0.0.1:PORT] [--index DIR] [--seed 0]
        [--request-timeout 900] [--timeout 1800] [--fifo-tolerance-ms 500]

Starts `wengao serve` on 127.0.0.1 on a free port, its home a temporary folder
holding an index of data/corpus (built with `wengao ingest`, or copied from
--index), with the 0.5B model unless --model names another; --url drives a
server already running on this machine instead. Each session is a gradio_client
Client of its own (its own session hash) with inputs no other session uses,
taken from eval/data (on-corpus requests); it sends its share of the requests
one after another, as a user would, all sessions at once:

- search:  语料库 检索 (`/search`);
- ask:     素材问答 (`/ask_start`, `/ask`, `/ask_end`, as the 发送 button chains them);
- expand:  提纲扩写: add the session's own point (`/add_point`), draw the outline
           (the page's gr.render, run when the outline changes) and click that
           point's 扩写此要点 (`expand_<id>_start`, `expand_<id>`, `expand_<id>_end`;
           Gradio adds a suffix when it draws the outline again, so they are
           looked up in what the render returned, as the page does);
- outline: 生成提纲 (`/outline_start`, `/outline`, `/outline_end`), then draw the outline.
Once done, a session that drafted anything draws its outline again and assembles
its speech (`/assemble_now`: without opening and closing nothing is generated,
so it does not wait for the model).

Checked and reported:
- failures: an exception or error event, a timeout, an error message in the
  outputs, or a request not run before --timeout;
- cross_talk: a session shown what it did not do: search results headed by
  another query, a transcript with other questions, an outline other than the
  one its own request streamed, points or sections it did not add or expand, an
  assembled speech with other headings or another title;
- FIFO: jobs of the model queue (one at a time) must start in the order they were
  submitted; a job that started before one submitted earlier is a violation. The
  times are the client's, each late by its thread's turn on a busy machine (seen
  up to 0.15 s on two loaded cores): submits, and starts, closer than
  --fifo-tolerance-ms are not ordered; a model job lasts tens of seconds;
- every model job that waited was told its place in the queue.
Prints the mix, latency p50/p95/max per kind and overall, the model queue's
waits, throughput, then `fifo_violations=N` and, last, `failures=N cross_talk=N`.
Exits 1 when there are failures or cross-talk.
"""

from __future__ import annotations

import argparse
import html
import ipaddress
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gradio_client import Client  # noqa: E402
from gradio_client.client import Endpoint  # noqa: E402
from gradio_client.utils import Status, StatusUpdate  # noqa: E402

from eval.measure import percentile  # noqa: E402
from rag.llm.generate import tidy  # noqa: E402
from rag.write.expand import MIN_LENGTH  # noqa: E402
from rag.write.outline import parse_points, parse_points_arg  # noqa: E402

DATA = ROOT / "eval" / "data"
KINDS = ("search", "ask", "expand", "outline")
DEFAULT_MIX = "search=12,ask=2,expand=3,outline=3"
SMALL_MODEL = "qwen2.5-coder-0.5b"
# The shortest section and answer the app accepts, and the smallest 要点数: generation is the slow part.
DRAFT_LENGTH = MIN_LENGTH
POINT_COUNT = "2-4"
STARTUP_S = 300
POLL_S = 0.05
# A model job that waited longer than this must have been told its place in the queue.
TOLD_AFTER_S = 1.0
NOTICE = re.compile(r'<div class="notice (\w+)">(.*?)</div>', re.S)
OUTLINE_STREAM = "正在拟定提纲：\n"


class Failure(Exception):
    """A request that did not do what was asked of it."""


class CrossTalk(Exception):
    """A request that showed another session's work, or lost its own."""


# --- inputs ---------------------------------------------------------------------------


def read_jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines() if line.strip()]


def deal(pool: list[str], sessions: int) -> list[list[str]]:
    """Each session's own share of the pool; when there are more sessions than items, the
    repeats are marked so that no two sessions share an input."""
    shares: list[list[str]] = [[] for _ in range(sessions)]
    for i in range(max(len(pool), sessions)):
        text = pool[i % len(pool)]
        shares[i % sessions].append(text if i < len(pool) else f"{text}（{i // len(pool) + 1}）")
    return shares


@dataclass
class Inputs:
    topic: str
    points: list[str]
    questions: list[str]
    queries: list[str]


def session_inputs(sessions: int) -> list[Inputs]:
    """Distinct on-corpus inputs per session, from the evaluation sets."""
    tasks = read_jsonl("generation_tasks.jsonl")
    on_corpus = [t for t in tasks if not t.get("off_corpus")]
    retrieval = read_jsonl("retrieval_dev.jsonl") + read_jsonl("retrieval_test.jsonl")
    topics = list(dict.fromkeys(t["topic"] for t in on_corpus if t["kind"] in ("outline", "expand")))
    points = [t["point"] for t in on_corpus if t["kind"] == "expand"]
    questions = ([t["question"] for t in on_corpus if t["kind"] == "ask"]
                 + [r["query"] for r in retrieval if r["kind"] == "question"])
    queries = [r["query"] for r in retrieval if r["kind"] != "question"]
    shares = [deal(pool, sessions) for pool in (topics, points, questions, queries)]
    return [Inputs(t[0], p, q, s) for t, p, q, s in zip(*shares)]


def parse_mix(text: str) -> dict[str, float]:
    weights = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        if kind.strip() not in KINDS:
            raise argparse.ArgumentTypeError(f"unknown request kind {kind!r}: use {', '.join(KINDS)}")
        weights[kind.strip()] = float(weight)
    if sum(weights.values()) <= 0:
        raise argparse.ArgumentTypeError("the mix needs a positive weight")
    return weights


def counts(mix: dict[str, float], requests: int) -> dict[str, int]:
    """The requests split by the weights, rounding by largest remainder."""
    total = sum(mix.values())
    exact = {kind: requests * weight / total for kind, weight in mix.items()}
    out = {kind: int(value) for kind, value in exact.items()}
    for kind in sorted(exact, key=lambda k: out[k] - exact[k])[:requests - sum(out.values())]:
        out[kind] += 1
    return out


def plan(mix: dict[str, float], requests: int, sessions: int, seed: int) -> list[list[str]]:
    """Each session's requests in order: the kinds shuffled, then dealt out in turn."""
    kinds = [kind for kind, n in counts(mix, requests).items() for _ in range(n)]
    random.Random(seed).shuffle(kinds)
    return [kinds[i::sessions] for i in range(sessions)]


# --- one event, followed to its end -------------------------------------------------------


@dataclass
class Call:
    """One event sent through a session's client: what came back and when (wall-clock seconds)."""

    submitted: float
    started: float | None = None
    ended: float | None = None
    position: int | None = None  # the furthest back in the queue the server reported it (1 = next)
    outputs: list = field(default_factory=list)  # what the handler yielded before its last update
    final: dict = field(default_factory=dict)  # the last message: data, render_config, ...
    result: Any = None

    @property
    def wait(self) -> float:
        return (self.started or self.ended or time.time()) - self.submitted


def record(call: Call, update) -> None:
    if not isinstance(update, StatusUpdate):
        if update.final:
            call.final = update.outputs
        else:
            call.outputs.append(update.outputs)
        return
    when = update.time.timestamp() if update.time else time.time()
    if update.code == Status.IN_QUEUE and update.rank is not None:
        call.position = max(call.position or 0, update.rank + 1)
    elif update.code in (Status.PROCESSING, Status.PROGRESS, Status.ITERATING) and call.started is None:
        call.started = when
    elif update.code == Status.FINISHED:
        call.ended = when


def send(client: Client, target: str | int, *args, until: float, stop: threading.Event) -> Call:
    """Submit one event (an API name, or the id of an event the page drew) and follow it to its end."""
    call = Call(time.time())
    if isinstance(target, str):
        job = client.submit(*args, api_name=target)
    else:
        job = client.submit(*args, fn_index=target)
    while not job.done():
        if stop.is_set() or time.monotonic() > until:
            job.cancel()
            raise Failure("stopped" if stop.is_set() else f"no answer after {call.wait:.0f} s")
        time.sleep(POLL_S)
    # job.status() keeps only the latest status; the communicator's queue has every status and
    # output, each with the time it arrived, so the moment the job left the queue is not lost.
    updates = job.communicator.updates
    while not updates.empty():
        record(call, updates.get_nowait())
    call.result = job.result()  # an error event raises here
    call.ended = call.ended or time.time()
    return call


# --- what the page shows ---------------------------------------------------------------------


def notice(text: Any) -> tuple[str, str]:
    """The kind (busy, done, warn, error, ...) and message of the first status line in `text`."""
    match = NOTICE.search(text if isinstance(text, str) else "")
    return (match.group(1), html.unescape(match.group(2))) if match else ("", "")


def finished(status: str, done: str) -> bool:
    """True when the request ended as asked, False when it ended with a warning (nothing in the
    corpus, no usable points); anything else is a failure."""
    kind, message = notice(status)
    if kind == "done" and done in message:
        return True
    if kind == "warn":
        return False
    raise Failure(f"ended with {kind or 'no status'}: {message or status!r}"[:300])


def texts_in(pattern: str, text: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(pattern, text or "", re.S)]


def cards(config: dict) -> list[dict[str, dict]]:
    """The point cards a render drew, in page order: each card's first component of each type."""
    by_id = {c["id"]: c for c in config["components"]}
    found: list[dict[str, dict]] = []

    def visit(node: dict, card: dict | None) -> None:
        kind = by_id.get(node["id"], {}).get("type")
        if kind == "group":
            card = {}
            found.append(card)
        elif card is not None and kind:
            card.setdefault(kind, by_id[node["id"]])
        for child in node.get("children", []):
            visit(child, card)

    visit(config["layout"], None)
    return found


def chain(config: dict, textbox: int) -> tuple[int, int, int]:
    """The ids of the 扩写此要点 events of the card holding `textbox`: check, model job, end."""
    deps = config["dependencies"]
    start = next(d for d in deps if str(d["api_name"]).startswith("expand_") and not d["queue"]
                 and textbox in d["inputs"])
    # Between the check and the model job a gate (not queued) stops a refused request.
    run = start
    while run is start or not run["queue"]:
        run = next(d for d in deps if d.get("trigger_after") == run["id"])
    end = next(d for d in deps if d.get("trigger_after") == run["id"])
    return start["id"], run["id"], end["id"]


# --- a session ---------------------------------------------------------------------------------


@dataclass
class Request:
    session: int
    kind: str
    detail: str = ""
    started: float = 0.0
    ended: float = 0.0
    model: Call | None = None  # the job that went through the model queue
    failure: str = ""
    cross_talk: str = ""
    warned: bool = False

    @property
    def latency(self) -> float:
        return self.ended - self.started


class Session:
    """One browser tab: its own client and inputs, and what its page should show."""

    def __init__(self, n: int, url: str, inputs: Inputs, stop: threading.Event):
        self.n = n
        self.inputs = inputs
        self.stop = stop
        self.client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
        self.render_id = next(d["id"] for d in self.client.config["dependencies"]
                              if d.get("render_id") is not None)
        self.pools = {name: cycle(getattr(inputs, name)) for name in ("points", "questions", "queries")}
        self.points: list[tuple[str, bool]] = []  # the outline: each point and whether it is expanded
        self.asks: list[str] = []
        self.drafted = False
        # After a failed request the server may hold more or less than this session knows of:
        # the next look at each view takes what it shows instead of comparing.
        self.stale: set[str] = set()
        self.until = 0.0

    def send(self, target: str | int, *args) -> Call:
        return send(self.client, target, *args, until=self.until, stop=self.stop)

    def run(self, kind: str, until: float) -> Request:
        request = Request(self.n, kind, started=time.time())
        self.until = until
        try:
            getattr(self, kind)(request)
        except CrossTalk as exc:
            request.cross_talk = str(exc)
        except Exception as exc:  # whatever the client raises, the request failed
            request.failure = f"{type(exc).__name__}: {exc}"[:300]
            self.stale = {"transcript", "outline"}
        request.ended = time.time()
        if request.model and request.model.wait > TOLD_AFTER_S and request.model.position is None:
            request.failure = request.failure or f"waited {request.model.wait:.0f} s without a queue position"
        return request

    def model_job(self, request: Request, events: tuple[str | int, str | int, str | int], *args) -> Any:
        """A click on a model button: the check at once, the job in the model queue, then the end."""
        kind, message = notice(self.send(events[0], *args).result)
        if kind != "busy":
            raise Failure(f"refused: {message}")
        try:
            request.model = self.send(events[1], *args)
        finally:
            self.send(events[2])
        return request.model.result

    @staticmethod
    def named(name: str) -> tuple[str, str, str]:
        return f"/{name}_start", f"/{name}", f"/{name}_end"

    # --- the requests ------------------------------------------------------------------

    def search(self, request: Request) -> None:
        query = request.detail = next(self.pools["queries"])
        results = self.send("/search", query).result
        if notice(results)[0]:
            raise Failure(f"search answered {notice(results)}")
        heading = texts_in(r'<p class="muted">“(.*?)”的检索结果：</p>', results)
        if heading != [query]:
            raise CrossTalk(f"results for {heading} instead of “{query}”")
        if 'class="result"' not in results:
            raise Failure(f"nothing found for “{query}”")

    def ask(self, request: Request) -> None:
        question = request.detail = next(self.pools["questions"])
        status, transcript, *_ = self.model_job(request, self.named("ask"), question, DRAFT_LENGTH)
        shown = texts_in(r'<div class="ask">(.*?)</div>', transcript)
        expected, self.asks = [*self.asks, question], shown
        self.check_list("transcript", shown, expected)
        request.warned = not finished(status, "完成")

    def outline(self, request: Request) -> None:
        request.detail = self.inputs.topic
        self.drafted = True
        args = (self.inputs.topic, "", POINT_COUNT)
        status, _sources = self.model_job(request, self.named("outline"), *args)
        if finished(status, "已拟定"):
            # The points are those of the outline this request streamed, parsed as the app parses it.
            streamed = [notice(out[0])[1] for out in request.model.outputs if isinstance(out, tuple)]
            reply = next(s for s in reversed(streamed) if s.startswith(OUTLINE_STREAM))
            most = parse_points_arg(POINT_COUNT)[1]
            self.points = [(p, False) for p in parse_points(tidy(reply[len(OUTLINE_STREAM):]), most)]
        else:
            request.warned = True
        self.draw()

    def expand(self, request: Request) -> None:
        point = request.detail = next(self.pools["points"])
        self.drafted = True
        status, _ = self.send("/add_point", point).result
        if status:
            raise Failure(f"add_point answered {notice(status)}")
        self.points.append((point, False))
        config = self.draw()
        textbox = [c["textbox"]["id"] for c in cards(config)][-1]
        args = (point, DRAFT_LENGTH, self.inputs.topic, "")
        status, section, sources, *_ = self.model_job(request, chain(config, textbox), *args)
        if not finished(status, "扩写完成"):
            request.warned = True
            return
        if 'class="draft"' not in section:
            raise Failure("the section is empty")
        self.points[-1] = (point, True)
        expanded = [text for text, done in self.points if done]
        self.check_list("sources", texts_in(r'<section class="group"><h4>(.*?)</h4>', sources), expanded)

    def check(self, request: Request) -> None:
        """The session's outline and assembled speech once its requests are done."""
        request.detail = self.inputs.topic
        self.draw()
        expanded = [text for text, done in self.points if done]
        if not expanded:
            return
        # Without opening and closing nothing is generated: it runs at once, beside the model queue.
        status, editor, _ = self.send("/assemble_now", "", False, DRAFT_LENGTH).result
        finished(status, "已组稿")
        lines = (editor or "").splitlines()
        self.check_list("speech title", lines[:1], [f"# {self.inputs.topic}"])
        self.check_list("speech headings", [line[3:] for line in lines if line.startswith("## ")], expanded)

    # --- what the page shows, against what this session did ----------------------------------

    def check_list(self, what: str, shown: list, expected: list) -> None:
        if what in self.stale:
            self.stale.discard(what)
            return
        if shown != expected:
            raise CrossTalk(f"{what}: shown {shown}, expected {expected}"[:400])

    def draw(self) -> dict:
        """Draw the outline as the page does when it changes; its cards must be this session's
        points, with a section under exactly those it expanded."""
        config = self.send(self.render_id).final["render_config"]
        # The events the render drew become callable through this client, as on the page.
        self.client.config["components"] += config["components"]
        for dep in config["dependencies"]:
            self.client.endpoints[dep["id"]] = Endpoint(self.client, dep["id"], dep, self.client.protocol)
        shown = [(c["textbox"]["props"]["value"], bool(c["html"]["props"].get("value")))
                 for c in cards(config)]
        expected, self.points = self.points, shown  # later checks start from what is shown
        self.check_list("outline", shown, expected)
        return config

    def close(self) -> None:
        self.client.close()


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wengao(*args: str) -> list[str]:
    return [sys.executable, "-m", "ui", *args]


def start_server(args: argparse.Namespace, home: Path) -> tuple[str, subprocess.Popen]:
    """`wengao serve` on a free loopback port over an index of data/corpus in `home`."""
    env = os.environ | {"WENGAO_HOME": str(home)}
    if not args.model:
        env["WENGAO_LLM"] = SMALL_MODEL
    index = home / "index"
    if args.index:
        shutil.copytree(args.index, index)
    else:
        print("building the index of data/corpus ...", flush=True)
        built = subprocess.run(wengao("ingest", str(ROOT / "data" / "corpus"), "--index", str(index)),
                               env=env, capture_output=True, text=True)
        if built.returncode:
            raise RuntimeError(f"wengao ingest failed:\n{built.stdout[-2000:]}{built.stderr[-2000:]}")
    port = free_port()
    command = wengao("serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index))
    command += ["--model", args.model] if args.model else []
    with (home / "serve.log").open("w") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return f"http://127.0.0.1:{port}", proc
        time.sleep(1)
    stop_server(proc)
    raise RuntimeError(f"wengao serve did not start:\n{(home / 'serve.log').read_text('utf-8')[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def loopback(url: str) -> str:
    host = urlparse(url).hostname or ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host == "localhost"
    if not local:
        raise argparse.ArgumentTypeError(f"{url}: the load test only targets this machine (127.0.0.1)")
    return url


# --- the run -----------------------------------------------------------------------------------------


@dataclass
class Run:
    """What all sessions share: the server, the options, the clock and the signal to stop."""

    url: str
    args: argparse.Namespace
    began: float = field(default_factory=time.time)
    deadline: float = 0.0  # time.monotonic() after which no request starts
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.args.timeout
        self.ready = threading.Barrier(self.args.sessions)


def progress(request: Request, began: float) -> None:
    """One line per finished request, so that a long run shows how it goes."""
    outcome = ("CROSS-TALK" if request.cross_talk else "FAILURE" if request.failure
               else "warning" if request.warned else "ok")
    queued = (f" (queued {request.model.wait:.1f} s, place {request.model.position})"
              if request.model else "")
    print(f"  +{time.time() - began:7.1f} s  session {request.session}  {request.kind:8}"
          f"{request.latency:7.1f} s{queued}  {outcome}", flush=True)


def session_run(n: int, inputs: Inputs, kinds: list[str], run: Run) -> list[Request]:
    """One session's requests in order, then the check of its state; requests left when time
    runs out are failures."""
    try:
        session = Session(n, run.url, inputs, run.stop)
    except Exception as exc:  # the server is unreachable: every request of this session fails
        run.ready.abort()
        return [Request(n, kind, failure=f"could not connect: {exc}") for kind in kinds]
    try:
        try:
            run.ready.wait(timeout=120)  # every session connected: the requests start together
        except threading.BrokenBarrierError:
            pass  # another session could not connect; this one goes on
        done = []
        for kind in [*kinds, "check"]:
            if kind == "check" and not session.drafted:
                break
            if run.stop.is_set() or time.monotonic() > run.deadline:
                done.append(Request(n, kind, failure="not run before the overall timeout"))
                continue
            done.append(session.run(kind, min(time.monotonic() + run.args.request_timeout, run.deadline)))
            progress(done[-1], run.began)
        return done
    finally:
        session.close()


def fifo_violations(requests: list[Request], tolerance: float) -> list[tuple[Request, Request]]:
    """(earlier, later) for each model job that started before one submitted earlier: the later
    job jumped the queue. The times are taken by the client, each late by its thread's turn on
    a busy machine: submits, and starts, less than `tolerance` s apart are not ordered."""
    started = [r for r in requests if r.model and r.model.started is not None]
    return [(early, late) for late in started for early in started
            if early.model.submitted + tolerance < late.model.submitted
            and late.model.started + tolerance < early.model.started]


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"p50 {percentile(values, 0.5):7.1f}  p95 {percentile(values, 0.95):7.1f}  max {max(values):7.1f}"


def timeline(request: Request, began: float) -> str:
    job = request.model
    return (f"session {request.session} {request.kind} (submitted +{job.submitted - began:.3f} s, "
            f"started +{job.started - began:.1f} s)")


def report(requests: list[Request], began: float, tolerance: float) -> tuple[int, int, int]:
    """Print the figures; returns (failures, cross_talk, fifo violations)."""
    ran = [r for r in requests if r.ended]
    elapsed = max((r.ended for r in ran), default=began) - began
    print("\nlatency (s), whole request:")
    for kind in (*KINDS, "check"):
        values = [r.latency for r in ran if r.kind == kind]
        if values:
            print(f"  {kind:8} n={len(values):3}  {spread(values)}")
    print(f"  {'all':8} n={len(ran):3}  {spread([r.latency for r in ran])}")
    jobs = [r.model for r in ran if r.model]
    told = [j for j in jobs if j.position]
    print(f"model queue wait (s): n={len(jobs)}  {spread([j.wait for j in jobs])}")
    print(f"  jobs told their place in the queue: {len(told)}, furthest back: "
          f"{max((j.position for j in told), default=0)}")
    print(f"throughput: {len(ran) / max(elapsed, 1e-9) * 60:.1f} requests/min "
          f"({len(ran)} in {elapsed:.0f} s)")
    warned = [r for r in requests if r.warned]
    if warned:
        print(f"answered with a warning instead of a draft (corpus judged off-topic, no usable points): "
              f"{len(warned)}")
    failures = [r for r in requests if r.failure]
    cross = [r for r in requests if r.cross_talk]
    for r in failures:
        print(f"FAILURE  session {r.session} {r.kind} “{r.detail}”: {r.failure}")
    for r in cross:
        print(f"CROSS-TALK  session {r.session} {r.kind} “{r.detail}”: {r.cross_talk}")
    jumps = fifo_violations(ran, tolerance)
    for early, late in jumps:
        print(f"FIFO: {timeline(late, began)} started before {timeline(early, began)}")
    return len(failures), len(cross), len({id(late) for _, late in jumps})


def drive(run: Run) -> list[Request]:
    """All sessions at once; each sends its own requests one after another."""
    args = run.args
    per_session = plan(args.mix, args.requests, args.sessions, args.seed)
    inputs = session_inputs(args.sessions)
    pool = ThreadPoolExecutor(args.sessions, thread_name_prefix="session")
    futures = [pool.submit(session_run, n, inputs[n], per_session[n], run) for n in range(args.sessions)]
    try:
        return [r for f in futures for r in f.result()]
    finally:
        run.stop.set()  # on Ctrl-C or an error, the sessions stop at their next poll
        pool.shutdown(wait=True, cancel_futures=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help="browser sessions at once")
    parser.add_argument("--requests", type=int, default=40, help="requests in all sessions together")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix(DEFAULT_MIX),
                        help=f"weights of the request kinds (default {DEFAULT_MIX})")
    parser.add_argument("--seed", type=int, default=0, help="shuffles the kinds among the sessions")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--model", help="GGUF file for the server to load (default: the 0.5B model)")
    target.add_argument("--url", type=loopback, help="a workspace already running on this machine")
    parser.add_argument("--index", type=Path, help="an index of data/corpus to copy instead of building one")
    parser.add_argument("--request-timeout", type=float, default=900, help="seconds per request")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for the whole run")
    parser.add_argument("--fifo-tolerance-ms", type=float, default=500,
                        help="submits, and starts, closer than this are not ordered (client-side times)")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.requests < 0:
        parser.error("--sessions must be at least 1 and --requests not negative")
    return args


def describe(args: argparse.Namespace) -> str:
    split = ", ".join(f"{n} {kind}" for kind, n in counts(args.mix, args.requests).items())
    return (f"mix: {split} over {args.sessions} sessions (seed {args.seed}); sections and answers "
            f"{DRAFT_LENGTH} 字, outlines {POINT_COUNT} 要点; then one check per session that drafted "
            f"(outline drawn, speech assembled without generation)")


@contextmanager
def serving(args: argparse.Namespace) -> Iterator[str]:
    """The server's address while the run lasts: the given --url, or a server started here."""
    if args.url:
        yield args.url
        return
    home = Path(tempfile.mkdtemp(prefix="wengao-load-"))
    proc = None
    try:
        url, proc = start_server(args, home)
        yield url
        tracebacks = (home / "serve.log").read_text("utf-8").count("Traceback")
        print(f"server log: {tracebacks} tracebacks")
    finally:
        if proc:
            stop_server(proc)
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(describe(args), flush=True)
    with serving(args) as url:  # the server started here stops at the end, also on Ctrl-C
        print(f"server: {url}", flush=True)
        run = Run(url, args)
        requests = drive(run)
    failures, cross_talk, late = report(requests, run.began, args.fifo_tolerance_ms / 1000)
    print(f"fifo_violations={late}")
    print(f"failures={failures} cross_talk={cross_talk}")
    return 1 if failures or cross_talk else 0


if __name__ == "__main__":
    sys.exit(main())
