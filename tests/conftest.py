"""Shared fixtures. `HashEmbedder` stands in for the embedding model where a test is
about storage, not about meaning; retrieval quality is tested with the real model."""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from embeddings.use_m3 import DIM as USE_DIM
from rag.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    # A user's settings file, index or uploads must never change what a test sees: the home
    # folder is a fresh one for the whole run. Models stay where `make test` provisioned them.
    os.environ["WENGAO_HOME"] = tempfile.mkdtemp(prefix="wengao-test-home-")


class HashEmbedder:
    """Character-bigram hashing vectors: deterministic, instant, lexical only."""

    path = Path("hash-embedder")
    fingerprint = "hash-embedder-v1"
    dim = 64

    def __init__(self):
        self.calls = 0

    def _embed(self, texts, dim=dim):
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                h = int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16)
                out[row, h % dim] += 1
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out

    def passages(self, texts, progress=False):
        self.calls += len(texts)
        return self._embed(texts)

    def queries(self, texts):
        return self._embed(texts)

    sentences = passages

    # The second encoder's place, as wide as USE's vectors.
    use_fingerprint = "hash-use-v1"

    def use_sentences(self, texts, progress=False):
        return self._embed(texts, USE_DIM)

    def use_queries(self, texts):
        return self._embed(texts, USE_DIM)


@pytest.fixture
def hash_embedder():
    return HashEmbedder()


@pytest.fixture
def corpus_copy(tmp_path):
    dest = tmp_path / "corpus"
    shutil.copytree(ROOT / "data" / "corpus", dest)
    return dest


@pytest.fixture
def settings(tmp_path):
    return load_settings(home=tmp_path / "home", index=tmp_path / "index")


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """The bundled corpus indexed with the real embedding model, built once per session."""
    from rag.index.build import ingest
    from rag.index.embedder import Embedder

    index_dir = tmp_path_factory.mktemp("real") / "index"
    settings = load_settings(index=index_dir)
    embedder = Embedder(settings)
    ingest([ROOT / "data" / "corpus"], settings, progress=False, embedder=embedder)
    return settings, embedder
