"""Conversations and the answer log, in one SQLite file in the data folder.

Every answer is recorded (question, standalone question, answer, citations, mode, model,
latency, refused, notice): the audit log, and the rows feedback attaches to. A session's history
is read back from the same rows, so it survives a restart and any API process can continue it.
The schema grows by numbered migrations (`PRAGMA user_version` says which have run), applied in
one immediate transaction, so an older database is brought up to date and two processes opening
it at once do not both migrate it.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assistant.errors import UserError

MIGRATIONS = (
    # 1: the first schema (databases made before migrations existed already have it)
    """
    CREATE TABLE IF NOT EXISTS answers (
        id TEXT PRIMARY KEY,
        session TEXT NOT NULL,
        created REAL NOT NULL,
        question TEXT NOT NULL,
        standalone TEXT NOT NULL,
        answer TEXT NOT NULL,
        citations TEXT NOT NULL,
        mode TEXT NOT NULL,
        model TEXT NOT NULL,
        latency_ms INTEGER NOT NULL,
        refused INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS answers_session ON answers(session, created);
    CREATE TABLE IF NOT EXISTS feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        answer_id TEXT NOT NULL REFERENCES answers(id),
        created REAL NOT NULL,
        rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
        comment TEXT NOT NULL DEFAULT ''
    );
    """,
    # 2: why an answer was extractive (the model failed), and feedback found by answer
    """
    ALTER TABLE answers ADD COLUMN notice TEXT NOT NULL DEFAULT '';
    CREATE INDEX IF NOT EXISTS feedback_answer ON feedback(answer_id);
    """,
)
SESSION_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_LOGGED_QUESTION = 4000
log = logging.getLogger(__name__)


class SessionError(UserError):
    """A session id that is not one this log could have issued."""


def check_session(session: str) -> str:
    if not SESSION_RE.fullmatch(session):
        raise SessionError("a session id is 1 to 64 letters, digits, '-' or '_'")
    return session


def migrate(db: sqlite3.Connection) -> int:
    """Apply the migrations this database has not had; returns its version afterwards."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
            log.info("answer log migrated to version %d", number)
        db.execute("COMMIT")
    except sqlite3.Error:
        db.execute("ROLLBACK")
        raise
    return max(version, len(MIGRATIONS))


class AnswerLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        with self._connect() as db:
            migrate(db)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode (WAL: readers never wait for the writer), closed after use."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    @staticmethod
    def new_session() -> str:
        return uuid.uuid4().hex[:12]

    def history(self, session: str, turns: int = 3) -> list[dict[str, Any]]:
        """The last `turns` exchanges of a session, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, standalone, answer, refused FROM answers WHERE session = ? ORDER BY created DESC LIMIT ?",
                (check_session(session), turns),
            ).fetchall()
        return [{"question": q, "standalone": s, "answer": a, "refused": bool(r)} for q, s, a, r in reversed(rows)]

    def record(self, record: dict[str, Any]) -> str:
        answer_id = uuid.uuid4().hex
        row = {
            "id": answer_id, "session": check_session(record["session"]), "created": time.time(),
            "question": record["question"][:MAX_LOGGED_QUESTION], "standalone": record["standalone"][:MAX_LOGGED_QUESTION],
            "answer": record["answer"], "citations": json.dumps(record["citations"], ensure_ascii=False),
            "mode": record["mode"], "model": record["model"], "latency_ms": int(record["latency_ms"]),
            "refused": int(record["refused"]), "notice": record.get("notice", ""),
        }
        with self._lock, self._connect() as db:
            db.execute(f"INSERT INTO answers ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", tuple(row.values()))
        return answer_id

    def get(self, answer_id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
        data = dict(row)
        data["citations"] = json.loads(data["citations"])
        data["refused"] = bool(data["refused"])
        return data

    def add_feedback(self, answer_id: str, rating: str, comment: str = "") -> None:
        if self.get(answer_id) is None:
            raise KeyError(answer_id)
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO feedback (answer_id, created, rating, comment) VALUES (?, ?, ?, ?)",
                (answer_id, time.time(), rating, comment),
            )
