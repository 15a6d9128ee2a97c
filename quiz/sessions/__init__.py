"""Practice, timed-quiz and mock-interview state machines: pure Python, time and randomness passed in.

Modules:
    common    GradeFn, ids, datetime helpers, language detection
    practice  select_questions, mastery_from_attempts, PracticeSession
    timed     TimedQuiz and its outcome/result records
    mock      MockInterview, pick_questions, template_followup, MockSummary

Each session is a frozen dataclass whose methods return new state; ``to_dict()`` goes into the
store's ``sessions`` table and ``session_from_dict(kind, state)`` brings it back after a restart.
Sessions never write to the store: the UI records each attempt they hand back.
"""

from __future__ import annotations

from typing import Any

from quiz.models import SessionKind
from quiz.sessions.mock import MockInterview
from quiz.sessions.practice import PracticeSession, select_questions
from quiz.sessions.timed import TimedQuiz

__all__ = ["MockInterview", "PracticeSession", "TimedQuiz", "select_questions", "session_from_dict"]

_KINDS: dict[SessionKind, Any] = {
    SessionKind.PRACTICE: PracticeSession,
    SessionKind.TIMED: TimedQuiz,
    SessionKind.MOCK: MockInterview,
}


def session_from_dict(kind: SessionKind | str, state: dict[str, Any]) -> PracticeSession | TimedQuiz | MockInterview:
    """Rebuild a saved session of the given kind from its ``to_dict()``."""
    try:
        cls = _KINDS[SessionKind(kind)]
    except (KeyError, ValueError) as exc:
        raise ValueError(f"no resumable session of kind {kind!r}") from exc
    return cls.from_dict(state)
