"""The journalled changes: a document's chunks, an upload (file and chunks together), a delete.

Each one records its intent before it starts and forgets it when it has finished, with a
`checkpoint` at every step a crash could fall between (the fault-injection tests kill the process
at each). The order makes every interruption recoverable (`ingest.recovery`): an upload's new
version is copied whole beside its final name before the store is written, and takes that name
with one rename after; the previous version is copied to the trash folder first.
"""

from __future__ import annotations

import logging
from pathlib import Path

from llama_index.core.schema import MetadataMode, TextNode

from ingest.faults import checkpoint
from ingest.files import durable_copy, file_sha256, move, place, staged_path, trash_path
from ingest.journal import Intent, Journal
from ingest.manifest import write_entry
from ingest.records import clean_metadata
from ingest.store import ChunkStore

log = logging.getLogger(__name__)


class Writes:
    """Changes to the store (and the corpus folder) that a crash cannot leave half done."""

    def __init__(self, store: ChunkStore, journal: Journal, trash: Path) -> None:
        self.store, self.journal, self.trash = store, journal, trash

    def document(self, document: str, source: Path, doc_hash: str, nodes: list[TextNode], previous: set[str],
                 errors: tuple[type[BaseException], ...]) -> None:
        """Store a document's chunks. When the write fails (raising one of `errors`) and verifiably left
        the store as it was, its intent is dropped; otherwise the next operation re-checks the document."""
        intent = Intent("write", document, target=str(source), doc_hash=doc_hash, chunks=len(nodes))
        self.journal.begin(intent)
        checkpoint("write.intent")
        try:
            self.replace(document, nodes)
        except errors:
            if set(self.store.chunk_hashes(document)) == previous:
                self.journal.finish(intent)
            raise
        checkpoint("write.stored")
        self.journal.finish(intent)

    def upload(self, upload: Path, document: str, target: Path, doc_hash: str, nodes: list[TextNode],
               metadata: dict[str, str] | None, errors: tuple[type[BaseException], ...]) -> None:
        """Keep the previous file, copy the upload whole beside `target`, store, then rename it into place.
        If the store write fails the copies are removed and the error raised; when the store was
        changed the intent stays, so the caller's recovery puts the previous version's chunks back."""
        staged = staged_path(target)
        intent = Intent("add", document, target=str(target), doc_hash=doc_hash, chunks=len(nodes), staged=str(staged),
                        sha256=file_sha256(upload), entry=metadata,
                        trash=str(trash_path(self.trash, document)) if target.is_file() else "")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.journal.begin(intent)
        checkpoint("add.intent")
        if intent.trash:
            durable_copy(target, Path(intent.trash), "trash")
            checkpoint("add.trashed")
        durable_copy(upload, staged, "stage")
        checkpoint("add.staged")
        previous = self.store.chunk_hashes(document)
        try:
            self.replace(document, nodes)
        except errors:
            staged.unlink(missing_ok=True)
            if intent.trash:
                Path(intent.trash).unlink(missing_ok=True)
            if self.store.chunk_hashes(document) == previous:
                self.journal.finish(intent)
            raise
        checkpoint("add.stored")
        if metadata is not None:
            write_entry(target.parent, target.name, metadata)
        place(staged, target)
        checkpoint("add.placed")
        self.journal.finish(intent)

    def delete(self, document: str, target: Path | None) -> int:
        """Move the document's file (if any) to the trash folder and delete its chunks."""
        intent = Intent("delete", document, target=str(target or ""),
                        trash=str(trash_path(self.trash, document)) if target else "")
        self.journal.begin(intent)
        checkpoint("delete.intent")
        if target is not None:
            move(target, Path(intent.trash))
            checkpoint("delete.trashed")
        removed = self.store.delete_document(document)
        checkpoint("delete.stored")
        self.journal.finish(intent)
        return removed

    def replace(self, document: str, nodes: list[TextNode]) -> None:
        self.store.replace_document(
            document,
            ids=[node.node_id for node in nodes],
            texts=[node.get_content(metadata_mode=MetadataMode.NONE) for node in nodes],
            embeddings=[node.get_embedding() for node in nodes],
            metadatas=[clean_metadata(node.metadata) for node in nodes],
        )
