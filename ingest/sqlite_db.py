"""A SQLite file that several processes and threads share: WAL, a busy timeout, a connection per thread.

WAL lets readers go on while one process writes; the busy timeout makes a second writer wait for
the first instead of failing at once with "database is locked". A connection is never shared
between threads (sqlite3 forbids it by default), so each thread opens its own on first use.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class Database:
    """One SQLite file; `setup` creates its schema (idempotently) once per process, under a write lock."""

    def __init__(self, path: Path, setup: Callable[[sqlite3.Connection], None], busy_timeout: float = 30.0,
                 synchronous: str = "FULL") -> None:
        self.path, self.busy_timeout, self.synchronous = path, busy_timeout, synchronous
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.transaction() as db:
            setup(db)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit: each statement is its own transaction unless in `transaction`)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self.synchronous}")
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it never fails half way for want of a lock."""
        db = self.connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection (other threads' close when their thread ends)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
