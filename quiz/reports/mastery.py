"""Mastery analytics: what a user knows, per question and per topic, from attempt history.

Classes:
    MasteryStatus  -- new | learning | shaky | solid | mastered (stored/displayed by value)
    WeakTopic      -- one topic's mastery with its most-missed key points and keywords

Functions:
    index_questions(questions)                       question_id -> Question from a Bank, mapping or sequence
    recency_weight(submitted_at, now)                exponential decay weight of one attempt
    mastery_status(mastery, counted, last_score)     the confidence rule
    attempts_frame(attempts, questions)              one row per attempt (DataFrame)
    question_mastery(attempts, questions, now)       one row per attempted question, weakest first
    topic_mastery(attempts, questions, now)          one row per attempted topic, weakest first
    weak_topics(attempts, questions, now)            WeakTopic records, weakest first
    topic_trend(attempts, questions, freq)           mean score per topic per day or week (long format)
    session_summaries(attempts)                      timed-quiz and mock-interview sessions

Rules (documented here once, used everywhere):
    * Only *counted* attempts (on time and graded, ``Attempt.counted``) enter scores, mastery and
      missed-point counts. Late and ungraded attempts are listed but never counted.
    * An attempt's weight is ``0.5 ** (age_days / HALF_LIFE_DAYS)``: an answer two weeks old counts
      half as much as one given today, so old successes fade and recent practice dominates.
    * Question mastery is the weighted mean of its counted scores. Topic mastery is the plain mean of
      the masteries of its attempted questions, so one question drilled ten times cannot hide
      another that was failed once.
    * ``now`` is passed in; when it is ``None`` the latest submission in the history is used, which
      keeps every function deterministic.

pandas is imported inside the functions so that ``import quiz.reports`` stays fast.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from quiz.models import Attempt, Question, SessionKind

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HALF_LIFE_DAYS",
    "MASTERED_MIN_ATTEMPTS",
    "MASTERED_MIN_SCORE",
    "NOT_IN_BANK",
    "UNTAGGED",
    "MasteryStatus",
    "WeakTopic",
    "attempts_frame",
    "index_questions",
    "mastery_status",
    "question_mastery",
    "recency_weight",
    "session_summaries",
    "topic_mastery",
    "topic_trend",
    "weak_topics",
]

HALF_LIFE_DAYS = 14.0
MASTERED_MIN_ATTEMPTS = 3
MASTERED_MIN_SCORE = 85.0
SOLID_MIN_SCORE = 70.0
SHAKY_MIN_SCORE = 50.0
TOP_MISSES = 5  # missed key points / keywords listed per weak topic

UNTAGGED = "(untagged)"  # a bank question without topics
NOT_IN_BANK = "(not in bank)"  # an attempt whose question is no longer in the bank

QuestionsLike = Any  # a Bank (has .questions), a Mapping[str, Question] or an Iterable[Question]


class MasteryStatus(StrEnum):
    """How well something is known; ``mastered`` needs repeated recent evidence, not one lucky answer."""

    NEW = "new"  # no counted attempt yet
    LEARNING = "learning"  # mastery below 50
    SHAKY = "shaky"  # 50 <= mastery < 70
    SOLID = "solid"  # mastery >= 70, but not (yet) mastered
    MASTERED = "mastered"  # mastery >= 85, >= 3 counted attempts and the latest one >= 85


@dataclass(frozen=True)
class WeakTopic:
    """One topic's standing: mastery 0..100, counted attempts, and what was missed most (text, count)."""

    topic: str
    mastery: float
    status: MasteryStatus
    attempts: int
    questions: int
    missed_points: tuple[tuple[str, int], ...]
    missed_keywords: tuple[tuple[str, int], ...]
    last_attempt_at: datetime | None = None


def index_questions(questions: QuestionsLike) -> dict[str, Question]:
    """question_id -> Question, from a ``Bank``, a mapping or any iterable of questions."""
    if questions is None:
        return {}
    if isinstance(questions, Mapping):
        return {str(k): v for k, v in questions.items()}
    items: Iterable[Question] = getattr(questions, "questions", questions)
    return {q.id: q for q in items}


def recency_weight(submitted_at: datetime, now: datetime) -> float:
    """``0.5 ** (age_days / HALF_LIFE_DAYS)``; attempts at or after ``now`` weigh 1."""
    age_days = max(0.0, (now - submitted_at).total_seconds() / 86400.0)
    return 0.5 ** (age_days / HALF_LIFE_DAYS)


def mastery_status(mastery: float | None, counted: int, last_score: float | None) -> MasteryStatus:
    """The confidence rule: see ``MasteryStatus`` for the cut-offs."""
    if counted <= 0 or mastery is None:
        return MasteryStatus.NEW
    if (
        mastery >= MASTERED_MIN_SCORE
        and counted >= MASTERED_MIN_ATTEMPTS
        and last_score is not None
        and last_score >= MASTERED_MIN_SCORE
    ):
        return MasteryStatus.MASTERED
    if mastery >= SOLID_MIN_SCORE:
        return MasteryStatus.SOLID
    if mastery >= SHAKY_MIN_SCORE:
        return MasteryStatus.SHAKY
    return MasteryStatus.LEARNING


def default_now(attempts: Sequence[Attempt], now: datetime | None) -> datetime:
    """``now`` if given, else the latest submission (or the Unix epoch for an empty history)."""
    if now is not None:
        return now
    if not attempts:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return max(a.submitted_at for a in attempts)


def topics_of(question_id: str, index: Mapping[str, Question]) -> tuple[str, ...]:
    """A question's topics, or a placeholder topic so that no attempt drops out of the reports."""
    question = index.get(question_id)
    if question is None:
        return (NOT_IN_BANK,)
    return question.topics or (UNTAGGED,)


def _chronological(attempts: Sequence[Attempt]) -> list[Attempt]:
    return sorted(attempts, key=lambda a: (a.submitted_at, a.id))


def attempts_frame(attempts: Sequence[Attempt], questions: QuestionsLike) -> pd.DataFrame:
    """One row per attempt, oldest first: the flat table behind the CSV and the ``attempts`` sheet.

    Contains only attempt fields (no settings, so no secrets).
    """
    import pandas as pd

    index = index_questions(questions)
    rows = []
    for a in _chronological(attempts):
        question = index.get(a.question_id)
        grade = a.grade
        rows.append(
            {
                "attempt_id": a.id,
                "user": a.user,
                "submitted_at": a.submitted_at,
                "question_id": a.question_id,
                "question": question.text if question else "",
                "topics": "; ".join(topics_of(a.question_id, index)),
                "session_kind": a.session_kind.value,
                "session_id": a.session_id or "",
                "score": a.score,
                "band": grade.band.value if grade else "",
                "late": a.late,
                "counted": a.counted,
                "time_taken_s": round((a.submitted_at - a.started_at).total_seconds(), 3),
                "time_limit_s": a.time_limit_s,
                "missed_key_points": " | ".join(k.key_point for k in grade.missed_key_points) if grade else "",
                "missed_keywords": ", ".join(k.term for k in grade.missed_keywords) if grade else "",
                "llm_score": a.llm_score,
                "answer": a.answer,
            }
        )
    columns = list(rows[0]) if rows else _ATTEMPT_COLUMNS
    return pd.DataFrame(rows, columns=columns)


_ATTEMPT_COLUMNS = [
    "attempt_id", "user", "submitted_at", "question_id", "question", "topics", "session_kind", "session_id",
    "score", "band", "late", "counted", "time_taken_s", "time_limit_s", "missed_key_points", "missed_keywords",
    "llm_score", "answer",
]  # fmt: skip


@dataclass
class _Acc:
    """Running totals for one question or topic (mutable on purpose: only used while aggregating)."""

    weighted: float = 0.0
    weights: float = 0.0
    counted: int = 0
    total: int = 0
    last_score: float | None = None
    last_at: datetime | None = None  # latest attempt of any kind
    last_counted_at: datetime | None = None  # when ``last_score`` was given


def _question_accumulators(attempts: Sequence[Attempt], now: datetime) -> dict[str, _Acc]:
    accs: dict[str, _Acc] = defaultdict(_Acc)
    for a in _chronological(attempts):
        acc = accs[a.question_id]
        acc.total += 1
        acc.last_at = a.submitted_at
        if not a.counted:
            continue
        score = float(a.score)  # type: ignore[arg-type]  # counted implies a score
        weight = recency_weight(a.submitted_at, now)
        acc.weighted += weight * score
        acc.weights += weight
        acc.counted += 1
        acc.last_score = score
        acc.last_counted_at = a.submitted_at
    return accs


def _mastery(acc: _Acc) -> float | None:
    return acc.weighted / acc.weights if acc.counted else None


def question_mastery(
    attempts: Sequence[Attempt], questions: QuestionsLike, now: datetime | None = None
) -> pd.DataFrame:
    """One row per attempted question: mastery, counted/total attempts, last score, status; weakest first.

    Questions without a counted attempt (all late or ungraded) come last with mastery NaN and status ``new``.
    """
    import pandas as pd

    now = default_now(attempts, now)
    index = index_questions(questions)
    rows = []
    for qid, acc in _question_accumulators(attempts, now).items():
        mastery = _mastery(acc)
        question = index.get(qid)
        rows.append(
            {
                "question_id": qid,
                "question": question.text if question else "",
                "topics": "; ".join(topics_of(qid, index)),
                "mastery": mastery,
                "attempts": acc.counted,
                "total_attempts": acc.total,
                "last_score": acc.last_score,
                "last_attempt_at": acc.last_at,
                "status": mastery_status(mastery, acc.counted, acc.last_score).value,
            }
        )
    columns = ["question_id", "question", "topics", "mastery", "attempts", "total_attempts", "last_score",
               "last_attempt_at", "status"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns).astype({"mastery": "float64", "last_score": "float64"})
    return frame.sort_values(["mastery", "question_id"], na_position="last", kind="stable").reset_index(drop=True)


def _topic_rows(attempts: Sequence[Attempt], questions: QuestionsLike, now: datetime) -> list[dict[str, Any]]:
    index = index_questions(questions)
    per_topic: dict[str, list[tuple[str, _Acc]]] = defaultdict(list)
    for qid, acc in _question_accumulators(attempts, now).items():
        for topic in topics_of(qid, index):
            per_topic[topic].append((qid, acc))
    rows = []
    for topic, members in per_topic.items():
        scored = [m for _, acc in members if (m := _mastery(acc)) is not None]
        counted = sum(acc.counted for _, acc in members)
        latest = max((acc for _, acc in members if acc.counted), key=lambda acc: acc.last_counted_at, default=None)
        last_score = latest.last_score if latest else None
        mastery = sum(scored) / len(scored) if scored else None
        rows.append(
            {
                "topic": topic,
                "mastery": mastery,
                "attempts": counted,
                "total_attempts": sum(acc.total for _, acc in members),
                "questions": len(members),
                "last_score": last_score,
                "last_attempt_at": max(acc.last_at for _, acc in members),
                "status": mastery_status(mastery, counted, last_score).value,
            }
        )
    rows.sort(key=lambda r: (r["mastery"] is None, r["mastery"] or 0.0, r["topic"]))
    return rows


def topic_mastery(attempts: Sequence[Attempt], questions: QuestionsLike, now: datetime | None = None) -> pd.DataFrame:
    """One row per topic with at least one attempt, weakest first (topics with no counted attempt last)."""
    import pandas as pd

    rows = _topic_rows(attempts, questions, default_now(attempts, now))
    columns = ["topic", "mastery", "attempts", "total_attempts", "questions", "last_score", "last_attempt_at",
               "status"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).astype({"mastery": "float64", "last_score": "float64"})


def _miss_counts(attempts: Sequence[Attempt], index: Mapping[str, Question]) -> tuple[dict[str, Counter[str]], ...]:
    points: dict[str, Counter[str]] = defaultdict(Counter)
    keywords: dict[str, Counter[str]] = defaultdict(Counter)
    for a in attempts:
        if not a.counted or a.grade is None:
            continue
        missed_points = [k.key_point for k in a.grade.missed_key_points]
        missed_terms = [k.term for k in a.grade.missed_keywords]
        for topic in topics_of(a.question_id, index):
            points[topic].update(missed_points)
            keywords[topic].update(missed_terms)
    return points, keywords


def _top(counter: Counter[str], n: int) -> tuple[tuple[str, int], ...]:
    # Most missed first; ties in alphabetical order so that reports are stable.
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:n])


def weak_topics(
    attempts: Sequence[Attempt],
    questions: QuestionsLike,
    now: datetime | None = None,
    *,
    limit: int | None = None,
    top_misses: int = TOP_MISSES,
) -> list[WeakTopic]:
    """Topics with counted attempts, weakest first, each with its most-missed key points and keywords.

    Args:
        attempts: the user's history, any order.
        questions: the bank (or a mapping / sequence of questions) for topics.
        now: the time mastery decays towards (default: the latest submission).
        limit: keep only the ``limit`` weakest topics.
        top_misses: how many missed key points and keywords to list per topic.
    """
    now = default_now(attempts, now)
    index = index_questions(questions)
    points, keywords = _miss_counts(attempts, index)
    result = [
        WeakTopic(
            topic=row["topic"],
            mastery=row["mastery"],
            status=MasteryStatus(row["status"]),
            attempts=row["attempts"],
            questions=row["questions"],
            missed_points=_top(points[row["topic"]], top_misses),
            missed_keywords=_top(keywords[row["topic"]], top_misses),
            last_attempt_at=row["last_attempt_at"],
        )
        for row in _topic_rows(attempts, index, now)
        if row["mastery"] is not None
    ]
    return result[:limit] if limit is not None else result


def _period_start(moment: datetime, freq: str) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday()) if freq == "W" else day


def topic_trend(attempts: Sequence[Attempt], questions: QuestionsLike, freq: str = "W") -> pd.DataFrame:
    """Plain mean of counted scores per topic per period, long format ``period, topic, mean_score, attempts``.

    ``freq`` is ``"D"`` (UTC day) or ``"W"`` (ISO week, labelled by its Monday). Sorted by period, then topic.
    """
    import pandas as pd

    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    index = index_questions(questions)
    sums: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for a in attempts:
        if not a.counted:
            continue
        period = _period_start(a.submitted_at, freq)
        for topic in topics_of(a.question_id, index):
            cell = sums[(period, topic)]
            cell[0] += float(a.score)  # type: ignore[arg-type]
            cell[1] += 1
    rows = [
        {"period": period, "topic": topic, "mean_score": total / n, "attempts": int(n)}
        for (period, topic), (total, n) in sorted(sums.items())
    ]
    return pd.DataFrame(rows, columns=["period", "topic", "mean_score", "attempts"])


def session_summaries(
    attempts: Sequence[Attempt], kinds: tuple[SessionKind, ...] = (SessionKind.TIMED, SessionKind.MOCK)
) -> pd.DataFrame:
    """One row per session of the given kinds: started_at, kind, questions, counted, mean_score, late, ungraded.

    ``mean_score`` is over counted attempts only (NaN when none counted). Oldest session first.
    """
    import pandas as pd

    groups: dict[str, list[Attempt]] = defaultdict(list)
    for a in attempts:
        if a.session_id and a.session_kind in kinds:
            groups[a.session_id].append(a)
    rows = []
    for session_id, members in groups.items():
        scores = [float(a.score) for a in members if a.counted]  # type: ignore[arg-type]
        first = min(members, key=lambda a: (a.started_at, a.id))
        rows.append(
            {
                "session_id": session_id,
                "kind": first.session_kind.value,
                "started_at": first.started_at,
                "date": first.started_at.astimezone(UTC).date().isoformat(),
                "questions": len(members),
                "counted": len(scores),
                "mean_score": sum(scores) / len(scores) if scores else None,
                "late": sum(1 for a in members if a.late),
                "ungraded": sum(1 for a in members if a.score is None),
            }
        )
    rows.sort(key=lambda r: (r["started_at"], r["session_id"]))
    columns = ["session_id", "kind", "started_at", "date", "questions", "counted", "mean_score", "late", "ungraded"]
    return pd.DataFrame(rows, columns=columns).astype({"mean_score": "float64"})
