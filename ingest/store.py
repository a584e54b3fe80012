"""The chunk store: one Chroma collection, embedded on disk or on a `chroma run` server.

The collection is never deleted and recreated (a server holding it would fail its queries);
documents are replaced with upserts followed by deleting the ids they no longer have, so a failure
before the first upsert leaves the store exactly as it was. Embeddings are always passed in, so
Chroma's own (downloading) embedding function never runs.

Several processes share one store (`tom serve`, `tom ingest`, the UI): every write holds the data
folder's lock (`ingest.locking`), so there is one writer at a time. Each write marks the
collection's revision "writing-…" before it touches a chunk and gives it a fresh value after, so any
change is seen by other processes' keyword indexes; a marker left by a writer that died is replaced
by the next process that reads the revision while the lock is free. An embedded store that sees the
revision changed by someone else reopens Chroma (under the lock), which reloads the HNSW index from
disk: otherwise its queries would never return another process's new chunks.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from ingest.chroma_handle import open_handle, warm
from ingest.faults import checkpoint
from ingest.locking import SharedExclusive, holding, store_lock, try_holding
from ingest.records import DocumentInfo, StoredChunk, clean_metadata, document_info  # noqa: F401  (importers use ingest.store)
from ingest.settings import Settings

Where = dict[str, Any]
PAGE = 5000  # records per bulk read: Chroma fails one `get` over ~32,766 records ("too many SQL variables")
WRITE_BATCH = 2000  # records per upsert: one call over Chroma's max batch size fails
WRITING = "writing-"  # revision prefix while a write is under way
log = logging.getLogger(__name__)


class ChunkStore:
    """Chunks with their embeddings and metadata, in one Chroma collection shared between processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = store_lock(settings)
        self._embedded = not settings.chroma_url
        self._guard = SharedExclusive()  # queries in flight vs. swapping in a reopened handle
        with holding(self.lock, settings.lock_timeout) if self._embedded else nullcontext():
            self._handle = open_handle(settings)
            if self._embedded:
                warm(self._handle.collection)
            self._seen = self._stored_revision()

    @property
    def collection(self):
        """The Chroma collection as currently opened (it changes when the store reopens)."""
        return self._handle.collection

    # Revision and freshness
    def revision(self) -> str:
        """Changes whenever the chunks may have changed (one metadata read); a writer's marker left
        behind by a crash is replaced here, so readers do not keep a half-written view for ever."""
        revision = self._stored_revision()
        if revision.startswith(WRITING) and not self.lock.is_locked and try_holding(self.lock):
            try:
                revision = self._heal()
            finally:
                self.lock.release()
        return revision

    def _stored_revision(self) -> str:
        with self._guard.shared():
            return str(self._handle.metadata().get("revision", ""))

    def _heal(self) -> str:
        """With the lock held: a "writing" marker is a dead writer's; give the revision a fresh value."""
        revision = self._stored_revision()
        if revision.startswith(WRITING):
            log.warning("the store's last write did not finish (revision %s): marking it changed", revision)
            revision = self._set_revision(uuid.uuid4().hex)
        return revision

    def _sync(self) -> None:
        """Before a read: reopen an embedded store that another process has written to, if no write is
        under way (otherwise keep reading the consistent view already open, and try next time)."""
        if not self._embedded:
            return
        revision = self.revision()
        if revision == self._seen or revision.startswith(WRITING) or not try_holding(self.lock):
            return
        try:
            self._reopen()
        finally:
            self.lock.release()

    def _reopen(self) -> None:
        """With the lock held: a fresh Chroma System reads the folder (and its HNSW index) anew."""
        fresh = open_handle(self.settings)
        warm(fresh.collection)
        with self._guard.exclusive():
            old, self._handle = self._handle, fresh
        old.close()
        self._seen = self._stored_revision()
        log.info("reopened the store to see other processes' writes (revision %s)", self._seen)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock (re-entrant) with an up-to-date view of the collection."""
        with holding(self.lock, self.settings.lock_timeout):
            revision = self._heal()
            if self._embedded and revision != self._seen:
                self._reopen()
            yield

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        self._sync()
        with self._guard.shared():
            yield self._handle.collection

    # Reading
    def count(self) -> int:
        with self._reading() as collection:
            return collection.count()

    def all_chunks(self) -> list[StoredChunk]:
        with self._reading() as collection:
            return [
                StoredChunk(chunk_id, text or "", dict(meta or {}))
                for page in _pages(collection, ["documents", "metadatas"])
                for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"])
            ]

    def _metadatas(self) -> list[dict[str, Any]]:
        with self._reading() as collection:
            return [dict(meta or {}) for page in _pages(collection, ["metadatas"]) for meta in page["metadatas"]]

    def get(self, chunk_ids: list[str]) -> list[StoredChunk]:
        if not chunk_ids:
            return []
        with self._reading() as collection:
            result = collection.get(ids=chunk_ids, include=["documents", "metadatas"])
        by_id = {
            chunk_id: StoredChunk(chunk_id, text or "", dict(meta or {}))
            for chunk_id, text, meta in zip(result["ids"], result["documents"], result["metadatas"])
        }
        return [by_id[chunk_id] for chunk_id in chunk_ids if chunk_id in by_id]

    def embeddings(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of these chunks, by id."""
        if not chunk_ids:
            return {}
        with self._reading() as collection:
            result = collection.get(ids=chunk_ids, include=["embeddings"])
        return dict(zip(result["ids"], result["embeddings"]))

    def query(self, embedding: list[float], n: int, where: Where | None = None) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks by cosine similarity (1 - distance), best first. A hit with no metadata is a
        chunk deleted since this process loaded its index (a write is under way elsewhere): left out."""
        with self._reading() as collection:
            n = min(n, max(collection.count(), 1))
            result = collection.query(query_embeddings=[embedding], n_results=n, where=where or None,
                                      include=["documents", "metadatas", "distances"])
        return [
            (StoredChunk(chunk_id, text or "", dict(meta)), 1.0 - float(distance))
            for chunk_id, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
            if meta is not None
        ]

    def documents(self) -> list[DocumentInfo]:
        """One entry per document, from the chunks' metadata (no separate registry to drift)."""
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for meta in self._metadatas():
            grouped[str(meta.get("document", "?"))].append(meta)
        return [document_info(document, metas) for document, metas in sorted(grouped.items())]

    def document_hashes(self) -> dict[str, set[str]]:
        """Content hashes per document; more than one means an interrupted write to redo."""
        hashes: dict[str, set[str]] = defaultdict(set)
        for meta in self._metadatas():
            hashes[str(meta.get("document"))].add(str(meta.get("doc_hash", "")))
        return hashes

    def chunk_hashes(self, document: str) -> dict[str, int]:
        """How many of one document's chunks carry each content hash ({} if it has none): one hash with
        the expected count is a whole document, anything else an interrupted write."""
        counts: dict[str, int] = defaultdict(int)
        with self._reading() as collection:
            for page in _pages(collection, ["metadatas"], {"document": document}):
                for meta in page["metadatas"]:
                    counts[str((meta or {}).get("doc_hash", ""))] += 1
        return dict(counts)

    # Writing
    def replace_document(
        self, document: str, ids: list[str], texts: list[str], embeddings: list[list[float]], metadatas: list[dict]
    ) -> None:
        """Make `document` consist of exactly these chunks."""
        with self.writing(), self._guard.shared():
            collection = self._handle.collection
            old_ids = {i for page in _pages(collection, [], {"document": document}) for i in page["ids"]}
            stale = sorted(old_ids - set(ids))
            with self._changing():
                checkpoint("store.begun")
                for start in range(0, len(ids), WRITE_BATCH):
                    end = start + WRITE_BATCH
                    collection.upsert(ids=ids[start:end], documents=texts[start:end], embeddings=embeddings[start:end],
                                      metadatas=metadatas[start:end])
                    checkpoint("store.upserted")
                for start in range(0, len(stale), WRITE_BATCH):
                    collection.delete(ids=stale[start:start + WRITE_BATCH])
                checkpoint("store.written")
        log.info("stored %s: %d chunks, %d stale removed", document, len(ids), len(stale))

    def delete_document(self, document: str) -> int:
        with self.writing(), self._guard.shared():
            collection = self._handle.collection
            ids = [i for page in _pages(collection, [], {"document": document}) for i in page["ids"]]
            if not ids:
                return 0
            with self._changing():
                for start in range(0, len(ids), WRITE_BATCH):
                    collection.delete(ids=ids[start:start + WRITE_BATCH])
                checkpoint("store.deleted")
        log.info("deleted %s: %d chunks", document, len(ids))
        return len(ids)

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """A write's revision (lock and handle held): a "writing-" marker before the first chunk changes,
        a fresh value after. A write that fails still ends with a fresh value, not taken as this
        process's own, so every process (this one too) reloads what may have partly changed."""
        self._seen = self._set_revision(WRITING + uuid.uuid4().hex)
        try:
            yield
        except BaseException:
            self._set_revision(uuid.uuid4().hex)
            raise
        self._seen = self._set_revision(uuid.uuid4().hex)

    def _set_revision(self, revision: str) -> str:
        """Record `revision` on the collection (the caller holds the lock). Only a write of this process's
        own also makes it `_seen`: a healed marker means chunks this process has not loaded."""
        self._handle.collection.modify(metadata={"revision": revision})
        return revision


def _pages(collection, include: list[str], where: Where | None = None) -> Iterator[dict[str, Any]]:
    """Every record, a page at a time: no single call grows with the collection."""
    offset = 0
    while True:
        page = collection.get(include=include, where=where, limit=PAGE, offset=offset)
        if not page["ids"]:
            return
        yield page
        if len(page["ids"]) < PAGE:
            return
        offset += PAGE
