"""The store keeps its keyword rows in step with its vectors: written in the same write, and filled
from the vectors once when the keyword file is missing or in an older format."""

from __future__ import annotations

import sqlite3

import numpy as np

from ingest.keyword_index import FILE_NAME
from ingest.store import ChunkStore
from ingest.text import tokenize


def write(store: ChunkStore, document: str, texts: list[str], council: str) -> None:
    rng = np.random.default_rng(len(document))
    vectors = rng.normal(size=(len(texts), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.replace_document(document, [f"{document}#{i:04d}" for i in range(len(texts))], texts, vectors.tolist(),
                           [{"document": document, "council": council, "title": f"{council} plan", "section": "Intro",
                             "chunk_index": i, "doc_hash": "h"} for i in range(len(texts))])


def test_a_write_updates_vectors_keywords_and_registry_together(components):
    store = components.store
    write(store, "a.txt", ["The wombat plan covers Frome.", "Parking in Wells."], "Somerset Council")
    before = store.revision()
    write(store, "b.txt", ["The numbat plan covers Merton."], "London Borough of Merton")
    assert store.revision() != before and store.count() == 3
    assert [hit.document for hit in store.keywords.search(tokenize("numbat"), 3)] == ["b.txt"]
    assert {info.document: info.chunks for info in store.documents()} == {"a.txt": 2, "b.txt": 1}
    assert set(store.names().councils) == {"Somerset Council", "London Borough of Merton"}
    store.delete_document("a.txt")
    assert store.keywords.search(tokenize("wombat"), 3) == [] and store.keywords.hashes("a.txt") == {}
    assert store.chunk_hashes("a.txt") == {} and set(store.names().councils) == {"London Borough of Merton"}


def test_a_missing_or_old_keyword_file_is_filled_from_the_vectors_once(components, settings):
    store = components.store
    write(store, "a.txt", ["The wombat plan covers Frome.", "Parking in Wells."], "Somerset Council")
    write(store, "b.txt", ["The numbat plan covers Merton."], "London Borough of Merton")
    store.keywords.db.close()
    for path in settings.data_dir.glob(FILE_NAME + "*"):
        path.unlink()
    rebuilt = ChunkStore(settings)  # another process, after the file was lost
    assert [hit.document for hit in rebuilt.keywords.search(tokenize("wombat"), 3)] == ["a.txt"]
    assert {info.document: info.chunks for info in rebuilt.documents()} == {"a.txt": 2, "b.txt": 1}
    with sqlite3.connect(settings.data_dir / FILE_NAME) as db:  # as a file of format 3: no `inferred` column
        db.execute("ALTER TABLE documents DROP COLUMN inferred")
        db.execute("PRAGMA user_version = 3")
    rebuilt.keywords.db.close()
    again = ChunkStore(settings)
    assert sorted(again.keywords.chunk_ids()) == ["a.txt#0000", "a.txt#0001", "b.txt#0000"]
    assert again.keywords.built()
    assert {info.document: info.chunks for info in again.documents()} == {"a.txt": 2, "b.txt": 1}
    with sqlite3.connect(settings.data_dir / FILE_NAME) as db:
        assert "inferred" in {row[1] for row in db.execute("PRAGMA table_info(documents)")}


def test_a_filtered_dense_search_over_few_chunks_compares_them_all(components):
    """Chroma's filtered query costs as much as the whole collection; a small filtered set is compared
    directly, with the same result."""
    store = components.store
    write(store, "a.txt", [f"Passage {i} about parking." for i in range(12)], "Somerset Council")
    write(store, "bb.txt", [f"Passage {i} about libraries." for i in range(8)], "London Borough of Merton")
    query = np.random.default_rng(3).normal(size=384).tolist()
    for filters in ({"document": "a.txt"}, {"council": "London Borough of Merton"}, {"council": "Nowhere"}):
        (exact,) = store.nearest([query], 5, filters)
        chroma = store.collection.query(query_embeddings=[query], n_results=5, where=filters, include=["distances"])
        assert [chunk_id for chunk_id, _ in exact] == chroma["ids"][0]
        assert np.allclose([s for _, s in exact], [1 - d for d in chroma["distances"][0]], atol=1e-5)
    assert store.keywords.nearest({"council": "Somerset Council"}, [query], 5, 11) is None  # too many: Chroma's query
    assert len(store.keywords.nearest({"council": "Somerset Council"}, [query], 20, 12)[0]) == 12


def test_several_embeddings_in_one_dense_search_give_what_each_gives_alone(components):
    """A question and its spelled-out acronyms are searched in one call (one round trip to a server)."""
    store = components.store
    write(store, "a.txt", [f"Passage {i} about parking." for i in range(12)], "Somerset Council")
    write(store, "bb.txt", [f"Passage {i} about libraries." for i in range(8)], "London Borough of Merton")
    rng = np.random.default_rng(5)
    queries = [rng.normal(size=384).tolist() for _ in range(3)]
    for filters in (None, {"document": "a.txt"}, {"council": "Somerset Council"}):
        together = store.nearest(queries, 6, filters)
        assert len(together) == 3
        for query, found in zip(queries, together):
            (alone,) = store.nearest([query], 6, filters)
            assert [chunk_id for chunk_id, _ in found] == [chunk_id for chunk_id, _ in alone]
            assert np.allclose([s for _, s in found], [s for _, s in alone], atol=1e-6)
