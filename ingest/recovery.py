"""Completing or undoing the file side of an interrupted change, from its journal intent.

The rule: an upload is committed once its staged copy is whole (its checksum matches the intent),
because from then on every step can be redone; before that it is undone, and the previous file,
never touched, stays current. A delete is always completed. After settling the files, the caller
makes the store agree with whatever file is now current (`Ingester._reconcile`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ingest.files import file_sha256, move, place
from ingest.journal import Intent
from ingest.manifest import write_entry

log = logging.getLogger(__name__)


def settle(intent: Intent) -> tuple[Path | None, str]:
    """Finish or undo the file steps of `intent`: the file the document should now match (None: the
    document should have no chunks) and what was done, for the summary."""
    target = Path(intent.target) if intent.target else None
    if intent.op == "add" and target is not None:
        done = _settle_add(intent, target)
    elif intent.op == "delete":
        if target is not None and target.is_file():
            move(target, Path(intent.trash))
        done = "completed an interrupted delete"
    else:
        done = "re-checked a document whose write was interrupted"
    current = target if target is not None and target.is_file() and intent.op != "delete" else None
    log.warning("%s: %s", intent.document, done)
    return current, done


def _settle_add(intent: Intent, target: Path) -> str:
    staged = Path(intent.staged)
    if staged.is_file() and file_sha256(staged) == intent.sha256:
        if intent.entry is not None:
            write_entry(target.parent, target.name, intent.entry)
        place(staged, target)
        return "completed an interrupted upload (its copy was whole)"
    if target.is_file() and file_sha256(target) == intent.sha256:
        return "completed an interrupted upload (its file was already in place)"
    staged.unlink(missing_ok=True)
    if intent.trash:
        Path(intent.trash).unlink(missing_ok=True)  # a copy of the previous version, which stays in place
    return "undid an interrupted upload (its copy was not whole); the previous version stays"
