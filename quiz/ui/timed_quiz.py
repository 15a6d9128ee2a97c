"""Timed quiz page: N questions against the clock, drafts kept on every change, auto-submit at expiry.

Functions:
    render()   the page

Time is enforced here on the server, from ``context.now()``: every rerun first saves the current
draft and calls ``TimedQuiz.expire``; a submission after a deadline is stored as late and not counted.
The countdown is a fragment rerun every second; the answer box is outside it, so typing is never
interrupted. The quiz state is saved to the store after every change, so an unfinished quiz can be
resumed (or closed out) after a restart.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from quiz.models import Attempt, SessionKind
from quiz.sessions.practice import select_questions
from quiz.sessions.timed import ExpiryOutcome, SubmitOutcome, TimedQuiz
from quiz.store.records import SessionStatus
from quiz.ui import components, context, resources, services

__all__ = ["render"]

STATE_KEY = "timed"
SUBMIT_KEY = "timed_submit"


def _answer_key(quiz: TimedQuiz, question_id: str) -> str:
    return f"timed_answer_{quiz.id}_{question_id}"


def _state() -> dict[str, Any] | None:
    return st.session_state.get(STATE_KEY)


def _persist(quiz: TimedQuiz, status: SessionStatus = SessionStatus.ACTIVE) -> None:
    """Save the quiz state so it survives a restart; a storage failure is remembered and shown, not raised."""
    state = _state()
    error = services.save_session(SessionKind.TIMED, quiz, status)
    if state is not None:
        if error is None:
            state.pop("store_error", None)
        else:
            state["store_error"] = error


def _on_draft_change(question_id: str) -> None:
    state = _state()
    if state is None:
        return
    quiz: TimedQuiz = state["quiz"]
    deadline = quiz.deadline(question_id)
    if deadline is not None and context.now() > deadline:
        return  # text that reaches the server after the deadline is not a draft that may be auto-submitted
    state["quiz"] = quiz.save_draft(question_id, st.session_state.get(_answer_key(quiz, question_id), ""))
    _persist(state["quiz"])


def _record(outcome: SubmitOutcome, bank: Any) -> Attempt:
    """Grade one submission and store it (late ones too: kept, not counted)."""
    settings = context.settings()
    state = _state()
    assert state is not None
    question = bank.get(outcome.question_id)
    # An empty auto-submitted draft is graded too: the grader flags it "empty" and it scores 0.
    attempt = outcome.to_attempt(question, lambda q, t: services.grade(settings, q, t), attempt_id=context.new_id())
    state["attempts"][attempt.question_id] = attempt
    saved, message = services.save_attempt(settings, attempt)
    if not saved:
        state["store_error"] = message
    return attempt


def _apply_expiry(expiry: ExpiryOutcome, bank: Any) -> None:
    state = _state()
    assert state is not None
    state["quiz"] = expiry.quiz
    for outcome in expiry.outcomes:
        _record(outcome, bank)
        state.setdefault("notices", []).append(
            f"Time was up for question {expiry.quiz.question_ids.index(outcome.question_id) + 1}: "
            + ("your draft was submitted automatically." if outcome.answer.strip() else "nothing had been typed.")
        )


def _sync(bank: Any) -> TimedQuiz:
    """Apply what arrived with this rerun, then every deadline that has passed; finish when the quiz is over.

    A Submit click is applied before the deadlines, so a click after the deadline is recorded late
    (kept, not counted). Text that arrives after the deadline never becomes the draft that expiry
    submits on time.
    """
    state = _state()
    assert state is not None
    quiz: TimedQuiz = state["quiz"]
    now = context.now()
    current = quiz.current_question_id
    if current is not None and current not in quiz.submissions:
        text = st.session_state.get(_answer_key(quiz, current))
        deadline = quiz.deadline(current)
        if st.session_state.get(SUBMIT_KEY) and text and text.strip():
            outcome = quiz.submit(current, text, now)
            state["quiz"] = outcome.quiz
            attempt = _record(outcome, bank)
            number = quiz.question_ids.index(current) + 1
            state.setdefault("notices", []).append(
                f"Question {number} was submitted after its deadline: kept, but not counted."
                if attempt.late
                else f"Question {number} submitted."
            )
        elif text is not None and (deadline is None or now <= deadline):
            state["quiz"] = quiz.save_draft(current, text)
    quiz = state["quiz"]
    expiry = quiz.expire(now)
    if expiry.outcomes:
        _apply_expiry(expiry, bank)
    quiz = state["quiz"]
    if quiz.finished_at is None and quiz.is_finished(now):
        _apply_expiry(quiz.finish(now), bank)
        quiz = state["quiz"]
    if quiz.finished_at is None:
        _move_to_open_question(bank)
    _persist(state["quiz"], SessionStatus.FINISHED if state["quiz"].finished_at else SessionStatus.ACTIVE)
    return state["quiz"]


def _move_to_open_question(bank: Any) -> None:
    """Show the current question, or the first unsubmitted one once the current one is submitted."""
    state = _state()
    assert state is not None
    quiz: TimedQuiz = state["quiz"]
    current = quiz.current_question_id
    if current is None or current in quiz.submissions:
        open_ids = [q for q in quiz.question_ids if q not in quiz.submissions]
        if open_ids:
            state["quiz"] = quiz.start_question(open_ids[0], context.now())


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "no limit"
    seconds = int(seconds + 0.999)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@st.fragment(run_every=1)
def _countdown() -> None:
    state = _state()
    if state is None:
        return
    quiz: TimedQuiz = state["quiz"]
    if quiz.finished_at is not None:
        return
    now = context.now()
    current = quiz.current_question_id
    c1, c2 = st.columns(2)
    quiz_left = quiz.remaining_s(now)
    c1.metric("Quiz time left", _fmt(quiz_left))
    if current is not None and quiz.per_question_limit_s:
        c2.metric("This question", _fmt(quiz.remaining_s(now, current)))
    if quiz.quiz_limit_s and quiz_left is not None:
        st.progress(max(0.0, min(1.0, quiz_left / quiz.quiz_limit_s)))
    # A deadline passed: rerun the whole page so the server submits the drafts and moves on.
    if quiz.expire(now).outcomes or quiz.is_finished(now):
        st.rerun()


def _setup(bank: Any) -> None:
    settings = context.settings()
    _resume_section(bank)
    st.subheader("New quiz")
    referenced = [q for q in bank.questions if q.has_reference]
    if not referenced:
        st.warning("The bank has no question with a reference answer, so a timed quiz cannot be scored.")
        return
    with st.form("timed_setup"):
        c1, c2, c3 = st.columns(3)
        count = c1.number_input(
            "Questions", min_value=1, max_value=min(50, len(referenced)), value=min(5, len(referenced))
        )
        quiz_minutes = c2.number_input(
            "Whole quiz (minutes, 0 = none)",
            min_value=0.0,
            max_value=600.0,
            value=round(settings.quiz_time_limit_s / 60, 1),
            step=1.0,
            format="%.1f",
        )
        per_question = c3.number_input(
            "Per question (seconds, 0 = none)",
            min_value=0,
            max_value=7200,
            value=int(settings.question_time_limit_s),
            step=15,
        )
        topics = st.multiselect("Topics", list(bank.topics()), format_func=bank.topic_label, placeholder="All topics")
        start = st.form_submit_button("Start the clock", type="primary", icon=":material/timer:")
    if start:
        questions = select_questions(bank.questions, topics=topics or None, only_with_reference=True, limit=int(count))
        if not questions:
            st.warning("No question matches these topics.")
            return
        quiz = TimedQuiz.start(
            [q.id for q in questions],
            user=context.user(),
            now=context.now(),
            quiz_limit_s=quiz_minutes * 60 or None,
            per_question_limit_s=per_question or None,
            session_id=context.new_id(),
        )
        st.session_state[STATE_KEY] = {"quiz": quiz, "attempts": {}}
        _move_to_open_question(bank)
        _persist(st.session_state[STATE_KEY]["quiz"])
        st.rerun()


def _resume_section(bank: Any) -> None:
    unfinished = services.unfinished_sessions(SessionKind.TIMED, "Quizzes")
    if not unfinished:
        return
    store = resources.store(context.settings())  # not None: it just listed the sessions
    st.subheader("Unfinished quizzes")
    for record in unfinished[:5]:
        quiz = TimedQuiz.from_dict(record.state)
        with st.container(border=True):
            c1, c2, c3 = st.columns([3, 1, 1])
            c1.markdown(
                f"Started {quiz.started_at:%Y-%m-%d %H:%M} UTC · {len(quiz.submissions)} of "
                f"{len(quiz.question_ids)} answered · {len(quiz.drafts)} draft(s)"
            )
            if c2.button("Resume", key=f"resume_{record.id}", icon=":material/play_arrow:"):
                attempts = {a.question_id: a for a in store.attempts(session_id=quiz.id)}
                st.session_state[STATE_KEY] = {"quiz": quiz, "attempts": attempts}
                st.rerun()
            if c3.button("Close out", key=f"close_{record.id}", icon=":material/stop:"):
                attempts = {a.question_id: a for a in store.attempts(session_id=quiz.id)}
                st.session_state[STATE_KEY] = {"quiz": quiz, "attempts": attempts}
                _apply_expiry(quiz.finish(context.now()), bank)
                _persist(st.session_state[STATE_KEY]["quiz"], SessionStatus.FINISHED)
                st.rerun()


def _results(bank: Any, quiz: TimedQuiz) -> None:
    state = _state()
    assert state is not None
    results = quiz.results(state["attempts"].values())
    st.success("Quiz finished.", icon=":material/flag:")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Total", f"{results.total:.0f} / {results.max_total:.0f}")
    m2.metric("Average", f"{results.mean:.0f}")
    m3.metric("Late (not counted)", results.late)
    m4.metric("Unanswered", results.unanswered)
    rows = []
    for i, r in enumerate(results.questions, start=1):
        rows.append(
            {
                "#": i,
                "question": bank.get(r.question_id).text,
                "score": r.score,
                "answered": r.answered,
                "late": r.late,
                "auto-submitted": r.auto_submitted,
            }
        )
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.0f")},
    )
    for i, qid in enumerate(quiz.question_ids, start=1):
        attempt = state["attempts"].get(qid)
        question = bank.get(qid)
        with st.expander(f"{i}. {question.text[:100]}"):
            if attempt is None:
                st.caption("Not answered.")
            else:
                if attempt.late:
                    st.warning("Submitted after the deadline: shown here but not counted.")
                components.show_user_text(attempt.answer)
                if attempt.grade is not None:
                    components.show_grade(attempt.grade, question, compact=True)
            components.show_references(question, flat=True)
    if st.button("New quiz", icon=":material/add:", type="primary"):
        st.session_state.pop(STATE_KEY, None)
        st.rerun()


def _question_view(bank: Any, quiz: TimedQuiz) -> None:
    state = _state()
    assert state is not None
    labels = []
    for i, qid in enumerate(quiz.question_ids, start=1):
        mark = "✓" if qid in quiz.submissions else ("✎" if quiz.drafts.get(qid) else "·")
        labels.append(f"{i} {mark}")
    current = quiz.current_question_id or quiz.question_ids[0]
    picked = st.segmented_control(
        "Questions",
        labels,
        default=labels[quiz.question_ids.index(current)],
        key=f"timed_nav_{quiz.id}_{current}",
        help="✓ submitted · ✎ draft saved · · not started. Switching keeps your draft.",
    )
    if picked and picked != labels[quiz.question_ids.index(current)]:
        target = quiz.question_ids[labels.index(picked)]
        state["quiz"] = quiz.start_question(target, context.now())
        _persist(state["quiz"])
        st.rerun()
    question = bank.get(current)
    index = quiz.question_ids.index(current) + 1
    components.question_header(question, number=f"{index}.", topic_label=bank.topic_label)
    resources.warm_up(context.settings(), [bank.get(q) for q in quiz.question_ids])
    key = _answer_key(quiz, current)
    submitted = quiz.submissions.get(current)
    if submitted is not None:
        # Shown as plain text: a disabled text_area loses its value in the browser.
        with st.container(border=True):
            components.show_user_text(submitted.answer or "(empty)", "Your submitted answer")
    else:
        if key not in st.session_state:
            st.session_state[key] = quiz.drafts.get(current, "")
        st.text_area(
            "Your answer",
            key=key,
            height=240,
            on_change=_on_draft_change,
            args=(current,),
            placeholder="Type your answer; it is saved as you go and submitted automatically when time runs out.",
        )
    c1 = c2 = st.container(horizontal=True)
    if submitted is None:
        # A click with text was applied by _sync at the top of this rerun; here only an empty answer remains.
        if c1.button("Submit answer", type="primary", icon=":material/send:", key=SUBMIT_KEY):
            components.prepare_answer(st.session_state.get(key, ""), context.settings())
    else:
        c1.caption(
            "Submitted"
            + (" late (not counted)" if submitted.late else "")
            + (" automatically" if submitted.auto else "")
        )
    if c2.button("Finish quiz now", icon=":material/stop:", key="timed_finish"):
        _apply_expiry(state["quiz"].finish(context.now()), bank)
        _persist(state["quiz"], SessionStatus.FINISHED)
        st.rerun()


def render() -> None:
    st.title("Timed quiz")
    with context.guard("The Timed quiz page"):
        bank = resources.bank(context.settings())
        state = _state()
        if state is None or state["quiz"].user != context.user():
            _setup(bank)
            return
        quiz = _sync(bank)
        for notice in state.pop("notices", []):
            if notice.endswith(" submitted."):
                st.toast(notice, icon=":material/check:")  # routine: a toast is enough
            else:
                st.info(notice, icon=":material/timer:")  # time ran out or late: this must stay visible
        if state.get("store_error"):
            st.error(
                f"Progress cannot be saved: {state['store_error']}. The quiz goes on; your answers stay on this page.",
                icon=":material/database:",
            )
        if quiz.finished_at is not None:
            _results(bank, quiz)
            return
        _countdown()
        _question_view(bank, state["quiz"])
