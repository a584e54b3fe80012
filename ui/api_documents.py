"""GET/POST /api/documents and DELETE /api/documents/{name}: what is in the store, and changing it.

Uploads and deletes run one at a time in the `ingest` lane, under the lock the UI's Documents
tab takes too; the list runs in the `light` lane, so neither waits behind model calls.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, UploadFile

from assistant.errors import NotFound
from ui import uploads
from ui.bridge import carrying
from ui.services import Services

log = logging.getLogger(__name__)


def ingest_upload(services: Services, path: Path, replace: bool = False) -> dict[str, Any]:
    """Ingest a saved upload; it joins the corpus folder only when ingestion succeeded. An upload of an
    existing name is refused (409) unless `replace` is set; the replaced file goes to the trash folder."""
    with services.ingest_lock:
        summary = services.components.ingester.add(path, replace=replace)
    if summary.failed:
        raise uploads.NotIngested(f"{path.name} was not ingested: {summary.failed[0]['reason']}")
    return summary.to_dict()


def delete_document(services: Services, document: str) -> dict[str, Any]:
    with services.ingest_lock:
        if document not in {info.document for info in services.components.store.documents()}:
            raise NotFound(f"no document '{document}'")
        removed = services.components.ingester.delete(document)
    return {"document": document, "removed_chunks": removed}


def router(services: Services) -> APIRouter:
    routes = APIRouter(tags=["documents"])
    read = Depends(services.auth.dependency(write=False))
    write = Depends(services.auth.dependency(write=True))
    lanes, limit = services.lanes, services.settings.max_upload_bytes

    def listing() -> list[dict[str, Any]]:
        return [asdict(info) for info in services.components.store.documents()]

    @routes.get("/api/documents", dependencies=[read])
    async def api_documents() -> list[dict[str, Any]]:
        """The documents in the store, with their metadata and chunk counts."""
        return await lanes.light.run(listing)

    @routes.post("/api/documents", dependencies=[write])
    async def api_upload(file: UploadFile = File(...), replace: bool = Form(False)) -> dict[str, Any]:
        """Add a document (.txt .md .pdf .docx .html); it is ingested, then kept in the corpus folder."""
        uploads.check_name(file.filename)  # refuse a bad name before queueing
        return await carrying(lanes.ingest.run(uploads.with_saved, file.filename, file.file, limit,
                                               lambda path: ingest_upload(services, path, replace)))

    @routes.delete("/api/documents/{document:path}", dependencies=[write])
    async def api_delete(document: str) -> dict[str, Any]:
        """Remove a document's chunks and its file in the corpus folder."""
        return await carrying(lanes.ingest.run(delete_document, services, document))

    return routes
