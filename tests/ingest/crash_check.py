"""A fresh process that opens stores left by killed writers and reports whether store, keyword index
and corpus folder agree. Prints one JSON object per ROOT.

    python -m tests.ingest.crash_check ROOT [ROOT ...]

For each ROOT it runs the recovery step alone (`Ingester.recover`, where it exists) and records the
store, then an ordinary ingest of the corpus (which should then have nothing to do), then ingests
the same corpus into a scratch store as the reference the store must equal.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path


def state(store) -> dict[str, dict[str, int]]:
    """Each document's chunk count per content hash: one hash and the reference's count is a whole document."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for chunk in store.all_chunks():
        counts[str(chunk.metadata.get("document"))][str(chunk.metadata.get("doc_hash"))] += 1
    return {document: dict(hashes) for document, hashes in sorted(counts.items())}


def files(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def check(root: Path, embedder) -> dict:
    from assistant.components import Components
    from ingest.settings import Settings

    settings = Settings(data_dir=root / "data", corpus_dir=root / "corpus")
    components = Components(settings, embedder=embedder)
    ingester, store = components.ingester, components.store
    recovered = ingester.recover().to_dict() if hasattr(ingester, "recover") else None
    after_recovery = state(store)
    rerun = ingester.ingest().to_dict()
    reference = Components(settings.model_copy(update={"data_dir": root / "reference"}), embedder=embedder)
    reference_summary = reference.ingester.ingest()
    chunks = store.all_chunks()
    return {
        "recovered": recovered,
        "after_recovery": after_recovery,
        "rerun": {key: rerun[key] for key in ("added", "updated", "removed", "failed")},
        "store": state(store),
        "reference": state(reference.store),
        "reference_failed": reference_summary.failed,
        "keyword_index_agrees": store.keywords.chunk_ids() == sorted(c.chunk_id for c in chunks)
                                and {info.document: {info.doc_hash: info.chunks} for info in store.documents()} == state(store),
        "sources": sorted({str(c.metadata.get("source")) for c in chunks}),
        "corpus": files(root / "corpus"),
        "trash": sorted(files(root / "data" / "trash").values()),
        "journal": sorted(files(root / "data" / "journal")),
    }


def main(roots: list[Path]) -> None:
    from ingest.embedder import load_embedder
    from ingest.settings import load_settings

    embedder = load_embedder(load_settings())
    for root in roots:
        print(json.dumps({"root": str(root), **check(root, embedder)}), flush=True)


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]])
