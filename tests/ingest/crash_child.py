"""A process that ingests a small corpus, then runs one write and is killed part-way through it.

    python -m tests.ingest.crash_child OP KILL ROOT

ROOT holds `corpus/` (and `upload/` for uploads) written by the test; the store goes in ROOT/data.
OP is ingest (of the corpus, after notes.txt was edited), edit (the same, with an edit that keeps
notes.txt one chunk long), add (notes.txt replaced by an upload), add-new (a new upload, pilot.txt)
or delete (notes.txt). The corpus is ingested first if the store is empty. KILL is a checkpoint
name (set as TOM_FAULT_AT once the set-up is done), or a kill point that needs no hook in the code
under test: "after-upsert" (SIGKILL straight after Chroma's first upsert) or "before-revision" (when
the keyword rows are about to be written after an upsert, i.e. before the revision is bumped).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

V2 = ("# Parking\n\nThe quokka parking pilot runs in Frome from May.\n\n# Libraries\n\nLibraries open on Sundays "
      "in Wells.\n\n# Waste\n\nGarden waste is collected every fortnight in Taunton.\n")
V1_EDITED = "Meeting notes\n\nOur quokka boards will have a clear remit.\n"


def kill_in_chroma(point: str) -> None:
    """Patch Chroma's Collection so this process dies after the first upsert, or when the keyword rows
    that follow an upsert are about to be written."""
    from chromadb.api.models.Collection import Collection

    from ingest.keyword_index import KeywordIndex

    upsert, write = Collection.upsert, KeywordIndex.write
    upserted = []

    def upsert_then(self, *args, **kwargs):
        upsert(self, *args, **kwargs)
        upserted.append(True)
        if point == "after-upsert":
            os.kill(os.getpid(), signal.SIGKILL)

    def write_unless_upserted(self, *args, **kwargs):
        if upserted:
            os.kill(os.getpid(), signal.SIGKILL)
        return write(self, *args, **kwargs)

    Collection.upsert = upsert_then
    if point == "before-revision":
        KeywordIndex.write = write_unless_upserted


def main(op: str, kill: str, root: Path, embedder=None, counter=None) -> None:
    """`embedder` and `counter` are given by crash_runner (loaded once before forking); otherwise loaded here."""
    import ingest.store

    ingest.store.WRITE_BATCH = 2  # notes.txt v2 has three chunks: two upserts, so a kill can fall between
    from assistant.components import Components
    from ingest.settings import Settings

    settings = Settings(data_dir=root / "data", corpus_dir=root / "corpus")
    if embedder is None:
        ingester = Components(settings).ingester
    else:
        from ingest.pipeline import Ingester
        from ingest.store import ChunkStore

        ingester = Ingester(settings, ChunkStore(settings), embedder, counter)
    if not ingester.store.count():
        summary = ingester.ingest()
        assert not summary.failed, summary.failed
    if kill in ("after-upsert", "before-revision"):
        kill_in_chroma(kill)
    else:
        os.environ["TOM_FAULT_AT"] = kill
    if op in ("ingest", "edit"):
        (root / "corpus" / "notes.txt").write_text(V2 if op == "ingest" else V1_EDITED, encoding="utf-8")
        ingester.ingest()
    elif op == "add":
        ingester.add(root / "upload" / "notes.txt", replace=True)
    elif op == "add-new":
        ingester.add(root / "upload" / "pilot.txt")
    elif op == "delete":
        ingester.delete("notes.txt")
    print("finished without being killed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
