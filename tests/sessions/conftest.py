"""Session-test fixtures: hand-made questions and a tiny deterministic grader.

The fake grader counts a key point as covered when its text appears in the answer; the score is
the covered share of key-point weight, times 100. Questions without a reference get no score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from quiz.models import (
    Band,
    Difficulty,
    GradeResult,
    KeyPoint,
    KeyPointEvidence,
    Origin,
    Question,
    QuestionId,
    Reference,
    Rubric,
)


def build_question(
    qid: str,
    text: str,
    key_points: Sequence[str] = ("point a", "point b"),
    *,
    topics: Sequence[str] = ("general",),
    difficulty: Difficulty = Difficulty.MEDIUM,
    source: str = "bank.md",
    with_reference: bool = True,
) -> Question:
    rubric = Rubric(key_points=tuple(KeyPoint(k, 1.0) for k in key_points))
    references = (Reference("\n".join(f"- {k}" for k in key_points), source, 2, 3, rubric),) if with_reference else ()
    return Question(
        id=QuestionId(qid), text=text, references=references, topics=tuple(topics), difficulty=difficulty,
        origins=(Origin(source, 1, 1, text),),
    )


def fake_grade(question: Question, answer: str) -> GradeResult:
    if not question.has_reference:
        return GradeResult(question.id, None, Band.UNGRADED, None, (), (), "", "fake", "1", reason="no reference")
    points = question.references[0].rubric.key_points
    evidence = tuple(KeyPointEvidence(k.text, k.weight, 1.0 if k.text in answer else 0.0, k.text in answer)
                     for k in points)
    total = sum(k.weight for k in points)
    score = 100.0 * sum(e.weight for e in evidence if e.covered) / total if total else 0.0
    band = Band.EXCELLENT if score >= 85 else Band.PARTIAL if score >= 40 else Band.MISS
    return GradeResult(question.id, score, band, None, evidence, (), "", "fake", "1", reference_index=0,
                       flags=("empty",) if not answer.strip() else ())


@pytest.fixture
def make_question() -> Callable[..., Question]:
    return build_question


@pytest.fixture
def grade() -> Callable[[Question, str], GradeResult]:
    return fake_grade
