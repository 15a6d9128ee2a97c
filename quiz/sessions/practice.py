"""Practice mode: choosing questions, and a session that walks through them.

Functions:
    select_questions(questions, *, topics, difficulty, source, order, mastery, due, rng, ...)
    mastery_from_attempts(attempts) -> {question_id: 0..1}

Classes:
    PracticeSession -- frozen: question order, current index, every attempt (try-again keeps all), skips

Orders: ``random``, ``weakest_first`` (lowest mastery first; unseen questions count as
``UNSEEN_MASTERY``), ``due_first`` (the ``due`` ids first, in their order, then the rest at random)
and ``bank`` (as given). ``weakest``/``due`` are accepted as short spellings.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from quiz.models import Attempt, Difficulty, Question, QuestionId, SessionKind
from quiz.sessions.common import GradeFn, build_attempt, dt_parse, dt_text, new_id, require_aware

__all__ = ["ORDERS", "UNSEEN_MASTERY", "PracticeSession", "mastery_from_attempts", "select_questions"]

ORDERS = ("random", "weakest_first", "due_first", "bank")
_ORDER_ALIASES = {"weakest": "weakest_first", "due": "due_first"}
UNSEEN_MASTERY = 0.5  # unknown: after the questions known to be weak, before the ones known to be strong
RECENT_ATTEMPTS = 3  # mastery looks at the latest few counted attempts, newest weighing most
# Without a spaced-review schedule, a question is due when its last attempt is this old or scored low.
REVIEW_AFTER = timedelta(days=1)
REVIEW_BELOW_SCORE = 60.0


def _as_set(value: Any, convert: Any = str) -> set[Any] | None:
    if value is None:
        return None
    if isinstance(value, str | Difficulty):
        return {convert(value)}
    values = {convert(v) for v in value}
    return values or None


def mastery_from_attempts(attempts: Iterable[Attempt]) -> dict[QuestionId, float]:
    """Per question, a 0..1 mastery from its latest counted attempts (late and ungraded ones are ignored)."""
    by_question: dict[QuestionId, list[Attempt]] = {}
    for attempt in attempts:
        if attempt.counted:
            by_question.setdefault(attempt.question_id, []).append(attempt)
    mastery: dict[QuestionId, float] = {}
    for question_id, items in by_question.items():
        recent = sorted(items, key=lambda a: a.submitted_at)[-RECENT_ATTEMPTS:]
        weights = range(1, len(recent) + 1)
        total = sum(w * (a.score or 0.0) for w, a in zip(weights, recent, strict=True))
        mastery[question_id] = total / sum(weights) / 100.0
    return mastery


def _due_from_attempts(attempts: Iterable[Attempt], now: datetime | None) -> list[QuestionId]:
    latest: dict[QuestionId, Attempt] = {}
    for attempt in attempts:
        if attempt.counted and (attempt.question_id not in latest
                                or attempt.submitted_at > latest[attempt.question_id].submitted_at):
            latest[attempt.question_id] = attempt
    due = [
        a for a in latest.values()
        if (a.score or 0.0) < REVIEW_BELOW_SCORE or now is None or now - a.submitted_at >= REVIEW_AFTER
    ]
    return [a.question_id for a in sorted(due, key=lambda a: a.submitted_at)]


def select_questions(
    questions: Iterable[Question],
    *,
    topics: Iterable[str] | None = None,
    difficulty: Difficulty | str | Iterable[Difficulty | str] | None = None,
    source: str | Iterable[str] | None = None,
    order: str = "random",
    mastery: Mapping[str, float] | None = None,
    due: Sequence[str] | None = None,
    rng: random.Random | None = None,
    include_unreferenced: bool = False,
    limit: int | None = None,
    attempts: Iterable[Attempt] | None = None,
    now: datetime | None = None,
    difficulties: Iterable[Difficulty | str] | None = None,
    sources: Iterable[str] | None = None,
    only_with_reference: bool | None = None,
) -> list[Question]:
    """The questions matching every filter, in the chosen order.

    Args:
        topics, difficulty, source: keep questions with any of these topics / difficulties / source files.
        order: one of ``ORDERS``.
        mastery: 0..1 per question id for ``weakest_first``; computed from ``attempts`` when omitted.
        due: question ids due for review, most urgent first, for ``due_first``; when omitted they are
            derived from ``attempts`` (low last score, or last seen ``REVIEW_AFTER`` before ``now``).
        rng: randomness for ``random`` order and for breaking ties.
        include_unreferenced: also offer questions that have no reference answer (they cannot be scored).
        limit: keep at most this many.
        difficulties, sources, only_with_reference: other spellings of the filters above.

    Raises:
        ValueError: an unknown ``order``.
    """
    order = _ORDER_ALIASES.get(order, order)
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")
    rng = rng or random.Random()
    if only_with_reference is not None:
        include_unreferenced = not only_with_reference
    topic_set = _as_set(topics)
    difficulty_set = _as_set(difficulty if difficulty is not None else difficulties, Difficulty)
    source_set = _as_set(source if source is not None else sources)
    attempts = list(attempts) if attempts is not None else []

    chosen = [
        q for q in questions
        if (include_unreferenced or q.has_reference)
        and (topic_set is None or topic_set.intersection(q.topics))
        and (difficulty_set is None or q.difficulty in difficulty_set)
        and (source_set is None or source_set.intersection(q.sources))
    ]
    if order != "bank":
        rng.shuffle(chosen)  # random order, and random tie-breaks for the stable sorts below
    if order == "weakest_first":
        known = mastery if mastery is not None else mastery_from_attempts(attempts)
        chosen.sort(key=lambda q: known.get(q.id, UNSEEN_MASTERY))
    elif order == "due_first":
        due_ids = list(due) if due is not None else _due_from_attempts(attempts, now)
        rank = {qid: i for i, qid in enumerate(dict.fromkeys(due_ids))}
        chosen.sort(key=lambda q: rank.get(q.id, len(rank)))
    return chosen[:limit] if limit is not None else chosen


@dataclass(frozen=True)
class PracticeSession:
    """A practice round. Every method returns a new session; the caller stores each attempt it is given."""

    id: str
    user: str
    question_ids: tuple[QuestionId, ...]
    started_at: datetime
    index: int = 0
    shown_at: datetime | None = None  # when the current question was shown
    attempts: tuple[Attempt, ...] = ()
    skipped: tuple[QuestionId, ...] = ()

    kind = SessionKind.PRACTICE

    @classmethod
    def start(
        cls, question_ids: Iterable[str], *, user: str, now: datetime,
        session_id: str | None = None, rng: random.Random | None = None,
    ) -> PracticeSession:
        require_aware(now, "now")
        return cls(
            id=session_id or new_id(rng), user=user, question_ids=tuple(QuestionId(q) for q in question_ids),
            started_at=now, shown_at=now,
        )

    @property
    def current_question_id(self) -> QuestionId | None:
        return self.question_ids[self.index] if self.index < len(self.question_ids) else None

    @property
    def is_finished(self) -> bool:
        return self.index >= len(self.question_ids)

    @property
    def progress(self) -> tuple[int, int]:
        """(questions passed, total)."""
        return min(self.index, len(self.question_ids)), len(self.question_ids)

    def attempts_for(self, question_id: str) -> tuple[Attempt, ...]:
        return tuple(a for a in self.attempts if a.question_id == question_id)

    def best_score(self, question_id: str) -> float | None:
        scores = [a.score for a in self.attempts_for(question_id) if a.score is not None]
        return max(scores) if scores else None

    def answer(
        self, question: Question, text: str, *, grade: GradeFn, now: datetime, attempt_id: str | None = None,
    ) -> tuple[PracticeSession, Attempt]:
        """Grade ``text`` for ``question`` (normally the current one); answering again keeps both attempts."""
        require_aware(now, "now")
        if question.id not in self.question_ids:
            raise ValueError(f"question {question.id!r} is not part of practice session {self.id}")
        started = self.shown_at if (question.id == self.current_question_id and self.shown_at) else now
        attempt = build_attempt(
            attempt_id=attempt_id or new_id(), user=self.user, question_id=question.id, answer=text,
            grade=grade(question, text), started_at=min(started, now), submitted_at=now,
            kind=SessionKind.PRACTICE, session_id=self.id,
        )
        # The clock restarts so a try-again is timed on its own.
        return replace(self, attempts=self.attempts + (attempt,), shown_at=now), attempt

    def next(self, now: datetime) -> PracticeSession:
        """Move to the next question (past the end means finished)."""
        require_aware(now, "now")
        return replace(self, index=min(self.index + 1, len(self.question_ids)), shown_at=now)

    def skip(self, now: datetime) -> PracticeSession:
        """Move on without answering; the question is remembered as skipped."""
        current = self.current_question_id
        skipped = self.skipped + ((current,) if current is not None and current not in self.skipped else ())
        return replace(self, skipped=skipped).next(now)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "question_ids": list(self.question_ids),
            "started_at": dt_text(self.started_at),
            "index": self.index,
            "shown_at": dt_text(self.shown_at),
            "attempts": [a.to_dict() for a in self.attempts],
            "skipped": list(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PracticeSession:
        started = dt_parse(data["started_at"])
        assert started is not None
        return cls(
            id=data["id"],
            user=data["user"],
            question_ids=tuple(QuestionId(q) for q in data["question_ids"]),
            started_at=started,
            index=int(data.get("index", 0)),
            shown_at=dt_parse(data.get("shown_at")),
            attempts=tuple(Attempt.from_dict(a) for a in data.get("attempts", ())),
            skipped=tuple(QuestionId(q) for q in data.get("skipped", ())),
        )
