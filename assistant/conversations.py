"""Conversations and the answer log, in one SQLite file in the data folder.

Every answer is recorded (question, standalone question, answer, citations, mode, model,
latency, refused): the audit log, and the rows feedback attaches to. A session's history is
read back from the same rows, so it survives a restart and any API process can continue it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

SCHEMA = """
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
"""


class AnswerLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    @staticmethod
    def new_session() -> str:
        return uuid.uuid4().hex[:12]

    def history(self, session: str, turns: int = 3) -> list[dict[str, Any]]:
        """The last `turns` exchanges of a session, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, standalone, answer, refused FROM answers WHERE session = ? ORDER BY created DESC LIMIT ?",
                (session, turns),
            ).fetchall()
        return [{"question": q, "standalone": s, "answer": a, "refused": bool(r)} for q, s, a, r in reversed(rows)]

    def record(self, record: dict[str, Any]) -> str:
        answer_id = uuid.uuid4().hex
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    answer_id, record["session"], time.time(), record["question"], record["standalone"], record["answer"],
                    json.dumps(record["citations"], ensure_ascii=False), record["mode"], record["model"],
                    int(record["latency_ms"]), int(record["refused"]),
                ),
            )
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
