"""Faults: a damaged index, a full disk, damaged or vanished models, an ingest killed midway.

Each is detected with a message that names the problem and the way out, and
nothing already indexed is lost.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main
from rag.engine import Embedder, corpus_roots, ingest
from rag.errors import ModelMissing, WengaoError
from rag.index import CONTENT_FILES, CorpusIndex
from rag.models import EMBED, LLMS, resolve_llm, sidecar_path
from rag.settings import default_model_dir, load_settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "eval"))

SMALL_LLM = LLMS["qwen2.5-coder-0.5b"]
NEW_SPEECH = (
    "在全市信访工作会议上的讲话\n同志们：\n信访工作是党的群众工作的重要组成部分，是了解社情民意的重要窗口。"
    "各级各部门要把群众的合理诉求解决好，把群众的正当权益维护好。\n"
)


@pytest.fixture
def small_corpus(tmp_path):
    """Two speeches from data/corpus: enough for what is checked here, and quick to index."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted((ROOT / "data" / "corpus").glob("00[01]_*.txt")):
        shutil.copy(path, corpus)
    return corpus


def live_folder(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text("utf-8").strip()


def state(index_dir: Path) -> tuple[str, list[str]]:
    """What a failed build must leave as it was: the pointer and every entry of the index folder."""
    return (index_dir / "CURRENT").read_text("utf-8"), sorted(os.listdir(index_dir))


def two_generations(corpus: Path, settings, embedder) -> Path:
    """An index with a live generation and the one before it, which lacks one speech; the live folder."""
    ingest([corpus], settings, progress=False, embedder=embedder)
    (corpus / "信访.txt").write_text(NEW_SPEECH, "utf-8")
    ingest([corpus], settings, progress=False, embedder=embedder)
    return live_folder(settings.index_dir)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def altered(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


DAMAGE = {"truncated": truncated, "altered": altered}


def rebuild_roots(message: str, index_dir: Path) -> list[Path]:
    """The folders in the rebuild command a message ends with."""
    argv = shlex.split(message.split("重建索引: ", 1)[1])
    assert argv[:2] == ["wengao", "ingest"] and argv[-2:] == ["--index", str(index_dir)]
    return [Path(p) for p in argv[2:-2]]


# --- a damaged index ----------------------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("name", [*CONTENT_FILES, "manifest.json", "CURRENT"])
def test_damaged_index_file_is_named_with_the_command_that_rebuilds_it(
    name, damage, small_corpus, settings, hash_embedder, capsys
):
    index_dir = settings.index_dir
    live = two_generations(small_corpus, settings, hash_embedder)
    path = index_dir / name if name == "CURRENT" else live / name
    path.write_bytes(DAMAGE[damage](path.read_bytes()))

    with pytest.raises(WengaoError) as info:
        CorpusIndex.open(index_dir)
    message = str(info.value)
    assert name in message
    assert rebuild_roots(message, index_dir) == [small_corpus.resolve()]
    assert main(["chunks", "--index", str(index_dir)]) == 2
    assert capsys.readouterr().err == f"错误: {message}\n"

    # The command works, and embeds only what the intact generation before the live one lacks.
    report = ingest(rebuild_roots(message, index_dir), settings, progress=False, embedder=hash_embedder)
    assert report.embedded <= 1 and report.reused >= report.chunks - 1
    assert len(CorpusIndex.open(index_dir).speeches) == 3


def test_failed_rebuild_after_damage_keeps_both_generations(small_corpus, settings, hash_embedder, monkeypatch):
    index_dir = settings.index_dir
    live = two_generations(small_corpus, settings, hash_embedder)
    (live / "vectors.npy").write_bytes(truncated((live / "vectors.npy").read_bytes()))
    before = state(index_dir)

    def broken_save(self, folder):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("rag.index.BM25Index.save", broken_save)
    with pytest.raises(OSError):
        ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    assert state(index_dir) == before
    monkeypatch.undo()
    report = ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    assert report.embedded == 1
    assert len(CorpusIndex.open(index_dir).speeches) == 3


def test_refresh_without_paths_rebuilds_an_index_with_damaged_files(small_corpus, settings, hash_embedder):
    live = two_generations(small_corpus, settings, hash_embedder)
    (live / "chunks.jsonl").write_bytes(truncated((live / "chunks.jsonl").read_bytes()))
    # What `wengao ingest --index DIR` does: the folders come from the manifest.
    report = ingest(corpus_roots(settings), settings, progress=False, embedder=hash_embedder)
    assert report.speeches == 3 and report.embedded == 1


# --- a full disk ------------------------------------------------------------------------------------


class FullDisk:
    """A file being written on a full disk: it is created, but no write gets through."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._fh.close()


def assert_disk_full_reported(exc: BaseException, index_dir: Path) -> None:
    message = str(exc)
    assert message.startswith("磁盘空间不足") and str(index_dir) in message
    assert "删除" in message and "原有索引未改动" in message


@pytest.mark.parametrize("target", [*CONTENT_FILES, "manifest.json", "CURRENT"])
def test_full_disk_while_writing_keeps_the_live_index(target, small_corpus, settings, hash_embedder, monkeypatch):
    index_dir = settings.index_dir
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    before = state(index_dir)
    real_open = io.open

    def open_on_full_disk(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        name = Path(file).name if isinstance(file, (str, os.PathLike)) else ""
        # CURRENT is written as CURRENT.<pid>.tmp, then renamed.
        hit = "w" in mode and (name == target or name.startswith(f"{target}."))
        return FullDisk(fh) if hit else fh

    monkeypatch.setattr(builtins, "open", open_on_full_disk)
    monkeypatch.setattr(io, "open", open_on_full_disk)
    (small_corpus / "信访.txt").write_text(NEW_SPEECH, "utf-8")
    with pytest.raises(WengaoError) as info:
        ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    monkeypatch.undo()
    assert_disk_full_reported(info.value, index_dir)
    assert state(index_dir) == before
    assert len(CorpusIndex.open(index_dir).speeches) == 2


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs, where this machine lets us mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {proc.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_disk_filling_up_for_real_keeps_the_live_index(small_disk, small_corpus, hash_embedder):
    settings = load_settings(home=small_disk / "home", index=small_disk / "index")
    index_dir = settings.index_dir
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    before = state(index_dir)
    generation = sum(f.stat().st_size for f in live_folder(index_dir).iterdir())
    # Room for about half a generation: the next build runs out of space partway through.
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - generation // 2))

    (small_corpus / "信访.txt").write_text(NEW_SPEECH, "utf-8")
    with pytest.raises(WengaoError) as info:
        ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    assert_disk_full_reported(info.value, index_dir)
    assert state(index_dir) == before
    assert len(CorpusIndex.open(index_dir).speeches) == 2

    filler.unlink()
    report = ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    assert report.embedded == 1 and len(CorpusIndex.open(index_dir).speeches) == 3


# --- damaged or vanished models ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_gguf() -> Path:
    path = default_model_dir() / SMALL_LLM.filename
    if not path.is_file():
        pytest.skip(f"run `wengao models pull --llm {SMALL_LLM.name}` first")
    return path


def wengao(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], env=dict(os.environ, **env), cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def copy_head(source: Path, dest: Path, size: int) -> None:
    with source.open("rb") as src, dest.open("wb") as out:
        out.write(src.read(size))


@pytest.mark.models
@pytest.mark.parametrize("damage", ["truncated", "altered after verification"])
def test_damaged_bundled_generator_is_refused_with_a_way_out(damage, small_gguf, tmp_path):
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    copy = model_dir / SMALL_LLM.filename
    if damage == "truncated":
        copy_head(small_gguf, copy, SMALL_LLM.size // 2)  # still starts with the GGUF magic
        expected = "不完整或已损坏"
    else:
        # With its mtime, so the copied sidecar still vouches for the copy.
        shutil.copy2(small_gguf, copy)
        shutil.copy2(sidecar_path(small_gguf), sidecar_path(copy))
        settings = load_settings(home=tmp_path / "home", model_dir=model_dir, llm=SMALL_LLM.name)
        assert resolve_llm(settings) == copy
        with copy.open("r+b") as fh:
            fh.seek(SMALL_LLM.size // 2)
            byte = fh.read(1)
            fh.seek(SMALL_LLM.size // 2)
            fh.write(bytes([byte[0] ^ 0x01]))
        expected = "校验之后被改动"

    result = wengao("ask", "办公室工作有哪些要求？", "--index", str(tmp_path / "index"),
                    env={"WENGAO_MODEL_DIR": str(model_dir), "WENGAO_LLM": SMALL_LLM.name,
                         "WENGAO_HOME": str(tmp_path / "home")})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr and str(copy) in result.stderr
    assert f"wengao models pull --llm {SMALL_LLM.name}" in result.stderr and "--model" in result.stderr


@pytest.mark.models
def test_truncated_gguf_given_with_model_is_refused_with_a_way_out(small_gguf, tmp_path):
    half = tmp_path / "half.gguf"
    copy_head(small_gguf, half, SMALL_LLM.size // 2)
    result = wengao("ask", "办公室工作有哪些要求？", "--model", str(half), "--index", str(tmp_path / "index"),
                    env={"WENGAO_HOME": str(tmp_path / "home")})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "无法加载生成模型" in result.stderr and "wengao models pull" in result.stderr


@pytest.mark.models
def test_model_folder_deleted_while_the_workspace_runs(small_gguf, small_corpus, tmp_path, monkeypatch):
    from ui.jobs import failure
    from ui.workspace import Workspace

    model_dir = tmp_path / "models"
    shutil.copytree(default_model_dir() / EMBED.name, model_dir / EMBED.name)
    shutil.copy2(small_gguf, model_dir / small_gguf.name)
    shutil.copy2(sidecar_path(small_gguf), sidecar_path(model_dir / small_gguf.name))
    monkeypatch.setenv("WENGAO_MODEL_DIR", str(model_dir))
    monkeypatch.setenv("WENGAO_LLM", SMALL_LLM.name)
    settings = load_settings(home=tmp_path / "home", index=tmp_path / "index")
    embedder = Embedder(settings)
    ingest([small_corpus], settings, progress=False, embedder=embedder)
    ws = Workspace(settings, embedder=embedder)
    before = state(settings.index_dir)

    shutil.rmtree(model_dir)

    # What is loaded keeps working: searching (the embedding model) and writing (the generator,
    # on a short prompt: how much it writes is not the point).
    assert ws.searcher.search("办公室工作", k=3)
    model = ws.model(ws.tickets.open())
    assert "".join(model.stream([{"role": "user", "content": "用一句话说说办公室工作。"}], max_tokens=8)).strip()

    # What has to load again says how to get the models back, and the browser shows just that.
    with pytest.raises(ModelMissing) as info:
        Workspace(settings)
    message, kind = failure(info.value)
    assert message == str(info.value) and kind == "error"
    assert "未安装" in message and str(model_dir) in message and "wengao models pull" in message
    assert state(settings.index_dir) == before
    assert len(CorpusIndex.open(settings.index_dir).speeches) == 2

    # Indexing with the loaded embedding model still works too.
    upload = tmp_path / "信访.txt"
    upload.write_text(NEW_SPEECH, "utf-8")
    assert ws.add_files([(upload, upload.name)]).done == [upload.name]
    assert len(ws.speeches()) == 3


# --- an ingest killed midway --------------------------------------------------------------------


@pytest.mark.models
def test_ingest_killed_at_random_moments_leaves_a_working_index(tmp_path):
    import fault_kill

    summary = fault_kill.run(kills=20, seed=7, workdir=tmp_path)
    print(summary.line())
    assert summary.survived == summary.kills == 20
    assert "finished" not in summary.phases  # every run was killed before it ended
    assert {"startup", "embedding", "writing"} <= set(summary.phases)
    assert summary.rerun_ok and summary.generations_left == 2
