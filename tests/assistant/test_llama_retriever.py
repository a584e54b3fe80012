"""The hybrid retriever behind llama-index's retriever interface (issue 14): same passages, usable by a query engine."""

from __future__ import annotations

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine

from assistant.llama_retriever import HybridRetriever
from assistant.retrieval import Filters


def test_nodes_are_the_hybrid_search_hits(retriever) -> None:
    question = "What are the five themes of Somerset's TOM?"
    nodes = HybridRetriever(retriever, k=5).retrieve(question)
    hits = retriever.search(question, 5)
    assert [n.node.node_id for n in nodes] == [h.chunk_id for h in hits]
    assert [n.score for n in nodes] == [h.score for h in hits]
    assert all(n.node.metadata["document"] == h.document and n.node.get_content() == h.text
               for n, h in zip(nodes, hits))


def test_filters_pass_through(retriever) -> None:
    document = retriever.search("Somerset themes", 1)[0].document
    nodes = HybridRetriever(retriever, k=8, filters=Filters(document=document)).retrieve("board meetings")
    assert nodes and {n.node.metadata["document"] for n in nodes} == {document}


def test_a_llama_index_query_engine_answers_from_our_passages(retriever) -> None:
    engine = RetrieverQueryEngine.from_args(HybridRetriever(retriever, k=3), llm=MockLLM())
    response = engine.query("What does our TOM say about board meetings?")
    ids = {h.chunk_id for h in retriever.search("What does our TOM say about board meetings?", 3)}
    assert {n.node.node_id for n in response.source_nodes} == ids
