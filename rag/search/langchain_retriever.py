"""The hybrid search as a LangChain retriever, for chains that take one."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.search.hybrid import Searcher


class CorpusRetriever(BaseRetriever):
    """LangChain view of the same search, for chains that take a retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Searcher
    k: int = 5
    mode: str = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(page_content=p.chunk.text, metadata=p.to_dict())
            for p in self.searcher.search(query, self.k, self.mode)
        ]
