"""The store's schema: current tables, and the ordered migrations that build them.

Classes:
    UtcText    -- column type holding an aware UTC datetime as fixed-width ISO text
    Migration  -- one numbered schema step

Constants:
    METADATA, USERS, ATTEMPTS, SESSIONS, REVIEW_CARDS, SCHEMA_VERSION_TABLE -- the current schema
    MIGRATIONS      -- ordered steps; a database's ``schema_version`` says how many were applied
    SCHEMA_VERSION  -- the version this code writes and expects

Functions:
    current_version(conn), apply_migrations(conn, target=None)

Migrations are the only way tables are created, so a new database and an old one that was
migrated end with the same schema (``tests/store/test_store_schema.py`` checks it). Datetimes
are text, not a native type, so SQLite and PostgreSQL round-trip them identically and the
``(user, submitted_at)`` index orders by time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from quiz.store.records import from_utc_text, to_utc_text

__all__ = [
    "ATTEMPTS",
    "METADATA",
    "MIGRATIONS",
    "REVIEW_CARDS",
    "SCHEMA_VERSION",
    "SCHEMA_VERSION_TABLE",
    "SESSIONS",
    "USERS",
    "Migration",
    "UtcText",
    "apply_migrations",
    "current_version",
]


class UtcText(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` text."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else to_utc_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_utc_text(value)


METADATA = sa.MetaData()

SCHEMA_VERSION_TABLE = sa.Table(
    "schema_version",
    METADATA,
    sa.Column("version", sa.Integer, nullable=False),
)

USERS = sa.Table(
    "users",
    METADATA,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("created_at", UtcText, nullable=False),
    sa.Column("profile_json", sa.Text, nullable=False, server_default="{}"),
)

ATTEMPTS = sa.Table(
    "attempts",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(100), sa.ForeignKey("users.name"), nullable=False),
    sa.Column("question_id", sa.String(200), nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("grade_json", sa.Text),
    sa.Column("score", sa.Float),
    sa.Column("band", sa.String(20)),
    sa.Column("started_at", UtcText, nullable=False),
    sa.Column("submitted_at", UtcText, nullable=False),
    sa.Column("session_kind", sa.String(20), nullable=False),
    sa.Column("session_id", sa.String(64)),
    sa.Column("time_limit_s", sa.Float),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Column("llm_feedback", sa.Text),
    sa.Column("llm_score", sa.Float),
    sa.Index("ix_attempts_user_submitted", "user_name", "submitted_at"),
    sa.Index("ix_attempts_user_question", "user_name", "question_id"),
    sa.Index("ix_attempts_session", "session_id"),
)

SESSIONS = sa.Table(
    "sessions",
    METADATA,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(100), sa.ForeignKey("users.name"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("state_json", sa.Text, nullable=False),
    sa.Column("created_at", UtcText, nullable=False),
    sa.Column("updated_at", UtcText, nullable=False),
    sa.Index("ix_sessions_user_kind_status", "user_name", "kind", "status"),
)

REVIEW_CARDS = sa.Table(
    "review_cards",
    METADATA,
    sa.Column("user_name", sa.String(100), sa.ForeignKey("users.name"), primary_key=True),
    sa.Column("question_id", sa.String(200), primary_key=True),
    sa.Column("card_json", sa.Text, nullable=False),
    sa.Column("due_at", UtcText, nullable=False),
    sa.Index("ix_review_cards_user_due", "user_name", "due_at"),
)


@dataclass(frozen=True)
class Migration:
    """Step ``version``: what it does, and the function that does it inside the migration transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1_base_tables(conn: Connection) -> None:
    # Version 1 as first released: users had no profile and there were no review cards.
    # Spelled out with its own MetaData so later changes to the current tables cannot alter it.
    v1 = sa.MetaData()
    sa.Table(
        "users", v1,
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("created_at", UtcText, nullable=False),
    )
    attempts = ATTEMPTS.to_metadata(v1)
    sessions = SESSIONS.to_metadata(v1)
    v1.create_all(conn, tables=[v1.tables["users"], attempts, sessions])


def _v2_profiles_and_review_cards(conn: Connection) -> None:
    conn.execute(sa.text("ALTER TABLE users ADD COLUMN profile_json TEXT NOT NULL DEFAULT '{}'"))
    REVIEW_CARDS.create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "users, attempts and sessions", _v1_base_tables),
    Migration(2, "user profiles and spaced-review cards", _v2_profiles_and_review_cards),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The version recorded in the database; 0 for a database without our tables."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    value = conn.execute(sa.select(sa.func.max(SCHEMA_VERSION_TABLE.c.version))).scalar()
    return int(value or 0)


def apply_migrations(conn: Connection, target: int | None = None) -> list[int]:
    """Apply, in order, every migration above the database's version up to ``target`` (default: latest).

    Runs in the caller's transaction, which must hold the database's write lock so two
    processes never migrate at once. Returns the versions applied.
    """
    target = SCHEMA_VERSION if target is None else target
    SCHEMA_VERSION_TABLE.create(conn, checkfirst=True)
    version = current_version(conn)
    applied: list[int] = []
    for migration in MIGRATIONS:
        if version < migration.version <= target:
            migration.apply(conn)
            conn.execute(sa.delete(SCHEMA_VERSION_TABLE))
            conn.execute(sa.insert(SCHEMA_VERSION_TABLE).values(version=migration.version))
            version = migration.version
            applied.append(migration.version)
    return applied
