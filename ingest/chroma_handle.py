"""Opening the chunk collection: embedded in the data folder, or on a `chroma run` server.

An embedded store opens a Chroma `System` of its own instead of calling
`chromadb.PersistentClient`. In chromadb 1.5 every PersistentClient on one folder in a process
shares a single System (and its HNSW index, loaded once and never re-read from disk); the System
stops only when the last of those clients calls `close()`, and
`SharedSystemClient.clear_system_cache()` (the old advice) drops the registry while the other
holders keep their references and reference counts. So a store could not reliably drop its index to
see another process's writes. With its own System a store reloads by opening a fresh one and
stopping the old; a new System replays Chroma's log on its first read ("backfill", which writes
the HNSW files), so callers open and warm a handle only while holding the store's write lock.

The pieces used (`System`, `ServerAPI`, `Collection`) are those `chromadb.api.client.Client` is
made of; `tests/ingest/test_store_processes.py` notices if an upgrade moves them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from ingest.settings import Settings

SPACE = {"hnsw": {"space": "cosine"}}
PAGE = 5000  # records per bulk read: Chroma fails one `get` over ~32,766 records ("too many SQL variables")
log = logging.getLogger(__name__)


@dataclass
class Handle:
    """One open connection to the collection."""

    collection: Any  # chromadb.api.models.Collection.Collection
    close: Callable[[], None]


def open_handle(settings: Settings) -> Handle:
    """The collection (created if missing), embedded or on the server that settings name."""
    from chromadb.config import Settings as ChromaSettings

    if settings.chroma_url:
        return _open_server(settings, ChromaSettings(anonymized_telemetry=False, allow_reset=False))
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    chroma = ChromaSettings(anonymized_telemetry=False, allow_reset=False, is_persistent=True,
                            persist_directory=str(settings.chroma_dir))
    return _open_embedded(settings, chroma)


def _open_embedded(settings: Settings, chroma) -> Handle:
    from chromadb.api import ServerAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.config import System

    system = System(chroma)
    server = system.instance(ServerAPI)
    system.start()
    try:
        model = server.get_or_create_collection(name=settings.collection, configuration=SPACE)
    except BaseException:
        system.stop()
        raise
    return Handle(
        collection=Collection(client=server, model=model, embedding_function=None),
        close=system.stop,
    )


def _open_server(settings: Settings, chroma) -> Handle:
    import chromadb

    url = urlparse(settings.chroma_url or "")
    client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                 ssl=url.scheme == "https", settings=chroma)
    collection = client.get_or_create_collection(settings.collection, configuration=SPACE, embedding_function=None)
    return Handle(collection=collection, close=client.close)


def warm(collection) -> None:
    """Make a fresh embedded handle do its first read (Chroma's backfill) and load its HNSW index now,
    while the caller holds the write lock, rather than in the middle of another process's write."""
    sample = collection.get(limit=1, include=["embeddings"])
    if len(sample["ids"]):
        collection.query(query_embeddings=[list(sample["embeddings"][0])], n_results=1, include=[])


def pages(collection, include: list[str], where: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Every record (matching `where`), a page at a time: no single call grows with the collection."""
    offset = 0
    while True:
        page = collection.get(include=include, where=where, limit=PAGE, offset=offset)
        if not page["ids"]:
            return
        yield page
        if len(page["ids"]) < PAGE:
            return
        offset += PAGE
