"""Reciprocal rank fusion of the dense and keyword lists, by chunk id.

Fusion needs only each list's order, so the keyword lists carry ids (and the council, for the
boost) and no text: the text and vectors of the few keyword-only hits that make the final cut are
fetched afterwards, in one read (`Retriever.search`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.keyword_index import KeywordHit
from ingest.records import StoredChunk


@dataclass
class Candidate:
    """A chunk some list ranked; `chunk` is None until read when only keyword lists found it."""

    chunk_id: str
    council: str
    chunk: StoredChunk | None = None
    dense: float = 0.0  # best cosine similarity over the dense lists
    keyword: float = 0.0  # BM25 score over title, section and text
    score: float = 0.0  # the fused score


def fuse(dense_lists: list[list[tuple[StoredChunk, float]]], keyword: list[KeywordHit], headings: list[KeywordHit],
         rrf_k: int, named: set[str], boost: float) -> list[Candidate]:
    """Every listed chunk, best fused score first. The dense views together weigh as one retriever;
    chunks of a council the question names weigh `boost` times more."""
    found: dict[str, Candidate] = {}
    share = 1.0 / max(len(dense_lists), 1)
    for results in dense_lists:
        for rank, (chunk, similarity) in enumerate(results):
            candidate = found.setdefault(chunk.chunk_id, Candidate(chunk.chunk_id, str(chunk.metadata.get("council", "")), chunk))
            candidate.dense = max(similarity, candidate.dense)
            candidate.score += share / (rrf_k + rank + 1)
    for hits, scored in ((keyword, True), (headings, False)):
        for rank, hit in enumerate(hits):
            candidate = found.setdefault(hit.chunk_id, Candidate(hit.chunk_id, hit.council))
            if scored:
                candidate.keyword = max(hit.score, candidate.keyword)
            candidate.score += 1.0 / (rrf_k + rank + 1)
    for candidate in found.values():
        candidate.score *= boost if candidate.council in named else 1.0
    return sorted(found.values(), key=lambda candidate: candidate.score, reverse=True)
