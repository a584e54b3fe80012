"""The keyword rows: every chunk's tokenised title, section path and text in an SQLite FTS5 table
(`passages`), its section path alone in a second (`headings`, so a heading search never walks the
far longer lists of a word's places in the text), and the statistics BM25 needs (passages, total
lengths, each word's passage count), kept in step.

The text is stored already tokenised by `ingest.text.tokenize` (stemmed, stop words removed), so
FTS5 matches exactly the words bm25s matched. A last column holds filter tags (a chunk's council,
kind and document, hashed into words no text can contain); it weighs nothing in the ranking, and a
filter is one more term of the FTS5 query, so a filtered search only visits the filtered chunks.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ingest.text import tokenize

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunks (id INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, doc INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, rows INTEGER NOT NULL, heading_rows INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(title, section, body, tags, tokenize="unicode61 tokenchars '_'''");
CREATE VIRTUAL TABLE IF NOT EXISTS headings USING fts5(section, tags, tokenize="unicode61 tokenchars '_'''")
"""
TAG_FIELDS = {"council": "_c", "kind": "_k", "document": "_d"}


@dataclass(frozen=True)
class Field:
    """What one kind of keyword search reads: its FTS5 table and text columns, their weights, its statistics."""

    table: str
    columns: tuple[str, ...]  # the text columns, in order (the tags column follows them)
    rank: str  # FTS5 bm25() weights per column, tags included, used to pick candidates
    weights: tuple[int, ...]  # how often each text column counts in the BM25 text
    df: str  # the terms column with the word's passage count
    length: str  # the meta key with the total length


TEXT = Field("passages", ("title", "section", "body"), "bm25(1.0, 2.0, 1.0, 0.0)", (1, 2, 1), "rows", "text_length")
HEADINGS = Field("headings", ("section",), "bm25(1.0, 0.0)", (1,), "heading_rows", "heading_length")


def create(db: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        db.execute(statement)


def tag(field: str, value: Any) -> str:
    """The word that stands for `field == value` in the tags column."""
    return TAG_FIELDS[field] + hashlib.blake2b(str(value).encode("utf-8"), digest_size=8).hexdigest()


def tags(where: dict[str, str] | None) -> list[str]:
    unknown = set(where or {}) - set(TAG_FIELDS)
    if unknown:
        raise ValueError(f"cannot filter keyword search on {sorted(unknown)}: only {sorted(TAG_FIELDS)}")
    return [tag(key, value) for key, value in (where or {}).items()]


def add(db: sqlite3.Connection, doc_id: int, ids: list[str], texts: list[str],
        metadatas: list[dict[str, Any]]) -> list[int]:
    """Index a document's chunks (its previous rows already removed); their rowids."""
    tally, rowids = _Tally(), []
    for chunk_id, text, meta in zip(ids, texts, metadatas):
        row = (" ".join(tokenize(str(meta.get("title", "")))), " ".join(tokenize(str(meta.get("section", "")))),
               " ".join(tokenize(text)))
        rowid = db.execute("INSERT INTO chunks (chunk_id, doc) VALUES (?, ?)", (chunk_id, doc_id)).lastrowid
        labels = " ".join(tag(key, meta[key]) for key in TAG_FIELDS if key in meta)
        db.execute("INSERT INTO passages (rowid, title, section, body, tags) VALUES (?, ?, ?, ?, ?)", (rowid, *row, labels))
        db.execute("INSERT INTO headings (rowid, section, tags) VALUES (?, ?, ?)", (rowid, row[1], labels))
        tally.count(*row)
        rowids.append(rowid)
    tally.apply(db, +1)
    return rowids


def remove(db: sqlite3.Connection, doc_id: int) -> list[int]:
    """Remove a document's rows, and their words from the statistics; their rowids."""
    tally = _Tally()
    rows = db.execute("SELECT p.rowid, p.title, p.section, p.body FROM chunks c JOIN passages p ON p.rowid = c.id "
                      "WHERE c.doc = ?", (doc_id,)).fetchall()
    for _, title, section, body in rows:
        tally.count(title, section, body)
    db.executemany("DELETE FROM passages WHERE rowid = ?", [(row[0],) for row in rows])
    db.executemany("DELETE FROM headings WHERE rowid = ?", [(row[0],) for row in rows])
    db.execute("DELETE FROM chunks WHERE doc = ?", (doc_id,))
    tally.apply(db, -1)
    return [row[0] for row in rows]


class _Tally:
    """Rows, lengths and word passage counts of some rows, to add to or take from the statistics."""

    def __init__(self) -> None:
        self.rows, self.text_length, self.heading_length = 0, 0, 0
        self.df: Counter[str] = Counter()
        self.heading_df: Counter[str] = Counter()

    def count(self, title: str, section: str, body: str) -> None:
        words = [title.split(), section.split(), body.split()]
        self.rows += 1
        self.text_length += sum(weight * len(tokens) for weight, tokens in zip(TEXT.weights, words))
        self.heading_length += len(words[1])
        self.df.update(set().union(*words))
        self.heading_df.update(set(words[1]))

    def apply(self, db: sqlite3.Connection, sign: int) -> None:
        db.executemany("INSERT INTO terms (term, rows, heading_rows) VALUES (?, ?, ?) ON CONFLICT(term) DO UPDATE SET "
                       "rows = rows + excluded.rows, heading_rows = heading_rows + excluded.heading_rows",
                       [(term, sign * count, sign * self.heading_df.get(term, 0)) for term, count in self.df.items()])
        if sign < 0:
            db.executemany("DELETE FROM terms WHERE term = ? AND rows <= 0", [(term,) for term in self.df])
        for key, value in (("rows", self.rows), ("text_length", self.text_length), ("heading_length", self.heading_length)):
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + ?",
                       (key, sign * value, sign * value))


@dataclass(frozen=True)
class Plan:
    """One FTS5 query for candidates: rows holding any of `words`, best first by FTS5's bm25() if
    `ranked` (else in rowid order), only rowids within `window` if one is given."""

    words: list[str]
    ranked: bool
    window: tuple[int, int] | None = None


def candidates(db: sqlite3.Connection, field: Field, plan: Plan, labels: list[str], limit: int) -> list[tuple]:
    """Up to `limit` rows as `plan` says, holding every label too: each row's rowid, then its text columns."""
    match = "{%s} : (%s)" % (" ".join(field.columns), " OR ".join(_quote(word) for word in plan.words))
    if labels:
        match += " AND {tags} : (%s)" % " ".join(_quote(label) for label in labels)
    sql = f"SELECT rowid, {', '.join(field.columns)} FROM {field.table} WHERE {field.table} MATCH ?"
    arguments: list = [match]
    if plan.window:
        sql += " AND rowid BETWEEN ? AND ?"
        arguments += plan.window
    if plan.ranked:
        sql += " AND rank MATCH ? ORDER BY rank"
        arguments.append(field.rank)
    return db.execute(sql + " LIMIT ?", (*arguments, limit)).fetchall()


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def document_frequencies(db: sqlite3.Connection, field: Field, tokens: Iterable[str]) -> dict[str, int]:
    """Passage counts of the words that some passage has (in `field`)."""
    unique = sorted(set(tokens))
    if not unique:
        return {}
    rows = db.execute(f"SELECT term, {field.df} FROM terms WHERE term IN ({','.join('?' * len(unique))}) AND {field.df} > 0",
                      unique).fetchall()
    return dict(rows)


def meta_int(db: sqlite3.Connection, key: str) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0
