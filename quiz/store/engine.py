"""Opening a SQLAlchemy engine by URL, and turning database failures into ``StorageError``.

Functions:
    open_engine(url, busy_timeout_s)  -- engine + display name (password hidden)
    write_transaction(engine)         -- a transaction that holds the write lock from its first statement
    read_transaction(engine)          -- a plain transaction for reads
    translate_errors(name, action)    -- context manager mapping driver errors to ``StorageError``

SQLite: the parent directory is created, every pooled connection gets WAL journal mode, a busy
timeout and foreign keys, and write transactions start with ``BEGIN IMMEDIATE`` (a deferred
transaction that upgrades from read to write fails at once under WAL instead of waiting).
Connections come from the engine's pool, one per operation, so no sqlite3 connection is
shared between threads. PostgreSQL: a ``lock_timeout`` of the same length and a connect timeout.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from quiz.errors import StorageError

__all__ = ["display_name", "open_engine", "read_transaction", "translate_errors", "write_transaction"]

_CORRUPT_MARKERS = ("file is not a database", "database disk image is malformed", "not a database")
_BUSY_MARKERS = ("database is locked", "database is busy", "lock timeout", "locknotavailable", "deadlock")


def display_name(url: str) -> str:
    """The URL as shown in messages: the password is replaced by ``***``; a SQLite URL becomes its path."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return "<unparseable database URL>"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _sqlite_path(parsed: sa.engine.URL) -> Path | None:
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def open_engine(url: str, *, busy_timeout_s: float) -> tuple[Engine, str]:
    """Create the engine for ``url``; nothing is read or written yet except the SQLite parent directory."""
    name = display_name(url)
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StorageError(f"invalid database URL {name!r}: expected e.g. sqlite:///path/to/quiz.db") from exc
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            engine = _sqlite_engine(parsed, name, busy_timeout_s)
        else:
            connect_args: dict[str, object] = {}
            if backend == "postgresql":
                timeout_ms = int(busy_timeout_s * 1000)
                connect_args = {"connect_timeout": max(1, int(busy_timeout_s) + 1),
                                "options": f"-c lock_timeout={timeout_ms}"}
            engine = sa.create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    except ImportError as exc:
        hint = " (pip install 'psycopg[binary]')" if backend == "postgresql" else ""
        raise StorageError(f"database {name}: the driver is not installed{hint}: {exc}") from exc
    except sa.exc.ArgumentError as exc:
        raise StorageError(f"database {name}: {exc}") from exc
    return engine, name


def _sqlite_engine(parsed: sa.engine.URL, name: str, busy_timeout_s: float) -> Engine:
    path = _sqlite_path(parsed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"database {name}: cannot create its directory {path.parent}: {exc}") from exc
    if path is None:
        # An in-memory database exists only on its one connection: share it (tests and experiments only).
        engine = sa.create_engine(
            parsed, poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        engine = sa.create_engine(parsed, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
    busy_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
        # Autocommit at the driver level; transactions are begun explicitly in _on_begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A committed-on-success transaction that takes the write lock up front (SQLite ``BEGIN IMMEDIATE``)."""
    with engine.connect() as conn:
        conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextlib.contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction for reads: one consistent snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn


def _driver_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


@contextlib.contextmanager
def translate_errors(name: str, action: str, *, secret: str | None = None) -> Iterator[None]:
    """Re-raise any database failure inside the block as ``StorageError`` naming the database.

    ``secret`` (the URL's password) is scrubbed from the message in case a driver echoes it.
    """
    try:
        yield
    except StorageError:
        raise
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        detail = _driver_message(exc)
        lowered = detail.lower() + " " + type(getattr(exc, "orig", exc)).__name__.lower()
        if any(marker in lowered for marker in _CORRUPT_MARKERS):
            message = (
                f"database {name} is not a valid SQLite database (corrupt or another kind of file); "
                f"it was left untouched. Move it aside or point the database URL elsewhere. ({detail})"
            )
        elif any(marker in lowered for marker in _BUSY_MARKERS):
            message = (
                f"database {name} is busy/locked by another process; {action} did not happen, try again. ({detail})"
            )
        elif "unable to open database file" in lowered:
            message = f"database {name} cannot be opened (check the path and its permissions). ({detail})"
        else:
            message = f"database {name}: {action} failed: {detail}"
        if secret:
            message = message.replace(secret, "***")
        raise StorageError(message) from None


def _is_database_error(exc: Exception) -> bool:
    if isinstance(exc, sa.exc.SQLAlchemyError):
        return True
    # Errors raised by the driver inside our connect hook are not wrapped by SQLAlchemy.
    module = type(exc).__module__ or ""
    return module.startswith(("sqlite3", "psycopg", "psycopg2"))
