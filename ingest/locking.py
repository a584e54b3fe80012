"""The store's single-writer lock (across processes) and the guard that lets a store reopen safely
under its own threads.

Chroma's embedded mode is not process-safe: besides the writes themselves, the first read after
a client opens the folder replays Chroma's log into the HNSW files (its "backfill"), which is a
write too; two processes doing either at once have been seen to crash a reader (SIGSEGV) and to
leave an HNSW file tens of gigabytes long. So one lock file in the data folder is held around
every write (ingest, add, delete, a document's replacement) and around opening (or reopening) an
embedded store. With a Chroma server the same lock still serialises the writers that share this
data folder (the `tom` processes on this machine with the same TOM_DATA_DIR), which keeps each
ingestion run, its journal and its corpus-folder copies whole; writers using the server from other
machines or other data folders are not covered.

The lock is `filelock.FileLock` (flock on Linux): the kernel releases it when its process dies,
so a killed writer never leaves it held. It is re-entrant within one thread, and other threads of
the same process wait for it like other processes do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ingest.errors import Unavailable
from ingest.settings import Settings

LOCK_NAME = "store.lock"
log = logging.getLogger(__name__)


class StoreBusy(Unavailable):
    """Another process (or thread) kept the store's write lock for longer than we could wait (HTTP 503)."""


def lock_path(settings: Settings) -> Path:
    """The lock file: one per data folder, beside the embedded store."""
    return settings.data_dir / LOCK_NAME


def store_lock(settings: Settings) -> FileLock:
    """The data folder's write lock; one object per path in a process, so nesting never self-deadlocks."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(lock_path(settings)), is_singleton=True)


@contextmanager
def holding(lock: FileLock, timeout: float) -> Iterator[None]:
    """Hold `lock`, waiting at most `timeout` seconds; raises StoreBusy saying what to do otherwise."""
    if not try_holding(lock):
        log.info("waiting for the store lock %s: another process is writing to the store", lock.lock_file)
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise StoreBusy(
                f"the document store is busy: another ingestion has held {lock.lock_file} for over {timeout:g} s; "
                "try again when it has finished"
            ) from None
    try:
        yield
    finally:
        lock.release()


def try_holding(lock: FileLock) -> bool:
    """Take `lock` only if it is free right now (or already ours); the caller releases it."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return False
    return True


class SharedExclusive:
    """Many users of a store's Chroma handle at once, or one thread replacing it.

    Hand-written (20 lines) rather than a new dependency: the standard library has no
    reader-writer lock, and `filelock`'s ReadWriteLock is a cross-process SQLite lock, far too
    heavy to take around every query.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._users = 0
        self._replacing = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._condition:
            while self._replacing:
                self._condition.wait()
            self._users += 1
        try:
            yield
        finally:
            with self._condition:
                self._users -= 1
                if not self._users:
                    self._condition.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._condition:
            while self._replacing or self._users:
                self._condition.wait()
            self._replacing = True
        try:
            yield
        finally:
            with self._condition:
                self._replacing = False
                self._condition.notify_all()
