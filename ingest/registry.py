"""The document registry: one row per document, written with its chunks, read instead of scanning them.

What the store used to recompute from every chunk's metadata (the document list, councils, the
acronyms the documents define, the words that name each document) is computed once per document
when it is written, and kept here in the same SQLite transaction as its keyword rows.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from ingest.naming import DocumentNames, find_acronyms, name_tokens
from ingest.records import DocumentInfo, document_info

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    document TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL, council TEXT NOT NULL, kind TEXT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL,
    doc_hash TEXT NOT NULL, source TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    inferred TEXT NOT NULL,  -- comma-separated: the fields guessed from the text
    names TEXT NOT NULL,     -- JSON list: the stemmed words that name the document
    acronyms TEXT NOT NULL   -- JSON object: abbreviations its text defines
);
CREATE INDEX IF NOT EXISTS documents_council ON documents(council);
CREATE INDEX IF NOT EXISTS documents_kind ON documents(kind)
"""
FILTER_FIELDS = ("council", "kind", "document")
log = logging.getLogger(__name__)


def create(db: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        db.execute(statement)


def upsert(db: sqlite3.Connection, document: str, texts: list[str], metadatas: list[dict[str, Any]]) -> int:
    """Record (or update) `document` from its chunks; its id stays the same across updates."""
    info = document_info(document, metadatas)
    row = (document, str(metadatas[0].get("title", "")), str(metadatas[0].get("council", "")), info.kind, info.date,
           info.status, info.doc_hash, info.source, len(metadatas), ",".join(info.inferred), json.dumps(name_tokens(document, metadatas[0])),
           json.dumps(find_acronyms(texts)))
    db.execute(
        "INSERT INTO documents (document, title, council, kind, date, status, doc_hash, source, chunks, inferred, names, "
        "acronyms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(document) DO UPDATE SET title=excluded.title, "
        "council=excluded.council, kind=excluded.kind, date=excluded.date, status=excluded.status, "
        "doc_hash=excluded.doc_hash, source=excluded.source, chunks=excluded.chunks, inferred=excluded.inferred, "
        "names=excluded.names, "
        "acronyms=excluded.acronyms", row)
    return int(db.execute("SELECT id FROM documents WHERE document = ?", (document,)).fetchone()[0])


def document_id(db: sqlite3.Connection, document: str) -> int | None:
    row = db.execute("SELECT id FROM documents WHERE document = ?", (document,)).fetchone()
    return None if row is None else int(row[0])


def remove(db: sqlite3.Connection, document: str) -> None:
    db.execute("DELETE FROM documents WHERE document = ?", (document,))


def documents(db: sqlite3.Connection) -> list[DocumentInfo]:
    """Every document, by name. A council left empty in the metadata reads "unknown", as before."""
    rows = db.execute("SELECT document, title, council, kind, date, status, chunks, doc_hash, source, inferred "
                      "FROM documents ORDER BY document").fetchall()
    return [DocumentInfo(document, title or document, council or "unknown", kind, date, status, chunks, doc_hash, source,
                         [name for name in inferred.split(",") if name])
            for document, title, council, kind, date, status, chunks, doc_hash, source, inferred in rows]


def hashes(db: sqlite3.Connection, document: str) -> dict[str, int]:
    """{content hash: chunks} for a registered document, {} otherwise."""
    row = db.execute("SELECT doc_hash, chunks FROM documents WHERE document = ?", (document,)).fetchone()
    return {} if row is None else {row[0]: int(row[1])}


def naming_rows(db: sqlite3.Connection) -> list[DocumentNames]:
    """Every document's naming row, in the order documents were first stored."""
    rows = db.execute("SELECT document, title, council, names, acronyms FROM documents ORDER BY id").fetchall()
    return [DocumentNames(document, title, council, tuple(json.loads(names)), json.loads(acronyms))
            for document, title, council, names, acronyms in rows]


def filtered_chunks(db: sqlite3.Connection, where: dict[str, str]) -> int:
    """How many chunks belong to documents matching `where` (equality on council, kind, document)."""
    unknown = set(where) - set(FILTER_FIELDS)
    if unknown:
        raise ValueError(f"cannot filter on {sorted(unknown)}: only {FILTER_FIELDS}")
    clauses = " AND ".join(f"{key} = ?" for key in where) or "1"
    return int(db.execute(f"SELECT COALESCE(SUM(chunks), 0) FROM documents WHERE {clauses}", tuple(where.values())).fetchone()[0])
