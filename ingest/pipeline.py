"""Ingestion: files in, chunks with embeddings out, the store kept in step with the folder.

Idempotent and incremental: each document's content hash (with the chunking settings and the
embedder folded in) is kept on its chunks; an unchanged document is skipped, a changed one is
replaced, one that has gone from an ingested folder is deleted. All the slow work (loading,
chunking, embedding, through llama-index's IngestionPipeline) happens before the store is touched,
and the write itself is one upsert, so a failure leaves the store as it was for that document.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from llama_index.core.ingestion import IngestionPipeline
from llama_index.core.schema import MetadataMode, TextNode

from ingest.chunking import StructureNodeParser
from ingest.embedder import count_tokens, embed_model_path, get_embedder
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from ingest.manifest import MANIFEST_NAME, ManifestError, describe, read_manifest
from ingest.settings import Settings, get_settings
from ingest.store import ChunkStore, clean_metadata, get_store
from ingest.structure import parse_blocks

PIPELINE_VERSION = "3"  # bump when chunking changes, so every document is re-chunked
SKIPPED_NAMES = ("readme", MANIFEST_NAME)

Progress = Callable[[int, int, str], None]


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

    @property
    def ok(self) -> bool:
        return not self.failed


def ingest_paths(
    paths: Iterable[Path] | None = None,
    settings: Settings | None = None,
    store: ChunkStore | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest files and folders (the corpus folder when none are given) and return what happened."""
    settings = settings or get_settings()
    store = store or get_store(settings)
    started = time.perf_counter()
    summary = IngestSummary()
    files, folders = _collect(list(paths or [settings.corpus_dir]), summary)
    known = store.document_hashes()
    parser = StructureNodeParser(
        count_tokens=count_tokens,
        chunk_tokens=settings.chunk_tokens,
        max_tokens=settings.embed_window - 2,
        include_metadata=False,
        include_prev_next_rel=False,
    )
    pipeline = IngestionPipeline(transformations=[parser, get_embedder()])
    signature = f"{PIPELINE_VERSION}|{settings.chunk_tokens}|{embed_model_path(settings).name}"
    manifests: dict[Path, dict] = {}

    for number, path in enumerate(files, start=1):
        if progress:
            progress(number, len(files), path.name)
        doc_hash = _hash(path, signature)
        previous = known.get(path.name)
        if previous == {doc_hash}:
            summary.unchanged.append(path.name)
            continue
        try:
            loaded = load_file(path)
        except LoadError as error:
            summary.failed.append({"document": path.name, "reason": str(error)})
            continue
        except OSError as error:
            summary.failed.append({"document": path.name, "reason": f"cannot read the file: {error.strerror or error}"})
            continue
        summary.warnings.extend({"document": path.name, "warning": w} for w in loaded.warnings)
        if path.parent not in manifests:
            try:
                manifests[path.parent] = read_manifest(path.parent)
            except ManifestError as error:
                manifests[path.parent] = {}
                summary.warnings.append({"document": MANIFEST_NAME, "warning": f"ignored: {error}"})
        manifest = manifests[path.parent]
        document = loaded.document
        document.metadata.update(describe(path, manifest, _first_heading(document.text)))
        document.metadata.update({"document": path.name, "doc_hash": doc_hash})
        try:
            nodes = [node for node in pipeline.run(documents=[document]) if isinstance(node, TextNode)]
            if not nodes:
                raise LoadError("no text chunks could be made from the file")
            store.replace_document(
                path.name,
                ids=[node.node_id for node in nodes],
                texts=[node.get_content(metadata_mode=MetadataMode.NONE) for node in nodes],
                embeddings=[node.get_embedding() for node in nodes],
                metadatas=[clean_metadata(node.metadata) for node in nodes],
            )
        except Exception as error:  # the store is untouched unless replace_document returned
            summary.failed.append({"document": path.name, "reason": f"{type(error).__name__}: {error}"})
            continue
        (summary.updated if previous else summary.added).append(path.name)
        summary.chunks_written += len(nodes)

    present = {path.name for path in files}
    for info in store.documents():
        source = Path(info.source) if info.source else None
        if info.document in present or source is None:
            continue
        if any(_is_within(source, folder) for folder in folders) and not source.exists():
            store.delete_document(info.document)
            summary.removed.append(info.document)
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


def remove_document(document: str, settings: Settings | None = None, store: ChunkStore | None = None) -> int:
    """Delete a document's chunks from the store; returns how many there were."""
    return (store or get_store(settings)).delete_document(document)


def add_document(path: Path, settings: Settings, store: ChunkStore | None = None,
                 progress: Progress | None = None) -> IngestSummary:
    """Ingest one file from outside the corpus (an upload) and copy it into the corpus folder only
    when that succeeded, so a file that fails leaves the store and the folder as they were."""
    summary = ingest_paths([path], settings=settings, store=store, progress=progress)
    if not summary.failed:
        settings.corpus_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, settings.corpus_dir / path.name)
    return summary


def delete_document(document: str, settings: Settings, store: ChunkStore | None = None) -> int:
    """Delete a document's chunks and its file in the corpus folder (by base name only)."""
    removed = remove_document(document, settings=settings, store=store)
    path = settings.corpus_dir / Path(document).name
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
