"""Timed quiz: deadlines enforced from the times passed in, never from the browser.

Classes:
    TimedQuiz      -- frozen state: questions, limits, when each question was shown, drafts, submissions
    Submission     -- one question's submitted answer (on time, late, or auto-submitted at expiry)
    SubmitOutcome  -- what ``submit``/``expire`` produced for one question; ``to_attempt`` grades it
    ExpiryOutcome  -- the new quiz and the drafts auto-submitted by ``expire``/``finish``
    QuestionResult, QuizResults -- per-question and overall scores of a finished quiz

Rules:
    * The whole quiz ends ``quiz_limit_s`` after ``started_at``; a question's own clock starts when it is
      shown (``start_question``) and runs ``per_question_limit_s``. A question's deadline is the earlier
      of the two. 0 or ``None`` means no limit.
    * ``submit`` after the question's deadline records the answer as late: kept, shown, not counted.
    * ``expire(now)`` auto-submits, on time and stamped at the deadline, the draft (possibly empty)
      of every shown question whose time is up. The UI calls it on every rerun before anything else,
      so typed text saved with ``save_draft`` is never lost to a slow click.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from quiz.models import Attempt, Question, QuestionId, SessionKind
from quiz.sessions.common import GradeFn, build_attempt, dt_parse, dt_text, new_id, require_aware

__all__ = ["ExpiryOutcome", "QuestionResult", "QuizResults", "Submission", "SubmitOutcome", "TimedQuiz"]


def _limit(value: float | None) -> float | None:
    return float(value) if value else None


@dataclass(frozen=True)
class Submission:
    """The one answer a question gets in a timed quiz."""

    answer: str
    submitted_at: datetime
    late: bool
    auto: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.answer, "submitted_at": dt_text(self.submitted_at), "late": self.late, "auto": self.auto}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Submission:
        submitted = dt_parse(data["submitted_at"])
        assert submitted is not None
        return cls(data["answer"], submitted, bool(data["late"]), bool(data.get("auto", False)))


@dataclass(frozen=True)
class SubmitOutcome:
    """One question's submission. ``already_submitted`` means nothing changed (a repeated click)."""

    quiz: TimedQuiz
    question_id: QuestionId
    answer: str
    started_at: datetime
    submitted_at: datetime
    deadline: datetime | None
    late: bool
    auto_submitted: bool = False
    already_submitted: bool = False

    def to_attempt(self, question: Question, grade: GradeFn, *, attempt_id: str | None = None) -> Attempt:
        """Grade the answer and build the ``Attempt`` the UI stores (late ones are stored too, not counted)."""
        if question.id != self.question_id:
            raise ValueError(f"outcome is for question {self.question_id!r}, not {question.id!r}")
        return build_attempt(
            attempt_id=attempt_id or new_id(), user=self.quiz.user, question_id=self.question_id,
            answer=self.answer, grade=grade(question, self.answer), started_at=self.started_at,
            submitted_at=self.submitted_at, kind=SessionKind.TIMED, session_id=self.quiz.id,
            time_limit_s=self.quiz.per_question_limit_s or self.quiz.quiz_limit_s, late=self.late,
        )


@dataclass(frozen=True)
class ExpiryOutcome:
    """The quiz after expiry, and one outcome per auto-submitted question."""

    quiz: TimedQuiz
    outcomes: tuple[SubmitOutcome, ...] = ()

    @property
    def auto_submitted(self) -> list[tuple[QuestionId, str]]:
        """(question id, draft text) of each question submitted automatically."""
        return [(o.question_id, o.answer) for o in self.outcomes]


@dataclass(frozen=True)
class QuestionResult:
    question_id: QuestionId
    score: float | None  # the counted score; None when unanswered, late or ungraded
    answered: bool
    late: bool
    auto_submitted: bool
    attempt_id: str | None = None


@dataclass(frozen=True)
class QuizResults:
    """Scores of a timed quiz: unanswered and late questions score 0 in ``total`` and ``mean``."""

    questions: tuple[QuestionResult, ...]
    total: float
    mean: float
    counted: int
    late: int
    unanswered: int

    @property
    def max_total(self) -> float:
        return 100.0 * len(self.questions)


@dataclass(frozen=True)
class TimedQuiz:
    """A timed quiz. Every method returns new state; nothing is written to the store here."""

    id: str
    user: str
    question_ids: tuple[QuestionId, ...]
    started_at: datetime
    quiz_limit_s: float | None = None
    per_question_limit_s: float | None = None
    shown_at: dict[QuestionId, datetime] = field(default_factory=dict)
    drafts: dict[QuestionId, str] = field(default_factory=dict)
    submissions: dict[QuestionId, Submission] = field(default_factory=dict)
    current_question_id: QuestionId | None = None
    finished_at: datetime | None = None

    kind = SessionKind.TIMED

    @classmethod
    def start(
        cls, question_ids: Iterable[str], *, user: str, now: datetime, quiz_limit_s: float | None = None,
        per_question_limit_s: float | None = None, session_id: str | None = None, rng: random.Random | None = None,
    ) -> TimedQuiz:
        require_aware(now, "now")
        ids = tuple(QuestionId(q) for q in question_ids)
        if len(set(ids)) != len(ids):
            raise ValueError("a timed quiz cannot contain the same question twice")
        return cls(
            id=session_id or new_id(rng), user=user, question_ids=ids, started_at=now,
            quiz_limit_s=_limit(quiz_limit_s), per_question_limit_s=_limit(per_question_limit_s),
        )

    # -- deadlines ------------------------------------------------------------------------------

    def deadline(self, question_id: str | None = None) -> datetime | None:
        """When the whole quiz ends, or (given a question) when that question's time is up; None = no limit."""
        quiz_end = self.started_at + timedelta(seconds=self.quiz_limit_s) if self.quiz_limit_s else None
        if question_id is None:
            return quiz_end
        shown = self.shown_at.get(QuestionId(question_id))
        question_end = shown + timedelta(seconds=self.per_question_limit_s) if (
            shown is not None and self.per_question_limit_s) else None
        ends = [d for d in (quiz_end, question_end) if d is not None]
        return min(ends) if ends else None

    def remaining_s(self, now: datetime, question_id: str | None = None) -> float | None:
        """Seconds left (never negative) for the quiz or one question; None when there is no limit."""
        end = self.deadline(question_id)
        return None if end is None else max(0.0, (end - require_aware(now, "now")).total_seconds())

    def is_finished(self, now: datetime) -> bool:
        """Finished early, every question submitted, or the whole quiz's time is up."""
        quiz_end = self.deadline()
        return (
            self.finished_at is not None
            or len(self.submissions) == len(self.question_ids)
            or (quiz_end is not None and require_aware(now, "now") >= quiz_end)
        )

    # -- moves ----------------------------------------------------------------------------------

    def _check(self, question_id: str) -> QuestionId:
        if question_id not in self.question_ids:
            raise ValueError(f"question {question_id!r} is not part of timed quiz {self.id}")
        return QuestionId(question_id)

    def start_question(self, question_id: str, now: datetime) -> TimedQuiz:
        """Show a question: its clock starts now, unless it was shown before (going back does not reset it)."""
        qid = self._check(question_id)
        require_aware(now, "now")
        shown = self.shown_at if qid in self.shown_at else {**self.shown_at, qid: now}
        return replace(self, shown_at=shown, current_question_id=qid)

    def save_draft(self, question_id: str, text: str) -> TimedQuiz:
        """Keep the text typed so far, so an expiry can submit it; ignored once the question is submitted."""
        qid = self._check(question_id)
        if qid in self.submissions:
            return self
        return replace(self, drafts={**self.drafts, qid: text})

    def submit(self, question_id: str, answer: str, now: datetime) -> SubmitOutcome:
        """Submit an answer; after the question's deadline it is recorded as late. A second submit changes nothing."""
        qid = self._check(question_id)
        require_aware(now, "now")
        existing = self.submissions.get(qid)
        if existing is not None:
            return self._outcome(qid, existing, already_submitted=True)
        quiz = self if qid in self.shown_at else self.start_question(qid, now)
        end = quiz.deadline(qid)
        submission = Submission(answer=answer, submitted_at=now, late=end is not None and now > end)
        return quiz._with_submission(qid, submission)

    def expire(self, now: datetime) -> ExpiryOutcome:
        """Auto-submit, on time, the draft of every shown or drafted question whose time is up at ``now``."""
        require_aware(now, "now")
        quiz_end = self.deadline()
        quiz_over = quiz_end is not None and now >= quiz_end
        due: list[tuple[QuestionId, datetime]] = []
        for qid in self.question_ids:
            if qid in self.submissions or not (qid in self.shown_at or qid in self.drafts):
                continue
            end = self.deadline(qid)
            if end is not None and (now >= end or quiz_over):
                due.append((qid, min(end, now)))
        return self._auto_submit(due)

    def finish(self, now: datetime) -> ExpiryOutcome:
        """End the quiz early (or at expiry): every shown or drafted question is submitted with its draft."""
        require_aware(now, "now")
        expired = self.expire(now)
        quiz = expired.quiz
        rest = [(q, now) for q in quiz.question_ids
                if q not in quiz.submissions and (q in quiz.shown_at or q in quiz.drafts)]
        final = quiz._auto_submit(rest)
        return ExpiryOutcome(replace(final.quiz, finished_at=now), expired.outcomes + final.outcomes)

    def _auto_submit(self, due: list[tuple[QuestionId, datetime]]) -> ExpiryOutcome:
        quiz, outcomes = self, []
        for qid, at in due:
            outcome = quiz._with_submission(qid, Submission(quiz.drafts.get(qid, ""), at, late=False, auto=True))
            quiz = outcome.quiz
            outcomes.append(outcome)
        return ExpiryOutcome(quiz, tuple(replace(o, quiz=quiz) for o in outcomes))

    def _with_submission(self, qid: QuestionId, submission: Submission) -> SubmitOutcome:
        drafts = {k: v for k, v in self.drafts.items() if k != qid}
        quiz = replace(self, submissions={**self.submissions, qid: submission}, drafts=drafts)
        return quiz._outcome(qid, submission)

    def _outcome(self, qid: QuestionId, submission: Submission, *, already_submitted: bool = False) -> SubmitOutcome:
        return SubmitOutcome(
            quiz=self, question_id=qid, answer=submission.answer,
            started_at=min(self.shown_at.get(qid, self.started_at), submission.submitted_at),
            submitted_at=submission.submitted_at, deadline=self.deadline(qid), late=submission.late,
            auto_submitted=submission.auto, already_submitted=already_submitted,
        )

    # -- results --------------------------------------------------------------------------------

    def results(self, attempts: Iterable[Attempt]) -> QuizResults:
        """Per-question and overall scores from the stored attempts of this quiz (latest per question)."""
        latest: dict[QuestionId, Attempt] = {}
        for attempt in attempts:
            if attempt.question_id in self.question_ids and attempt.session_id in (self.id, None):
                previous = latest.get(attempt.question_id)
                if previous is None or attempt.submitted_at >= previous.submitted_at:
                    latest[attempt.question_id] = attempt
        rows = []
        for qid in self.question_ids:
            attempt = latest.get(qid)
            submission = self.submissions.get(qid)
            late = bool((attempt and attempt.late) or (submission and submission.late))
            rows.append(QuestionResult(
                question_id=qid,
                score=attempt.score if attempt is not None and not late else None,
                answered=attempt is not None or submission is not None,
                late=late,
                auto_submitted=bool(submission and submission.auto),
                attempt_id=attempt.id if attempt else None,
            ))
        total = sum(r.score or 0.0 for r in rows)
        return QuizResults(
            questions=tuple(rows), total=total, mean=total / len(rows) if rows else 0.0,
            counted=sum(1 for r in rows if r.score is not None), late=sum(1 for r in rows if r.late),
            unanswered=sum(1 for r in rows if not r.answered),
        )

    # -- persistence ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "question_ids": list(self.question_ids),
            "started_at": dt_text(self.started_at),
            "quiz_limit_s": self.quiz_limit_s,
            "per_question_limit_s": self.per_question_limit_s,
            "shown_at": {q: dt_text(t) for q, t in self.shown_at.items()},
            "drafts": dict(self.drafts),
            "submissions": {q: s.to_dict() for q, s in self.submissions.items()},
            "current_question_id": self.current_question_id,
            "finished_at": dt_text(self.finished_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimedQuiz:
        started = dt_parse(data["started_at"])
        assert started is not None
        current = data.get("current_question_id")
        return cls(
            id=data["id"],
            user=data["user"],
            question_ids=tuple(QuestionId(q) for q in data["question_ids"]),
            started_at=started,
            quiz_limit_s=_limit(data.get("quiz_limit_s")),
            per_question_limit_s=_limit(data.get("per_question_limit_s")),
            shown_at={QuestionId(q): dt_parse(t) for q, t in data.get("shown_at", {}).items()},  # type: ignore[misc]
            drafts={QuestionId(q): str(t) for q, t in data.get("drafts", {}).items()},
            submissions={QuestionId(q): Submission.from_dict(s) for q, s in data.get("submissions", {}).items()},
            current_question_id=QuestionId(current) if current else None,
            finished_at=dt_parse(data.get("finished_at")),
        )
