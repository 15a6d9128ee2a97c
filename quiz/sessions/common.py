"""Helpers shared by the session state machines.

Types:
    GradeFn -- ``(question, answer) -> GradeResult``, the grader the UI passes in

Functions:
    new_id(rng)               -- a 32-hex-digit id; deterministic when an rng is given
    require_aware(value, what) -- refuse naive datetimes (a programming error)
    build_attempt(...)        -- the ``Attempt`` record a session hands to the UI to store
    dt_text / dt_parse        -- datetime <-> ISO text for ``to_dict`` / ``from_dict``
    is_chinese(text)          -- whether a text is mainly Chinese (picks the language of generated text)
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from quiz.models import Attempt, GradeResult, Question, QuestionId, SessionKind

__all__ = ["GradeFn", "build_attempt", "dt_parse", "dt_text", "is_chinese", "new_id", "require_aware"]

GradeFn = Callable[[Question, str], GradeResult]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def new_id(rng: random.Random | None = None) -> str:
    """A fresh id; drawn from ``rng`` when given so tests are deterministic."""
    if rng is None:
        return uuid.uuid4().hex
    return f"{rng.getrandbits(128):032x}"


def require_aware(value: datetime, what: str = "time") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got naive {value!r}")
    return value


def dt_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def dt_parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def is_chinese(text: str) -> bool:
    """True when Chinese characters outweigh Latin words (code terms inside Chinese prose stay Chinese)."""
    chinese = len(_CJK.findall(text))
    return chinese > 0 and chinese >= len(_LATIN_WORD.findall(text))


def build_attempt(
    *,
    attempt_id: str,
    user: str,
    question_id: QuestionId | str,
    answer: str,
    grade: GradeResult | None,
    started_at: datetime,
    submitted_at: datetime,
    kind: SessionKind,
    session_id: str | None,
    time_limit_s: float | None = None,
    late: bool = False,
) -> Attempt:
    return Attempt(
        id=attempt_id,
        user=user,
        question_id=QuestionId(question_id),
        answer=answer,
        grade=grade,
        started_at=require_aware(started_at, "started_at"),
        submitted_at=require_aware(submitted_at, "submitted_at"),
        session_kind=kind,
        session_id=session_id,
        time_limit_s=time_limit_s,
        late=late,
    )
