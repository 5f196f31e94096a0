"""Wengao: retrieval-augmented drafting of Chinese official speeches, offline."""
