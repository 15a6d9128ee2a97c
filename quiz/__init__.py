"""Interview-practice quiz: question bank, offline grading, sessions, feedback, reports.

Importing ``quiz`` is cheap: it never imports Streamlit, torch, pandas or openai.
Sub-packages:
    quiz.bank      source parsers, dedupe, topics, rubric extraction, bank file
    quiz.grading   normalisation, embedders, rubric scoring, explanation
    quiz.sessions  practice, timed-quiz and mock-interview state machines
    quiz.feedback  optional LLM feedback via the openai SDK
    quiz.reports   weak-topic analytics, spaced review, exports
    quiz.store     attempt persistence (SQLite by default, any SQLAlchemy URL)
"""

from __future__ import annotations

from quiz.errors import (
    BankError,
    ConfigError,
    FeedbackUnavailable,
    GradingError,
    QuestionNotFound,
    QuestionParseError,
    QuizError,
    StorageError,
)
from quiz.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "BankError",
    "ConfigError",
    "FeedbackUnavailable",
    "GradingError",
    "QuestionNotFound",
    "QuestionParseError",
    "QuizError",
    "Settings",
    "StorageError",
    "__version__",
]
