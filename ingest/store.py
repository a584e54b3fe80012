"""The chunk store: one Chroma collection, embedded on disk or on a `chroma run` server.

The collection is never deleted and recreated (a server holding it would fail its queries);
documents are replaced with one `upsert` call followed by deleting the ids they no longer have,
so a failure before the upsert leaves the store exactly as it was. Every write bumps a revision
in the collection's metadata, which is how other processes' keyword indexes know to rebuild.
Embeddings are always passed in, so Chroma's own (downloading) embedding function never runs.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from ingest.settings import Settings

Where = dict[str, Any]
PAGE = 5000  # records per bulk read: Chroma fails one `get` over ~32,766 records ("too many SQL variables")
WRITE_BATCH = 2000  # records per upsert: one call over Chroma's max batch size fails
log = logging.getLogger(__name__)


@dataclass
class StoredChunk:
    chunk_id: str
    text: str
    metadata: dict[str, Any]


@dataclass
class DocumentInfo:
    document: str
    title: str
    council: str
    kind: str
    date: str
    status: str
    chunks: int
    doc_hash: str
    source: str


class ChunkStore:
    """Chunks with their embeddings and metadata, in one Chroma collection."""

    def __init__(self, settings: Settings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.settings = settings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.settings.chroma_url:
            url = urlparse(self.settings.chroma_url)
            self.client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        else:
            self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(self.settings.chroma_dir), settings=chroma_settings)
        self.collection = self.client.get_or_create_collection(
            self.settings.collection,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    # Reading
    def count(self) -> int:
        return self.collection.count()

    def revision(self) -> str:
        collection = self.client.get_collection(self.settings.collection, embedding_function=None)
        return str((collection.metadata or {}).get("revision", "")) + f":{collection.count()}"

    def all_chunks(self) -> list[StoredChunk]:
        return [
            StoredChunk(chunk_id, text or "", dict(meta or {}))
            for page in self._pages(["documents", "metadatas"])
            for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"])
        ]

    def _pages(self, include: list[str], where: Where | None = None) -> Iterator[dict[str, Any]]:
        """Every record, a page at a time: no single call grows with the collection."""
        offset = 0
        while True:
            page = self.collection.get(include=include, where=where, limit=PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    def _metadatas(self) -> Iterator[dict[str, Any]]:
        for page in self._pages(["metadatas"]):
            yield from (dict(meta or {}) for meta in page["metadatas"])

    def get(self, chunk_ids: list[str]) -> list[StoredChunk]:
        if not chunk_ids:
            return []
        result = self.collection.get(ids=chunk_ids, include=["documents", "metadatas"])
        by_id = {
            chunk_id: StoredChunk(chunk_id, text or "", dict(meta or {}))
            for chunk_id, text, meta in zip(result["ids"], result["documents"], result["metadatas"])
        }
        return [by_id[chunk_id] for chunk_id in chunk_ids if chunk_id in by_id]

    def embeddings(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of these chunks, by id."""
        if not chunk_ids:
            return {}
        result = self.collection.get(ids=chunk_ids, include=["embeddings"])
        return dict(zip(result["ids"], result["embeddings"]))

    def query(self, embedding: list[float], n: int, where: Where | None = None) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks by cosine similarity (1 - distance), best first."""
        n = min(n, max(self.count(), 1))
        result = self.collection.query(
            query_embeddings=[embedding], n_results=n, where=where or None, include=["documents", "metadatas", "distances"]
        )
        return [
            (StoredChunk(chunk_id, text or "", dict(meta or {})), 1.0 - float(distance))
            for chunk_id, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
        ]

    def documents(self) -> list[DocumentInfo]:
        """One entry per document, from the chunks' metadata (no separate registry to drift)."""
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for meta in self._metadatas():
            grouped[str(meta.get("document", "?"))].append(meta)
        infos = []
        for document, metas in sorted(grouped.items()):
            first = metas[0]
            infos.append(
                DocumentInfo(
                    document=document,
                    title=str(first.get("title", document)),
                    council=str(first.get("council", "unknown")),
                    kind=str(first.get("kind", "")),
                    date=str(first.get("date", "")),
                    status=str(first.get("status", "")),
                    chunks=len(metas),
                    doc_hash=str(first.get("doc_hash", "")),
                    source=str(first.get("source", "")),
                )
            )
        return infos

    def document_hashes(self) -> dict[str, set[str]]:
        """Content hashes per document; more than one means an interrupted write to redo."""
        hashes: dict[str, set[str]] = defaultdict(set)
        for meta in self._metadatas():
            hashes[str(meta.get("document"))].add(str(meta.get("doc_hash", "")))
        return hashes

    # Writing
    def replace_document(
        self, document: str, ids: list[str], texts: list[str], embeddings: list[list[float]], metadatas: list[dict]
    ) -> None:
        """Make `document` consist of exactly these chunks."""
        old_ids = {i for page in self._pages([], where={"document": document}) for i in page["ids"]}
        for start in range(0, len(ids), WRITE_BATCH):
            end = start + WRITE_BATCH
            self.collection.upsert(ids=ids[start:end], documents=texts[start:end], embeddings=embeddings[start:end],
                                   metadatas=metadatas[start:end])
        stale = sorted(old_ids - set(ids))
        for start in range(0, len(stale), WRITE_BATCH):
            self.collection.delete(ids=stale[start:start + WRITE_BATCH])
        self._bump()
        log.info("stored %s: %d chunks, %d stale removed", document, len(ids), len(stale))

    def delete_document(self, document: str) -> int:
        ids = [i for page in self._pages([], where={"document": document}) for i in page["ids"]]
        for start in range(0, len(ids), WRITE_BATCH):
            self.collection.delete(ids=ids[start:start + WRITE_BATCH])
        if ids:
            self._bump()
            log.info("deleted %s: %d chunks", document, len(ids))
        return len(ids)

    def _bump(self) -> None:
        self.collection.modify(metadata={"revision": uuid.uuid4().hex})


def clean_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Chroma takes str, int, float and bool values only."""
    out = {}
    for key, value in metadata.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
    return out
