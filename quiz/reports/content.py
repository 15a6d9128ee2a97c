"""What every export shows, computed once: the analytics of one user's history at one moment.

Classes:
    ReportContent  -- attempts, topic and question mastery, weak topics, due reviews, sessions, trend

Functions:
    build_content(attempts, questions, now=None, cards=None, user=None) -> ReportContent
    header_line(content)   one sentence summarising the history
    EMPTY_HINT             what an empty report tells the user to do
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quiz.models import Attempt
from quiz.reports import mastery, review

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EMPTY_HINT", "ReportContent", "build_content", "header_line"]

EMPTY_HINT = (
    "Nothing to report yet: no attempts are recorded for this user. "
    "Start the app (`streamlit run streamlit_app.py`), answer a few questions on the Practice page "
    "(or take a timed quiz or a mock interview), then come back for your weak topics and review queue."
)


@dataclass(frozen=True)
class ReportContent:
    """The analytics behind every export (DataFrames are shared; do not modify them)."""

    user: str
    now: datetime
    attempts: pd.DataFrame
    questions: pd.DataFrame
    topics: pd.DataFrame
    weak_topics: tuple[mastery.WeakTopic, ...]
    due: pd.DataFrame
    sessions: pd.DataFrame
    trend: pd.DataFrame
    counted: int

    @property
    def empty(self) -> bool:
        return len(self.attempts) == 0


def build_content(
    attempts: Sequence[Attempt],
    questions: Any,
    now: datetime | None = None,
    cards: Iterable[tuple[str, str, datetime]] | None = None,
    user: str | None = None,
) -> ReportContent:
    """Compute everything a report shows.

    Args:
        attempts: one user's history.
        questions: a Bank, a mapping question_id -> Question, or a sequence of questions.
        now: the report's moment (default: the latest submission).
        cards: stored review cards ``(question_id, card_json, due_at)``; when ``None`` they are rebuilt
            from the history with FSRS, so a report never needs the store.
        user: the name shown in the title (default: the attempts' user).
    """
    index = mastery.index_questions(questions)
    now = mastery.default_now(attempts, now)
    if cards is None:
        cards = [(qid, card, due) for qid, (card, due) in review.rebuild_cards(attempts).items()]
    name = user if user is not None else (attempts[0].user if attempts else "")
    return ReportContent(
        user=name,
        now=now,
        attempts=mastery.attempts_frame(attempts, index),
        questions=mastery.question_mastery(attempts, index, now),
        topics=mastery.topic_mastery(attempts, index, now),
        weak_topics=tuple(mastery.weak_topics(attempts, index, now)),
        due=review.review_table(cards, index, now),
        sessions=mastery.session_summaries(attempts),
        trend=mastery.topic_trend(attempts, index, "W"),
        counted=sum(1 for a in attempts if a.counted),
    )


def header_line(content: ReportContent) -> str:
    """E.g. '120 attempts (112 counted) on 40 questions in 9 topics; 7 questions due for review.'"""
    return (
        f"{len(content.attempts)} attempts ({content.counted} counted) on {len(content.questions)} questions "
        f"in {len(content.topics)} topics; {len(content.due)} questions due for review."
    )
