"""Question selection and the practice session."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from quiz.models import Attempt, Difficulty, QuestionId, SessionKind
from quiz.sessions import session_from_dict
from quiz.sessions.practice import PracticeSession, mastery_from_attempts, select_questions

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def bank(make_question):
    return [
        make_question("os1", "进程和线程的区别？", topics=("os",), difficulty=Difficulty.EASY, source="os.md"),
        make_question("os2", "What is a page fault?", topics=("os", "memory"), difficulty=Difficulty.HARD, source="os.md"),
        make_question("net1", "TCP 三次握手？", topics=("network",), source="net.md"),
        make_question("db1", "What is an index?", topics=("db",), difficulty=Difficulty.EASY, source="db.md"),
        make_question("free", "Tell me about yourself", topics=("behavioural",), with_reference=False, source="hr.md"),
    ]


def ids(questions) -> list[str]:
    return [q.id for q in questions]


def scored_attempt(grade_fn, question, answer: str, at: datetime, *, late: bool = False) -> Attempt:
    return Attempt(id=f"{question.id}-{at.isoformat()}", user="u", question_id=question.id, answer=answer,
                   grade=grade_fn(question, answer), started_at=at, submitted_at=at,
                   session_kind=SessionKind.PRACTICE, late=late)


def test_bank_order_and_filters(bank) -> None:
    assert ids(select_questions(bank, order="bank")) == ["os1", "os2", "net1", "db1"]
    assert ids(select_questions(bank, order="bank", include_unreferenced=True))[-1] == "free"
    assert ids(select_questions(bank, order="bank", only_with_reference=False))[-1] == "free"
    assert ids(select_questions(bank, order="bank", topics=["os"])) == ["os1", "os2"]
    assert ids(select_questions(bank, order="bank", topics=["memory", "db"])) == ["os2", "db1"]
    assert ids(select_questions(bank, order="bank", difficulty="easy")) == ["os1", "db1"]
    assert ids(select_questions(bank, order="bank", difficulties=[Difficulty.HARD, Difficulty.MEDIUM])) == ["os2", "net1"]
    assert ids(select_questions(bank, order="bank", source="net.md")) == ["net1"]
    assert ids(select_questions(bank, order="bank", sources=["os.md"], difficulty=Difficulty.HARD)) == ["os2"]
    assert select_questions(bank, order="bank", topics=["nothing"]) == []
    assert ids(select_questions(bank, order="bank", limit=2)) == ["os1", "os2"]


def test_random_order_is_a_seeded_permutation(bank) -> None:
    first = ids(select_questions(bank, order="random", rng=random.Random(7)))
    assert first == ids(select_questions(bank, order="random", rng=random.Random(7)))
    assert sorted(first) == ["db1", "net1", "os1", "os2"]
    orders = {tuple(ids(select_questions(bank, rng=random.Random(seed)))) for seed in range(20)}
    assert len(orders) > 1


def test_unknown_order_is_refused(bank) -> None:
    with pytest.raises(ValueError, match="unknown order"):
        select_questions(bank, order="hardest")


def test_weakest_first_with_given_mastery(bank) -> None:
    mastery = {"os1": 0.9, "os2": 0.1, "db1": 0.3}
    for seed in range(5):
        chosen = ids(select_questions(bank, order="weakest_first", mastery=mastery, rng=random.Random(seed)))
        # net1 was never seen: it sits between the known-weak and the known-strong ones.
        assert chosen == ["os2", "db1", "net1", "os1"]


def test_weakest_first_from_attempts_ignores_late_ones(bank, grade) -> None:
    os1, os2, net1 = bank[0], bank[1], bank[2]
    history = [
        scored_attempt(grade, os1, "point a point b", T0),                          # 100
        scored_attempt(grade, os2, "point a", T0),                                  # 50
        scored_attempt(grade, os2, "nothing", T0 + timedelta(hours=1)),             # 0, newest weighs more
        scored_attempt(grade, net1, "", T0, late=True),                             # late: not counted
    ]
    mastery = mastery_from_attempts(history)
    assert mastery[QuestionId("os1")] == pytest.approx(1.0)
    assert mastery[QuestionId("os2")] == pytest.approx((1 * 50 + 2 * 0) / 3 / 100)
    assert "net1" not in mastery
    chosen = ids(select_questions(bank, order="weakest", attempts=history, rng=random.Random(1)))
    assert chosen[0] == "os2" and chosen[-1] == "os1"


def test_due_first(bank, grade) -> None:
    chosen = ids(select_questions(bank, order="due_first", due=["db1", "missing", "os2"], rng=random.Random(3)))
    assert chosen[:2] == ["db1", "os2"] and sorted(chosen[2:]) == ["net1", "os1"]
    # Without a schedule: low scores and questions last seen a day or more ago are due, oldest first.
    history = [
        scored_attempt(grade, bank[0], "point a point b", T0 + timedelta(hours=23)),   # strong, recent: not due
        scored_attempt(grade, bank[3], "point a point b", T0 - timedelta(days=2)),     # strong, old: due
        scored_attempt(grade, bank[2], "nothing", T0 + timedelta(hours=20)),           # weak: due
    ]
    chosen = ids(select_questions(bank, order="due", attempts=history, now=T0 + timedelta(days=1), rng=random.Random(0)))
    assert chosen[:2] == ["db1", "net1"]


def test_practice_session_flow_and_try_again(bank, grade) -> None:
    session = PracticeSession.start(["os1", "net1"], user="u", now=T0, session_id="p1")
    assert session.current_question_id == "os1" and session.progress == (0, 2)
    session, first = session.answer(bank[0], "point a", grade=grade, now=T0 + timedelta(seconds=30))
    session, second = session.answer(bank[0], "point a and point b", grade=grade, now=T0 + timedelta(seconds=90))
    assert [a.score for a in session.attempts_for("os1")] == [50.0, 100.0]
    assert session.best_score("os1") == 100.0
    assert (first.started_at, first.submitted_at) == (T0, T0 + timedelta(seconds=30))
    assert second.started_at == T0 + timedelta(seconds=30)  # try-again is timed on its own
    assert first.session_id == "p1" and first.session_kind is SessionKind.PRACTICE and first.id != second.id

    session = session.next(T0 + timedelta(minutes=2))
    assert session.current_question_id == "net1"
    session = session.skip(T0 + timedelta(minutes=3))
    assert session.skipped == ("net1",) and session.is_finished and session.current_question_id is None
    assert session.next(T0 + timedelta(minutes=4)).index == 2
    with pytest.raises(ValueError, match="not part"):
        session.answer(bank[3], "x", grade=grade, now=T0)


def test_practice_session_resumes_from_json(bank, grade) -> None:
    session = PracticeSession.start(["os1", "os2"], user="u", now=T0, rng=random.Random(5))
    session, _ = session.answer(bank[0], "point b", grade=grade, now=T0 + timedelta(seconds=5))
    session = session.skip(T0 + timedelta(seconds=6))
    restored = session_from_dict("practice", json.loads(json.dumps(session.to_dict())))
    assert restored == session
    assert isinstance(restored, PracticeSession)
