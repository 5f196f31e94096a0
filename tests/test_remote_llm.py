"""Generating through an OpenAI-compatible model server: a scripted server on loopback for streaming,
stop strings, cancelling and every failure (fast), then llama-cpp-python's own server with the real
pipeline (marked `models`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from rag.cli import SUBCOMMANDS, build_parser, main
from rag.cli.common import settings_from
from rag.errors import WengaoError
from rag.llm.generate import generator_for
from rag.llm.remote import RemoteGenerator, server_url, sse_data
from rag.settings import load_settings

MESSAGES = [{"role": "system", "content": "你是讲话稿写作助手。"}, {"role": "user", "content": "谈谈督查工作。"}]


def chunk(content: str | None = None, finish: str | None = None) -> dict:
    delta = {} if content is None else {"content": content}
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


class FakeServer:
    """An OpenAI-compatible server on 127.0.0.1 whose chat replies each test scripts.

    `reply(handler)` answers POST /v1/chat/completions; the request bodies and headers are kept.
    """

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        self.reply: Callable[[BaseHTTPRequestHandler], None] = events(["督查", "工作", "要抓实。"])
        self.models_status = 200
        self.client_left = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self.headers_seen()
                if self.path != "/v1/models":
                    return send_json(self, 404, {"detail": "Not Found"})
                if server.models_status != 200:
                    return send_json(self, server.models_status, {"error": {"message": "Invalid API key"}})
                send_json(self, 200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

            def do_POST(self) -> None:
                self.headers_seen()
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.bodies.append(json.loads(body))
                try:
                    server.reply(self)
                except (BrokenPipeError, ConnectionResetError):
                    server.client_left.set()

            def headers_seen(self) -> None:
                server.headers.append(dict(self.headers))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send_json(handler: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def start_events(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.end_headers()
    handler.wfile.flush()


def write_event(handler: BaseHTTPRequestHandler, data: str) -> None:
    handler.wfile.write(f"data: {data}\n\n".encode())
    handler.wfile.flush()


def events(pieces: list[str], finish: str = "stop", usage: dict | None = None, delay: float = 0.0,
           lead: float = 0.0):
    """A reply as llama-cpp-python streams it (a role chunk, one chunk per piece, the finish, [DONE]),
    with a usage event as vLLM sends it when `usage` is given. For `lead` seconds before the first
    chunk it sends keep-alive comments, as a server reading a long prompt does."""

    def reply(handler: BaseHTTPRequestHandler) -> None:
        start_events(handler)
        until = time.monotonic() + lead
        while time.monotonic() < until:
            handler.wfile.write(b": ping\n\n")
            handler.wfile.flush()
            time.sleep(0.02)
        write_event(handler, json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}))
        for piece in pieces:
            time.sleep(delay)
            write_event(handler, json.dumps(chunk(piece), ensure_ascii=False))
        write_event(handler, json.dumps(chunk(finish=finish)))
        if usage is not None:
            write_event(handler, json.dumps({"choices": [], "usage": usage}))
        write_event(handler, "[DONE]")

    return reply


@pytest.fixture
def server():
    fake = FakeServer()
    yield fake
    fake.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- streaming ----------------------------------------------------------------------------


def test_streams_the_reply_with_the_request_options(server):
    usage = {"prompt_tokens": 210, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 180}}
    server.reply = events(["同志们", "要抓", "落实。"], usage=usage)
    gen = RemoteGenerator(server.url)
    pieces = list(gen.stream(MESSAGES, max_tokens=64, temperature=0.2, seed=7, repeat_penalty=1.1))
    assert pieces == ["同志们", "要抓", "落实。"]
    body = server.bodies[-1]
    assert body["model"] == "fake-model" and body["messages"] == MESSAGES and body["stream"] is True
    assert (body["max_tokens"], body["temperature"], body["seed"]) == (64, 0.2, 7)
    # Both servers' names for the penalty; each ignores the one it does not know.
    assert body["repeat_penalty"] == body["repetition_penalty"] == 1.1
    assert body["stream_options"] == {"include_usage": True} and "stop" not in body
    t = gen.timings
    assert (t.prompt_tokens, t.cached_tokens, t.generated_tokens, t.finish) == (210, 180, 3, "stop")
    assert 0 < t.prompt_eval_s <= t.ttft_s <= t.total_s


def test_without_usage_tokens_are_counted_from_the_chunks(server):
    server.reply = events(["一", "二", "三", "四"], finish="length", delay=0.01, lead=0.1)
    gen = RemoteGenerator(server.url, model="named")
    assert "".join(gen.stream(MESSAGES, max_tokens=4)) == "一二三四"
    t = gen.timings
    assert (t.prompt_tokens, t.generated_tokens, t.finish) == (0, 4, "length")
    assert t.decode_tps > 0 and t.ttft_s >= 0.1  # the keep-alive comments are not text
    assert server.bodies[-1]["model"] == "named" and "seed" not in server.bodies[-1]


def test_stop_strings_are_sent_and_cut_even_across_chunks(server):
    server.reply = events(["第一段", "。", "\n第二段"])
    gen = RemoteGenerator(server.url)
    assert "".join(gen.stream(MESSAGES, max_tokens=50, stop=["。\n"])) == "第一段"
    assert server.bodies[-1]["stop"] == ["。\n"] and gen.timings.finish == "stop"
    # A held-back start of a stop string that never completes is text after all.
    server.reply = events(["好", "。"])
    assert "".join(gen.stream(MESSAGES, max_tokens=50, stop=["。\n"])) == "好。"


def test_sse_events_join_data_lines_and_skip_comments():
    lines = [": ping", "", "data: {\"a\":", "data: 1}", "", "event: x", "data:[DONE]"]
    assert list(sse_data(lines)) == ['{"a":\n1}', "[DONE]"]


def test_a_langchain_chain_streams_through_the_server(server):
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from rag.llm.local import WengaoChatModel

    prompt = ChatPromptTemplate.from_messages([("human", "谈谈{topic}。")])
    chain = prompt | WengaoChatModel(generator=RemoteGenerator(server.url)) | StrOutputParser()
    assert [c for c in chain.stream({"topic": "督查"}) if c] == ["督查", "工作", "要抓实。"]


# --- cancelling -----------------------------------------------------------------------------


def test_cancel_between_pieces_leaves_the_server(server):
    server.reply = events(["字"] * 200, delay=0.02)
    gen = RemoteGenerator(server.url)
    cancel = threading.Event()
    pieces = []
    for piece in gen.stream(MESSAGES, max_tokens=200, cancel=cancel):
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()
    assert pieces == ["字"] * 3 and gen.timings.finish == "cancel"
    assert server.client_left.wait(2)


def test_cancel_while_the_server_reads_the_prompt(server):
    server.reply = events(["晚了"], lead=10)
    gen = RemoteGenerator(server.url)
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    start = time.perf_counter()
    assert list(gen.stream(MESSAGES, max_tokens=20, cancel=cancel)) == []
    assert time.perf_counter() - start < 1.5 and gen.timings.finish == "cancel"
    assert server.client_left.wait(2)


def test_cancel_before_start_sends_nothing(server):
    gen = RemoteGenerator(server.url)
    cancel = threading.Event()
    cancel.set()
    assert list(gen.stream(MESSAGES, max_tokens=20, cancel=cancel)) == []
    assert gen.timings.finish == "cancel" and server.bodies == []


# --- failures: a clear message naming the server, never a traceback ----------------------------


def status_reply(status: int, payload: dict):
    return lambda handler: send_json(handler, status, payload)


def raw_reply(*data: str):
    def reply(handler: BaseHTTPRequestHandler) -> None:
        start_events(handler)
        for item in data:
            write_event(handler, item)

    return reply


def slow_reply(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(1.0)
    events(["迟"])(handler)


@pytest.mark.parametrize("reply, expected", [
    (status_reply(500, {"error": {"message": "boom", "type": "internal_server_error"}}), ["HTTP 500", "boom", "服务器日志"]),
    (status_reply(400, {"detail": "Requested tokens exceed context window"}), ["HTTP 400", "context window"]),
    (raw_reply("this is not json"), ["无法解析", "OpenAI 兼容"]),
    (raw_reply(json.dumps({"choices": "nope"})), ["无法解析"]),
    (raw_reply(json.dumps({"error": {"message": "context is full"}})), ["报错", "context is full"]),
    (raw_reply(json.dumps(chunk("半句"))), ["没有正常结束", "上下文长度"]),
    (slow_reply, ["秒内没有回应", "llm_server_timeout"]),
], ids=["5xx", "4xx", "not-json", "not-a-chunk", "error-event", "cut-short", "timeout"])
def test_server_failures_are_clear_errors(server, reply, expected):
    server.reply = reply
    gen = RemoteGenerator(server.url, timeout=0.3)
    with pytest.raises(WengaoError) as info:
        list(gen.stream(MESSAGES, max_tokens=20))
    message = str(info.value)
    assert server.url in message and all(part in message for part in expected), message


def test_connection_refused_names_the_server_and_what_to_check(capsys, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(WengaoError, match="连接不上模型服务器.*是否已启动"):
        RemoteGenerator(url)
    # The command line fails with exit code 2 before loading anything else.
    assert main(["expand", "抓好督查落实", "--llm-server", url, "--index", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert url in err and "Traceback" not in err


def test_the_api_key_is_sent_and_never_shown(server, monkeypatch):
    monkeypatch.setenv("WENGAO_LLM_API_KEY", "sk-secret-123")
    monkeypatch.setenv("WENGAO_LLM_SERVER", server.url)
    settings = load_settings()
    assert settings.llm_api_key == "sk-secret-123" and "sk-secret-123" not in repr(settings)
    list(generator_for(settings).stream(MESSAGES, max_tokens=5))
    assert all(h.get("Authorization") == "Bearer sk-secret-123" for h in server.headers)
    server.models_status = 401
    with pytest.raises(WengaoError, match="API 密钥") as info:
        generator_for(settings)
    assert "sk-secret-123" not in str(info.value)


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:8000/v1/", "http://127.0.0.1:8000/v1"),
    ("https://models.internal:8443", "https://models.internal:8443/v1"),
    (" http://10.0.0.5:8000/v1 ", "http://10.0.0.5:8000/v1"),
])
def test_server_urls_are_normalised(url, expected):
    assert server_url(url) == expected


@pytest.mark.parametrize("url, message", [
    ("ftp://127.0.0.1/v1", "http://"), ("127.0.0.1:8000", "http://"), ("http:///v1", "主机"),
    ("http://user:pass@127.0.0.1:8000/v1", "WENGAO_LLM_API_KEY"),
])
def test_bad_server_urls_are_refused(url, message):
    with pytest.raises(WengaoError, match=message) as info:
        server_url(url)
    assert "pass@" not in str(info.value)


# --- one factory: the command line, the workspace and the evaluation all go through it ------------


def test_the_flag_reaches_the_settings_of_every_generating_command():
    from ui import cli as serve

    parser = build_parser((*SUBCOMMANDS, serve))
    url = "http://127.0.0.1:8000/v1"
    for argv in (["expand", "要点"], ["outline", "主题"], ["draft", "主题"], ["ask", "问题"], ["serve"]):
        assert settings_from(parser.parse_args([*argv, "--llm-server", url])).llm_server == url


def test_the_workspace_generates_through_the_configured_server(server, tmp_path, corpus_copy, hash_embedder):
    from rag.index.build import ingest
    from ui.workspace import Workspace

    settings = load_settings(home=tmp_path / "home", index=tmp_path / "index", llm_server=server.url)
    ingest([corpus_copy], settings, progress=False, embedder=hash_embedder)
    ws = Workspace(settings, embedder=hash_embedder)
    assert isinstance(ws.generator, RemoteGenerator) and ws.generator.name == f"fake-model @ {server.url}"
    assert "".join(ws.model(ws.tickets.open()).stream(MESSAGES, max_tokens=8)) == "督查工作要抓实。"


# --- llama-cpp-python's own server with the real pipeline -----------------------------------------


@pytest.fixture(scope="module")
def llama_server():
    """`python -m llama_cpp.server` with the 0.5B model on a free loopback port, stopped at the end."""
    from rag.llm.bundled import resolve_llm

    settings = load_settings(llm="qwen2.5-coder-0.5b")
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(resolve_llm(settings)),
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
               "--n_threads", str(settings.threads), "--logits_all", "false", "--seed", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=os.environ | {"PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, "llama_cpp.server exited while starting"
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "llama_cpp.server did not start within 120 s"
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.models
def test_llama_cpp_server_streams_with_stop_and_timings(llama_server):
    gen = RemoteGenerator(llama_server)
    pieces = list(gen.stream(MESSAGES, max_tokens=40, temperature=0, stop=["。"], repeat_penalty=1.1))
    text = "".join(pieces)
    assert len(pieces) > 1 and sum("\u4e00" <= c <= "\u9fff" for c in text) >= 3 and "。" not in text
    t = gen.timings
    assert t.finish in ("stop", "length") and 1 < t.generated_tokens <= 40 and t.decode_tps > 0


@pytest.mark.models
def test_expand_through_llama_cpp_server_cites_the_corpus(real_index, llama_server, capsys):
    settings, _ = real_index
    point = "要在统筹协调上下功夫"
    code = main(["expand", point, "--topic", "在全市办公室主任会议上的讲话", "--length", "200", "--json",
                 "--llm-server", llama_server, "--index", str(settings.index_dir)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"].startswith(point + "\n") and len(out["text"]) > len(point) + 30
    assert out["citations"] and any(s["supported"] and s["citations"] for s in out["sentences"])
    assert out["timings"]["tokens_per_second"] > 0
