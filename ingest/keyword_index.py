"""The keyword index and document registry, on disk in `<data>/keywords.sqlite3`, shared by every process.

Before, each process rebuilt BM25 (bm25s) over every chunk after every write, and kept every
chunk's text and metadata in memory. Now the store writes a document's keyword rows, its registry
row and the store's revision in one SQLite transaction, right after its vectors (`ingest.store`),
so every process reads the same index at once, and no write costs more than its own document.

A search asks FTS5 for candidates (filters included in the FTS5 query) and scores them with BM25 as
bm25s did (`ingest.bm25`). Words in many passages are costly to match and weigh little, so past
`budget` matching rows the rarest words pick the candidates and the others only add to their
scores; below it (and in any corpus of fewer than `budget` chunks) every matching passage is scored.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest import bm25, passages, registry
from ingest.naming import Names, corpus_names
from ingest.passages import HEADINGS, TEXT, Field
from ingest.records import DocumentInfo
from ingest.sqlite_db import Database

FILE_NAME = "keywords.sqlite3"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: str
    document: str
    council: str
    score: float


def _create(db: sqlite3.Connection) -> None:
    passages.create(db)
    registry.create(db)


class KeywordIndex:
    """BM25 over every chunk, the document registry, and the store's revision, in one SQLite file."""

    def __init__(self, path: Path, budget: int = 20_000, candidates: int = 240, busy_timeout: float = 30.0) -> None:
        self.db = Database(path, _create, busy_timeout)
        self.budget, self.candidates = budget, candidates
        self._names = Names()
        self._names_lock = threading.Lock()

    # The revision and the naming view
    def revision(self) -> str:
        """The store's revision: one indexed read, the only check a request needs."""
        return str(self._meta("revision") or "")

    def writing(self) -> str | None:
        """The document a write marked as under way (None when no write is)."""
        value = self._meta("writing")
        return None if value is None else str(value)

    def built(self) -> bool:
        """Whether the index has been filled from the store (a store from before the index needs it once)."""
        return bool(self._meta("built"))

    def _meta(self, key: str) -> Any:
        row = self.db.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def names(self, revision: str) -> Names:
        """Acronyms, corpus identity words, document and council names for `revision`, computed from the
        registry once per revision (a few rows per document, never the chunks)."""
        current = self._names
        if current.revision == revision and revision:
            return current
        with self._names_lock:
            if self._names.revision != revision or not revision:
                db = self.db.connection()
                self._names = corpus_names(revision, passages.meta_int(db, "rows"), registry.naming_rows(db))
            return self._names

    # Reading
    def documents(self) -> list[DocumentInfo]:
        return registry.documents(self.db.connection())

    def hashes(self, document: str) -> dict[str, int]:
        """{content hash: chunks} the index holds for `document` ({} if none)."""
        return registry.hashes(self.db.connection(), document)

    def count(self) -> int:
        return passages.meta_int(self.db.connection(), "rows")

    def chunk_ids(self) -> list[str]:
        return [row[0] for row in self.db.connection().execute("SELECT chunk_id FROM chunks ORDER BY id")]

    def unknown(self, tokens: set[str]) -> set[str]:
        """The tokens no passage contains: words the documents never use."""
        return set(tokens) - set(passages.document_frequencies(self.db.connection(), TEXT, tokens))

    def search(self, tokens: list[str], n: int, where: dict[str, str] | None = None) -> list[KeywordHit]:
        """The top `n` passages by BM25 over title, section path (counted twice) and text; `where` filters
        on council, kind or document inside the search. Zero scores are dropped."""
        return self._search(TEXT, tokens, n, where)

    def search_headings(self, tokens: list[str], n: int, where: dict[str, str] | None = None) -> list[KeywordHit]:
        """Passages whose section path matches: a heading names what its passages are about."""
        return self._search(HEADINGS, tokens, n, where)

    def _search(self, field: Field, tokens: list[str], n: int, where: dict[str, str] | None) -> list[KeywordHit]:
        db = self.db.connection()
        labels = passages.tags(where)
        stats = bm25.Stats(passages.meta_int(db, "rows"), passages.meta_int(db, field.length),
                           passages.document_frequencies(db, field, tokens))
        query = [token for token in tokens if token in stats.df]
        if not query:
            return []
        population = registry.filtered_chunks(db, where) if where else stats.rows
        rows: list[tuple[int, str, str, str]] = []
        for terms in _plans(query, stats.df, population, self.budget):
            rows = passages.candidates(db, field, terms, labels, self.candidates)
            if len(rows) >= n:
                break
        scored = [(bm25.score(query, zip(row[1:], field.weights), stats), row[0]) for row in rows]
        top = sorted((item for item in scored if item[0] > 0), key=lambda item: (-item[0], item[1]))[:n]
        return _hits(db, top)

    # Writing (the store holds its write lock)
    def set_revision(self, revision: str, writing: str | None = None) -> str:
        """Mark a write as under way (`writing` names its document) or record a fresh revision."""
        with self.db.transaction() as db:
            _set_revision(db, revision, writing)
        return revision

    def write(self, document: str, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]],
              revision: str) -> None:
        """Make `document`'s rows exactly these chunks (none: remove it), with the revision, in one transaction."""
        with self.db.transaction() as db:
            doc_id = registry.document_id(db, document)
            if doc_id is not None:
                passages.remove(db, doc_id)
            if ids:
                passages.add(db, registry.upsert(db, document, texts, metadatas), ids, texts, metadatas)
            else:
                registry.remove(db, document)
            _set_revision(db, revision, None)

    def mark_built(self) -> None:
        with self.db.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('built', 1)")


def _set_revision(db: sqlite3.Connection, revision: str, writing: str | None) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('revision', ?)", (revision,))
    if writing is None:
        db.execute("DELETE FROM meta WHERE key = 'writing'")
    else:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('writing', ?)", (writing,))


def _plans(query: list[str], df: dict[str, int], population: int, budget: int) -> Iterator[list[str]]:
    """The word sets to match, cheapest first: all of them when their matches fit the budget (or the
    searched chunks do); otherwise the rarest words within it, then one more word at a time."""
    words = sorted(set(query), key=lambda word: (df[word], word))
    if population <= budget or sum(df[word] for word in words) <= budget:
        yield words
        return
    used, total = 1, df[words[0]]
    while used < len(words) and total + df[words[used]] <= budget:
        total += df[words[used]]
        used += 1
    for end in range(used, len(words) + 1):
        yield words[:end]


def _hits(db: sqlite3.Connection, top: list[tuple[float, int]]) -> list[KeywordHit]:
    if not top:
        return []
    rowids = [rowid for _, rowid in top]
    rows = db.execute("SELECT c.id, c.chunk_id, d.document, d.council FROM chunks c JOIN documents d ON d.id = c.doc "
                      f"WHERE c.id IN ({','.join('?' * len(rowids))})", rowids).fetchall()
    found = {rowid: (chunk_id, document, council) for rowid, chunk_id, document, council in rows}
    return [KeywordHit(*found[rowid], score) for score, rowid in top if rowid in found]
