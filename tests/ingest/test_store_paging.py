"""A document larger than one Chroma batch (~5,400 records) is written in batches and read back in
pages; the document list and hashes work over a collection larger than one page."""

from __future__ import annotations

import numpy as np

from ingest import store as store_module


def test_six_thousand_chunks_are_written_in_batches_and_read_in_pages(components):
    store = components.store
    assert store_module.WRITE_BATCH < 5_000 < 6_000 and store_module.PAGE < 6_000
    rng = np.random.default_rng(7)

    def write(document: str, count: int, doc_hash: str) -> None:
        vectors = rng.normal(size=(count, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"{document}#{i:04d}" for i in range(count)]
        store.replace_document(document, ids, [f"chunk {i} of {document}" for i in range(count)], vectors.tolist(),
                               [{"document": document, "doc_hash": doc_hash, "chunk_index": i} for i in range(count)])

    write("big.txt", 6_000, "h1")
    write("small.txt", 10, "s1")
    chunks = store.all_chunks()
    assert len(chunks) == len({c.chunk_id for c in chunks}) == 6_010 == store.count()
    assert {c.chunk_id for c in chunks if c.metadata["document"] == "big.txt"} == {f"big.txt#{i:04d}" for i in range(6_000)}
    assert {(info.document, info.chunks) for info in store.documents()} == {("big.txt", 6_000), ("small.txt", 10)}
    assert store.document_hashes() == {"big.txt": {"h1"}, "small.txt": {"s1"}}
    assert store.chunk_hashes("big.txt") == {"h1": 6_000}

    write("big.txt", 5_500, "h2")  # the 500 stale ids, found over two pages, are deleted in a batch
    assert store.count() == 5_510 and store.chunk_hashes("big.txt") == {"h2": 5_500}
    assert store.get(["big.txt#5499", "big.txt#5500"])[0].chunk_id == "big.txt#5499"
    assert len(store.get(["big.txt#5500"])) == 0
