"""Files -> speeches -> chunks: reading files in any encoding or format, removing a web page's noise,
splitting speeches and their section structure, chunking, de-duplication. In: folders; out: a Corpus.
"""
