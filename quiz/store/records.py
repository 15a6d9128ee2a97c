"""Small records the store returns besides ``quiz.models.Attempt``.

Classes:
    SessionStatus     -- active | finished | abandoned (stored by value)
    SessionRecord     -- one saved practice/timed/mock session, with its state as a JSON-able dict
    ReviewCardRecord  -- one spaced-review card of one user: (question_id, card_json, due_at)

Functions:
    to_utc_text, from_utc_text -- the one text form of datetimes in the database
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from quiz.models import QuestionId, SessionKind

__all__ = ["ReviewCardRecord", "SessionRecord", "SessionStatus", "from_utc_text", "to_utc_text"]

# Fixed width, always with microseconds, so text order equals time order in every database.
_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def to_utc_text(value: datetime) -> str:
    """Render an aware datetime as fixed-width UTC ISO text; a naive one is a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware (UTC), got naive {value!r}")
    return value.astimezone(UTC).strftime(_UTC_FORMAT)


def from_utc_text(text: str) -> datetime:
    """Parse text written by ``to_utc_text`` back into an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class SessionStatus(StrEnum):
    """Where a saved session stands; only ``active`` sessions are offered for resuming."""

    ACTIVE = "active"
    FINISHED = "finished"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class SessionRecord:
    """A practice, timed-quiz or mock-interview session as saved, so it can be resumed after a restart.

    ``state`` is the session object's ``to_dict()``; it must be JSON-serialisable.
    """

    id: str
    user: str
    kind: SessionKind
    status: SessionStatus
    state: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "kind": self.kind.value,
            "status": self.status.value,
            "state": self.state,
            "created_at": to_utc_text(self.created_at),
            "updated_at": to_utc_text(self.updated_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionRecord:
        return cls(
            id=data["id"],
            user=data["user"],
            kind=SessionKind(data["kind"]),
            status=SessionStatus(data["status"]),
            state=dict(data.get("state", {})),
            created_at=from_utc_text(data["created_at"]),
            updated_at=from_utc_text(data["updated_at"]),
        )


class ReviewCardRecord(NamedTuple):
    """One spaced-review card. A tuple, so ``qid, card_json, due = record`` works too."""

    question_id: QuestionId
    card_json: str
    due_at: datetime
