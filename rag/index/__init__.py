"""Chunks -> the index on disk: embedding chunks and sentences, the BM25 terms, the index's
generations and manifest. In: a Corpus and an embedding model; out: a CorpusIndex.
"""
