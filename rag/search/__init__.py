"""Index -> passages: hybrid search (chunk and sentence vectors, BM25), query clean-up, the
relevance judge, speech names in questions, the LangChain retriever. In: a query; out: Passages.
"""
