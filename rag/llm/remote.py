"""The generator over an OpenAI-compatible model server instead of a GGUF loaded in this process.

Several people can then share one model (llama-cpp-python's `python -m
llama_cpp.server`, llama.cpp's `llama-server`, vLLM), and the machine running
the workspace needs no model at all. `RemoteGenerator` has the interface the
drafting code uses from `rag.llm.local.Generator`: `stream`, `timings`, `reset`, `name`.

Requests are `POST {url}/chat/completions` with `stream: true`; the reply is
read as server-sent events. Fields beyond OpenAI's, and how the servers treat them:

- `top_k`, `min_p` (with `top_p`): the in-process sampler's values, so a server
  samples as `Generator` does. All three servers accept them.
- `repeat_penalty` (llama-cpp-python, llama-server) and `repetition_penalty`
  (vLLM) both carry the same value. Each server ignores the name it does not
  know: llama-cpp-python's request model drops unknown fields, llama-server
  reads only the keys it knows, vLLM accepts extra fields and only logs that it
  ignored them. vLLM applies its penalty to the prompt's tokens too, llama.cpp
  only to the last 64 tokens, so at 1.1 vLLM leans a little more away from the
  passages' wording.
- `stream_options: {include_usage: true}`: vLLM and llama-server then send the
  token counts in a last event; llama-cpp-python ignores it and sends none, so
  generated tokens are counted from the chunks (one per token there) and the
  prompt's size is unknown (0).

The passages go to that server with every request: it belongs on one's own network.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import httpx

from rag.errors import WengaoError
from rag.llm.copyblock import CopyBlock
from rag.llm.local import SAMPLER, Timings, split_at_stop
from rag.settings import Settings

CONNECT_TIMEOUT_S = 5.0
# How often a waiting stream looks at its cancel flag: a cancel lands within this.
CANCEL_POLL_S = 0.05
# Why a reply breaks off, most often: llama-cpp-python just ends the stream on an over-long prompt.
CUT_SHORT = ("常见原因是提示超过了服务器模型的上下文长度（如 llama_cpp.server 的 --n_ctx），"
             "或服务器出错；请查看服务器日志。")
# Enough of a server's error body to say what went wrong, not a whole traceback.
DETAIL_CHARS = 300


def server_url(url: str) -> str:
    """The base URL requests are made under, checked; a URL without a path gets /v1."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WengaoError(
            f"模型服务器地址 {url!r} 无效：应以 http:// 或 https:// 开头并写明主机，"
            "如 http://127.0.0.1:8000/v1。"
        )
    if parts.username or parts.password:
        raise WengaoError("模型服务器地址里不要写用户名或口令；API 密钥请用环境变量 WENGAO_LLM_API_KEY。")
    path = parts.path.rstrip("/") or "/v1"
    return f"{parts.scheme}://{parts.netloc}{path}"


def sse_data(lines: Iterable[str]) -> Iterator[str]:
    """The data of each server-sent event; comments (`: ping`) and other fields carry nothing used here."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
            data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield "\n".join(data)


def server_words(body: object) -> str:
    """What a server says went wrong: OpenAI's `error.message`, FastAPI's `detail`, else the body."""
    if isinstance(body, dict):
        error = body.get("error")
        body = error.get("message", error) if isinstance(error, dict) else error or body.get("detail", body)
    return " ".join(str(body).split())[:DETAIL_CHARS]


def _detail(response: httpx.Response) -> str:
    response.read()
    try:
        return server_words(response.json())
    except ValueError:
        return server_words(response.text)


def _delta(chunk: object) -> tuple[str, str | None, dict]:
    """(text, finish reason, usage) of one streamed chunk; the usage event has no choices."""
    if not isinstance(chunk, dict):
        raise TypeError("not an object")
    text, finish = "", None
    for choice in chunk.get("choices") or []:
        text += (choice.get("delta") or {}).get("content") or ""
        finish = choice.get("finish_reason") or finish
    return text, finish, chunk.get("usage") or {}


@contextmanager
def _shut_on_cancel(response: httpx.Response, cancel: threading.Event | None) -> Iterator[None]:
    """Shut the response's socket when `cancel` is set: a read waiting on the server returns at
    once and the server sees the client leave (closing the socket alone wakes neither)."""
    if cancel is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(CANCEL_POLL_S):
                sock = response.extensions["network_stream"].get_extra_info("socket")
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                return

    threading.Thread(target=watch, daemon=True).start()
    try:
        yield
    finally:
        done.set()


class RemoteGenerator:
    """Streams chat completions from an OpenAI-compatible server; `timings` describe the last call."""

    def __init__(self, url: str, model: str = "", api_key: str | None = None, timeout: float = 600.0):
        self.url = server_url(url)
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # trust_env=False: the passages go straight to the server named, never through a proxy
        # that happens to be set in the environment.
        self.client = httpx.Client(base_url=self.url, headers=headers, trust_env=False,
                                   timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT_S))
        self.timings = Timings()
        # Asking for the model list first also checks the address and key before anything slow.
        self.model = model or self._served_model()
        self.name = f"{self.model} @ {self.url}"

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteGenerator:
        return cls(str(settings.llm_server), settings.llm_server_model, settings.llm_api_key,
                   float(settings.llm_server_timeout))

    def reset(self) -> None:
        """Nothing is kept here between requests; the server manages its own cache."""

    @contextmanager
    def _calling(self, path: str) -> Iterator[None]:
        """The transport's failures as errors that name the server and what to check."""
        where = f"{self.url}{path}"
        try:
            yield
        except httpx.ConnectTimeout:
            raise WengaoError(f"连接模型服务器 {where} 超时（{CONNECT_TIMEOUT_S:.0f} 秒）。"
                              "请检查地址、网络和防火墙。") from None
        except httpx.ConnectError as exc:
            raise WengaoError(
                f"连接不上模型服务器 {where}（{exc}）。请检查服务器是否已启动、地址和端口是否正确，"
                "例如 python -m llama_cpp.server --model 模型.gguf --host 127.0.0.1 --port 8000。"
            ) from None
        except httpx.TimeoutException:
            raise WengaoError(
                f"模型服务器 {where} 在 {self.timeout:.0f} 秒内没有回应。服务器可能正忙于别人的请求，"
                "可稍后重试，或调大设置 llm_server_timeout（环境变量 WENGAO_LLM_SERVER_TIMEOUT）。"
            ) from None
        except httpx.HTTPError as exc:
            raise WengaoError(
                f"模型服务器 {where} 没有写完就断开了连接（{type(exc).__name__}）。{CUT_SHORT}") from None

    def _refused(self, response: httpx.Response) -> WengaoError:
        code, where = response.status_code, response.request.url
        detail = _detail(response)
        if code in (401, 403):
            hint = "请检查 API 密钥（环境变量 WENGAO_LLM_API_KEY 或设置 llm_api_key）。"
        elif code == 404:
            hint = ("地址通常以 /v1 结尾；若服务器提供多个模型，请用设置 llm_server_model"
                    "（环境变量 WENGAO_LLM_SERVER_MODEL）指定其中一个。")
        elif code >= 500:
            hint = "服务器出错，请查看服务器日志。"
        else:
            hint = "提示可能超过了服务器模型的上下文长度。"
        return WengaoError(f"模型服务器 {where} 拒绝了请求（HTTP {code}：{detail}）。{hint}")

    def _malformed(self, data: str) -> WengaoError:
        return WengaoError(
            f"模型服务器 {self.url} 返回的内容无法解析（{data[:80]!r}）。"
            "请确认它提供 OpenAI 兼容的 /chat/completions 流式接口。"
        )

    def _served_model(self) -> str:
        """The first model the server lists: the one a single-model server runs."""
        with self._calling("/models"):
            response = self.client.get("/models")
        if response.status_code >= 400:
            raise self._refused(response)
        try:
            return str(response.json()["data"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            raise self._malformed(response.text) from None

    def _payload(self, messages: list[dict], max_tokens: int, temperature: float, stop: list[str],
                 seed: int | None, repeat_penalty: float) -> dict:
        payload = {
            "model": self.model, "messages": messages, "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": max_tokens, "temperature": temperature,
            "top_p": SAMPLER["top_p"], "top_k": SAMPLER["top_k"], "min_p": SAMPLER["min_p"],
            "repeat_penalty": repeat_penalty, "repetition_penalty": repeat_penalty,
        }
        if stop:
            payload["stop"] = stop
        if seed is not None:
            payload["seed"] = seed
        return payload

    def stream(
        self,
        messages: list[dict],
        max_tokens: int,
        temperature: float = 0.3,
        stop: list[str] | None = None,
        cancel: threading.Event | None = None,
        seed: int | None = None,
        repeat_penalty: float = 1.0,
        block: CopyBlock | None = None,
    ) -> Iterator[str]:
        """Yield the reply in pieces as the server sends them; `timings` describes the call when it ends.

        `block` is not enforced: a server takes no logits processor. The rewrite pass after
        the draft (rag/write/rewrite.py) holds a server's copying down instead.
        """
        start = time.perf_counter()
        t = self.timings = Timings()
        stops = [s for s in stop or [] if s]
        try:
            if cancel is not None and cancel.is_set():
                t.finish = "cancel"
                return
            payload = self._payload(messages, max_tokens, temperature, stops, seed, repeat_penalty)
            with (self._calling("/chat/completions"),
                  self.client.stream("POST", "/chat/completions", json=payload) as response):
                if response.status_code >= 400:
                    raise self._refused(response)
                with _shut_on_cancel(response, cancel):
                    yield from self._read(response, stops, cancel, start)
        finally:
            t.total_s = time.perf_counter() - start

    def _parse(self, data: str) -> tuple[str, str | None, dict]:
        """(text, finish reason, usage) of one event, or a clear error for what is not a chunk."""
        try:
            chunk = json.loads(data)
            if isinstance(chunk, dict) and chunk.get("error"):
                raise WengaoError(f"模型服务器 {self.url} 报错：{server_words(chunk)}。请查看服务器日志。")
            return _delta(chunk)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise self._malformed(data) from None

    def _read(self, response: httpx.Response, stops: list[str], cancel: threading.Event | None,
              start: float) -> Iterator[str]:
        t = self.timings
        cancelled = cancel.is_set if cancel is not None else lambda: False
        pending, first, last, chunks, usage, done = "", 0.0, 0.0, 0, {}, False
        try:
            for data in sse_data(response.iter_lines()):
                t.prompt_eval_s = t.prompt_eval_s or time.perf_counter() - start
                if data == "[DONE]":
                    done = True
                    break
                piece, finish, now_usage = self._parse(data)
                t.finish, usage = finish or t.finish, now_usage or usage
                if piece:
                    last = time.perf_counter()
                    first = first or last
                    chunks += 1
                text, pending, hit = split_at_stop(pending + piece, stops)
                if text:
                    t.ttft_s = t.ttft_s or time.perf_counter() - start
                    yield text
                if hit:
                    t.finish = "stop"
                    break
                if cancelled():
                    break
        except httpx.HTTPError:
            if not cancelled():
                raise
            # the socket was shut under the read: a cancel, not a failure
        finally:
            # Also when the caller stops reading (a section long enough): the figures stay true.
            t.decode_s = last - first
            t.generated_tokens = usage.get("completion_tokens") or chunks
            t.prompt_tokens = usage.get("prompt_tokens") or 0
            t.cached_tokens = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        if cancelled() and not done and t.finish != "stop":
            t.finish = "cancel"
            return
        if not (t.finish or done):
            raise WengaoError(
                f"模型服务器 {self.url} 的回复没有正常结束（既无 finish_reason 也无 [DONE]）。{CUT_SHORT}")
        t.finish = t.finish or "stop"
        if pending:
            yield pending
