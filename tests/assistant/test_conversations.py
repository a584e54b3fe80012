"""The answer log: an old database (made by the first schema) is migrated, not broken; session ids are checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.conversations import MIGRATIONS, AnswerLog, SessionError

FIRST_SCHEMA = MIGRATIONS[0]  # exactly what the project created before migrations existed


def _old_database(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(FIRST_SCHEMA)
    db.execute("INSERT INTO answers VALUES ('a1', 's1', 1.0, 'q', 'q', 'an answer', '[]', 'llm', 'm', 5, 0)")
    db.commit()
    db.close()


def _record(session: str = "s1") -> dict:
    return {"session": session, "question": "What does our TOM say about boards?", "standalone": "boards?", "answer": "Short.",
            "citations": [], "mode": "extractive", "model": "extractive", "latency_ms": 12, "refused": False,
            "notice": "The language model is unavailable"}


def test_an_old_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old_database(path)
    log = AnswerLog(path)
    assert log.get("a1")["answer"] == "an answer"  # nothing lost
    new_id = log.record(_record())
    assert log.get(new_id)["notice"].startswith("The language model")  # the column migration 2 added
    assert [turn["question"] for turn in log.history("s1")] == ["q", "What does our TOM say about boards?"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    AnswerLog(path)  # opening again runs nothing twice


def test_two_logs_opening_a_new_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    first, second = AnswerLog(path), AnswerLog(path)
    first.record(_record("s2"))
    second.record(_record("s2"))
    assert len(first.history("s2")) == 2


@pytest.mark.parametrize("session", ["x" * 1_000_000, "../../etc", "a b", ""])
def test_a_malformed_session_id_is_refused_before_it_is_stored(tmp_path: Path, session: str) -> None:
    log = AnswerLog(tmp_path / "log.sqlite3")
    with pytest.raises(SessionError):
        log.record(_record(session))
    with pytest.raises(SessionError):
        log.history(session)
    assert (tmp_path / "log.sqlite3").stat().st_size < 200_000
