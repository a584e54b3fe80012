"""Which files an ingestion run reads, and each one's identity.

A document is its path within the corpus folder ("policies/hr.txt"), so two files with one name in
different subfolders are two documents. A file in a folder outside the corpus is named by its path
within that folder, and a file given on its own by its name: for a file at the top of the corpus
folder all three are the file name, which is what the evaluation sets and citations use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.manifest import MANIFEST_NAME

SKIPPED_NAMES = ("readme", MANIFEST_NAME)


class Report(Protocol):
    failed: list[dict[str, str]]
    warnings: list[dict[str, str]]


@dataclass(frozen=True)
class Source:
    """A file to ingest and the document it is."""

    document: str
    path: Path


def document_id(path: Path, root: Path | None, corpus_dir: Path) -> str:
    """The path of `path` within the corpus folder, else within `root` (the folder being ingested),
    else its name; always with "/" between parts."""
    resolved = path.resolve()
    for base in (corpus_dir, root):
        if base is None:
            continue
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def collect(paths: list[Path], corpus_dir: Path, report: Report) -> tuple[list[Source], list[Path]]:
    """Files to ingest (one per document), and the folders whose vanished documents are removed."""
    sources: list[Source] = []
    folders: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            folders.append(path.resolve())
            sources.extend(_folder(path, corpus_dir, report))
        elif path.is_file():
            sources.append(Source(document_id(path, None, corpus_dir), path))
        else:
            report.failed.append({"document": str(path), "reason": "no such file or folder"})
    unique: dict[str, Source] = {}
    for source in sources:
        if source.document in unique and unique[source.document].path.resolve() != source.path.resolve():
            report.failed.append({"document": str(source.path),
                                  "reason": f"another file is ingested as '{source.document}' in this run"})
        else:
            unique.setdefault(source.document, source)
    return list(unique.values()), folders


def _folder(folder: Path, corpus_dir: Path, report: Report) -> list[Source]:
    sources = []
    for candidate in sorted(folder.rglob("*")):
        if not candidate.is_file() or skipped(candidate, folder):
            continue
        document = document_id(candidate, folder, corpus_dir)
        if candidate.suffix.lower() in SUPPORTED_SUFFIXES:
            sources.append(Source(document, candidate))
        else:
            report.warnings.append({"document": document, "warning": f"skipped: unsupported format '{candidate.suffix}'"})
    return sources


def skipped(candidate: Path, root: Path) -> bool:
    """Hidden and private files (a staged upload is hidden), framework YAML, READMEs and manifests."""
    parts = candidate.relative_to(root).parts
    if any(part.startswith((".", "_")) for part in parts) or "frameworks" in parts[:-1]:
        return True
    return candidate.name.lower().startswith(SKIPPED_NAMES)
