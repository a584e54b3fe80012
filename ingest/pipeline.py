"""Ingestion: files in, chunks with embeddings out, the store kept in step with the folder.

Idempotent and incremental: each document's content hash (with the chunking settings and the
embedder folded in) is kept on its chunks; an unchanged document is skipped, a changed one is
replaced, one that has gone from an ingested folder is deleted. All the slow work (loading,
chunking, embedding, through llama-index's IngestionPipeline) happens before the store is touched,
and the write itself is one upsert, so a failure leaves the store as it was for that document.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from llama_index.core.ingestion import IngestionPipeline
from llama_index.core.schema import MetadataMode, TextNode

from ingest.chunking import StructureNodeParser
from ingest.embedder import TokenCounter, embed_model_path
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from ingest.manifest import MANIFEST_NAME, ManifestError, describe, read_manifest
from ingest.settings import Settings
from ingest.store import ChunkStore, clean_metadata
from ingest.structure import parse_blocks

PIPELINE_VERSION = "3"  # bump when chunking changes, so every document is re-chunked
SKIPPED_NAMES = ("readme", MANIFEST_NAME)
log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def _write_errors() -> tuple[type[BaseException], ...]:
    """What embedding or writing one document can raise; any of them fails that document, not the run."""
    from chromadb.errors import ChromaError

    return (LoadError, OSError, MemoryError, RuntimeError, ValueError, ChromaError)


WRITE_ERRORS = _write_errors()


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

    def ingest(self, paths: Iterable[Path] | None = None, progress: Progress | None = None) -> IngestSummary:
        """Ingest files and folders (the corpus folder when none are given) and return what happened."""
        started = time.perf_counter()
        summary = IngestSummary()
        files, folders = _collect(list(paths or [self.settings.corpus_dir]), summary)
        known = self.store.document_hashes()
        manifests: dict[Path, dict] = {}
        for number, path in enumerate(files, start=1):
            if progress:
                progress(number, len(files), path.name)
            self._ingest_file(path, known.get(path.name), self._manifest(path.parent, manifests, summary), summary)
        self._remove_vanished(files, folders, summary)
        summary.seconds = round(time.perf_counter() - started, 2)
        log.info("ingested: %d added, %d updated, %d unchanged, %d removed, %d failed", len(summary.added),
                 len(summary.updated), len(summary.unchanged), len(summary.removed), len(summary.failed))
        return summary

    def _manifest(self, folder: Path, manifests: dict[Path, dict], summary: IngestSummary) -> dict:
        if folder not in manifests:
            try:
                manifests[folder] = read_manifest(folder)
            except ManifestError as error:
                manifests[folder] = {}
                summary.warnings.append({"document": MANIFEST_NAME, "warning": f"ignored: {error}"})
        return manifests[folder]

    def _ingest_file(self, path: Path, previous: set[str] | None, manifest: dict, summary: IngestSummary) -> None:
        doc_hash = _hash(path, self.signature)
        if previous == {doc_hash}:
            summary.unchanged.append(path.name)
            return
        try:
            loaded = load_file(path)
        except LoadError as error:
            summary.failed.append({"document": path.name, "reason": str(error)})
            return
        except OSError as error:
            summary.failed.append({"document": path.name, "reason": f"cannot read the file: {error.strerror or error}"})
            return
        summary.warnings.extend({"document": path.name, "warning": w} for w in loaded.warnings)
        document = loaded.document
        document.metadata.update(describe(path, manifest, _first_heading(document.text)))
        document.metadata.update({"document": path.name, "doc_hash": doc_hash})
        try:
            chunks = self._embed_and_store(path.name, document)
        except WRITE_ERRORS as error:  # the store is untouched unless replace_document returned
            log.warning("could not ingest %s", path.name, exc_info=True)
            reason = str(error) if isinstance(error, LoadError) else f"{type(error).__name__}: {error}"
            summary.failed.append({"document": path.name, "reason": reason})
            return
        (summary.updated if previous else summary.added).append(path.name)
        summary.chunks_written += chunks

    def _embed_and_store(self, name: str, document) -> int:
        """Chunk and embed first, then one write: a failure before it leaves the store as it was."""
        nodes = [node for node in self.pipeline.run(documents=[document]) if isinstance(node, TextNode)]
        if not nodes:
            raise LoadError("no text chunks could be made from the file")
        self.store.replace_document(
            name,
            ids=[node.node_id for node in nodes],
            texts=[node.get_content(metadata_mode=MetadataMode.NONE) for node in nodes],
            embeddings=[node.get_embedding() for node in nodes],
            metadatas=[clean_metadata(node.metadata) for node in nodes],
        )
        return len(nodes)

    def _remove_vanished(self, files: list[Path], folders: list[Path], summary: IngestSummary) -> None:
        """Documents whose file has gone from an ingested folder leave the store too."""
        present = {path.name for path in files}
        for info in self.store.documents():
            source = Path(info.source) if info.source else None
            if info.document in present or source is None:
                continue
            if any(_is_within(source, folder) for folder in folders) and not source.exists():
                self.store.delete_document(info.document)
                summary.removed.append(info.document)

    def add(self, path: Path, progress: Progress | None = None) -> IngestSummary:
        """Ingest one file from outside the corpus (an upload) and copy it into the corpus folder only
        when that succeeded, so a file that fails leaves the store and the folder as they were."""
        summary = self.ingest([path], progress=progress)
        if not summary.failed:
            self.settings.corpus_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, self.settings.corpus_dir / path.name)
        return summary

    def delete(self, document: str) -> int:
        """Delete a document's chunks and its file in the corpus folder (by base name only)."""
        removed = self.store.delete_document(document)
        path = self.settings.corpus_dir / Path(document).name
        if path.is_file():
            path.unlink()
        return removed


def _collect(paths: list[Path], summary: IngestSummary) -> tuple[list[Path], list[Path]]:
    """Files to ingest (unique names), and the folders whose vanished documents are removed."""
    files: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            folders.append(path.resolve())
            for candidate in sorted(path.rglob("*")):
                if not candidate.is_file() or _skipped(candidate, path):
                    continue
                if candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append(candidate)
                else:
                    summary.warnings.append(
                        {"document": candidate.name, "warning": f"skipped: unsupported format '{candidate.suffix}'"}
                    )
        elif path.is_file():
            files.append(path)
        else:
            summary.failed.append({"document": str(path), "reason": "no such file or folder"})
    unique: dict[str, Path] = {}
    for file in files:
        if file.name in unique:
            summary.failed.append(
                {"document": str(file), "reason": f"another file named '{file.name}' is ingested in this run"}
            )
        else:
            unique[file.name] = file
    return list(unique.values()), folders


def _skipped(candidate: Path, root: Path) -> bool:
    parts = candidate.relative_to(root).parts
    if any(part.startswith((".", "_")) for part in parts) or "frameworks" in parts[:-1]:
        return True
    return candidate.name.lower().startswith(SKIPPED_NAMES)


def _hash(path: Path, signature: str) -> str:
    digest = hashlib.sha256(signature.encode())
    try:
        digest.update(path.read_bytes())
    except OSError:
        return "unreadable"
    return digest.hexdigest()[:32]


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
