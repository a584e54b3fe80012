"""File steps that survive a crash: whole copies made durable before they count, atomic
replacement, the trash folder, and content hashes.

A copy is written under a temporary name and fsynced before `os.replace` puts it in place, so a
reader (or the next ingestion) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from ingest.faults import checkpoint

BLOCK = 1 << 20
log = logging.getLogger(__name__)


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a new, renamed or removed file) durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def durable_copy(source: Path, target: Path, step: str = "copy") -> None:
    """Copy `source` to `target` (a name of our own) and fsync it; a crash leaves at most a partial
    `target`, which the journal's checksum tells from a whole one (`step` names the checkpoint)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = source.stat().st_size
    block = max(1, min(BLOCK, size // 2))
    with source.open("rb") as reader, target.open("wb") as writer:
        first = True
        while data := reader.read(block):
            writer.write(data)
            if first:
                writer.flush()
                checkpoint(f"{step}.partial")
                first = False
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(source, target)
    fsync_dir(target.parent)


def place(staged: Path, target: Path) -> None:
    """Put a whole, durable copy in place in one step (the old version, if any, goes at the same moment)."""
    os.replace(staged, target)
    fsync_dir(target.parent)


def move(source: Path, target: Path) -> None:
    """Move a file durably, across file systems too (the data folder and the corpus may differ)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        durable_copy(source, target)
        source.unlink()
    fsync_dir(target.parent)
    fsync_dir(source.parent)


def trash_path(trash: Path, document: str) -> Path:
    """Where a previous or deleted version is kept: `<trash>/<UTC time>/<document>`, under its own
    name (a name of up to 255 bytes, the file-system limit, still fits)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return trash / stamp / document


def staged_path(target: Path) -> Path:
    """The temporary name a new version is copied to beside its final name: hidden (never ingested)
    and short, whatever the length of the final name."""
    return target.with_name(f".tom-staged-{hashlib.sha256(target.name.encode()).hexdigest()[:16]}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while data := reader.read(BLOCK):
            digest.update(data)
    return digest.hexdigest()


def content_hash(path: Path, signature: str, entry: dict[str, str]) -> str:
    """What decides whether a document is re-ingested: its bytes, its manifest entry (so an edited
    entry updates the document's metadata) and the chunking signature."""
    digest = hashlib.sha256(signature.encode())
    digest.update(json.dumps(entry, sort_keys=True).encode())
    try:
        with path.open("rb") as reader:
            while data := reader.read(BLOCK):
                digest.update(data)
    except OSError:
        return "unreadable"
    return digest.hexdigest()[:32]
