"""Reciprocal rank fusion of the dense and keyword lists, by chunk id.

Fusion needs only each list's order, so the lists carry ids and scores, not text: the text and
vectors of the few chunks that make the final cut are read afterwards, in one call
(`Retriever.search`), and the councils of the listed chunks only when the question names one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Candidate:
    """A chunk some list ranked, with its best raw scores and its fused score."""

    chunk_id: str
    dense: float = 0.0  # best cosine similarity over the dense lists
    keyword: float = 0.0  # BM25 score over title, section and text
    score: float = 0.0  # the fused score


def fuse(dense_lists: list[list[tuple[str, float]]], keyword: list[tuple[str, float]], headings: list[tuple[str, float]],
         rrf_k: int, boosted: Callable[[list[str]], set[str]] | None = None, boost: float = 1.0) -> list[Candidate]:
    """Every listed chunk, best fused score first. The dense views together weigh as one retriever;
    the chunks `boosted` picks (those of a council the question names) weigh `boost` times more."""
    found: dict[str, Candidate] = {}
    share = 1.0 / max(len(dense_lists), 1)
    lists = [(results, "dense", share) for results in dense_lists] + [(keyword, "keyword", 1.0), (headings, None, 1.0)]
    for results, attribute, weight in lists:
        for rank, (chunk_id, raw) in enumerate(results):
            candidate = found.setdefault(chunk_id, Candidate(chunk_id))
            if attribute:
                setattr(candidate, attribute, max(raw, getattr(candidate, attribute)))
            candidate.score += weight / (rrf_k + rank + 1)
    if boosted is not None:
        for chunk_id in boosted(list(found)):
            found[chunk_id].score *= boost
    return sorted(found.values(), key=lambda candidate: candidate.score, reverse=True)
