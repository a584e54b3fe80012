"""The keyword index and document registry, on disk in `<data>/keywords.sqlite3`, shared by every process.

Before, each process rebuilt BM25 (bm25s) over every chunk after every write, and kept every
chunk's text and metadata in memory. Now the store writes a document's keyword rows, its registry
row and the store's revision in one SQLite transaction, right after its vectors (`ingest.store`),
so every process reads the same index at once, and no write costs more than its own document.

A search asks FTS5 for candidates (filters included in the FTS5 query) and scores them with BM25 as
bm25s did (`ingest.bm25`). What a word costs is the number of passages holding it (FTS5 walks them
all to rank, if only to count them for its idf), and common words weigh little, so FTS5 ranks only
the rarest words whose passages together fit `budget`; the other words add to those candidates'
scores, and find candidates of their own only if too few were found (`_plans`). When all the
words' passages fit the budget, which they always do in a corpus of fewer than `budget / words`
chunks, every matching passage is scored, and the result is exactly what bm25s gave.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest import bm25, dense, passages, registry
from ingest.naming import Names, corpus_names
from ingest.passages import HEADINGS, TEXT, Field
from ingest.records import DocumentInfo
from ingest.sqlite_db import Database

FILE_NAME = "keywords.sqlite3"
FORMAT = 4  # PRAGMA user_version of the file; an older file is emptied and filled again from the vectors
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: str
    document: str
    council: str
    score: float


def _create(db: sqlite3.Connection) -> None:
    """The schema, after emptying a file in an older format (the store then fills it again, once)."""
    if db.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
        for kind in ("CREATE VIRTUAL TABLE%", "CREATE TABLE%"):  # FTS5 tables first: their own tables go with them
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE ?", (kind,)).fetchall():
                db.execute(f'DROP TABLE IF EXISTS "{name}"')
        db.execute(f"PRAGMA user_version = {FORMAT}")
    passages.create(db)
    registry.create(db)
    dense.create(db)


class KeywordIndex:
    """BM25 over every chunk, the document registry, and the store's revision, in one SQLite file."""

    def __init__(self, path: Path, budget: int = 4000, candidates: int = 200, busy_timeout: float = 30.0) -> None:
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

    def councils(self, chunk_ids: list[str]) -> dict[str, str]:
        """The council of each of these chunks (its document's), by id."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        return dict(self.db.connection().execute(
            f"SELECT c.chunk_id, d.council FROM chunks c JOIN documents d ON d.id = c.doc WHERE c.chunk_id IN ({marks})",
            chunk_ids).fetchall())

    def nearest(self, where: dict[str, str], embeddings: list[list[float]], n: int,
                most: int) -> list[list[tuple[str, float]]] | None:
        """For each embedding, the `n` chunks matching `where` nearest to it (cosine, exact), or None if more
        than `most` chunks match (then Chroma's filtered query is the cheaper way). The vectors are read once."""
        db = self.db.connection()
        if registry.filtered_chunks(db, where) > most:
            return None
        clauses = " AND ".join(f"d.{key} = ?" for key in where)
        rows = db.execute(f"SELECT c.chunk_id, v.vector FROM chunks c JOIN documents d ON d.id = c.doc "
                          f"JOIN vectors v ON v.id = c.id WHERE {clauses} ORDER BY c.id", tuple(where.values())).fetchall()
        return dense.nearest(rows, embeddings, n)

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
        found: dict[int, tuple] = {}
        for plan in _plans(query, stats.df, self.budget, self.candidates, _top_rowid(db), bool(labels)):
            found.update((row[0], row) for row in passages.candidates(db, field, plan, labels, self.candidates))
            if len(found) >= n:
                break
        scored = [(bm25.score(query, zip(row[1:], field.weights), stats), rowid) for rowid, row in found.items()]
        top = sorted((item for item in scored if item[0] > 0), key=lambda item: (-item[0], item[1]))[:n]
        return _hits(db, top)

    # Writing (the store holds its write lock)
    def set_revision(self, revision: str, writing: str | None = None) -> str:
        """Mark a write as under way (`writing` names its document) or record a fresh revision."""
        with self.db.transaction() as db:
            _set_revision(db, revision, writing)
        return revision

    def write(self, document: str, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]],
              embeddings: list[list[float]], revision: str) -> None:
        """Make `document`'s rows exactly these chunks (none: remove it), with the revision, in one transaction."""
        with self.db.transaction() as db:
            doc_id = registry.document_id(db, document)
            if doc_id is not None:
                dense.remove(db, passages.remove(db, doc_id))
            if ids:
                dense.add(db, passages.add(db, registry.upsert(db, document, texts, metadatas), ids, texts, metadatas),
                          embeddings)
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


def _plans(query: list[str], df: dict[str, int], budget: int, candidates: int, top_rowid: int,
           filtered: bool) -> Iterator[passages.Plan]:
    """What to ask FTS5, each plan costing about `budget` passages at most (FTS5 walks every passage of
    a word it ranks by, if only to count them).

    First the rarest words whose passages together fit the budget, ranked by FTS5 (all the words when
    they all fit: exact). Then, if those found too few, the other words unranked: the first
    `candidates` passages holding them, among the filtered ones (FTS5 steps through a filter's short
    list and skips ahead in the words' long ones), or without a filter within a window of rowids
    where about that many lie (placed by the words, so a question always gets the same answer). A
    word in most passages says little about which ones matter, so which of them are scored matters little.
    """
    words = sorted(set(query), key=lambda word: (df[word], word))
    rare, cost = 0, 0
    while rare < len(words) and cost + df[words[rare]] <= budget:
        cost += df[words[rare]]
        rare += 1
    if rare:
        yield passages.Plan(words[:rare], ranked=True)
    common = words[rare:]
    if not common:
        return
    if filtered:
        yield passages.Plan(common, ranked=False)
        return
    width = max(1, top_rowid * candidates // sum(df[word] for word in common))
    start = zlib.crc32(" ".join(common).encode()) % max(1, top_rowid - width + 1)
    yield passages.Plan(common, ranked=False, window=(start, start + width))


def _top_rowid(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM chunks").fetchone()[0])


def _hits(db: sqlite3.Connection, top: list[tuple[float, int]]) -> list[KeywordHit]:
    if not top:
        return []
    rowids = [rowid for _, rowid in top]
    rows = db.execute("SELECT c.id, c.chunk_id, d.document, d.council FROM chunks c JOIN documents d ON d.id = c.doc "
                      f"WHERE c.id IN ({','.join('?' * len(rowids))})", rowids).fetchall()
    found = {rowid: (chunk_id, document, council) for rowid, chunk_id, document, council in rows}
    return [KeywordHit(*found[rowid], score) for score, rowid in top if rowid in found]
