"""Timed quiz: deadlines with injected times, late answers, auto-submitted drafts, resume."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from quiz.sessions import session_from_dict
from quiz.sessions.timed import TimedQuiz

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def questions(make_question):
    return {q.id: q for q in (
        make_question("q1", "进程和线程的区别？"),
        make_question("q2", "What is a page fault?"),
        make_question("q3", "What is an index?"),
    )}


def test_deadlines_and_remaining_time() -> None:
    quiz = TimedQuiz.start(["q1", "q2"], user="u", now=T0, quiz_limit_s=300, per_question_limit_s=120)
    assert quiz.deadline() == at(300)
    assert quiz.deadline("q1") == at(300)  # not shown yet: only the quiz's limit applies
    quiz = quiz.start_question("q1", at(10))
    assert quiz.current_question_id == "q1"
    assert quiz.deadline("q1") == at(130)
    assert quiz.remaining_s(at(100), "q1") == 30 and quiz.remaining_s(at(100)) == 200
    assert quiz.remaining_s(at(500), "q1") == 0
    # Going back to a question does not restart its clock.
    assert quiz.start_question("q2", at(20)).start_question("q1", at(60)).deadline("q1") == at(130)
    # A question shown late in the quiz ends with the quiz.
    assert quiz.start_question("q2", at(250)).deadline("q2") == at(300)

    unlimited = TimedQuiz.start(["q1"], user="u", now=T0, quiz_limit_s=0, per_question_limit_s=None)
    assert unlimited.deadline() is None and unlimited.remaining_s(at(10_000), "q1") is None
    assert not unlimited.is_finished(at(10_000))


def test_on_time_and_late_submissions(questions, grade) -> None:
    quiz = TimedQuiz.start(["q1", "q2"], user="u", now=T0, per_question_limit_s=60, session_id="t1")
    quiz = quiz.start_question("q1", at(0))
    on_time = quiz.submit("q1", "point a point b", at(60))  # exactly at the deadline still counts
    assert not on_time.late and not on_time.auto_submitted
    quiz = on_time.quiz.start_question("q2", at(61))
    late = quiz.submit("q2", "point a", at(122))
    assert late.late and late.deadline == at(121)
    attempts = [on_time.to_attempt(questions["q1"], grade), late.to_attempt(questions["q2"], grade)]
    assert [a.late for a in attempts] == [False, True]
    assert [a.counted for a in attempts] == [True, False]
    assert attempts[1].session_id == "t1" and attempts[1].time_limit_s == 60
    assert (attempts[1].started_at, attempts[1].submitted_at) == (at(61), at(122))

    results = late.quiz.results(attempts)
    assert results.total == 100.0 and results.mean == 50.0
    assert (results.counted, results.late, results.unanswered) == (1, 1, 0)
    assert [r.score for r in results.questions] == [100.0, None]
    assert late.quiz.is_finished(at(122))


def test_second_submit_changes_nothing() -> None:
    quiz = TimedQuiz.start(["q1"], user="u", now=T0, quiz_limit_s=100)
    first = quiz.submit("q1", "first", at(5))
    again = first.quiz.submit("q1", "second", at(6))
    assert again.already_submitted and again.answer == "first" and again.quiz == first.quiz


def test_expiry_auto_submits_drafts_on_time(questions, grade) -> None:
    quiz = TimedQuiz.start(["q1", "q2", "q3"], user="u", now=T0, quiz_limit_s=300, session_id="t2")
    quiz = quiz.start_question("q1", at(0)).save_draft("q1", "point a (half typed")
    quiz = quiz.start_question("q2", at(100))  # shown, nothing typed
    assert quiz.expire(at(299)).outcomes == ()  # nothing is due before the deadline
    assert not quiz.is_finished(at(299)) and quiz.is_finished(at(300))

    expired = quiz.expire(at(400))
    assert expired.auto_submitted == [("q1", "point a (half typed"), ("q2", "")]
    for outcome in expired.outcomes:
        assert outcome.auto_submitted and not outcome.late and outcome.submitted_at == at(300)
    attempts = [o.to_attempt(questions[o.question_id], grade) for o in expired.outcomes]
    assert [a.counted for a in attempts] == [True, True] and [a.score for a in attempts] == [50.0, 0.0]
    # q3 was never shown: it is unanswered, not auto-submitted with an empty answer.
    results = expired.quiz.results(attempts)
    assert (results.counted, results.unanswered) == (2, 1) and results.total == 50.0
    assert [r.auto_submitted for r in results.questions] == [True, True, False]
    # A click arriving after expiry finds the draft already submitted.
    assert expired.quiz.submit("q1", "point a point b", at(401)).already_submitted
    assert expired.quiz.expire(at(500)).outcomes == ()


def test_per_question_limit_expires_one_question(questions, grade) -> None:
    quiz = TimedQuiz.start(["q1", "q2"], user="u", now=T0, per_question_limit_s=60)
    quiz = quiz.start_question("q1", at(0)).save_draft("q1", "point b")
    quiz = quiz.start_question("q2", at(50)).save_draft("q2", "point a")
    expired = quiz.expire(at(70))
    assert expired.auto_submitted == [("q1", "point b")]
    assert expired.outcomes[0].submitted_at == at(60)
    assert expired.quiz.drafts == {"q2": "point a"}
    assert not expired.quiz.is_finished(at(70))
    final = expired.quiz.submit("q2", "point a point b", at(105))
    assert not final.late and final.quiz.is_finished(at(105))


def test_finish_early_submits_remaining_drafts() -> None:
    quiz = TimedQuiz.start(["q1", "q2"], user="u", now=T0, quiz_limit_s=600)
    quiz = quiz.start_question("q1", at(0)).save_draft("q1", "draft one")
    finished = quiz.finish(at(30))
    assert finished.auto_submitted == [("q1", "draft one")]
    assert finished.quiz.finished_at == at(30) and finished.quiz.is_finished(at(31))


def test_resume_after_restart_keeps_clocks_and_drafts() -> None:
    quiz = TimedQuiz.start(["q1", "q2"], user="u", now=T0, quiz_limit_s=300, per_question_limit_s=100)
    quiz = quiz.start_question("q1", at(0)).submit("q1", "done", at(40)).quiz
    quiz = quiz.start_question("q2", at(45)).save_draft("q2", "半个答案")
    restored = session_from_dict("timed", json.loads(json.dumps(quiz.to_dict(), ensure_ascii=False)))
    assert restored == quiz
    assert isinstance(restored, TimedQuiz)
    assert restored.remaining_s(at(100), "q2") == 45
    assert restored.expire(at(200)).auto_submitted == [("q2", "半个答案")]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="same question twice"):
        TimedQuiz.start(["q1", "q1"], user="u", now=T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        TimedQuiz.start(["q1"], user="u", now=datetime(2024, 1, 1))
    quiz = TimedQuiz.start(["q1"], user="u", now=T0)
    with pytest.raises(ValueError, match="not part"):
        quiz.submit("other", "x", at(1))
