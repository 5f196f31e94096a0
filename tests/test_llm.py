"""The generation layer: load errors and stream decoding (fast), then generation with a real model."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from rag.errors import ModelMissing, WengaoError
from rag.llm import local as llm_mod
from rag.llm.local import Utf8Stream, get_llm, held_back, split_at_stop

# --- loading errors ---------------------------------------------------------------


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelMissing, match="找不到生成模型文件"):
        get_llm(tmp_path / "nope.gguf")


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelMissing, match="不是文件"):
        get_llm(tmp_path)


def test_non_gguf_file(tmp_path):
    path = tmp_path / "notes.gguf"
    path.write_text("这不是模型", encoding="utf-8")
    with pytest.raises(WengaoError, match="不是 GGUF 格式"):
        get_llm(path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.gguf"
    path.write_bytes(b"GGUF")

    def deny(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(WengaoError, match="无法读取生成模型文件"):
        get_llm(path)


@pytest.mark.parametrize("body", [b"", b"\x03\x00\x00\x00" + b"garbage" * 20])
def test_truncated_gguf_is_a_clear_error(tmp_path, body):
    path = tmp_path / "broken.gguf"
    path.write_bytes(b"GGUF" + body)
    with pytest.raises(WengaoError, match="llama.cpp 无法加载生成模型") as info:
        get_llm(path)
    assert "wengao models pull" in str(info.value)
    assert not any(key[0] == path.resolve() for key in llm_mod._llms)


# --- stream decoding -----------------------------------------------------------------


def feed_all(pieces: list[bytes]) -> list[str]:
    stream = Utf8Stream()
    out = [stream.feed(p) for p in pieces]
    out.append(stream.finish())
    return out


def test_utf8_every_split_of_chinese_text():
    data = "同志们：抓落实，见实效。".encode()
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1):
            out = feed_all([data[:i], data[i:j], data[j:]])
            assert "".join(out) == data.decode()
            assert all("\ufffd" not in piece for piece in out)


def test_utf8_byte_by_byte_yields_whole_characters_only():
    text = "讲话稿𠀀✓"  # 3-byte, 4-byte (outside the BMP) and symbol characters
    out = feed_all([bytes([b]) for b in text.encode()])
    assert [p for p in out if p] == list(text)


def test_utf8_drops_unfinished_tail_and_invalid_bytes():
    assert "".join(feed_all(["好".encode(), "中".encode()[:2]])) == "好"
    assert "".join(feed_all([b"\xff", "文".encode(), b"\x80"])) == "文"


def test_stop_strings_are_held_back_then_cut():
    assert held_back("同志们好", ["好。\n", "。\n"]) == 1
    assert held_back("同志们", ["。\n"]) == 0
    assert split_at_stop("第一段。\n第二段", ["。\n"]) == ("第一段", "", True)
    assert split_at_stop("第一段。", ["。\n"]) == ("第一段", "。", False)
    assert split_at_stop("无停止", []) == ("无停止", "", False)


# --- with a real model -----------------------------------------------------------------

SYSTEM = (Path(__file__).resolve().parent.parent / "prompts" / "system.md").read_text("utf-8").strip()


def messages(user: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def small_model_path():
    """The 0.5B model (fastest); the default generator when the 0.5B is not installed."""
    from rag.llm.bundled import resolve_llm
    from rag.settings import Settings

    try:
        return resolve_llm(Settings(llm="qwen2.5-coder-0.5b"))
    except ModelMissing:
        return resolve_llm(Settings())


@pytest.fixture(scope="module")
def generator():
    from rag.llm.local import Generator

    gen = Generator(get_llm(small_model_path(), threads=2))
    gen.reset()
    return gen


@pytest.mark.models
def test_stream_yields_chinese_and_timings(generator):
    pieces = list(generator.stream(messages("用两句话说明督查工作的重要性。"), max_tokens=32, temperature=0))
    text = "".join(pieces)
    assert len(pieces) > 1
    assert sum("\u4e00" <= c <= "\u9fff" for c in text) >= 5
    assert all("\ufffd" not in p for p in pieces)
    t = generator.timings
    assert t.prompt_tokens > 150 and t.cached_tokens == 0 and t.evaluated_tokens == t.prompt_tokens
    assert 0 < t.prompt_eval_s <= t.ttft_s <= t.total_s
    assert 1 < t.generated_tokens <= 32 and t.decode_tps > 0
    assert t.finish in ("stop", "length")


@pytest.mark.models
def test_second_request_reuses_the_system_prefix(generator):
    import llama_cpp

    list(generator.stream(messages("请概括办公室工作的作用。"), max_tokens=4, temperature=0))
    first = generator.timings
    list(generator.stream(messages("请概括督查工作的要求。"), max_tokens=4, temperature=0))
    second = generator.timings
    # Only the user part after the shared system prompt is read again, and llama.cpp agrees.
    assert second.cached_tokens >= first.prompt_tokens - 20
    assert second.evaluated_tokens <= 20
    assert llama_cpp.llama_perf_context(generator.llm.ctx).n_p_eval <= second.evaluated_tokens


@pytest.mark.models
def test_warm_reads_a_prompt_head_so_the_first_request_reads_only_the_rest(generator):
    from rag.llm.generate import prompt_head
    from rag.settings import Settings

    generator.reset()
    head = prompt_head(Settings(), "paragraph")
    generator.warm(head)
    user = head[1]["content"] + "1. 办公室要当好参谋助手。\n\n请写成一段讲话，约50字。"
    list(generator.stream([head[0], {"role": "user", "content": user}], max_tokens=2, temperature=0))
    t = generator.timings
    head_tokens = len(generator.prompt_tokens(head)[0])
    assert head_tokens > 100 and t.cached_tokens >= head_tokens - 8
    assert t.evaluated_tokens <= t.prompt_tokens - head_tokens + 8


@pytest.mark.models
def test_alternating_prompts_restore_a_saved_state(generator):
    passages = "参考材料：\n" + "办公室要围绕中心、服务大局，当好参谋助手，抓好督查落实。" * 8
    list(generator.stream(messages(passages + "\n任务：写一句话。"), max_tokens=2, temperature=0))
    list(generator.stream(messages("任务：改写一句话。"), max_tokens=2, temperature=0))
    list(generator.stream(messages(passages + "\n任务：再写一句话。"), max_tokens=2, temperature=0))
    t = generator.timings
    assert t.restored and t.evaluated_tokens <= 20


@pytest.mark.models
def test_cancel_stops_early(generator):
    cancel = threading.Event()
    pieces = []
    for piece in generator.stream(messages("请写一段三百字的讲话。"), max_tokens=200, cancel=cancel):
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()
    assert len(pieces) == 3
    # Pieces are whole characters, so a few tokens may have gone into them.
    assert generator.timings.finish == "cancel" and generator.timings.generated_tokens <= 6


@pytest.mark.models
def test_cancel_while_reading_the_prompt(generator):
    generator.reset()
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    long_prompt = "参考材料：\n" + "各级办公室要坚持围绕中心、服务大局，切实发挥参谋助手、督促检查、综合协调作用。" * 30
    assert list(generator.stream(messages(long_prompt), max_tokens=50, cancel=cancel)) == []
    t = generator.timings
    assert t.finish == "cancel" and t.prompt_tokens > 2 * llm_mod.PREFILL_CHUNK
    assert generator.llm.n_tokens < t.prompt_tokens  # stopped between chunks, before the end


@pytest.mark.models
def test_one_generation_at_a_time(generator):
    first = generator.stream(messages("写一句话。"), max_tokens=20, temperature=0)
    next(first)  # holds the model until closed
    done = threading.Event()

    def other():
        list(generator.stream(messages("再写一句话。"), max_tokens=2, temperature=0))
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    assert not done.wait(0.5)
    first.close()
    thread.join(60)
    assert done.is_set()


@pytest.mark.models
def test_cancel_before_start_reads_nothing(generator):
    generator.reset()
    cancel = threading.Event()
    cancel.set()
    assert list(generator.stream(messages("请写一段讲话。"), max_tokens=50, cancel=cancel)) == []
    assert generator.timings.finish == "cancel" and generator.timings.generated_tokens == 0


@pytest.mark.models
def test_langchain_chain_streams(generator):
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from rag.llm.local import WengaoChatModel

    prompt = ChatPromptTemplate.from_messages([("system", SYSTEM), ("human", "用一句话谈谈{topic}。")])
    chain = prompt | WengaoChatModel(generator=generator, max_tokens=24, temperature=0) | StrOutputParser()
    chunks = list(chain.stream({"topic": "调查研究"}))
    assert len(chunks) > 1 and all(isinstance(c, str) for c in chunks)
    assert isinstance(chain.invoke({"topic": "调查研究"}), str)


@pytest.mark.models
def test_a_blocked_reply_cannot_copy_its_source(generator):
    from rag.check.copycheck import CopyIndex
    from rag.llm.copyblock import CopyBlock

    source = "忠诚理所当然成为办公室的立身之本和大家必须守住的“生命线”，必须始终把讲政治放在首位。"
    ask = messages("请把下面这句话原样抄写一遍：\n" + source)
    free = "".join(generator.stream(ask, max_tokens=60, temperature=0))
    blocked = "".join(generator.stream(ask, max_tokens=60, temperature=0, block=CopyBlock([source])))
    copies = CopyIndex([source])
    assert copies.longest_copied_run(free)[0] >= 20  # asked to copy, the model does
    assert copies.longest_copied_run(blocked)[0] < 20 and len(blocked) >= 10
    assert not any(c.isascii() and c.isalpha() for c in blocked) and " " not in blocked


@pytest.mark.models
def test_a_yes_or_no_question_reads_the_first_tokens_logits_and_streaming_goes_on(generator):
    from rag.check.cite import model_verifier
    from rag.settings import Settings

    verify = model_verifier(generator, Settings().prompts)
    said = "要健全督查制度，规范督查程序，突出督查重点。"
    same = verify(said, said)
    other = verify(said, "今年全市粮食总产量稳定在一百万吨以上。")
    assert same > other
    text = "".join(generator.stream(messages("请概括办公室工作的作用。"), max_tokens=8, temperature=0))
    assert sum("\u4e00" <= c <= "\u9fff" for c in text) >= 2


@pytest.mark.models
def test_output_printed_while_a_model_loads_in_a_thread_is_not_lost():
    """`wengao ask` prints the quotes while the model loads beside it: none may vanish."""
    import subprocess
    import sys
    from pathlib import Path

    path = small_model_path()
    script = (
        "import sys, threading, time\n"
        "from rag.llm.local import get_llm\n"
        f"loading = threading.Thread(target=get_llm, args=({str(path)!r},))\n"
        "loading.start()\n"
        "printed = 0\n"
        "while loading.is_alive() or printed < 20:\n"
        "    printed += 1\n"
        "    print('line', printed, flush=True)\n"
        "    print('note', printed, file=sys.stderr, flush=True)\n"
        "    time.sleep(0.005)\n"
        "loading.join()\n"
        "print('printed', printed, flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=300, check=True)
    lines = done.stdout.splitlines()
    printed = int(lines[-1].split()[1])
    assert lines[:-1] == [f"line {n}" for n in range(1, printed + 1)]
    # llama.cpp's own log stays out of the terminal.
    assert done.stderr.splitlines() == [f"note {n}" for n in range(1, printed + 1)]


@pytest.mark.models
def test_a_process_exits_cleanly_with_a_model_still_loaded():
    """llama.cpp logs while it frees a model, which a process leaves to its exit.

    The weak reference watches the log callback from `sys`, whose names are cleared last; without
    the fix, the callback was freed first and the model's last log line crashed the process.
    """
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import os, sys, weakref\n"
        "from rag.llm import local\n"
        f"llm = local.get_llm({str(small_model_path())!r})\n"
        "llm.create_completion('你好', max_tokens=2)\n"
        "sys.watching = weakref.ref(local._drop_log, lambda _: os.write(2, b'callback freed\\n'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (0, "")
