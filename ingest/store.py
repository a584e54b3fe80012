"""The chunk store: vectors in one Chroma collection (embedded on disk, or on a `chroma run` server), and
the keyword index with the document registry in `<data>/keywords.sqlite3` (`ingest.keyword_index`).

The collection is never deleted and recreated (a server holding it would fail its queries);
documents are replaced with upserts followed by deleting the ids they no longer have, so a failure
before the first upsert leaves the store exactly as it was. Embeddings are always passed in, so
Chroma's own (downloading) embedding function never runs.

Several processes share one store (`tom serve` workers, `tom ingest`, the UI) through one data
folder: every write holds the folder's lock (`ingest.locking`), so there is one writer at a time.
A write marks the revision "writing-…" (naming its document) before it touches a chunk; after the
vectors, one SQLite transaction replaces the document's keyword rows and registry row and gives the
revision a fresh value. A marker left by a writer that died is healed by the next process that
reads the revision while the lock is free: it re-indexes that one document from Chroma, so keyword
rows and vectors agree again. Reading the revision is one SQLite read, the only freshness check a
request makes; an embedded store that sees it changed by someone else reopens Chroma (under the
lock), which reloads the HNSW index from disk.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from ingest.chroma_handle import PAGE, open_handle, pages, warm  # noqa: F401  (PAGE: tests read it here)
from ingest.faults import checkpoint
from ingest.keyword_index import FILE_NAME, KeywordIndex
from ingest.locking import SharedExclusive, holding, store_lock, try_holding
from ingest.naming import Names
from ingest.records import DocumentInfo, StoredChunk, clean_metadata  # noqa: F401  (importers use ingest.store)
from ingest.settings import Settings

Where = dict[str, Any]
WRITE_BATCH = 2000  # records per upsert: one call over Chroma's max batch size fails
WRITING = "writing-"  # revision prefix while a write is under way
log = logging.getLogger(__name__)


class ChunkStore:
    """Chunks with their embeddings, metadata and keyword rows, shared between processes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = store_lock(settings)
        self._embedded = not settings.chroma_url
        self._guard = SharedExclusive()  # queries in flight vs. swapping in a reopened handle
        self.keywords = KeywordIndex(settings.data_dir / FILE_NAME, settings.keyword_budget, settings.keyword_candidates)
        with holding(self.lock, settings.lock_timeout) if self._embedded or not self.keywords.built() else nullcontext():
            self._handle = open_handle(settings)
            if self._embedded:
                warm(self._handle.collection)
            if not self.keywords.built():
                self._index_all()
            self._seen = self.keywords.revision()

    @property
    def collection(self):
        """The Chroma collection as currently opened (it changes when the store reopens)."""
        return self._handle.collection

    # Revision and freshness
    def revision(self) -> str:
        """Changes whenever the chunks may have changed (one SQLite read); a writer's marker left behind
        by a crash is healed here, so readers do not keep a half-written view for ever."""
        revision = self.keywords.revision()
        if revision.startswith(WRITING) and not self.lock.is_locked and try_holding(self.lock):
            try:
                revision = self._heal()
            finally:
                self.lock.release()
        return revision

    def names(self) -> Names:
        """The corpus's acronyms, identity words, document and council names, for the current revision."""
        return self.keywords.names(self.revision())

    def _heal(self) -> str:
        """With the lock held: a "writing" marker is a dead writer's. See what it left and re-index its document."""
        revision = self.keywords.revision()
        if not revision.startswith(WRITING):
            return revision
        document = self.keywords.writing()
        log.warning("the store's last write (of %s) did not finish: re-indexing it from the vectors", document)
        if self._embedded:
            self._reopen()
        revision = self._index_document(document) if document else self.keywords.set_revision(uuid.uuid4().hex)
        self._seen = revision
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
        self._seen = self.keywords.revision()
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
        """Chunks in the store (from the index's statistics: no Chroma call)."""
        return self.keywords.count()

    def all_chunks(self) -> list[StoredChunk]:
        with self._reading() as collection:
            return [StoredChunk(chunk_id, text or "", dict(meta or {}))
                    for page in pages(collection, ["documents", "metadatas"])
                    for chunk_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"])]

    def document_chunks(self, document: str) -> list[StoredChunk]:
        """One document's chunks, in order."""
        with self._reading() as collection:
            return _document_chunks(collection, document)

    def get(self, chunk_ids: list[str], embeddings: bool = False) -> list[StoredChunk]:
        """These chunks, in this order (missing ones left out); with their vectors if `embeddings`."""
        if not chunk_ids:
            return []
        include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
        with self._reading() as collection:
            result = collection.get(ids=chunk_ids, include=include)
        vectors = result["embeddings"] if embeddings else [None] * len(result["ids"])
        by_id = {chunk_id: StoredChunk(chunk_id, text or "", dict(meta or {}), None if vector is None else list(vector))
                 for chunk_id, text, meta, vector in zip(result["ids"], result["documents"], result["metadatas"], vectors)}
        return [by_id[chunk_id] for chunk_id in chunk_ids if chunk_id in by_id]

    def query(self, embedding: list[float], n: int, where: Where | None = None) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks by cosine similarity (1 - distance), best first. A hit with no metadata is a
        chunk deleted since this process loaded its index (a write is under way elsewhere): left out."""
        with self._reading() as collection:
            result = collection.query(query_embeddings=[embedding], n_results=n, where=where or None,
                                      include=["documents", "metadatas", "distances"])
        return [
            (StoredChunk(chunk_id, text or "", dict(meta)), 1.0 - float(distance))
            for chunk_id, text, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
            if meta is not None
        ]

    def nearest(self, embeddings: list[list[float]], n: int,
                filters: dict[str, str] | None = None) -> list[list[tuple[str, float]]]:
        """For each embedding, ids of the nearest chunks (matching `filters`, equality on council, kind or
        document) and their cosine similarity, best first; no text is read. A filter that leaves at most
        `exact_dense_limit` chunks compares them all (`ingest.dense`); a wider one is Chroma's filtered
        query, one call for all the embeddings (one round trip to a server)."""
        exact = self.keywords.nearest(filters, embeddings, n, self.settings.exact_dense_limit) if filters else None
        if exact is not None:
            return exact
        with self._reading() as collection:
            where = [{key: value} for key, value in (filters or {}).items()]
            result = collection.query(query_embeddings=embeddings, n_results=n, include=["distances"],
                                      where=None if not where else where[0] if len(where) == 1 else {"$and": where})
        return [[(chunk_id, 1.0 - float(distance)) for chunk_id, distance in zip(ids, distances)]
                for ids, distances in zip(result["ids"], result["distances"])]

    def documents(self) -> list[DocumentInfo]:
        """One entry per document, from the registry (written with the document's chunks)."""
        self.revision()
        return self.keywords.documents()

    def document_hashes(self) -> dict[str, set[str]]:
        """Content hashes per document, from every chunk's metadata: more than one means an interrupted
        write to redo (a full ingest checks every document this way)."""
        hashes: dict[str, set[str]] = {}
        with self._reading() as collection:
            for page in pages(collection, ["metadatas"]):
                for meta in page["metadatas"]:
                    hashes.setdefault(str((meta or {}).get("document")), set()).add(str((meta or {}).get("doc_hash", "")))
        return hashes

    def chunk_hashes(self, document: str) -> dict[str, int]:
        """How many of one document's chunks carry each content hash ({} if it has none): one hash with
        the expected count is a whole document, anything else an interrupted write."""
        counts: dict[str, int] = {}
        with self._reading() as collection:
            for page in pages(collection, ["metadatas"], {"document": document}):
                for meta in page["metadatas"]:
                    key = str((meta or {}).get("doc_hash", ""))
                    counts[key] = counts.get(key, 0) + 1
        return counts

    # Writing
    def replace_document(
        self, document: str, ids: list[str], texts: list[str], embeddings: list[list[float]], metadatas: list[dict]
    ) -> None:
        """Make `document` consist of exactly these chunks, vectors and keyword rows."""
        with self.writing(), self._guard.shared():
            collection = self._handle.collection
            old_ids = {i for page in pages(collection, [], {"document": document}) for i in page["ids"]}
            stale = sorted(old_ids - set(ids))
            with self._changing(document) as revision:
                checkpoint("store.begun")
                for start in range(0, len(ids), WRITE_BATCH):
                    end = start + WRITE_BATCH
                    collection.upsert(ids=ids[start:end], documents=texts[start:end], embeddings=embeddings[start:end],
                                      metadatas=metadatas[start:end])
                    checkpoint("store.upserted")
                for start in range(0, len(stale), WRITE_BATCH):
                    collection.delete(ids=stale[start:start + WRITE_BATCH])
                checkpoint("store.written")
                self.keywords.write(document, ids, texts, metadatas, embeddings, revision)
        log.info("stored %s: %d chunks, %d stale removed", document, len(ids), len(stale))

    def delete_document(self, document: str) -> int:
        with self.writing(), self._guard.shared():
            collection = self._handle.collection
            ids = [i for page in pages(collection, [], {"document": document}) for i in page["ids"]]
            if not ids and not self.keywords.hashes(document):
                return 0
            with self._changing(document) as revision:
                for start in range(0, len(ids), WRITE_BATCH):
                    collection.delete(ids=ids[start:start + WRITE_BATCH])
                checkpoint("store.deleted")
                self.keywords.write(document, [], [], [], [], revision)
        log.info("deleted %s: %d chunks", document, len(ids))
        return len(ids)

    @contextmanager
    def _changing(self, document: str) -> Iterator[str]:
        """A write's revision (lock and handle held): a "writing-" marker naming `document` before the
        first chunk changes; the body records the fresh value it is given with the keyword rows. A write
        that fails re-indexes the document from what the vectors now hold, under a fresh value not taken
        as this process's own, so every process (this one too) reloads what may have partly changed."""
        self._seen = self.keywords.set_revision(WRITING + uuid.uuid4().hex, writing=document)
        revision = uuid.uuid4().hex
        try:
            yield revision
        except BaseException:
            self._index_document(document)
            raise
        self._seen = revision

    def _index_document(self, document: str) -> str:
        """With the lock held: make the document's keyword rows match its chunks in Chroma; a fresh revision."""
        with self._guard.shared():
            chunks = _document_chunks(self._handle.collection, document, embeddings=True)
        revision = uuid.uuid4().hex
        self.keywords.write(document, [c.chunk_id for c in chunks], [c.text for c in chunks],
                            [c.metadata for c in chunks], [c.embedding for c in chunks], revision)
        return revision

    def _index_all(self) -> None:
        """With the lock held: fill a new keyword index from the vectors a store already holds (once)."""
        documents = sorted({str((meta or {}).get("document")) for page in pages(self._handle.collection, ["metadatas"])
                            for meta in page["metadatas"]})
        for document in documents:
            self._index_document(document)
        self.keywords.mark_built()
        log.info("keyword index built from the store: %d documents", len(documents))


def _document_chunks(collection, document: str, embeddings: bool = False) -> list[StoredChunk]:
    include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
    chunks = [StoredChunk(chunk_id, text or "", dict(meta or {}), list(vector) if embeddings else None)
              for page in pages(collection, include, {"document": document})
              for chunk_id, text, meta, vector in zip(page["ids"], page["documents"], page["metadatas"],
                                                      page["embeddings"] if embeddings else [None] * len(page["ids"]))]
    return sorted(chunks, key=lambda chunk: (int(chunk.metadata.get("chunk_index", 0)), chunk.chunk_id))
