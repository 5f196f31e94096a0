"""The generation layer: one loaded GGUF model per process, streamed output, reused prompt prefixes.

Reading the prompt is the slow part on a CPU (on 2 cores the 1.5B model read a
1,000-token drafting prompt at about 42 tokens/s and decodes about 12), so three
things matter:

- The model is loaded once per process (`get_llm`).
- llama.cpp keeps the KV cache of the last request; the next request only
  evaluates the tokens after the longest common prefix. Prompts therefore put
  the fixed system prompt first and what varies last (see rag/llm/prompts.py).
- When requests alternate between prompts (write a section, rewrite a sentence,
  regenerate the section), the KV state of recent requests is kept in RAM and
  restored when it shares more with the new prompt than the live cache does.

Generation is driven token by token through `Llama.generate` on the prompt the
GGUF's own chat template produces (the same template and sampler settings as
`create_chat_completion`; eval/bench_generation.py checks the texts match).
Driving it ourselves gives exact token counts and timings, a cancel check
between prompt chunks as well as between tokens, and a UTF-8 decoder that
never splits a character across pieces.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import random
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import llama_cpp
import llama_cpp._internals
import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ChatMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from rag.errors import ModelMissing, WengaoError
from rag.llm.bundled import GGUF_MAGIC, resolve_llm
from rag.llm.copyblock import (
    CopyBlock,
    NgramBan,
    evasion_tokens,
    not_in_sources,
    opening_tokens,
    source_lines,
    word_marks,
)
from rag.settings import Settings

DEFAULT_N_CTX = 4096
# Prompt tokens evaluated per llama.cpp call. Cancel is checked between chunks,
# so this bounds how long a cancel waits while the prompt is read (about 6 s on
# the 1.5B model). 256 read within noise of llama.cpp's own 512-token batches
# (eval/bench_generation.py: time to first token 1.03x plain prompt evaluation);
# 128 measured 10-25% slower on the 1.5B.
PREFILL_CHUNK = 256
# Saved KV states kept per model. One state of a ~1,200-token request is about
# 34 MB for the 1.5B model (28 KB per token), 15 MB for the 0.5B.
SAVED_STATES = 4
# Restoring a saved state costs milliseconds; re-reading 32 tokens costs ~0.5 s.
RESTORE_MIN_GAIN = 32
# A saved state is dropped when a newer one shares all but fewer than this many of its prompt tokens.
REDUNDANT_TOKENS = 64
# Sampler settings of `Llama.create_chat_completion`, so both give the same text.
SAMPLER = {"top_k": 40, "top_p": 0.95, "min_p": 0.05, "typical_p": 1.0, "repeat_penalty": 1.0}


def _no_redirect(disable: bool = True) -> contextlib.AbstractContextManager[None]:
    """Stands in for llama_cpp's suppress_stdout_stderr(disable=...), whose signature it keeps."""
    return contextlib.nullcontext()


@llama_cpp.llama_log_callback
def _drop_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    """llama.cpp's own log: a failed load is reported by get_llm, in the user's words."""


# llama-cpp-python quiets a model load by pointing the whole process's stdout and stderr at
# /dev/null. A load runs in a thread beside the search (rag/cli/drafting.py), so what the command
# printed meanwhile (an answer's quotes, a section's sources) was lost. llama.cpp's log is
# dropped instead, at its source.
llama_cpp.llama_log_set(_drop_log, ctypes.c_void_p(0))
# llama.cpp logs while it frees a model, and a model still loaded at exit is freed while the
# interpreter clears modules, after this module's names: a freed callback there was a segfault at
# exit. So the callback is never freed.
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_drop_log))
llama_cpp.llama.suppress_stdout_stderr = _no_redirect
llama_cpp._internals.suppress_stdout_stderr = _no_redirect

_llms: dict[tuple[Path, int], llama_cpp.Llama] = {}
_llms_lock = threading.Lock()


def _check_gguf(path: Path) -> None:
    if not path.exists():
        raise ModelMissing(
            f"找不到生成模型文件：{path}。内置模型请运行 `wengao models pull` 下载；"
            "自备模型请检查设置 llm_model 的路径。"
        )
    if not path.is_file():
        raise ModelMissing(f"生成模型路径 {path} 不是文件，请指定一个 .gguf 模型文件。")
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(GGUF_MAGIC))
    except OSError as exc:
        raise WengaoError(f"无法读取生成模型文件 {path}：{exc.strerror or exc}。请检查文件权限。") from exc
    if magic != GGUF_MAGIC:
        raise WengaoError(
            f"{path} 不是 GGUF 格式的模型文件（文件开头没有 GGUF 标识），请指定 llama.cpp 使用的 .gguf 文件。"
        )


def get_llm(path: Path, n_ctx: int = DEFAULT_N_CTX, threads: int = 2) -> llama_cpp.Llama:
    """The loaded model for (path, n_ctx), loading it on first use; `threads` applies to that load."""
    path = Path(path).expanduser()
    key = (path.resolve(), n_ctx)
    with _llms_lock:
        llm = _llms.get(key)
        if llm is not None:
            return llm
        _check_gguf(path)
        try:
            llm = llama_cpp.Llama(
                model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise WengaoError(
                f"llama.cpp 无法加载生成模型 {path}：文件可能不完整、已损坏，或不是本程序支持的模型。"
                "内置模型请运行 `wengao models pull` 重新下载。"
            ) from exc
        _llms[key] = llm
        return llm


# --- decoding helpers (no model needed) ----------------------------------------


class Utf8Stream:
    """Bytes of successive tokens in, complete characters out.

    A Chinese character is three UTF-8 bytes and byte-level BPE may split it over
    two or three tokens; the incremental decoder keeps the incomplete tail until
    the rest arrives. Bytes that can never form a character are dropped, and so
    is an unfinished character when generation stops in the middle of one.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")

    def feed(self, data: bytes) -> str:
        return self._decoder.decode(data)

    def finish(self) -> str:
        return self._decoder.decode(b"", final=True)


def held_back(text: str, stops: Sequence[str]) -> int:
    """How many trailing characters of `text` could be the start of a stop string."""
    longest = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:n]):
                longest = n
                break
    return longest


def split_at_stop(text: str, stops: Sequence[str]) -> tuple[str, str, bool]:
    """(text safe to show, text to keep back, whether a stop string was found)."""
    found = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    if found:
        return text[: min(found)], "", True
    keep = held_back(text, stops)
    return text[: len(text) - keep], text[len(text) - keep :], False


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


# --- saved KV states ----------------------------------------------------------


@dataclass
class _State:
    prompt_tokens: int  # the request's prompt; the state also holds its reply
    data: Any  # ctypes buffer from llama_state_get_data
    size: int


class SavedStates:
    """KV states of recent requests, restored when a new prompt shares more with one than with the live cache.

    Requests A, B (other passages), A2 (A's passages, another outline point) on
    the 1.5B: A2's first token after 2.3 s (71 tokens read) instead of 17.9 s
    (801 read). `LlamaRAMCache` was measured and not used: it gave the same cut,
    but its `save_state` also copies the logits array (n_batch x vocabulary, up
    to 311 MB for Qwen2.5) on every request, adding 0.5 s after each one and about
    310 MB RSS per entry, which its size limit does not count. This keeps only
    llama.cpp's own state (KV cache and last logits).
    """

    def __init__(self, slots: int = SAVED_STATES) -> None:
        self.slots = slots
        self._states: OrderedDict[tuple[int, ...], _State] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def clear(self) -> None:
        self._states.clear()

    def save(self, llm: llama_cpp.Llama, prompt_tokens: int) -> None:
        if self.slots <= 0 or llm.n_tokens == 0:
            return
        key = tuple(llm.input_ids[: llm.n_tokens].tolist())
        # A state whose prompt the new one covers to within a few lines (same
        # passages, another task line) saves too little to be worth a slot.
        for old, state in list(self._states.items()):
            if state.prompt_tokens - common_prefix(old, key) < REDUNDANT_TOKENS:
                del self._states[old]
        size = llama_cpp.llama_state_get_size(llm.ctx)
        data = (ctypes.c_uint8 * size)()
        used = llama_cpp.llama_state_get_data(llm.ctx, data, size)
        self._states[key] = _State(min(prompt_tokens, len(key)), data, used)
        while len(self._states) > self.slots:
            self._states.popitem(last=False)

    def best(self, tokens: Sequence[int]) -> tuple[tuple[int, ...] | None, int]:
        """The saved state sharing the longest prefix with `tokens`, and that length."""
        best_key, best_len = None, 0
        for key in self._states:
            n = common_prefix(key, tokens)
            if n > best_len:
                best_key, best_len = key, n
        return best_key, best_len

    def restore(self, llm: llama_cpp.Llama, key: tuple[int, ...]) -> None:
        state = self._states[key]
        if llama_cpp.llama_state_set_data(llm.ctx, state.data, state.size) != state.size:
            llm.reset()
            raise WengaoError("恢复已缓存的模型状态失败，请重试。")
        llm.input_ids[: len(key)] = key
        llm.n_tokens = len(key)
        # Restored logits are not from a live decode: make generate() evaluate again.
        llm._requires_eval = True
        self._states.move_to_end(key)


# --- the generator --------------------------------------------------------------


@dataclass
class Timings:
    """What the last `Generator.stream` call did; seconds are wall-clock."""

    prompt_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens not evaluated: reused from the KV cache
    restored: bool = False  # the reused prefix came from a saved state
    prompt_eval_s: float = 0.0
    ttft_s: float = 0.0  # call to first piece of text
    generated_tokens: int = 0
    decode_s: float = 0.0  # first to last generated token
    total_s: float = 0.0
    finish: str = ""  # "stop" (end token or stop string), "length" or "cancel"

    @property
    def evaluated_tokens(self) -> int:
        return self.prompt_tokens - self.cached_tokens

    @property
    def decode_tps(self) -> float:
        return (self.generated_tokens - 1) / self.decode_s if self.decode_s > 0 else 0.0


@dataclass
class _Shared:
    lock: threading.Lock
    states: SavedStates


# One lock and one set of saved states per loaded model, however many Generators wrap it.
_shared: weakref.WeakKeyDictionary[llama_cpp.Llama, _Shared] = weakref.WeakKeyDictionary()


class Generator:
    """Streams chat completions from one loaded model, one request at a time."""

    def __init__(self, llm: llama_cpp.Llama) -> None:
        self.llm = llm
        self.name = llm.model_path  # what the model is, for reports (RemoteGenerator has one too)
        with _llms_lock:
            shared = _shared.get(llm)
            if shared is None:
                shared = _shared[llm] = _Shared(threading.Lock(), SavedStates())
        self.lock = shared.lock
        self.states = shared.states
        self.timings = Timings()
        self._pieces: list[str] | None = None
        self._bytes: list[bytes] | None = None
        self._opening_ids: dict[str, list[int]] | None = None
        self._evasions: dict[str, list[int]] = {}
        model = llm._model
        eos = llm.token_eos()
        bos = llm.token_bos()
        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise WengaoError("该 GGUF 模型没有内置对话模板（tokenizer.chat_template），无法用于对话生成。")
        # Built exactly as Llama.__init__ builds the handler create_chat_completion uses.
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(eos) if eos != -1 else "",
            bos_token=model.token_get_text(bos) if bos != -1 else "",
            stop_token_ids=[eos],
        )

    @classmethod
    def from_settings(cls, settings: Settings, n_ctx: int = DEFAULT_N_CTX) -> Generator:
        return cls(get_llm(resolve_llm(settings), n_ctx=n_ctx, threads=settings.threads))

    def prompt_tokens(self, messages: list[dict]) -> tuple[list[int], list[str]]:
        """The prompt as tokens, and the template's stop strings."""
        result = self._formatter(messages=messages)
        prompt = result.prompt.encode("utf-8")
        tokens = self.llm.tokenize(prompt, add_bos=not result.added_special, special=True)
        stops = [result.stop] if isinstance(result.stop, str) else list(result.stop or [])
        return tokens, stops

    def choice_logits(self, messages: list[dict], choices: Sequence[str]) -> list[float]:
        """The logit of each one-token answer in `choices` as the reply's first token: how strongly
        the model would answer each (a yes-or-no question asked without sampling)."""
        llm = self.llm
        with self.lock:
            self.timings = Timings()
            tokens, _ = self.prompt_tokens(messages)
            try:
                self._prefill(tokens, lambda: False)
                logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
                return [float(logits[llm.tokenize(c.encode("utf-8"), add_bos=False)[0]]) for c in choices]
            except Exception:
                llm.reset()  # as after a failed decode
                raise

    def warm(self, messages: list[dict]) -> None:
        """Read `messages` into the KV cache and the vocabulary into text, as a cold command's first
        request would: a request that opens with the same words reads only what follows them."""
        with self.lock:
            self.timings = Timings()
            tokens, _ = self.prompt_tokens(messages)
            try:
                self._prefill(tokens, lambda: False)
            except Exception:
                self.llm.reset()
                raise
            self._vocabulary()

    def reset(self) -> None:
        """Forget the KV cache and the saved states (the next request reads its prompt in full)."""
        with self.lock:
            self.llm.reset()
            self.states.clear()

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
        """Yield the reply in pieces as it is generated; `timings` describes the call when it ends.

        With `block`, the reply cannot repeat `block.n` tokens in a row of its sources or of itself.
        """
        with self.lock:
            yield from self._stream(messages, max_tokens, temperature, stop or [], cancel, seed,
                                    repeat_penalty, block)

    def _evasion_ids(self, block: CopyBlock) -> list[int]:
        """The vocabulary's evasion tokens for `block`'s kind of reply, found once per model: the
        scan covers every token (151k for Qwen) and would otherwise run before every paragraph."""
        pattern = block.evasions()
        if pattern.pattern not in self._evasions:
            self._evasions[pattern.pattern] = evasion_tokens(self._vocabulary(), pattern)
        return self._evasions[pattern.pattern]

    def _token_bytes(self) -> list[bytes]:
        """Every token's bytes (0.5 s for Qwen's 151k), found once per generator."""
        if self._bytes is None:
            detokenize = self.llm.detokenize
            self._bytes = [detokenize([i]) for i in range(self.llm.n_vocab())]
        return self._bytes

    def _opening(self) -> dict[str, list[int]]:
        """For each Chinese character, the tokens that begin with it, found once per generator."""
        if self._opening_ids is None:
            self._opening_ids = opening_tokens(self._vocabulary())
        return self._opening_ids

    def _vocabulary(self) -> list[str]:
        """Every token as text, found once per generator."""
        if self._pieces is None:
            self._pieces = [piece.decode("utf-8", "replace") for piece in self._token_bytes()]
        return self._pieces

    def _ban(self, block: CopyBlock, prompt_len: int) -> list[Callable]:
        """The logits processor that enforces `block` on a reply that starts at `prompt_len`."""
        llm = self.llm
        def tokenize(text: str) -> list[int]:
            return llm.tokenize(text.encode("utf-8"), add_bos=False)

        lines = source_lines(block)
        sources = [tokenize(line) for line in lines]
        pieces = self._token_bytes()
        marks = [word_marks(line, [pieces[t] for t in tokens]) for line, tokens in zip(lines, sources)]
        allowed = [tokenize(form) for name in block.allowed for form in (name, f"《{name}》")]
        ban = NgramBan(sources, block.n, block.self_repeat, block.repeat_n, allowed, marks,
                       self._opening() if block.whole_words else None)
        # Only the sources proper exempt a token: the prompt, blocked against echo, holds 【待填】.
        evasions = np.array(not_in_sources(self._evasion_ids(block), [tokenize(t) for t in block.sources]),
                            dtype=np.intc)

        def apply(_ids, scores):
            # llama-cpp-python hands over its whole input buffer; only the first n_tokens are real.
            banned = ban.banned(llm._input_ids[prompt_len : llm.n_tokens].tolist())
            scores[evasions] = -np.inf
            if banned:
                scores[np.fromiter(banned, dtype=np.intc)] = -np.inf
            return scores

        return [apply]

    def _stream(
        self,
        messages: list[dict],
        max_tokens: int,
        temperature: float,
        stop: list[str],
        cancel: threading.Event | None,
        seed: int | None,
        repeat_penalty: float,
        block: CopyBlock | None,
    ) -> Iterator[str]:
        start = time.perf_counter()
        llm = self.llm
        t = self.timings = Timings()
        cancelled: Callable[[], bool] = cancel.is_set if cancel is not None else lambda: False
        tokens, template_stops = self.prompt_tokens(messages)
        stops = [s for s in stop + template_stops if s]
        t.prompt_tokens = len(tokens)
        if len(tokens) >= llm.n_ctx():
            raise WengaoError(
                f"提示过长：{len(tokens)} 个词元，超过模型上下文长度 {llm.n_ctx()}；请减少参考材料。"
            )
        max_tokens = min(max_tokens, llm.n_ctx() - len(tokens))
        llama_cpp.llama_perf_context_reset(llm.ctx)
        try:
            if not self._prefill(tokens, cancelled):
                t.finish = "cancel"
                return
            t.prompt_eval_s = time.perf_counter() - start
            # As create_completion does: without a seed, each call draws the next one.
            llm.set_seed(seed if seed is not None else random.Random(llm._seed).randint(0, 2**32))
            decoder = Utf8Stream()
            pending = ""
            first = last = 0.0
            t.finish = "length"
            # The whole prompt is now in the KV cache with live logits, so
            # generate() samples at once instead of evaluating anything again.
            processors = self._ban(block, len(tokens)) if block else None
            steps = llm.generate(tokens, temp=temperature, logits_processor=processors,
                                 **(SAMPLER | {"repeat_penalty": repeat_penalty}))
            try:
                for token in steps:
                    if llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
                        t.finish = "stop"
                        break
                    last = time.perf_counter()
                    first = first or last
                    t.generated_tokens += 1
                    text, pending, hit = split_at_stop(pending + decoder.feed(llm.detokenize([token])), stops)
                    if text:
                        t.ttft_s = t.ttft_s or time.perf_counter() - start
                        yield text
                    if hit:
                        t.finish = "stop"
                        break
                    if cancelled():
                        t.finish = "cancel"
                        break
                    if t.generated_tokens >= max_tokens:
                        break
            finally:
                steps.close()
                # Also when the caller stops reading (a section long enough): the figures stay true.
                t.decode_s = last - first
            if t.finish != "cancel":
                text, _, _ = split_at_stop(pending + decoder.finish(), stops)
                if text:
                    t.ttft_s = t.ttft_s or time.perf_counter() - start
                    yield text
        except Exception:
            llm.reset()  # a failed decode leaves the KV cache in an unknown state
            raise
        finally:
            t.total_s = time.perf_counter() - start
            self.states.save(llm, t.prompt_tokens)

    def _prefill(self, tokens: list[int], cancelled: Callable[[], bool]) -> bool:
        """Put the prompt into the KV cache, reusing what it shares with the cache; False if cancelled."""
        llm = self.llm
        t = self.timings
        reuse = common_prefix(llm.input_ids[: llm.n_tokens].tolist(), tokens)
        key, saved = self.states.best(tokens)
        if key is not None and saved >= reuse + RESTORE_MIN_GAIN:
            # The live state was saved when its request ended, so nothing is lost here.
            self.states.restore(llm, key)
            reuse, t.restored = saved, True
        # The last prompt token is always evaluated again: sampling needs its logits.
        reuse = min(reuse, len(tokens) - 1)
        if reuse > 0 and not llm._ctx.kv_cache_seq_rm(-1, reuse, -1):
            reuse = 0  # a model whose cache cannot be cut (recurrent): read it all
        if reuse == 0:
            llm.reset()
        llm.n_tokens = reuse
        t.cached_tokens = reuse
        for i in range(reuse, len(tokens), PREFILL_CHUNK):
            if cancelled():
                return False
            llm.eval(tokens[i : i + PREFILL_CHUNK])
        return True


# --- LangChain -------------------------------------------------------------------

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def to_chat_messages(messages: list[BaseMessage]) -> list[dict]:
    out = []
    for message in messages:
        role = message.role if isinstance(message, ChatMessage) else _ROLES.get(message.type)
        if role is None:
            raise WengaoError(f"不支持的消息类型：{message.type}")
        out.append({"role": role, "content": str(message.text)})
    return out


class WengaoChatModel(BaseChatModel):
    """A LangChain chat model over a Generator, so prompt | model | parser chains stream.

    `cancel` (a threading.Event) may be passed as a call or bind keyword.
    """

    generator: Any  # a Generator or a rag.llm.remote.RemoteGenerator: anything with their stream()
    max_tokens: int = 512
    temperature: float = 0.3

    model_config = {"arbitrary_types_allowed": True}

    @property
    def _llm_type(self) -> str:
        return "wengao-llama-cpp"

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        pieces = self.generator.stream(
            to_chat_messages(messages),
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            temperature=kwargs.get("temperature", self.temperature),
            stop=stop,
            cancel=kwargs.get("cancel"),
            seed=kwargs.get("seed"),
        )
        for piece in pieces:
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
