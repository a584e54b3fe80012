"""The write-ahead journal: what a write is about to do, on disk before it starts.

Each change that touches the store, or the store and the corpus folder together, first writes an
intent (a small JSON file, fsynced, put in place atomically) naming the document, the file it is
kept in, and for an upload the staged copy and its checksum. The intent is removed when the change
is complete. An intent still there at the start of the next `Ingester` operation is a change that
was interrupted (a crash, `kill -9`, a power cut); `ingest.recovery` completes or undoes it.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.files import fsync_dir

log = logging.getLogger(__name__)


def _intent_id() -> str:
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


@dataclass
class Intent:
    """One change to one document. `op` is "write" (chunks from a file in place), "add" (an upload:
    copied beside its final name, then stored, then put in place) or "delete"."""

    op: str
    document: str
    target: str = ""  # the file the document is kept in ("" when it has none in the corpus folder)
    doc_hash: str = ""  # the content hash the new chunks carry
    chunks: int = 0  # how many chunks the write stores
    staged: str = ""  # add: the whole new version, copied beside `target` before the store is touched
    sha256: str = ""  # add: checksum of the new version, which tells a whole staged copy from a partial one
    trash: str = ""  # add/delete: where the previous or deleted file is kept
    entry: dict[str, str] | None = None  # add: manifest metadata given with the upload
    id: str = field(default_factory=_intent_id)


class Journal:
    """Intent files in one folder of the data directory (`<data>/journal/<id>.json`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def begin(self, intent: Intent) -> None:
        """Record `intent` durably: written to a temporary name, fsynced, then renamed into place."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{intent.id}.tmp"
        with temporary.open("w", encoding="utf-8") as sink:
            json.dump(asdict(intent), sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, self._path(intent))
        fsync_dir(self.folder)

    def finish(self, intent: Intent) -> None:
        """The change is complete (or undone): forget it."""
        self._path(intent).unlink(missing_ok=True)
        fsync_dir(self.folder)

    def pending(self) -> tuple[list[Intent], list[str]]:
        """Unfinished intents, oldest first, and what was wrong with any that could not be read (each
        renamed `.bad`, so it is reported once; a full ingest then re-checks every document)."""
        if not self.folder.is_dir():
            return [], []
        intents, problems = [], []
        for path in sorted(self.folder.glob("*.json")):
            try:
                intents.append(Intent(**_read(path)))
            except (ValueError, TypeError) as error:
                path.rename(path.with_suffix(".bad"))
                log.error("unreadable journal entry %s: %s", path, error)
                problems.append(f"unreadable journal entry {path.name} (set aside as .bad): {error}")
        return intents, problems

    def _path(self, intent: Intent) -> Path:
        return self.folder / f"{intent.id}.json"


def _read(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data
