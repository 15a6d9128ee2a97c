"""Report fixtures: a small hand-written bank and attempt history whose analytics are worked out by hand.

History (NOW = Saturday 2025-03-15 12:00 UTC; half-life 14 days, so weights 1, 0.5, 0.25 at 0, 14, 28 days):

    q-attn  (attention)              40 @ -14d, 80 @ now, late 100 @ -1d (timed t1, not counted)
    q-kv    (attention, efficiency)  90 @ -28d, 90 @ -14d, 90 @ -1h (mock m1)
    q-lora  (fine-tuning)            95 @ -7d, ungraded @ -1d-10min (timed t1)
    q-misc  (no topics)              20 @ -14d
    q-gone  (not in the bank)        60 @ now (mock m1)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from quiz.models import (
    Attempt,
    Band,
    Difficulty,
    GradeResult,
    KeyPoint,
    KeyPointEvidence,
    Keyword,
    KeywordEvidence,
    Question,
    QuestionId,
    Reference,
    Rubric,
    SessionKind,
)

NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


def _question(qid: str, text: str, topics: tuple[str, ...], points: Sequence[str], words: Sequence[str]) -> Question:
    rubric = Rubric(tuple(KeyPoint(p) for p in points), tuple(Keyword(w) for w in words))
    return Question(QuestionId(qid), text, (Reference("ref", "t.md", 1, 2, rubric),), topics, Difficulty.MEDIUM)


QUESTIONS = (
    _question("q-attn", "What is attention?", ("attention",),
              ["softmax of scaled dot products", "weighted sum of values"], ["softmax", "query"]),
    _question("q-kv", "What is a KV cache?", ("attention", "efficiency"),
              ["cache grows with sequence length", "avoids recomputing keys"], ["kv cache"]),
    _question("q-lora", "What is LoRA?", ("fine-tuning",), ["low-rank update"], ["rank"]),
    _question("q-misc", "Tell me about yourself.", (), ["clear story"], []),
)  # fmt: skip


def make_attempt(
    attempt_id: str,
    question_id: str,
    score: float | None,
    at: datetime,
    *,
    missed_points: Sequence[str] = (),
    covered_points: Sequence[str] = (),
    missed_keywords: Sequence[str] = (),
    matched_keywords: Sequence[str] = (),
    late: bool = False,
    kind: SessionKind = SessionKind.PRACTICE,
    session_id: str | None = None,
    answer: str = "an answer",
    user: str = "ann",
) -> Attempt:
    """An attempt submitted at ``at`` (started 60 s earlier) with hand-chosen evidence."""
    evidence = tuple(KeyPointEvidence(p, 1.0, 0.2, False) for p in missed_points) + tuple(
        KeyPointEvidence(p, 1.0, 0.9, True, "sentence") for p in covered_points
    )
    keywords = tuple(KeywordEvidence(k, False) for k in missed_keywords) + tuple(
        KeywordEvidence(k, True, matched_text=k, score=1.0) for k in matched_keywords
    )
    band = Band.UNGRADED if score is None else (Band.GOOD if score >= 70 else Band.WEAK)
    grade = GradeResult(QuestionId(question_id), score, band, None, evidence, keywords, "", "test-model", "1")
    return Attempt(
        attempt_id, user, QuestionId(question_id), answer, grade, at - timedelta(seconds=60), at, kind,
        session_id=session_id, time_limit_s=120.0 if session_id else None, late=late,
    )  # fmt: skip


def golden_history() -> list[Attempt]:
    day = timedelta(days=1)
    return [
        make_attempt("a1", "q-attn", 40, NOW - 14 * day,
                     missed_points=["softmax of scaled dot products", "weighted sum of values"],
                     missed_keywords=["softmax", "query"]),
        make_attempt("a2", "q-attn", 80, NOW, kind=SessionKind.MOCK, session_id="m1",
                     missed_points=["weighted sum of values"], covered_points=["softmax of scaled dot products"],
                     missed_keywords=["query"], matched_keywords=["softmax"]),
        make_attempt("a3", "q-attn", 100, NOW - day, late=True, kind=SessionKind.TIMED, session_id="t1",
                     missed_points=["late-only point"], missed_keywords=["late-only keyword"]),
        make_attempt("a4", "q-kv", 90, NOW - 28 * day,
                     missed_points=["cache grows with sequence length"], missed_keywords=["kv cache"]),
        make_attempt("a5", "q-kv", 90, NOW - 14 * day, missed_keywords=["kv cache"]),
        make_attempt("a6", "q-kv", 90, NOW - timedelta(hours=1), kind=SessionKind.MOCK, session_id="m1",
                     matched_keywords=["kv cache"]),
        make_attempt("a7", "q-lora", 95, NOW - 7 * day),
        make_attempt("a8", "q-lora", None, NOW - day - timedelta(minutes=10), kind=SessionKind.TIMED,
                     session_id="t1"),
        make_attempt("a9", "q-misc", 20, NOW - 14 * day, missed_points=["clear story"]),
        make_attempt("a10", "q-gone", 60, NOW, kind=SessionKind.MOCK, session_id="m1"),
    ]  # fmt: skip


@pytest.fixture
def questions() -> tuple[Question, ...]:
    return QUESTIONS


@pytest.fixture
def history() -> list[Attempt]:
    return golden_history()


@pytest.fixture
def attempt_factory() -> Callable[..., Attempt]:
    return make_attempt


@pytest.fixture
def now() -> datetime:
    return NOW
