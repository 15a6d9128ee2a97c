"""The seams between layers, as small Protocols.

Classes:
    Embedder        -- turns texts into L2-normalised vectors (real models, or a fake in tests)
    FeedbackClient  -- optional LLM feedback on one graded answer
    Clock           -- returns the current UTC time; injected so sessions and tests control time

The attempt store's interface is ``quiz.store.AttemptStore`` (a concrete class whose
SQLAlchemy engine is chosen by URL), so it is not repeated here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from quiz.models import GradeResult, Question

__all__ = ["Clock", "Embedder", "FeedbackClient"]

Clock = Callable[[], datetime]
"""A no-argument callable returning a timezone-aware ``datetime`` (UTC)."""


@runtime_checkable
class Embedder(Protocol):
    """Sentence embedder. ``name`` identifies model and version (it keys the embedding cache)."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim) whose rows have unit L2 norm."""
        ...


@runtime_checkable
class FeedbackClient(Protocol):
    """Produces LLM feedback for one graded answer; raises ``FeedbackUnavailable`` on failure."""

    def feedback(self, question: Question, answer: str, grade: GradeResult) -> object:
        """Return a feedback record (see ``quiz.feedback``)."""
        ...
