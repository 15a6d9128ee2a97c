"""The attempt store: users, attempts, resumable sessions and review cards, behind one class.

Classes:
    AttemptStore -- thread-safe store over a SQLAlchemy engine (SQLite file by default, PostgreSQL by URL)

Every public method opens a pooled connection for its own transaction, so one store object can be
shared by all Streamlit sessions (threads). Every database failure is raised as ``StorageError``
naming the database; the store never deletes or rewrites a file it cannot read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from quiz.errors import StorageError
from quiz.models import Attempt, GradeResult, QuestionId, SessionKind
from quiz.store import engine as engine_mod
from quiz.store.records import ReviewCardRecord, SessionRecord, SessionStatus, to_utc_text
from quiz.store.schema import (
    ATTEMPTS,
    REVIEW_CARDS,
    SCHEMA_VERSION,
    SESSIONS,
    USERS,
    apply_migrations,
    current_version,
)

__all__ = ["AttemptStore"]

MAX_USER_NAME = 100
# Profiles hold preferences only; keys that look like credentials are refused outright.
_SECRET_KEY_PARTS = ("key", "secret", "password", "token", "credential")


class AttemptStore:
    """Persistence of users, attempts, sessions and spaced-review cards.

    Args:
        url: a SQLAlchemy URL, e.g. ``sqlite:///data/quiz.db`` or ``postgresql+psycopg://user:pw@host/db``.
        busy_timeout_s: how long a write waits for another writer before failing as busy.

    Raises:
        StorageError: the database cannot be opened, is not a database, is locked beyond the
            timeout, or was written by a newer version of this program.
    """

    def __init__(self, url: str, *, busy_timeout_s: float = 5.0) -> None:
        self._engine, self.name = engine_mod.open_engine(url, busy_timeout_s=busy_timeout_s)
        try:
            self._password = sa.engine.make_url(url).password
        except sa.exc.ArgumentError:
            self._password = None
        self._closed = False
        self._lock = threading.Lock()
        self._migrate()

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        if self._closed:
            raise StorageError(f"database {self.name}: the store is closed; {action} did not happen")
        with engine_mod.translate_errors(self.name, action, secret=self._password):
            yield

    @contextmanager
    def _write(self, action: str) -> Iterator[Connection]:
        with self._guard(action), engine_mod.write_transaction(self._engine) as conn:
            yield conn

    @contextmanager
    def _read(self, action: str) -> Iterator[Connection]:
        with self._guard(action), engine_mod.read_transaction(self._engine) as conn:
            yield conn

    def _migrate(self) -> None:
        with self._lock:
            # Reading first keeps an up-to-date database from needing the write lock at start-up.
            with self._read("opening the database") as conn:
                version = current_version(conn)
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"database {self.name} has schema version {version}, newer than this program's "
                    f"{SCHEMA_VERSION}; upgrade the program (the database was left untouched)"
                )
            if version == SCHEMA_VERSION:
                return
            with self._write("creating or migrating the schema") as conn:
                if conn.dialect.name == "postgresql":
                    # Serialises concurrent first starts of several app replicas.
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(7419001)"))
                apply_migrations(conn)

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self._read("reading the schema version") as conn:
            return current_version(conn)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql`` (or another SQLAlchemy dialect name)."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Release pooled connections; later calls raise ``StorageError``."""
        self._closed = True
        self._engine.dispose()

    def __enter__(self) -> AttemptStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AttemptStore({self.name!r})"

    # -- users ----------------------------------------------------------------------------------

    @staticmethod
    def _check_user(name: str) -> str:
        if not isinstance(name, str) or not name.strip():
            raise StorageError("a user name must be a non-empty string")
        if len(name) > MAX_USER_NAME:
            raise StorageError(f"a user name must be at most {MAX_USER_NAME} characters, got {len(name)}")
        return name

    def _ensure_user(self, conn: Connection, name: str) -> None:
        self._check_user(name)
        row = {"name": name, "created_at": datetime.now(UTC), "profile_json": "{}"}
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            # One statement, so concurrent first visits of the same user cannot collide.
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert
            conn.execute(insert(USERS).values(**row).on_conflict_do_nothing(index_elements=["name"]))
        elif conn.execute(sa.select(USERS.c.name).where(USERS.c.name == name)).first() is None:
            conn.execute(sa.insert(USERS).values(**row))

    def ensure_user(self, name: str) -> None:
        """Create user ``name`` if it does not exist yet."""
        with self._write(f"creating user {name!r}") as conn:
            self._ensure_user(conn, name)

    def users(self) -> list[str]:
        """All user names, sorted."""
        with self._read("listing users") as conn:
            return [row[0] for row in conn.execute(sa.select(USERS.c.name).order_by(USERS.c.name))]

    def save_profile(self, name: str, profile: dict[str, Any]) -> None:
        """Replace user ``name``'s preferences (created if missing). Secrets are refused, never stored."""
        for key in profile:
            if any(part in str(key).lower() for part in _SECRET_KEY_PARTS):
                raise StorageError(f"profile key {key!r} looks like a secret; secrets are never stored")
        try:
            text = json.dumps(profile, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise StorageError(f"profile of {name!r} is not JSON-serialisable: {exc}") from exc
        with self._write(f"saving the profile of {name!r}") as conn:
            self._ensure_user(conn, name)
            conn.execute(sa.update(USERS).where(USERS.c.name == name).values(profile_json=text))

    def profile(self, name: str) -> dict[str, Any]:
        """User ``name``'s preferences; ``{}`` for an unknown user."""
        with self._read(f"reading the profile of {name!r}") as conn:
            text = conn.execute(sa.select(USERS.c.profile_json).where(USERS.c.name == name)).scalar()
        return json.loads(text) if text else {}

    # -- attempts -------------------------------------------------------------------------------

    def record(self, attempt: Attempt) -> None:
        """Store ``attempt``, creating its user if needed. Re-recording the same id replaces it."""
        row = _attempt_row(attempt)
        with self._write(f"recording attempt {attempt.id}") as conn:
            self._ensure_user(conn, attempt.user)
            _upsert(conn, ATTEMPTS, row, key=("id",))

    def attempts(
        self,
        *,
        user: str | None = None,
        question_id: str | None = None,
        session_id: str | None = None,
        kind: SessionKind | str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[Attempt]:
        """Stored attempts matching every given filter, oldest first.

        ``since`` keeps attempts submitted at or after it; ``limit`` keeps the most recent ``limit``.
        """
        query = sa.select(ATTEMPTS)
        if user is not None:
            query = query.where(ATTEMPTS.c.user_name == user)
        if question_id is not None:
            query = query.where(ATTEMPTS.c.question_id == question_id)
        if session_id is not None:
            query = query.where(ATTEMPTS.c.session_id == session_id)
        if kind is not None:
            query = query.where(ATTEMPTS.c.session_kind == SessionKind(kind).value)
        if since is not None:
            to_utc_text(since)  # rejects a naive datetime before it reaches the database
            query = query.where(ATTEMPTS.c.submitted_at >= since)
        newest_first = (ATTEMPTS.c.submitted_at.desc(), ATTEMPTS.c.started_at.desc(), ATTEMPTS.c.id.desc())
        query = query.order_by(*newest_first)
        if limit is not None:
            query = query.limit(max(0, int(limit)))
        with self._read("reading attempts") as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return [_attempt_from_row(r) for r in reversed(rows)]

    # -- sessions -------------------------------------------------------------------------------

    def save_session(self, record: SessionRecord) -> None:
        """Insert or replace a session (by id), creating its user if needed."""
        try:
            state_json = json.dumps(record.state, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise StorageError(f"session {record.id}: state is not JSON-serialisable: {exc}") from exc
        row = {
            "id": record.id,
            "user_name": record.user,
            "kind": SessionKind(record.kind).value,
            "status": SessionStatus(record.status).value,
            "state_json": state_json,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        }
        to_utc_text(record.created_at)
        to_utc_text(record.updated_at)
        with self._write(f"saving session {record.id}") as conn:
            self._ensure_user(conn, record.user)
            _upsert(conn, SESSIONS, row, key=("id",))

    def load_session(self, session_id: str) -> SessionRecord | None:
        """The session with this id, or ``None``."""
        with self._read(f"loading session {session_id}") as conn:
            row = conn.execute(sa.select(SESSIONS).where(SESSIONS.c.id == session_id)).first()
        return None if row is None else _session_from_row(dict(row._mapping))

    def sessions(
        self, *, user: str, kind: SessionKind | str | None = None, status: SessionStatus | str | None = None
    ) -> list[SessionRecord]:
        """A user's sessions, most recently updated first."""
        query = sa.select(SESSIONS).where(SESSIONS.c.user_name == user)
        if kind is not None:
            query = query.where(SESSIONS.c.kind == SessionKind(kind).value)
        if status is not None:
            query = query.where(SESSIONS.c.status == SessionStatus(status).value)
        query = query.order_by(SESSIONS.c.updated_at.desc(), SESSIONS.c.id)
        with self._read(f"listing sessions of {user!r}") as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return [_session_from_row(r) for r in rows]

    def set_session_status(
        self, session_id: str, status: SessionStatus | str, *, now: datetime | None = None
    ) -> None:
        """Mark a session active, finished or abandoned; ``now`` (default: current UTC time) becomes updated_at."""
        value = SessionStatus(status).value
        updated = now if now is not None else datetime.now(UTC)
        to_utc_text(updated)
        with self._write(f"updating session {session_id}") as conn:
            result = conn.execute(
                sa.update(SESSIONS).where(SESSIONS.c.id == session_id).values(status=value, updated_at=updated)
            )
            if result.rowcount == 0:
                raise StorageError(f"database {self.name}: no session with id {session_id!r}")

    # -- review cards ---------------------------------------------------------------------------

    def save_review_card(self, user: str, question_id: str, card_json: str, due_at: datetime) -> None:
        """Insert or replace the spaced-review card of (user, question)."""
        to_utc_text(due_at)
        row = {"user_name": user, "question_id": question_id, "card_json": card_json, "due_at": due_at}
        with self._write(f"saving the review card of {user!r} for {question_id!r}") as conn:
            self._ensure_user(conn, user)
            _upsert(conn, REVIEW_CARDS, row, key=("user_name", "question_id"))

    def review_cards(self, user: str) -> list[ReviewCardRecord]:
        """A user's review cards, soonest due first."""
        query = (
            sa.select(REVIEW_CARDS.c.question_id, REVIEW_CARDS.c.card_json, REVIEW_CARDS.c.due_at)
            .where(REVIEW_CARDS.c.user_name == user)
            .order_by(REVIEW_CARDS.c.due_at, REVIEW_CARDS.c.question_id)
        )
        with self._read(f"reading the review cards of {user!r}") as conn:
            rows = conn.execute(query).all()
        return [ReviewCardRecord(QuestionId(r[0]), r[1], r[2]) for r in rows]


# -- rows ---------------------------------------------------------------------------------------


def _upsert(conn: Connection, table: sa.Table, row: dict[str, Any], *, key: tuple[str, ...]) -> None:
    """Insert ``row`` or replace the existing row with the same key, in one statement where the dialect can."""
    updates = {name: value for name, value in row.items() if name not in key}
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        statement = insert(table).values(**row)
        conn.execute(statement.on_conflict_do_update(index_elements=list(key), set_=updates))
        return
    condition = sa.and_(*(table.c[name] == row[name] for name in key))
    if conn.execute(sa.update(table).where(condition).values(**updates)).rowcount == 0:
        conn.execute(sa.insert(table).values(**row))


def _attempt_row(attempt: Attempt) -> dict[str, Any]:
    to_utc_text(attempt.started_at)
    to_utc_text(attempt.submitted_at)
    grade = attempt.grade
    return {
        "id": attempt.id,
        "user_name": attempt.user,
        "question_id": attempt.question_id,
        "answer": attempt.answer,
        "grade_json": json.dumps(grade.to_dict(), ensure_ascii=False) if grade is not None else None,
        "score": grade.score if grade is not None else None,
        "band": grade.band.value if grade is not None else None,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "session_kind": attempt.session_kind.value,
        "session_id": attempt.session_id,
        "time_limit_s": attempt.time_limit_s,
        "late": bool(attempt.late),
        "llm_feedback": attempt.llm_feedback,
        "llm_score": attempt.llm_score,
    }


def _attempt_from_row(row: dict[str, Any]) -> Attempt:
    grade_json = row["grade_json"]
    return Attempt(
        id=row["id"],
        user=row["user_name"],
        question_id=QuestionId(row["question_id"]),
        answer=row["answer"],
        grade=GradeResult.from_dict(json.loads(grade_json)) if grade_json else None,
        started_at=row["started_at"],
        submitted_at=row["submitted_at"],
        session_kind=SessionKind(row["session_kind"]),
        session_id=row["session_id"],
        time_limit_s=row["time_limit_s"],
        late=bool(row["late"]),
        llm_feedback=row["llm_feedback"],
        llm_score=row["llm_score"],
    )


def _session_from_row(row: dict[str, Any]) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        user=row["user_name"],
        kind=SessionKind(row["kind"]),
        status=SessionStatus(row["status"]),
        state=json.loads(row["state_json"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
