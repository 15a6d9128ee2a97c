"""Benchmark: analytics and every export on a synthetic history (``python -m quiz.reports.bench``).

Functions:
    synthetic_history(n_attempts, n_questions, seed, now) -> (questions, attempts)
    main(argv=None) -> int    prints a table of seconds per step and the total

The history is generated with a seeded ``random.Random``, so runs are comparable.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

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
    ScoreComponents,
    SessionKind,
)

__all__ = ["main", "synthetic_history"]

TOPICS = tuple(f"topic-{i:02d}" for i in range(12))


def _band(score: float) -> Band:
    if score >= 85:
        return Band.EXCELLENT
    if score >= 70:
        return Band.GOOD
    if score >= 50:
        return Band.PARTIAL
    return Band.WEAK if score >= 25 else Band.MISS


def synthetic_history(
    n_attempts: int = 10_000, n_questions: int = 300, seed: int = 7, now: datetime | None = None
) -> tuple[list[Question], list[Attempt]]:
    """Questions with 4 key points and 5 keywords each, and attempts spread over 120 days before ``now``."""
    rng = random.Random(seed)
    now = now or datetime(2025, 6, 1, tzinfo=UTC)
    questions = []
    for i in range(n_questions):
        points = tuple(KeyPoint(f"q{i} point {k}") for k in range(4))
        words = tuple(Keyword(f"term{i % 40}-{k}") for k in range(5))
        ref = Reference(f"reference {i}", "synthetic.md", i, i, Rubric(points, words))
        topics = (TOPICS[i % len(TOPICS)],) + ((TOPICS[(i * 7) % len(TOPICS)],) if i % 5 == 0 else ())
        questions.append(
            Question(QuestionId(f"q-{i:05d}"), f"Synthetic question {i}?", (ref,), topics, Difficulty.MEDIUM)
        )
    skill = {t: rng.uniform(30, 95) for t in TOPICS}
    attempts = []
    for n in range(n_attempts):
        question = rng.choice(questions)
        submitted = now - timedelta(days=rng.uniform(0, 120))
        score = max(0.0, min(100.0, rng.gauss(skill[question.topics[0]], 15)))
        rubric = question.references[0].rubric
        kp = tuple(KeyPointEvidence(p.text, 1.0, sim := rng.random(), sim * 100 < score) for p in rubric.key_points)
        kw = tuple(KeywordEvidence(k.term, rng.random() * 100 < score) for k in rubric.keywords)
        ungraded = rng.random() < 0.02
        grade = GradeResult(
            question.id, None if ungraded else round(score, 1), Band.UNGRADED if ungraded else _band(score),
            ScoreComponents(score / 100, score / 100, 1.0), kp, kw, "", "synthetic", "bench",
        )  # fmt: skip
        session = n // 10 if n % 3 == 0 else None
        kind = (SessionKind.TIMED if session % 2 else SessionKind.MOCK) if session is not None else SessionKind.PRACTICE
        attempts.append(
            Attempt(
                f"a{n:06d}",
                "bench",
                question.id,
                f"answer {n} <b>bold</b> & more",
                grade,
                submitted - timedelta(seconds=rng.uniform(20, 300)),
                submitted,
                kind,
                session_id=f"s{session:04d}" if session is not None else None,
                time_limit_s=120.0 if session is not None else None,
                late=session is not None and rng.random() < 0.05,
            )
        )
    return questions, attempts


def _timed(label: str, fn: Callable[[], Any], rows: list[tuple[str, float, str]]) -> Any:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    size = f"{len(result):,}" if hasattr(result, "__len__") else ""
    rows.append((label, elapsed, size))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Time every analytics function and export on a synthetic history; print a table of seconds."""
    from quiz.reports import content as content_module
    from quiz.reports import exports, html_report, mastery, review

    parser = argparse.ArgumentParser(prog="python -m quiz.reports.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    now = datetime(2025, 6, 1, tzinfo=UTC)
    rows: list[tuple[str, float, str]] = []
    questions, attempts = _timed(
        "generate history", lambda: synthetic_history(args.attempts, args.questions, args.seed, now), rows
    )
    index = mastery.index_questions(questions)
    _timed("attempts_frame", lambda: mastery.attempts_frame(attempts, index), rows)
    _timed("question_mastery", lambda: mastery.question_mastery(attempts, index, now), rows)
    _timed("topic_mastery", lambda: mastery.topic_mastery(attempts, index, now), rows)
    _timed("weak_topics", lambda: mastery.weak_topics(attempts, index, now), rows)
    _timed("topic_trend (weekly)", lambda: mastery.topic_trend(attempts, index, "W"), rows)
    _timed("session_summaries", lambda: mastery.session_summaries(attempts), rows)
    cards = _timed("rebuild_cards (FSRS)", lambda: review.rebuild_cards(attempts), rows)
    entries = [(qid, card, due) for qid, (card, due) in cards.items()]
    _timed("review_queue", lambda: review.review_queue(entries, now), rows)
    content = _timed("build_content (all)", lambda: content_module.build_content(attempts, index, now, entries), rows)
    _timed("export csv (bytes)", lambda: exports.to_csv(attempts, index), rows)
    _timed("export xlsx (bytes)", lambda: exports.to_xlsx(attempts, index, now, content=content), rows)
    _timed("export md (chars)", lambda: exports.to_markdown(attempts, index, now, content=content), rows)
    _timed("export html (bytes)", lambda: html_report.to_html(attempts, index, now, content=content), rows)

    print(f"{'step':<26}{'seconds':>10}  size")
    for label, seconds, size in rows:
        print(f"{label:<26}{seconds:>10.3f}  {size}")
    total = sum(seconds for label, seconds, _ in rows if label != "generate history")
    print(f"{'total (without generate)':<26}{total:>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
