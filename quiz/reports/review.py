"""Spaced review with FSRS (the ``fsrs`` package): grades become ratings, ratings move cards.

Functions:
    rating_for(score, late=False)                 grade -> fsrs.Rating (cut-offs below)
    update_card(card_json, score, reviewed_at)    pure: one review -> (new card_json, due_at)
    review_queue(cards, now)                      due question ids, most overdue first
    review_table(cards, questions, now)           the same queue as a DataFrame with question text
    rebuild_cards(attempts)                       replay a whole history -> {question_id: (card_json, due_at)}

Rating cut-offs (score 0..100): below 40 Again, below 65 Hard, below 85 Good, otherwise Easy.
A late answer or one without a score (empty answer) is Again. In ``rebuild_cards`` attempts on a
question with no reference (band ``ungraded``) are skipped: there is nothing to judge.

The scheduler runs without fuzzing (deterministic) and without minute-level learning steps:
interview questions are reviewed over days, so a failed question is due again the next day.
Cards are persisted by the store as JSON (``AttemptStore.save_review_card``); these functions stay pure.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quiz.models import Attempt, Band, QuestionId

if TYPE_CHECKING:
    import fsrs
    import pandas as pd

__all__ = [
    "EASY_MIN_SCORE",
    "GOOD_MIN_SCORE",
    "HARD_MIN_SCORE",
    "rating_for",
    "rebuild_cards",
    "review_queue",
    "review_table",
    "update_card",
]

# The FSRS ratings follow the grade bands (quiz.grading.bands): below partial = Again, partial = Hard,
# good = Good, excellent = Easy, so "due for review" means the same thing as the colour of the grade.
HARD_MIN_SCORE = 45.0
GOOD_MIN_SCORE = 70.0
EASY_MIN_SCORE = 85.0

CardEntry = tuple[str, str, datetime]  # (question_id, card_json, due_at); ReviewCardRecord fits this shape


@functools.cache
def _scheduler() -> fsrs.Scheduler:
    import fsrs

    return fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(score: float | None, late: bool = False) -> fsrs.Rating:
    """Map a grade to an FSRS rating with the documented cut-offs."""
    from fsrs import Rating

    if late or score is None or score < HARD_MIN_SCORE:
        return Rating.Again
    if score < GOOD_MIN_SCORE:
        return Rating.Hard
    if score < EASY_MIN_SCORE:
        return Rating.Good
    return Rating.Easy


def _check_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")


def update_card(
    card_json: str | None, grade_score: float | None, reviewed_at: datetime, *, late: bool = False
) -> tuple[str, datetime]:
    """Apply one graded answer to a card and return ``(card_json, due_at)``; the input is not changed.

    Args:
        card_json: the stored card, or ``None`` for a question never reviewed.
        grade_score: the attempt's score 0..100, or ``None`` (empty/unscored answer -> Again).
        reviewed_at: when the answer was submitted (timezone-aware).
        late: a late answer is rated Again whatever its score.
    """
    from fsrs import Card

    _check_aware(reviewed_at, "reviewed_at")
    if card_json is None:
        # A fixed id derived from the first review keeps the function pure (fsrs would use the wall clock).
        card = Card(card_id=int(reviewed_at.timestamp() * 1000), due=reviewed_at)
    else:
        card = Card.from_json(card_json)
    updated, _log = _scheduler().review_card(card, rating_for(grade_score, late), reviewed_at)
    return updated.to_json(), updated.due


def review_queue(cards: Iterable[CardEntry], now: datetime) -> list[QuestionId]:
    """Question ids whose card is due at ``now``, most overdue first (ties by question id)."""
    _check_aware(now, "now")
    due = sorted((due_at, qid) for qid, _card, due_at in cards if due_at <= now)
    return [QuestionId(qid) for _due, qid in due]


def review_table(cards: Iterable[CardEntry], questions: Any, now: datetime) -> pd.DataFrame:
    """The due queue as rows ``question_id, question, topics, due_at, overdue_days``, most overdue first."""
    import pandas as pd

    from quiz.reports.mastery import index_questions, topics_of

    _check_aware(now, "now")
    index = index_questions(questions)
    entries = sorted((due_at, qid) for qid, _card, due_at in cards if due_at <= now)
    rows = [
        {
            "question_id": qid,
            "question": index[qid].text if qid in index else "",
            "topics": "; ".join(topics_of(qid, index)),
            "due_at": due_at,
            "overdue_days": round((now - due_at).total_seconds() / 86400.0, 2),
        }
        for due_at, qid in entries
    ]
    return pd.DataFrame(rows, columns=["question_id", "question", "topics", "due_at", "overdue_days"])


def rebuild_cards(attempts: Sequence[Attempt]) -> dict[QuestionId, tuple[str, datetime]]:
    """Replay a history in submission order: ``{question_id: (card_json, due_at)}`` after the last review.

    Attempts with no grade, or on a question without a reference (band ``ungraded``), are skipped.
    """
    from fsrs import Card

    scheduler = _scheduler()
    cards: dict[QuestionId, Card] = {}
    for a in sorted(attempts, key=lambda a: (a.submitted_at, a.id)):
        if a.grade is None or a.grade.band == Band.UNGRADED:
            continue
        _check_aware(a.submitted_at, "submitted_at")
        # Same steps as update_card, without a JSON round trip per review (thousands of attempts).
        card = cards.get(a.question_id) or Card(card_id=int(a.submitted_at.timestamp() * 1000), due=a.submitted_at)
        cards[a.question_id], _log = scheduler.review_card(card, rating_for(a.score, a.late), a.submitted_at)
    return {qid: (card.to_json(), card.due) for qid, card in cards.items()}
