"""Persistence of users, attempts, resumable sessions and spaced-review cards.

Modules:
    records        SessionStatus, SessionRecord, ReviewCardRecord (no SQLAlchemy needed)
    schema         tables and ordered migrations (schema_version)
    engine         engine by URL, SQLite pragmas, error translation to StorageError
    attempt_store  AttemptStore, the class the rest of the app uses

``AttemptStore`` is loaded lazily so that importing the records does not import SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quiz.store.records import ReviewCardRecord, SessionRecord, SessionStatus

if TYPE_CHECKING:
    from quiz.store.attempt_store import AttemptStore

__all__ = ["AttemptStore", "ReviewCardRecord", "SessionRecord", "SessionStatus"]


def __getattr__(name: str) -> Any:
    if name == "AttemptStore":
        from quiz.store.attempt_store import AttemptStore

        return AttemptStore
    raise AttributeError(f"module 'quiz.store' has no attribute {name!r}")
