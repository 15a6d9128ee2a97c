"""AppTest: a broken or locked database never loses an answer, and review cards drive "Due for review".

The database failures are real: garbage bytes in the SQLite file, and a second sqlite3 connection
holding the write lock (``BEGIN EXCLUSIVE``) while the app saves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz.store import AttemptStore

GARBAGE = b"this is not a sqlite database \x00\xff" * 100


def _store(db: Path) -> AttemptStore:
    return AttemptStore(f"sqlite:///{db}")


def _answer_box(at: AppTest):
    return next(t for t in at.text_area if t.key and t.key.startswith("practice_answer_"))


def _practice_on(at: AppTest, fragment: str) -> AppTest:
    for _ in range(6):
        if any(fragment in m.value for m in at.markdown):
            return at
        at.button(key="practice_next").click().run()
    raise AssertionError(f"question {fragment!r} never shown")


def _submit(at: AppTest, text: str) -> AppTest:
    _answer_box(at).set_value(text).run()
    return at.button(key="practice_submit").click().run()


@pytest.fixture
def write_lock(app_env: Path) -> Iterator[Callable[[], sqlite3.Connection]]:
    """A function that takes the database's write lock from another connection (released at teardown)."""
    held: list[sqlite3.Connection] = []

    def take() -> sqlite3.Connection:
        conn = sqlite3.connect(app_env, timeout=0, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        held.append(conn)
        return conn

    yield take
    for conn in held:
        if conn.in_transaction:
            conn.rollback()
        conn.close()


def test_corrupt_database_is_reported_and_left_untouched(
    make_app: Callable[..., AppTest], app_env: Path, goto: Callable[[AppTest, str], AppTest]
) -> None:
    app_env.write_bytes(GARBAGE)
    at = make_app()
    assert not at.exception
    (warning,) = [w.value for w in at.sidebar.warning if "Saving is off" in w.value]
    assert "not a valid SQLite database" in warning and "left untouched" in warning
    _submit(at, "注意力 🙂 مرحبا <b>answer</b>")
    assert not at.exception and at.metric  # graded even though nothing can be saved
    assert any("could not be saved" in e.value for e in at.error)
    assert any("not saved yet" in w.value for w in at.sidebar.warning)
    assert _answer_box(at).value == "注意力 🙂 مرحبا <b>answer</b>"
    for page in ("timed_quiz", "mock_interview", "history", "reports", "question_bank", "settings", "practice"):
        goto(at, page)
        assert not at.exception, page
    assert app_env.read_bytes() == GARBAGE  # never overwritten, truncated or deleted


def test_locked_database_keeps_the_answer_and_saves_it_on_retry(
    make_app: Callable[..., AppTest], app_env: Path, write_lock: Callable[[], sqlite3.Connection]
) -> None:
    at = _practice_on(make_app(), "自注意力")
    assert _store(app_env).attempts() == []  # the app created the schema
    lock = write_lock()
    answer = "查询和键做点积，经过 softmax 得到权重，再对值加权求和。"
    _submit(at, answer)
    assert not at.exception and at.metric
    (error,) = [e.value for e in at.error if "could not be saved" in e.value]
    assert "busy/locked" in error
    assert _answer_box(at).value == answer
    assert _store(app_env).attempts() == []

    at.button(key="practice_retry_save").click().run()  # still locked: still kept, still explained
    assert not at.exception
    assert any("could not be saved" in e.value for e in at.error)
    assert _store(app_env).attempts() == []

    lock.rollback()
    at.button(key="practice_retry_save").click().run()
    assert not at.exception
    assert not any("could not be saved" in e.value for e in at.error)
    assert not any("not saved yet" in w.value for w in at.sidebar.warning)
    (stored,) = _store(app_env).attempts(user="guest")
    assert stored.answer == answer and stored.score is not None
    assert [c.question_id for c in _store(app_env).review_cards("guest")] == [stored.question_id]


def test_an_unsaved_answer_is_saved_with_the_next_one(
    make_app: Callable[..., AppTest], app_env: Path, write_lock: Callable[[], sqlite3.Connection]
) -> None:
    at = make_app()
    lock = write_lock()
    _submit(at, "first answer, written while the database was locked")
    assert any("not saved yet" in w.value for w in at.sidebar.warning)
    lock.rollback()
    at.button(key="practice_next").click().run()
    _submit(at, "second answer")
    assert not at.exception and not at.error, [e.value for e in at.error]
    answers = sorted(a.answer for a in _store(app_env).attempts(user="guest"))
    assert answers == ["first answer, written while the database was locked", "second answer"]


def test_sidebar_retry_saves_kept_answers(
    make_app: Callable[..., AppTest], app_env: Path, write_lock: Callable[[], sqlite3.Connection]
) -> None:
    at = make_app()
    lock = write_lock()
    _submit(at, "kept until the lock is gone")
    lock.rollback()
    at.sidebar.button(key="retry_unsaved").click().run()
    assert not at.exception
    assert [a.answer for a in _store(app_env).attempts(user="guest")] == ["kept until the lock is gone"]
    assert not any("not saved yet" in w.value for w in at.sidebar.warning)
    assert not any("could not be saved" in e.value for e in at.error)


def test_weak_answer_comes_back_when_due_for_review(
    make_app: Callable[..., AppTest],
    app_env: Path,
    clock: Callable[[], object],
    goto: Callable[[AppTest, str], AppTest],
) -> None:
    at = _practice_on(make_app(_clock=clock), "BERT")
    _submit(at, "I do not remember.")
    (attempt,) = _store(app_env).attempts(user="guest")
    ((qid, _card, due),) = _store(app_env).review_cards("guest")
    assert qid == attempt.question_id and due > clock()  # type: ignore[operator]

    at = goto(at, "reports")
    assert any("Nothing is due" in s.value for s in at.success)
    clock.advance(3 * 86400)  # type: ignore[attr-defined]
    at.run()
    assert not at.exception
    (queue,) = [d.value for d in at.dataframe if "overdue_days" in d.value.columns]
    assert [q[:4] for q in queue["question"]] == ["BERT"]

    at = goto(at, "practice")
    order = next(s for s in at.selectbox if s.label == "Order")
    order.set_value("Due for review")
    at.button(key="FormSubmitter:practice_filters-Start").click().run()
    assert not at.exception
    assert any(m.value.startswith("#### BERT") for m in at.markdown)
