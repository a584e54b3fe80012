"""Several real processes on one embedded Chroma store: a long-lived reader (as `tom serve`) sees what
`tom ingest` wrote, writers wait for each other, and a writer killed before it writes its keyword rows
is healed by the next reader (that one document re-indexed from the vectors); a write that cannot
get the lock in time says so (503)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.components import Components
from ingest.settings import Settings
from ingest.store import ChunkStore
from ingest.text import tokenize

PROJECT = Path(__file__).resolve().parents[2]
PILOT = "Zephyr pilot\n\nThe Zephyr parking pilot runs in Frome from May.\n"


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT), "TOM_DATA_DIR": str(settings.data_dir),
            "TOM_CORPUS_DIR": str(settings.corpus_dir), **extra}


def lines_of(stream) -> "queue.Queue[str]":
    """A queue that a thread fills with the stream's lines, so the test can wait with a deadline."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def test_a_reader_process_sees_a_cli_ingest_within_two_seconds(docs_dir: Path, tmp_path: Path, ingester, embedder):
    """Before: the reader's queries never returned the new document (its HNSW index was loaded once)."""
    settings = ingester.settings.model_copy(update={"corpus_dir": tmp_path / "corpus"})
    assert not ingester.ingest([docs_dir]).failed
    new = tmp_path / "new"
    new.mkdir()
    (new / "zephyr.txt").write_text(PILOT, encoding="utf-8")
    vector = tmp_path / "vector.json"
    vector.write_text(json.dumps(embedder.get_text_embedding("The Zephyr parking pilot runs in Frome from May.")))
    reader = subprocess.Popen([sys.executable, "-m", "tests.ingest.store_reader", str(settings.data_dir), str(vector), "zephyr"],
                              cwd=PROJECT, env=cli_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = lines_of(reader.stdout)
        first = json.loads(lines.get(timeout=300))
        assert first["error"] is None and "zephyr.txt" not in first["documents"], first
        cli = subprocess.run([sys.executable, "-m", "ui.cli", "ingest", str(new / "zephyr.txt"), "--json"], cwd=PROJECT,
                             env=cli_env(settings), capture_output=True, text=True, timeout=600)
        done = time.time()
        assert cli.returncode == 0, cli.stderr[-2000:]
        seen = []
        while True:
            line = json.loads(lines.get(timeout=30))
            seen.append(line)
            assert line["error"] is None, line
            if all("zephyr.txt" in line[key] for key in ("query", "keyword", "documents")):
                break
            assert line["t"] < done + 2.0, f"not seen 2 s after the ingest: {line}"
        assert line["t"] - done < 2.0
        assert all(earlier["error"] is None for earlier in seen)
    finally:
        reader.kill()
        reader.wait(timeout=30)


def test_writer_processes_wait_for_the_lock_and_both_land(tmp_path: Path, settings: Settings, embedder):
    """Two `tom ingest` processes started while the lock is held both wait; released, both documents land
    whole. Before: nothing waited, and two processes writing at once mislabelled HNSW entries."""
    from ingest.locking import store_lock

    store = Components(settings, embedder=embedder).store  # creates the store, as a server would have
    docs = {}
    for name, text in (("alpha.txt", "Alpha\n\nThe alpha wombat plan covers Frome.\n"),
                       ("beta.txt", "Beta\n\nThe beta numbat plan covers Wells.\n")):
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        (folder / name).write_text(text, encoding="utf-8")
        docs[name] = folder / name
    lock = store_lock(settings)
    lock.acquire()
    try:
        writers = [subprocess.Popen([sys.executable, "-m", "ui.cli", "ingest", str(path)], cwd=PROJECT,
                                    env=cli_env(settings, TOM_LOG_LEVEL="INFO"), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True) for path in docs.values()]
        logs = [lines_of(writer.stderr) for writer in writers]
        for writer, log in zip(writers, logs):
            deadline = time.time() + 300
            while True:
                assert writer.poll() is None, "a writer finished while another process held the store's lock"
                try:
                    if "waiting for the store lock" in log.get(timeout=max(0.1, deadline - time.time())):
                        break
                except queue.Empty:
                    raise AssertionError("a writer never waited for the store's lock") from None
        before = (store.revision(), store.count())
        time.sleep(1.0)
        assert (store.revision(), store.count()) == before and all(writer.poll() is None for writer in writers)
    finally:
        lock.release()
    assert [writer.wait(timeout=600) for writer in writers] == [0, 0]
    assert {info.document: info.chunks for info in store.documents()} == {"alpha.txt": 1, "beta.txt": 1}
    assert [hit.document for hit in store.keywords.search(tokenize("wombat"), 3)] == ["alpha.txt"]
    for name, sentence in (("alpha.txt", "The alpha wombat plan covers Frome."), ("beta.txt", "The beta numbat plan covers Wells.")):
        best = store.query(embedder.get_text_embedding(sentence), 1)
        assert best and best[0][0].metadata["document"] == name


def test_a_writer_killed_before_marking_its_change_is_still_seen(tmp_path: Path, embedder):
    """A child replaces notes.txt (same number of chunks) and is killed after its vectors, before its
    keyword rows and the revision. The next read here heals the marker it left: notes.txt is
    re-indexed from the vectors, so keyword search finds the new text."""
    root = tmp_path / "root"
    (root / "corpus").mkdir(parents=True)
    (root / "corpus" / "notes.txt").write_text("Meeting notes\n\nOur boards will have a clear remit.\n", encoding="utf-8")
    components = Components(Settings(data_dir=root / "data", corpus_dir=root / "corpus"), embedder=embedder)
    assert not components.ingester.ingest().failed
    store = components.store

    def documents_holding(word: str) -> list[str]:
        store.revision()  # a request's freshness check, which heals a dead writer's marker
        return [hit.document for hit in store.keywords.search(tokenize(word), 3)]

    assert documents_holding("quokka") == [] and documents_holding("remit")
    child = subprocess.run([sys.executable, "-m", "tests.ingest.crash_child", "edit", "before-revision", str(root)],
                           cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)}, capture_output=True, text=True,
                           timeout=600)
    assert child.returncode == -9, child.stderr[-2000:]
    assert documents_holding("quokka") == ["notes.txt"]
    assert store.keywords.hashes("notes.txt") == store.chunk_hashes("notes.txt")


def test_a_dead_writers_marker_is_replaced_by_the_next_reader(settings: Settings, ingester, docs_dir: Path):
    """A "writing-" revision left by a killed writer (nobody holds the lock) becomes a fresh value, so
    readers that cached the half-written view reload it."""
    from ingest.store import WRITING

    ingester.ingest([docs_dir])
    store = ingester.store
    store.keywords.set_revision(WRITING + "dead-writer", writing="notes.txt")  # as a writer killed mid-write leaves it
    other = ChunkStore(settings)  # another process's view
    revision = other.revision()
    assert not revision.startswith(WRITING) and store.revision() == revision
    assert other.keywords.writing() is None


def test_a_write_that_cannot_get_the_lock_says_the_store_is_busy(settings: Settings, embedder, docs_dir: Path):
    from ingest.locking import StoreBusy, store_lock

    components = Components(settings.model_copy(update={"lock_timeout": 0.5}), embedder=embedder)
    components.store  # opened before the lock is taken, as a running server's store is
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # another writer, in another thread (another process waits the same way)
        with store_lock(settings):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(30)
    try:
        with pytest.raises(StoreBusy, match="busy.*try again") as busy:
            components.ingester.ingest([docs_dir])
        assert busy.value.status == 503
    finally:
        release.set()
        holder.join()
    assert not components.ingester.ingest([docs_dir]).failed
