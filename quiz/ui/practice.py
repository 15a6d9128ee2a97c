"""Practice page: one question at a time, graded on submit, saved at once, try again as often as you like.

Functions:
    render()   the page

State: ``st.session_state["practice"]`` holds the ``PracticeSession`` (question order, position,
every attempt) and the result shown for each question. Each answer box is keyed by question id
and mirrored into a draft key, so the text survives page switches, grading errors and storage
failures.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from quiz.errors import QuizError
from quiz.models import Attempt, Question
from quiz.sessions.practice import PracticeSession
from quiz.ui import components, context, resources, services

__all__ = ["render"]

STATE_KEY = "practice"
ORDERS = ("Random", "Weakest first", "Due for review", "Bank order")


def _answer_key(question_id: str) -> str:
    return f"practice_answer_{question_id}"


def _draft_key(question_id: str) -> str:
    return f"practice_draft_{question_id}"


def _keep_draft(question_id: str) -> None:
    st.session_state[_draft_key(question_id)] = st.session_state.get(_answer_key(question_id), "")


def _filters(bank: Any, expanded: bool) -> dict[str, Any] | None:
    """The selection form; returns the filters when the user starts a new round."""
    questions = list(bank.questions)
    topics = list(bank.topics())
    sources = sorted({s for q in questions for s in q.sources})
    with (
        st.expander("Choose questions", expanded=expanded, icon=":material/filter_list:"),
        st.form("practice_filters", border=False),
    ):
        c1, c2 = st.columns(2)
        chosen_topics = c1.multiselect("Topics", topics, placeholder="All topics", format_func=bank.topic_label)
        difficulties = c2.multiselect("Difficulty", ["easy", "medium", "hard"], placeholder="Any difficulty")
        c3, c4 = st.columns(2)
        chosen_sources = c3.multiselect("Source", sources, placeholder="All sources")
        order = c4.selectbox("Order", ORDERS, help="Weakest first and due for review use your history.")
        only_ref = st.checkbox("Only questions with a reference answer", value=True)
        if st.form_submit_button("Start", icon=":material/play_arrow:", type="primary"):
            return {
                "topics": chosen_topics,
                "difficulties": difficulties,
                "sources": chosen_sources,
                "order": order,
                "only_with_reference": only_ref,
            }
    return None


def _start(bank: Any, filters: dict[str, Any]) -> dict[str, Any]:
    settings, now = context.settings(), context.now()
    ids = services.select_for_practice(settings, bank, filters, user=context.user(), now=now)
    state = {"session": PracticeSession.start(ids, user=context.user(), now=now), "results": {}, "filters": filters}
    st.session_state[STATE_KEY] = state
    return state


def _earlier_scores(question_id: str, current: Attempt) -> list[float | None]:
    state = st.session_state[STATE_KEY]
    attempts = {a.id: a for a in state["session"].attempts_for(question_id)}
    store = resources.store(context.settings())
    if store is not None:
        try:
            attempts.update({a.id: a for a in store.attempts(user=context.user(), question_id=question_id)})
        except QuizError:
            pass  # earlier scores are a nicety; a storage failure is reported where the attempt is saved
    ordered = sorted((a for a in attempts.values() if a.id != current.id), key=lambda a: a.submitted_at)
    return [a.score for a in ordered]


def _submit(question: Question, answer: str) -> None:
    settings = context.settings()
    prepared = components.prepare_answer(answer, settings)
    if prepared is None:
        return
    _, notices = prepared
    state = st.session_state[STATE_KEY]
    with st.spinner("Grading…"):
        session, attempt = state["session"].answer(
            question,
            answer,  # the full text is stored; services.grade cuts it to max_answer_chars for grading
            grade=lambda q, text: services.grade(settings, q, text),
            now=context.now(),
            attempt_id=context.new_id(),
        )
    state["session"] = session
    saved, message = services.save_attempt(settings, attempt)
    state["results"][question.id] = {"attempt": attempt, "notices": notices, "saved": saved, "save_error": message}


def _show_result(question: Question, result: dict[str, Any]) -> None:
    attempt: Attempt = result["attempt"]
    for notice in result["notices"]:
        st.info(notice, icon=":material/content_cut:")
    if not result["saved"] and not services.is_unsaved(attempt.id):
        result["saved"] = True  # saved since, by a later submit or the sidebar's "Retry saving"
    if not result["saved"]:
        st.error(
            f"This attempt could not be saved: {result['save_error']}. "
            "Your grade is shown and your answer is kept in the box above and in this session; "
            "it is saved as soon as the database works again.",
            icon=":material/database:",
        )
        if st.button("Retry saving", icon=":material/sync:", key="practice_retry_save"):
            _count, message = services.retry_unsaved(context.settings())
            if services.is_unsaved(attempt.id):
                result["save_error"] = message
            else:
                result["saved"] = True
                st.toast("Your attempt was saved.", icon=":material/check:")
            st.rerun()
    assert attempt.grade is not None
    components.show_grade(attempt.grade, question)
    earlier = _earlier_scores(question.id, attempt)
    if earlier:
        scores = ", ".join("—" if s is None else f"{s:.0f}" for s in earlier[-8:])
        st.caption(f"Your earlier scores on this question: {scores} → now {attempt.score or 0:.0f}")
    services.show_llm_feedback(context.settings(), question, attempt)
    components.show_references(question, best_index=attempt.grade.reference_index)


def _finished(bank: Any, session: PracticeSession) -> None:
    st.success(f"Round finished: {len(session.question_ids)} questions, {len(session.attempts)} attempts.")
    rows = [
        {"question": bank.get(qid).text, "best score": session.best_score(qid), "skipped": qid in session.skipped}
        for qid in session.question_ids
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    if st.button("Practise these again", icon=":material/replay:"):
        st.session_state[STATE_KEY] = {
            "session": PracticeSession.start(session.question_ids, user=context.user(), now=context.now()),
            "results": {},
        }
        st.rerun()


def render() -> None:
    st.title("Practice")
    with context.guard("The Practice page"):
        bank = resources.bank(context.settings())
        new_filters = _filters(bank, expanded=False)
        state = st.session_state.get(STATE_KEY)
        if new_filters is not None or state is None or state["session"].user != context.user():
            state = _start(bank, new_filters or {"order": "Random", "only_with_reference": True})
        session: PracticeSession = state["session"]
        if not session.question_ids:
            st.warning("No question matches these filters. Widen the topics, difficulty or source.")
            return
        if session.is_finished:
            _finished(bank, session)
            return
        question = bank.get(session.current_question_id)
        done, total = session.progress
        st.progress(done / total, text=f"Question {done + 1} of {total}")
        components.question_header(question, topic_label=bank.topic_label)
        if not question.has_reference:
            st.info("This question has no reference answer, so it will not be scored — your answer is still saved.")

        key = _answer_key(question.id)
        if key not in st.session_state:
            st.session_state[key] = st.session_state.get(_draft_key(question.id), "")
        result = state["results"].get(question.id)
        st.text_area(
            "Your answer (English or 中文)",
            key=key,
            height=220,
            on_change=_keep_draft,
            args=(question.id,),
            placeholder="Explain it as you would in the interview…",
        )
        c1 = c2 = st.container(horizontal=True)
        if result is None:
            if c1.button("Submit", type="primary", icon=":material/send:", key="practice_submit"):
                _keep_draft(question.id)
                _submit(question, st.session_state.get(key, ""))
                if question.id in state["results"]:
                    st.rerun()  # redraw with the answer box locked and "Try again" offered
        elif c1.button("Try again", icon=":material/replay:", key="practice_retry"):
            state["results"].pop(question.id, None)
            st.rerun()
        label = "Next question" if result is not None else "Skip"
        if c2.button(label, icon=":material/skip_next:", key="practice_next"):
            state["results"].pop(question.id, None)
            state["session"] = session.next(context.now()) if result is not None else session.skip(context.now())
            st.rerun()
        if result is not None:
            st.divider()
            _show_result(question, result)
        else:
            # Last, so the page is drawn first: the model loads in the background while the user types.
            resources.warm_up(context.settings(), [question])
