"""AttemptStore behaviour, run against a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from quiz.errors import StorageError
from quiz.models import (
    Attempt,
    Band,
    GradeResult,
    KeyPointEvidence,
    KeywordEvidence,
    QuestionId,
    ScoreComponents,
    SessionKind,
)
from quiz.store import AttemptStore, ReviewCardRecord, SessionRecord, SessionStatus

T0 = datetime(2024, 5, 1, 9, 30, 0, tzinfo=UTC)


def make_grade(question_id: str, score: float | None = 72.5) -> GradeResult:
    return GradeResult(
        question_id=QuestionId(question_id),
        score=score,
        band=Band.GOOD if score is not None else Band.UNGRADED,
        components=ScoreComponents(semantic=0.7, keyword=0.8, relevance=0.9, penalties={"echo": 5.0}),
        key_points=(KeyPointEvidence("进程是资源分配的单位", 1.0, 0.81, True, "进程拥有独立地址空间"),),
        keywords=(KeywordEvidence("线程", True, required=True, matched_text="執行緒", score=0.9),),
        feedback="good",
        model="fake-embedder",
        grader_version="1",
        reference_index=0,
        flags=("off_topic",),
    )


def make_attempt(
    attempt_id: str,
    *,
    user: str = "alice",
    question_id: str = "q1",
    minutes: float = 0,
    kind: SessionKind = SessionKind.PRACTICE,
    session_id: str | None = None,
    score: float | None = 72.5,
    late: bool = False,
) -> Attempt:
    submitted = T0 + timedelta(minutes=minutes, microseconds=123456)
    return Attempt(
        id=attempt_id,
        user=user,
        question_id=QuestionId(question_id),
        answer="进程和线程的区别：进程拥有独立地址空间……",
        grade=make_grade(question_id, score),
        started_at=submitted - timedelta(seconds=42),
        submitted_at=submitted,
        session_kind=kind,
        session_id=session_id,
        time_limit_s=120.0,
        late=late,
    )


@pytest.fixture
def store(store_url: str):
    with AttemptStore(store_url, busy_timeout_s=2.0) as opened:
        yield opened


def test_attempt_round_trips_exactly(store: AttemptStore) -> None:
    attempt = make_attempt("a1")
    store.record(attempt)
    (loaded,) = store.attempts(user="alice")
    assert loaded == attempt
    assert loaded.submitted_at.tzinfo is not None and loaded.submitted_at.utcoffset() == timedelta(0)
    assert loaded.grade is not None and loaded.grade.keywords[0].matched_text == "執行緒"


def test_ungraded_attempt_round_trips(store: AttemptStore) -> None:
    attempt = make_attempt("a1", score=None)
    bare = Attempt(**{**attempt.__dict__, "grade": None})
    store.record(attempt)
    store.record(Attempt(**{**bare.__dict__, "id": "a2"}))
    loaded = {a.id: a for a in store.attempts()}
    assert loaded["a1"].grade is not None and loaded["a1"].score is None
    assert loaded["a2"].grade is None


def test_non_utc_input_comes_back_as_the_same_instant_in_utc(store: AttemptStore) -> None:
    beijing = timezone(timedelta(hours=8))
    attempt = make_attempt("a1")
    local = Attempt(**{**attempt.__dict__, "submitted_at": attempt.submitted_at.astimezone(beijing)})
    store.record(local)
    (loaded,) = store.attempts()
    assert loaded.submitted_at == attempt.submitted_at
    assert loaded.submitted_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(store: AttemptStore) -> None:
    attempt = make_attempt("a1")
    naive = Attempt(**{**attempt.__dict__, "started_at": datetime(2024, 1, 1)})
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record(naive)
    assert store.attempts() == []


def test_re_recording_replaces_the_attempt(store: AttemptStore) -> None:
    attempt = make_attempt("a1")
    store.record(attempt)
    with_feedback = Attempt(**{**attempt.__dict__, "llm_feedback": "Mention context switching.", "llm_score": 64.0})
    store.record(with_feedback)
    assert store.attempts() == [with_feedback]


def test_filters_and_order(store: AttemptStore) -> None:
    attempts = [
        make_attempt("a3", minutes=3, question_id="q2", kind=SessionKind.TIMED, session_id="s1"),
        make_attempt("a1", minutes=1),
        make_attempt("a2", minutes=2, question_id="q2", kind=SessionKind.TIMED, session_id="s1", late=True),
        make_attempt("b1", user="bob", minutes=0),
    ]
    for attempt in attempts:
        store.record(attempt)
    ids = lambda found: [a.id for a in found]  # noqa: E731
    assert ids(store.attempts()) == ["b1", "a1", "a2", "a3"]
    assert ids(store.attempts(user="alice")) == ["a1", "a2", "a3"]
    assert ids(store.attempts(user="alice", question_id="q2")) == ["a2", "a3"]
    assert ids(store.attempts(session_id="s1")) == ["a2", "a3"]
    assert ids(store.attempts(kind=SessionKind.PRACTICE)) == ["b1", "a1"]
    assert ids(store.attempts(kind="timed")) == ["a2", "a3"]
    assert ids(store.attempts(since=T0 + timedelta(minutes=2))) == ["a2", "a3"]
    assert ids(store.attempts(user="alice", limit=2)) == ["a2", "a3"]
    assert store.attempts(user="nobody") == []
    assert [a.late for a in store.attempts(session_id="s1")] == [True, False]


def test_users_and_profiles(store: AttemptStore) -> None:
    assert store.users() == []
    store.ensure_user("李雷")
    store.ensure_user("alice")
    store.ensure_user("alice")
    assert store.users() == sorted(["alice", "李雷"])
    assert store.profile("alice") == {}
    store.save_profile("alice", {"language": "zh", "topics": ["os", "网络"], "quiz_minutes": 10})
    assert store.profile("alice") == {"language": "zh", "topics": ["os", "网络"], "quiz_minutes": 10}
    store.save_profile("new-user", {"language": "en"})
    assert "new-user" in store.users()
    assert store.profile("unknown") == {}


@pytest.mark.parametrize("key", ["llm_api_key", "password", "github_token", "client_secret"])
def test_profile_refuses_secrets(store: AttemptStore, key: str) -> None:
    with pytest.raises(StorageError, match="secret"):
        store.save_profile("alice", {key: "sk-123"})
    assert store.profile("alice") == {}


def test_empty_user_name_is_refused(store: AttemptStore) -> None:
    with pytest.raises(StorageError, match="user name"):
        store.ensure_user("  ")


def test_sessions_save_load_list_and_status(store: AttemptStore) -> None:
    timed = SessionRecord(
        id="s1", user="alice", kind=SessionKind.TIMED, status=SessionStatus.ACTIVE,
        state={"question_ids": ["q1", "q2"], "drafts": {"q1": "半个答案"}}, created_at=T0, updated_at=T0,
    )
    mock = SessionRecord(
        id="s2", user="alice", kind=SessionKind.MOCK, status=SessionStatus.ACTIVE,
        state={"phase": "ask"}, created_at=T0, updated_at=T0 + timedelta(minutes=5),
    )
    store.save_session(timed)
    store.save_session(mock)
    store.save_session(SessionRecord(id="s3", user="bob", kind=SessionKind.TIMED, status=SessionStatus.ACTIVE,
                                     created_at=T0, updated_at=T0))
    assert store.load_session("s1") == timed
    assert store.load_session("missing") is None
    assert [s.id for s in store.sessions(user="alice")] == ["s2", "s1"]
    assert [s.id for s in store.sessions(user="alice", kind=SessionKind.TIMED)] == ["s1"]

    store.set_session_status("s1", SessionStatus.FINISHED, now=T0 + timedelta(minutes=9))
    assert [s.id for s in store.sessions(user="alice", status="active")] == ["s2"]
    finished = store.load_session("s1")
    assert finished is not None and finished.status is SessionStatus.FINISHED
    assert finished.updated_at == T0 + timedelta(minutes=9) and finished.state == timed.state

    progressed = SessionRecord(**{**mock.__dict__, "state": {"phase": "follow_up"}, "updated_at": T0 + timedelta(minutes=6)})
    store.save_session(progressed)
    assert store.load_session("s2") == progressed
    with pytest.raises(StorageError, match="no session"):
        store.set_session_status("missing", SessionStatus.ABANDONED)


def test_review_cards(store: AttemptStore) -> None:
    store.save_review_card("alice", "q2", '{"stability": 3.1}', T0 + timedelta(days=3))
    store.save_review_card("alice", "q1", '{"stability": 1.0}', T0 + timedelta(days=1))
    store.save_review_card("alice", "q1", '{"stability": 2.5}', T0 + timedelta(days=5))
    store.save_review_card("bob", "q1", "{}", T0)
    cards = store.review_cards("alice")
    assert cards == [
        ReviewCardRecord(QuestionId("q2"), '{"stability": 3.1}', T0 + timedelta(days=3)),
        ReviewCardRecord(QuestionId("q1"), '{"stability": 2.5}', T0 + timedelta(days=5)),
    ]
    question_id, card_json, due_at = cards[0]
    assert (question_id, due_at.tzinfo is not None) == ("q2", True)
    assert store.review_cards("nobody") == []


def test_restart_sees_all_data(store_url: str) -> None:
    first = AttemptStore(store_url)
    first.record(make_attempt("a1"))
    first.save_profile("alice", {"language": "en"})
    first.save_session(SessionRecord(id="s1", user="alice", kind=SessionKind.MOCK, status=SessionStatus.ACTIVE,
                                     state={"index": 1}, created_at=T0, updated_at=T0))
    first.save_review_card("alice", "q1", "{}", T0)
    first.close()
    with pytest.raises(StorageError, match="closed"):
        first.attempts()

    second = AttemptStore(store_url)
    try:
        assert second.attempts() == [make_attempt("a1")]
        assert second.profile("alice") == {"language": "en"}
        assert second.load_session("s1") is not None
        assert len(second.review_cards("alice")) == 1
    finally:
        second.close()


def test_concurrent_writes_from_threads(store: AttemptStore) -> None:
    threads_count, per_thread = 6, 15
    errors: list[BaseException] = []

    def work(thread_number: int) -> None:
        try:
            for i in range(per_thread):
                user = f"user{thread_number % 3}"
                store.record(make_attempt(f"t{thread_number}-{i}", user=user, minutes=i))
                store.save_review_card(user, f"q{i}", "{}", T0 + timedelta(days=i))
                store.attempts(user=user, limit=5)
        except BaseException as exc:  # collected so the main thread can report it
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.attempts()) == threads_count * per_thread
    assert store.users() == ["user0", "user1", "user2"]
    assert len(store.review_cards("user0")) == per_thread
