"""Exact nearest neighbours among the few chunks a filter leaves, from a copy of their vectors kept
beside their keyword rows (float32, as Chroma holds them).

Chroma's filtered query walks its HNSW graph past every chunk the filter rejects, so its cost grows
with the whole collection (at 100k chunks, on a `chroma run` server, 123 ms for a 124-chunk
document against 4 ms unfiltered), and reading the filtered chunks' vectors back from a server
costs about 0.1 ms each (JSON). Read from the local SQLite file and compared all at once, a
document's or a council's chunks take a few milliseconds, and the answer is exact.
"""

from __future__ import annotations

import sqlite3

import numpy as np

SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (id INTEGER PRIMARY KEY, vector BLOB NOT NULL)"


def create(db: sqlite3.Connection) -> None:
    db.execute(SCHEMA)


def add(db: sqlite3.Connection, rowids: list[int], embeddings: list[list[float]]) -> None:
    db.executemany("INSERT INTO vectors (id, vector) VALUES (?, ?)",
                   [(rowid, np.asarray(vector, dtype=np.float32).tobytes()) for rowid, vector in zip(rowids, embeddings)])


def remove(db: sqlite3.Connection, rowids: list[int]) -> None:
    db.executemany("DELETE FROM vectors WHERE id = ?", [(rowid,) for rowid in rowids])


def nearest(rows: list[tuple[str, bytes]], embeddings: list[list[float]], n: int) -> list[list[tuple[str, float]]]:
    """For each embedding, the `n` of these (chunk id, vector) rows most similar to it (cosine), best first;
    the rows' matrix and norms are built once for all the embeddings."""
    if not rows:
        return [[] for _ in embeddings]
    matrix = np.frombuffer(b"".join(vector for _, vector in rows), dtype=np.float32).reshape(len(rows), -1)
    norms = np.linalg.norm(matrix, axis=1)
    found = []
    for embedding in embeddings:
        query = np.asarray(embedding, dtype=np.float32)
        similarity = matrix @ query / np.maximum(norms * np.linalg.norm(query), 1e-12)
        best = np.argsort(-similarity, kind="stable")[:n]
        found.append([(rows[i][0], float(similarity[i])) for i in best])
    return found
