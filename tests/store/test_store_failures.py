"""How the store fails: corrupt and locked SQLite files, bad URLs, unreachable servers, newer schemas."""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quiz.errors import StorageError
from quiz.models import Attempt, QuestionId, SessionKind
from quiz.store import AttemptStore

T0 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def attempt(attempt_id: str) -> Attempt:
    return Attempt(
        id=attempt_id, user="alice", question_id=QuestionId("q1"), answer="answer", grade=None,
        started_at=T0, submitted_at=T0, session_kind=SessionKind.PRACTICE,
    )


@pytest.mark.parametrize(
    "content",
    [os.urandom(8192), "这不是数据库\nplain text notes\n".encode() * 200, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["random-bytes", "text-file", "bad-header"],
)
def test_corrupt_file_is_reported_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "quiz.db"
    path.write_bytes(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(StorageError) as info:
        AttemptStore(f"sqlite:///{path}")
    message = str(info.value)
    assert str(path) in message
    assert "not a valid SQLite database" in message and "left untouched" in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir() if p.stat().st_size > 0) == before


def test_wal_mode_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "quiz.db"
    store = AttemptStore(f"sqlite:///{path}", busy_timeout_s=1.5)
    store.record(attempt("a1"))
    store.close()
    assert path.exists()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(2,)]
    # The store's own connections enforce foreign keys: an attempt of an unknown user cannot be inserted raw.
    store = AttemptStore(f"sqlite:///{path}", busy_timeout_s=1.5)
    with store._engine.connect() as conn:  # noqa: SLF001 - checking the pragmas the store set
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    store.close()


def test_write_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    store = AttemptStore(f"sqlite:///{path}", busy_timeout_s=0.3)
    store.record(attempt("a1"))
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StorageError) as info:
            store.record(attempt("a2"))
        waited = time.monotonic() - started
        assert "busy/locked" in str(info.value) and "try again" in str(info.value)
        assert str(path) in str(info.value)
        assert 0.25 <= waited < 5
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Nothing was half-written, and the same attempt succeeds once the lock is released.
    assert [a.id for a in store.attempts()] == ["a1"]
    store.record(attempt("a2"))
    assert [a.id for a in store.attempts()] == ["a1", "a2"]
    store.close()


def test_opening_a_database_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("CREATE TABLE notes (x)")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO notes VALUES (1)")
    try:
        with pytest.raises(StorageError, match="busy/locked"):
            AttemptStore(f"sqlite:///{path}", busy_timeout_s=0.2)
    finally:
        other.execute("COMMIT")
        other.close()
    store = AttemptStore(f"sqlite:///{path}", busy_timeout_s=0.2)
    assert store.schema_version() == 2
    store.close()


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot be opened"):
        AttemptStore(f"sqlite:///{tmp_path}")


def test_invalid_url() -> None:
    with pytest.raises(StorageError, match="invalid database URL"):
        AttemptStore("not a url at all")


def test_unreachable_server_message_hides_the_password() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StorageError) as info:
        AttemptStore(f"postgresql+psycopg://bob:s3cr3t-pw@127.0.0.1:{port}/quiz", busy_timeout_s=1)
    message = str(info.value)
    assert "s3cr3t-pw" not in message
    assert f"bob:***@127.0.0.1:{port}/quiz" in message


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "quiz.db"
    AttemptStore(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer"):
        AttemptStore(f"sqlite:///{path}")
    assert path.read_bytes() == before
