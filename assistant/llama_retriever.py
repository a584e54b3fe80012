"""The hybrid retriever as a llama-index `BaseRetriever`, so it plugs into any llama-index query engine."""

from __future__ import annotations

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.retrieval import Filters, Hit, Retriever


class HybridRetriever(BaseRetriever):
    """Dense + keyword search with rank fusion (`Retriever.search`), returning llama-index nodes.

    The node id is the chunk id and the metadata is the chunk's own, so a llama-index response's
    `source_nodes` resolve to the same passages the assistant cites.
    """

    def __init__(self, retriever: Retriever, k: int | None = None, filters: Filters | None = None) -> None:
        super().__init__()
        self._hybrid = retriever
        self._k = k
        self._filters = filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._hybrid.search(query_bundle.query_str, self._k, self._filters)
        return [NodeWithScore(node=node_of(hit), score=hit.score) for hit in hits]


def node_of(hit: Hit) -> TextNode:
    """A chunk as a llama-index node; the embedding stays in Chroma."""
    metadata = {**hit.metadata, "document": hit.document, "title": hit.title, "council": hit.council}
    return TextNode(id_=hit.chunk_id, text=hit.text, metadata=metadata,
                    excluded_llm_metadata_keys=[k for k in metadata if k not in ("title", "council", "section")])
