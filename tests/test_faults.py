"""Faults: a damaged index, a full disk, damaged or vanished models, a build or a corpus change killed at
each of its steps, a power cut.

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
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rag import faultpoint
from rag.cli import main
from rag.errors import ModelMissing, WengaoError
from rag.index.build import corpus_roots, ingest
from rag.index.embedder import Embedder
from rag.index.store import CONTENT_FILES, CorpusIndex
from rag.llm.bundled import EMBED, LLMS, resolve_llm, sidecar_path
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

    monkeypatch.setattr("rag.index.store.BM25Index.save", broken_save)
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


# --- a build or a corpus change killed at each step; a power cut --------------------------------------


def test_a_fault_point_kills_the_process_there_and_nowhere_else():
    code = "from rag import faultpoint; faultpoint.reach('renamed'); print('went on')"
    for aimed, code_expected in [("renamed", -signal.SIGKILL), ("fsynced", 0)]:
        proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **{faultpoint.VARIABLE: aimed}),
                              cwd=ROOT, capture_output=True, text=True, check=False)
        assert proc.returncode == code_expected
        assert ("went on" in proc.stdout) == (code_expected == 0)


def test_the_kill_harness_aims_at_every_point_a_build_passes(small_corpus, settings, hash_embedder, monkeypatch):
    import fault_kill

    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    (small_corpus / "信访.txt").write_text(NEW_SPEECH, "utf-8")
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    reached = []
    monkeypatch.setattr(faultpoint, "reach", reached.append)
    (small_corpus / "信访.txt").unlink()
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)  # the first build's generation goes
    assert reached == list(fault_kill.BUILD_POINTS)


def test_a_new_generation_is_on_disk_before_current_names_it_and_the_switch_after(
    small_corpus, settings, hash_embedder, monkeypatch
):
    """A power cut is not a kill: what was written but not fsynced may be lost. The order of the calls shows
    that CURRENT can only name a generation whose files and folder entries are on disk."""
    index_dir = settings.index_dir.resolve()
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src, dst):
        real_replace(src, dst)
        calls.append(("rename", str(Path(dst).resolve())))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    (small_corpus / "信访.txt").write_text(NEW_SPEECH, "utf-8")
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    monkeypatch.undo()

    live = live_folder(index_dir)
    switch = calls.index(("rename", str(index_dir / "CURRENT")))
    before = [path for kind, path in calls[:switch] if kind == "fsync"]
    files = [str(p) for p in live.iterdir()]
    assert set(files) <= set(before), "a file of the new generation is not fsynced before the switch"
    folder = before.index(str(live))
    assert all(before.index(f) < folder for f in files), "the generation's folder is fsynced before its files"
    # The index folder after the new folder was synced: its entry for the new folder (and the new pointer's).
    assert str(index_dir) in before[folder + 1:]
    assert any(path.startswith(str(index_dir / "CURRENT.")) for path in before), "the new pointer is not fsynced"
    assert ("fsync", str(index_dir)) in calls[switch + 1:], "the switch itself is not fsynced"


# A build or a workspace change in another process, which kills itself at the point WENGAO_FAULT_AT names.
# The stand-in embedder keeps it quick: eval/fault_kill.py kills `wengao ingest` and `wengao serve` themselves.
IN_A_CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from conftest import HashEmbedder
from rag.index.build import ingest
from rag.settings import load_settings
from ui.workspace import Workspace

home, index, action, argument = sys.argv[1:]
settings = load_settings(home=Path(home), index=Path(index))
if action == "ingest":
    ingest([Path(argument)], settings, progress=False, embedder=HashEmbedder())
else:
    ws = Workspace(settings, generator=object(), embedder=HashEmbedder())
    if action == "upload":
        ws.add_files([(Path(argument), "信访.txt")])
    else:
        ws.remove_speech(argument)
"""
BEFORE_THE_SWITCH = ("write chunks.jsonl", "fsynced")


def killed_in_a_child(settings, point: str, action: str, argument: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", IN_A_CHILD.format(tests=str(ROOT / "tests")), str(settings.home),
         str(settings.index_dir), action, argument],
        env=dict(os.environ, **{faultpoint.VARIABLE: point}), cwd=ROOT, capture_output=True, text=True,
        check=False)
    assert child.returncode == -signal.SIGKILL, f"not killed at {point}: {child.stderr}"


def test_build_killed_at_each_named_point_leaves_the_old_index_or_the_new(small_corpus, settings, hash_embedder):
    import fault_kill

    index_dir = settings.index_dir
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    for n, point in enumerate(fault_kill.BUILD_POINTS):
        live = live_folder(index_dir).name
        (small_corpus / "信访.txt").write_text(NEW_SPEECH.replace("信访工作", f"第{n}次信访工作"), "utf-8")
        killed_in_a_child(settings, point, "ingest", str(small_corpus))
        index = CorpusIndex.open(index_dir, verify=True)
        if point in ("renamed", "prune"):
            assert index.folder.name != live
            assert f"在全市第{n}次信访工作会议上的讲话" in {s["title"] for s in index.speeches}
        else:
            assert index.folder.name == live
    # The next build clears what the killed ones left: only the live generation and the one before it stay.
    previous = live_folder(index_dir).name
    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    assert {p.name for p in index_dir.glob("gen-*")} == {previous, live_folder(index_dir).name}
    assert not list(index_dir.glob("CURRENT.*"))


def indexed_files(ws) -> set[str]:
    return set(ws.searcher.index.manifest["files"])


@pytest.mark.parametrize("point", ["before the rebuild", *BEFORE_THE_SWITCH, "renamed"])
@pytest.mark.parametrize("action", ["upload", "remove an upload", "remove a bundled speech"])
def test_workspace_killed_while_changing_the_corpus_restarts_with_folders_and_index_agreeing(
    action, point, small_corpus, settings, hash_embedder, tmp_path
):
    from ui.workspace import Workspace

    ingest([small_corpus], settings, progress=False, embedder=hash_embedder)
    ws = Workspace(settings, generator=object(), embedder=hash_embedder)
    archive = tmp_path / "档案.txt"
    archive.write_text(NEW_SPEECH.replace("信访", "档案"), "utf-8")
    ws.add_files([(archive, "档案.txt")])
    uploads, trash, excluded = ws.library.uploads, ws.library.trash, ws.library.excluded_list
    bundled = sorted(small_corpus.iterdir())[0]
    if action == "upload":
        upload = tmp_path / "信访.txt"
        upload.write_text(NEW_SPEECH, "utf-8")
        argument, target, point = str(upload), "信访.txt", point.replace("before the rebuild", "upload stored")
    else:
        target = "档案.txt" if action == "remove an upload" else bundled.name
        argument = next(r.speech_id for r in ws.speeches() if r.source == target)
        point = point.replace("before the rebuild", "speech removed")

    killed_in_a_child(settings, point, action if action == "upload" else "remove", argument)

    restarted = Workspace(settings, generator=object(), embedder=hash_embedder)
    changed = point == "renamed"
    indexed = indexed_files(restarted)
    assert (target in indexed) == (changed == (action == "upload"))
    # A file is in the index and its folder, or in neither.
    assert {p.name for p in uploads.iterdir()} == indexed - {p.name for p in small_corpus.iterdir()}
    listed = excluded.read_text("utf-8").splitlines() if excluded.exists() else []
    assert {p.name for p in small_corpus.iterdir()} - {Path(p).name for p in listed} == indexed - {
        p.name for p in uploads.iterdir()}
    in_trash = {p.name for p in trash.iterdir()} if trash.exists() else set()
    assert in_trash == ({"档案.txt"} if changed and action == "remove an upload" else set())
    assert not ws.library.change_file.exists()
    assert len(restarted.speeches()) == len(CorpusIndex.open(settings.index_dir).speeches)


def test_a_start_leaves_alone_a_change_that_another_running_process_is_making(settings, tmp_path):
    from ui.library import Library

    upload = tmp_path / "信访.txt"
    upload.write_text(NEW_SPEECH, "utf-8")
    library = Library(settings)
    with library.change(lambda: "gen-1"):
        stored = library.store(upload, upload.name)
        Library(settings).recover("gen-1")  # a second workspace starting on the same home meanwhile
        assert stored.is_file()
    assert not stored.exists()  # no newer generation went live: the change is undone as it ends
    with library.change(iter(["gen-1", "gen-2"]).__next__):
        stored = library.store(upload, upload.name)
    assert stored.is_file() and not library.change_file.exists()


@pytest.mark.models
def test_ingest_killed_at_random_moments_and_named_points_leaves_the_old_index_or_the_new(tmp_path):
    import fault_kill

    table = fault_kill.Table()
    # Every named point is killed in a child process above; here the harness on `wengao ingest` itself.
    fault_kill.run_builds(1, tmp_path, fault_kill.random.Random(7), table, print, points=("fsynced", "renamed"))
    print(table.text())
    assert {f"ingest: {s} (random moment)" for s in fault_kill.TIMED} <= set(table.rows)
    assert all(row.survived == row.kills for row in table.rows.values())
    assert table.rows["ingest: fsynced"].saw == {"old": 1} and table.rows["ingest: renamed"].saw == {"new": 1}
    assert table.rerun == "ok, 2 generations left"


@pytest.mark.models
def test_serve_killed_while_it_changes_the_corpus_restarts_in_agreement(tmp_path):
    import fault_kill

    table = fault_kill.Table()
    # One step of each change (all of them are killed in a child process above): undone, undone, kept.
    actions = {"upload": ("upload stored",), "remove an upload": ("fsynced",), "remove a bundled speech": ("renamed",)}
    fault_kill.run_workspace(1, tmp_path, fault_kill.random.Random(7), table, print, actions)
    print(table.text())
    assert [row.saw for row in table.rows.values()] == [{"old": 1}, {"old": 1}, {"new": 1}]
    assert all(row.survived == row.kills for row in table.rows.values())
    assert table.disagreements == []
