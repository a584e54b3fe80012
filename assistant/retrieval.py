"""Hybrid retrieval: BM25 and dense search, fused by reciprocal rank, with metadata filters.

Dense search alone ranks the chunk listing Somerset's design principles 42nd of 60 for "Which
design principles does Somerset Council's TOM list?": the words that matter ("design
principles", "Somerset") sit in the section path and title, which BM25 weighs well. Fusion by
rank needs no score calibration between the two. A question that names a council (any council in
the store, matched on its distinctive words) lifts that council's chunks, since "our TOM" for a
Somerset officer means Somerset's, not the next borough's.
"""

from __future__ import annotations

import logging
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from assistant.citations import Citation
from assistant.fusion import Candidate, fuse
from ingest.naming import Names
from ingest.settings import Settings
from ingest.store import ChunkStore, StoredChunk
from ingest.text import chunk_id, tokenize

log = logging.getLogger(__name__)
DENSE_THREADS = 8  # searches whose dense half may run at once in one process; more wait for a thread


@dataclass
class Hit:
    """A retrieved chunk with where it came from; `score` is the fused rank score."""

    chunk_id: str
    document: str
    title: str
    council: str
    kind: str
    section: str
    page: int | None
    text: str
    score: float
    dense: float = 0.0  # cosine similarity to the question
    keyword: float = 0.0  # BM25 score (0 when the chunk had no matching word)
    rank: int = 0
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("metadata")
        return data

    def cite(self, n: int, quote: str) -> Citation:
        """This passage as citation number n, quoting `quote` from it."""
        fields = {"document": self.document, "title": self.title, "council": self.council, "section": self.section,
                  "page": self.page}
        return Citation.of_chunk(n, self.chunk_id, {**self.metadata, **fields}, quote)

    @classmethod
    def from_chunk(cls, chunk: StoredChunk, score: float = 0.0) -> "Hit":
        meta = chunk.metadata
        return cls(
            chunk_id=chunk.chunk_id,
            document=str(meta.get("document", "")),
            title=str(meta.get("title", "")),
            council=str(meta.get("council", "")),
            kind=str(meta.get("kind", "")),
            section=str(meta.get("section", "")),
            page=int(meta["page"]) if "page" in meta else None,
            text=chunk.text,
            score=score,
            metadata=meta,
        )


@dataclass
class Filters:
    council: str | None = None
    kind: str | None = None
    document: str | None = None

    def fields(self) -> dict[str, str]:
        """The filters that are set, as {field: value}."""
        return {key: value for key, value in asdict(self).items() if value}


class Retriever:
    """Hybrid search over one store, with the embedder that filled it."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder) -> None:
        self.settings, self.store, self.embedder = settings, store, embedder
        self._threads = ThreadPoolExecutor(max_workers=DENSE_THREADS, thread_name_prefix="dense-search")

    @property
    def identity(self) -> frozenset[str]:
        """Stemmed words that name the corpus itself ("TOM", "council"): they tell passages apart poorly."""
        return self.store.names().identity

    @property
    def acronyms(self) -> dict[str, str]:
        """Abbreviations the documents define, e.g. {"TOM": "Target Operating Model"}."""
        return self.store.names().acronyms

    def unknown(self, tokens: set[str]) -> set[str]:
        """The stemmed words no passage uses."""
        return self.store.keywords.unknown(tokens)

    def councils(self) -> frozenset[str]:
        """The councils whose documents are in the store."""
        return frozenset(self.store.names().councils)

    def name_words(self, documents: set[str] | None = None) -> frozenset[str]:
        """Every word that names some document (title, council, kind, date, file name), or one of `documents`."""
        names = self.store.names()
        if documents is None:
            return names.name_words
        return frozenset().union(*(names.names.get(document, frozenset()) for document in documents))

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        """The k best chunks for `query`, best first.

        The dense half (embedding the question, asking Chroma) runs on a thread beside the keyword half
        (SQLite): both spend most of their time outside Python's lock, so a search takes about the
        longer of the two rather than their sum."""
        k = k or self.settings.top_k
        filters = filters or Filters()
        names = self.store.names()  # the request's freshness check: one SQLite read
        dense = self._threads.submit(self._dense, query, names, filters)
        tokens = [token for token in tokenize(query) if token not in names.identity]
        keyword = self.store.keywords.search(tokens, self.settings.candidates, filters.fields())
        headings = self.store.keywords.search_headings(tokens, self.settings.candidates, filters.fields())
        named = self.councils_named(query, names)
        dense_lists, query_embedding = dense.result()
        ranked = fuse(dense_lists, [(h.chunk_id, h.score) for h in keyword], [(h.chunk_id, h.score) for h in headings],
                      self.settings.rrf_k, self._of_councils(named) if named else None, self.settings.council_boost)
        return self._complete(ranked[:k], query_embedding)

    def _dense(self, query: str, names: Names, filters: Filters) -> tuple[list[list[tuple[str, float]]], list[float]]:
        """The chunks nearest the question, and nearest it with its acronyms spelled out when that differs
        (one store call); and the embedding every hit's relevance is measured against."""
        focused, expanded = self.dense_query(query, names), _expand(query, names.acronyms)
        if focused == expanded:
            embeddings = [self.embedder.get_query_embedding(focused)]
        else:
            embeddings = self.embedder.get_text_embedding_batch([focused, expanded])
        found = self.store.nearest(embeddings, self.settings.candidates, filters.fields()) if names.chunks else []
        return found, embeddings[-1]

    def _of_councils(self, councils: set[str]):
        """Which of some chunk ids belong to these councils (one registry read)."""
        return lambda ids: {chunk_id for chunk_id, council in self.store.keywords.councils(ids).items() if council in councils}

    def _complete(self, ranked: list[Candidate], query_embedding: list[float]) -> list[Hit]:
        """Hits for the fused candidates, read in one call; a hit only the keyword lists found gets its
        cosine similarity from its vector, so every hit has a comparable relevance."""
        read = {chunk.chunk_id: chunk for chunk in self.store.get([c.chunk_id for c in ranked], embeddings=True)}
        query = np.asarray(query_embedding, dtype=float)
        hits = []
        for candidate in ranked:
            chunk = read.get(candidate.chunk_id)
            if chunk is None:
                continue  # deleted since it was listed (a write under way elsewhere)
            hit = Hit.from_chunk(chunk, candidate.score)
            hit.dense, hit.keyword = candidate.dense, candidate.keyword
            if hit.dense == 0.0 and chunk.embedding is not None:
                hit.dense = float(np.dot(np.asarray(chunk.embedding, dtype=float), query))
            hit.rank = len(hits) + 1
            hits.append(hit)
        return hits

    def dense_query(self, query: str, names: Names | None = None) -> str:
        """The question without the words that name the whole corpus ("TOM", "council").

        In a corpus of TOM documents those words are in every passage, and in MiniLM's embedding
        they outweigh the words that say what the question is about ("board meetings"). When
        nothing else is left ("What is a TOM?"), the abbreviations are spelled out instead.
        """
        names = names or self.store.names()
        kept = [w for w in query.split() if not (tokenize(w) and set(tokenize(w)) <= names.identity)]
        if not any(tokenize(" ".join(kept))):
            return _expand(query, names.acronyms)
        return " ".join(kept)

    def expand_acronyms(self, query: str) -> str:
        """Spell out abbreviations the documents define: MiniLM does not know that TOM is a model."""
        return _expand(query, self.store.names().acronyms)

    def councils_named(self, query: str, names: Names | None = None) -> set[str]:
        """Councils in the store whose distinctive name words appear in the question."""
        words = set(re.findall(r"[a-z]+", query.lower()))
        councils = (names or self.store.names()).councils
        return {council for council, distinctive in councils.items() if distinctive and distinctive <= words}

    def documents_named(self, query: str, most: int = 3) -> list[set[str]]:
        """The documents a question names ("Merton and the 2024 draft report"), as groups it cannot tell apart.

        A name word weighs log(N/df): "Merton" names one document strongly, "draft" two weakly. The
        most clearly named document is taken first and explains its words away (so "draft" in "the
        2021 two councils draft" names no other draft); then the next, while a document's remaining
        words weigh at least as much as one word shared by half the documents. A single name word
        counts only when written as a name (capitalised, or a year).
        """
        corpus = self.store.names()
        names = corpus.names
        if len(names) < 2:
            return []
        remaining = set(tokenize(query))
        proper = set(tokenize(" ".join(w for w in query.split() if w[:1].isupper() or any(c.isdigit() for c in w))))
        groups: list[set[str]] = []
        while len(groups) < most:
            weight = {}
            for document, tokens in names.items():
                matched = tokens & remaining  # one lower-case word ("share") is not a name; "Merton", "2021" or "case study" are
                named = len(matched) >= 2 or matched & proper
                weight[document] = sum(corpus.weights[t] for t in matched) if named else 0.0
            best = max(weight.values())
            if best < math.log(2) - 1e-9:
                break
            group = {d for d, w in weight.items() if w >= best - 1e-9}
            groups.append(group)
            remaining -= set().union(*(names[d] for d in group))
        return groups

    def neighbours(self, hit: Hit, before: int = 1, after: int = 1) -> list[Hit]:
        """Chunks next to `hit` in the same section: the rest of a list or table split in two."""
        index = int(hit.metadata.get("chunk_index", -1))
        ids = [chunk_id(hit.document, i) for i in range(index - before, index + after + 1) if i >= 0 and i != index]
        return [
            Hit.from_chunk(chunk)
            for chunk in self.store.get(ids)
            if chunk.metadata.get("section") == hit.section
        ]


def _expand(query: str, acronyms: dict[str, str]) -> str:
    for short, long in acronyms.items():
        if re.search(rf"\b{re.escape(short)}s?\b", query) and long.lower() not in query.lower():
            query = re.sub(rf"\b{re.escape(short)}(s?)\b", rf"{long}\1 ({short}\1)", query, count=1)
    return query
