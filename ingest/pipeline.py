"""Ingestion: files in, chunks with embeddings out, the store kept in step with the folder.

Idempotent and incremental: each document's content hash (its bytes, its manifest entry, the
chunking settings and the embedder) is kept on its chunks; an unchanged document is skipped, a
changed one replaced, one whose file has gone from an ingested folder deleted. A document is its
path within the corpus folder (`ingest.collect`). All the slow work (loading, chunking, embedding,
through llama-index's IngestionPipeline) happens before the store is touched.

Every operation holds the store's write lock (one writer across processes) and starts by
finishing whatever an interrupted one left in the journal. Each change is journalled before it
starts (`ingest.journal`); an upload is copied whole beside its final name before the store is
written, and put in place with one rename after, so a crash at any step leaves nothing that the
next operation cannot complete or undo: no half document, no chunks without a file, no
half-copied file taken as current.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from llama_index.core.ingestion import IngestionPipeline
from llama_index.core.schema import TextNode

from ingest.chunking import StructureNodeParser
from ingest.collect import Source, collect, skipped
from ingest.embedder import TokenCounter, embed_model_path
from ingest.errors import Conflict
from ingest.files import content_hash
from ingest.journal import Intent, Journal
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from ingest.manifest import FIELDS, MANIFEST_NAME, ManifestError, describe, entry_for, read_manifest
from ingest.recovery import settle
from ingest.settings import Settings
from ingest.store import ChunkStore
from ingest.structure import parse_blocks
from ingest.writes import Writes

PIPELINE_VERSION = "4"  # bump when chunking changes, so every document is re-chunked
log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def _write_errors() -> tuple[type[BaseException], ...]:
    """What embedding or writing one document can raise; any of them fails that document, not the run."""
    from sqlite3 import Error as SQLiteError

    from chromadb.errors import ChromaError

    return (LoadError, OSError, MemoryError, RuntimeError, ValueError, ChromaError, SQLiteError)


WRITE_ERRORS = _write_errors()


class DocumentExists(Conflict):
    """An upload named like a document already there: replacing it must be asked for (HTTP 409)."""


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


class Ingester:
    """Loads, chunks, embeds and stores documents with one store, embedder and token counter."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder, counter: TokenCounter) -> None:
        self.settings, self.store, self.embedder = settings, store, embedder
        parser = StructureNodeParser(
            count_tokens=counter, chunk_tokens=settings.chunk_tokens, max_tokens=settings.embed_window - 2,
            include_metadata=False, include_prev_next_rel=False,
        )
        self.pipeline = IngestionPipeline(transformations=[parser, embedder])
        self.signature = f"{PIPELINE_VERSION}|{settings.chunk_tokens}|{embed_model_path(settings).name}"
        self.journal = Journal(settings.data_dir / "journal")
        self.trash = settings.data_dir / "trash"
        self.writes = Writes(store, self.journal, self.trash)

    def ingest(self, paths: Iterable[Path] | None = None, progress: Progress | None = None) -> IngestSummary:
        """Ingest files and folders (the corpus folder when none are given) and return what happened."""
        started, summary = time.perf_counter(), IngestSummary()
        with self.store.writing():
            self._recover(summary)
            sources, folders = collect(list(paths or [self.settings.corpus_dir]), self.settings.corpus_dir, summary)
            known = self.store.document_hashes()
            manifests: dict[Path, dict] = {}
            for number, source in enumerate(sources, start=1):
                if progress:
                    progress(number, len(sources), source.document)
                manifest = self._manifest(source.path.parent, manifests, summary)
                self._ingest_file(source, known.get(source.document), manifest, summary)
            self._remove_vanished(sources, folders, summary)
        summary.seconds = round(time.perf_counter() - started, 2)
        log.info("ingested: %d added, %d updated, %d unchanged, %d removed, %d failed", len(summary.added),
                 len(summary.updated), len(summary.unchanged), len(summary.removed), len(summary.failed))
        return summary

    def recover(self) -> IngestSummary:
        """Complete or undo any change a crashed process left unfinished (every operation does this first)."""
        summary = IngestSummary()
        with self.store.writing():
            self._recover(summary)
        return summary

    def add(self, path: Path, progress: Progress | None = None, *, replace: bool = False,
            metadata: dict[str, str] | None = None) -> IngestSummary:
        """Ingest one file from outside the corpus (an upload) and keep it in the corpus folder as
        `<corpus>/<name>`. A document of that name is replaced only when `replace` is given (its file
        then goes to the trash folder, and its manifest entry stays unless `metadata` is given);
        otherwise DocumentExists. A file that fails leaves the store and the folder as they were."""
        started, summary = time.perf_counter(), IngestSummary()
        target, document = self.settings.corpus_dir / path.name, path.name
        with self.store.writing():
            self._recover(summary)
            previous = self.store.chunk_hashes(document)
            if (target.exists() or previous) and not replace:
                raise DocumentExists(f"a document named '{document}' already exists: replace it explicitly (its "
                                     f"current file is then kept in {self.trash}), or rename the upload")
            if progress:
                progress(1, 1, document)
            manifest = self._manifest(target.parent, {}, summary)
            if metadata is not None:
                metadata = {key: str(value) for key, value in metadata.items() if key in FIELDS}
                manifest = {**manifest, target.name: metadata}
            doc_hash = content_hash(path, self.signature, entry_for(target, manifest))
            nodes = self._prepare(Source(document, target), path, doc_hash, manifest, summary)
            if nodes is not None:
                try:
                    self.writes.upload(path, document, target, doc_hash, nodes, metadata, WRITE_ERRORS)
                except WRITE_ERRORS as error:
                    log.warning("could not store the upload %s", document, exc_info=True)
                    summary.failed.append({"document": document, "reason": f"{type(error).__name__}: {error}"})
                    self._recover(IngestSummary())  # puts the previous version's chunks back if the write changed them
                else:
                    (summary.updated if previous else summary.added).append(document)
                    summary.chunks_written += len(nodes)
        summary.seconds = round(time.perf_counter() - started, 2)
        return summary

    def delete(self, document: str) -> int:
        """Delete a document's chunks, and move its file in the corpus folder (if any) to the trash folder."""
        with self.store.writing():
            self._recover(IngestSummary())
            removed = self.writes.delete(document, self._corpus_file(document))
        return removed

    # Steps
    def _ingest_file(self, source: Source, previous: set[str] | None, manifest: dict, summary: IngestSummary,
                     force: bool = False) -> bool:
        doc_hash = content_hash(source.path, self.signature, entry_for(source.path, manifest))
        if previous == {doc_hash} and not force:
            summary.unchanged.append(source.document)
            return True
        nodes = self._prepare(source, source.path, doc_hash, manifest, summary)
        if nodes is None:
            return False
        try:
            self.writes.document(source.document, source.path, doc_hash, nodes, previous or set(), WRITE_ERRORS)
        except WRITE_ERRORS as error:
            log.warning("could not store %s", source.document, exc_info=True)
            summary.failed.append({"document": source.document, "reason": f"{type(error).__name__}: {error}"})
            return False
        (summary.updated if previous else summary.added).append(source.document)
        summary.chunks_written += len(nodes)
        return True

    def _prepare(self, source: Source, read_from: Path, doc_hash: str, manifest: dict,
                 summary: IngestSummary) -> list[TextNode] | None:
        """Load, describe, chunk and embed (the slow part, before anything is written); None if it failed."""
        try:
            loaded = load_file(read_from)
        except LoadError as error:
            summary.failed.append({"document": source.document, "reason": str(error)})
            return None
        except OSError as error:
            summary.failed.append({"document": source.document, "reason": f"cannot read the file: {error.strerror or error}"})
            return None
        summary.warnings.extend({"document": source.document, "warning": w} for w in loaded.warnings)
        document = loaded.document
        document.id_ = source.document
        document.metadata.update(describe(source.path, manifest, _first_heading(document.text), document.text))
        document.metadata.update({"document": source.document, "doc_hash": doc_hash, "file_name": source.path.name,
                                  "source": str(source.path.resolve())})
        try:
            nodes = [node for node in self.pipeline.run(documents=[document]) if isinstance(node, TextNode)]
        except WRITE_ERRORS as error:
            log.warning("could not embed %s", source.document, exc_info=True)
            summary.failed.append({"document": source.document, "reason": f"{type(error).__name__}: {error}"})
            return None
        if not nodes:
            summary.failed.append({"document": source.document, "reason": "no text chunks could be made from the file"})
            return None
        return nodes

    # Recovery and reconciliation
    def _recover(self, summary: IngestSummary) -> None:
        """Complete or undo every change an interrupted operation left in the journal (lock held)."""
        intents, problems = self.journal.pending()
        summary.warnings.extend({"document": "journal", "warning": problem} for problem in problems)
        for intent in intents:
            current, done = settle(intent)
            if not self._agrees(intent, current, summary):
                self._reconcile(intent.document, current, summary)
            summary.warnings.append({"document": intent.document, "warning": done})
            self.journal.finish(intent)

    def _agrees(self, intent: Intent, current: Path | None, summary: IngestSummary) -> bool:
        """Whether the store already holds exactly `current`'s chunks, in vectors and keyword rows alike: all
        carry its content hash, and there are as many as the interrupted write meant to store when that write was of this content
        (a write never started, or undone, left the store with the previous content, untouched)."""
        hashes = self.store.chunk_hashes(intent.document)
        if self.store.keywords.hashes(intent.document) != hashes:
            return False  # keyword rows out of step with the vectors: redo the document
        if current is None:
            return not hashes
        entry = entry_for(current, self._manifest(current.parent, {}, summary))
        current_hash = content_hash(current, self.signature, entry)
        if set(hashes) != {current_hash}:
            return False
        return current_hash != intent.doc_hash or hashes[current_hash] == intent.chunks

    def _reconcile(self, document: str, current: Path | None, summary: IngestSummary) -> None:
        """Make the store hold exactly `current`'s chunks for `document`, or none if it has no file (or
        its file cannot be ingested: no chunks is better than half a document)."""
        if current is not None:
            manifest = self._manifest(current.parent, {}, summary)
            if self._ingest_file(Source(document, current), None, manifest, summary, force=True):
                return
        if self.store.delete_document(document):
            summary.removed.append(document)

    def _remove_vanished(self, sources: list[Source], folders: list[Path], summary: IngestSummary) -> None:
        """Documents whose file has gone from an ingested folder leave the store too, as do documents
        stored under an identity their file no longer has (before identities were relative paths)."""
        present = {source.document for source in sources}
        identity = {str(source.path.resolve()): source.document for source in sources}
        for info in self.store.documents():
            if info.document in present or not info.source:
                continue
            source = Path(info.source)
            if not any(_is_within(source, folder) for folder in folders):
                continue
            if source.exists() and str(source.resolve()) not in identity:
                continue
            self.store.delete_document(info.document)
            summary.removed.append(info.document)

    def _manifest(self, folder: Path, manifests: dict[Path, dict], summary: IngestSummary) -> dict:
        if folder not in manifests:
            try:
                manifests[folder] = read_manifest(folder)
            except ManifestError as error:
                manifests[folder] = {}
                summary.warnings.append({"document": MANIFEST_NAME, "warning": f"ignored: {error}"})
        return manifests[folder]

    def _corpus_file(self, document: str) -> Path | None:
        """The document's file in the corpus folder, if it has one (never a path that leaves the folder)."""
        corpus = self.settings.corpus_dir
        candidate = corpus / document
        if not _is_within(candidate, corpus.resolve()) or not candidate.is_file() or skipped(candidate, corpus):
            return None
        return candidate if candidate.suffix.lower() in SUPPORTED_SUFFIXES else None


def _first_heading(text: str) -> str | None:
    for block in parse_blocks(text[:5000]):
        if block.kind == "heading":
            return block.text
    return None


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False
