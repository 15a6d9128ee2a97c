"""Mock interview page: a chat where the interviewer asks, follows up on missed key points, and sums up.

Functions:
    render()   the page

The state machine is ``quiz.sessions.mock.MockInterview``; every answer's attempt is stored at once
and the interview state is saved after each turn, so an interrupted interview can be resumed.
"""

from __future__ import annotations

import random
from typing import Any

import streamlit as st

from quiz.errors import QuizError
from quiz.models import SessionKind
from quiz.sessions.mock import MockInterview
from quiz.store.records import SessionStatus
from quiz.ui import components, context, resources, services

__all__ = ["render"]

STATE_KEY = "mock"


def _persist(interview: MockInterview) -> str | None:
    status = SessionStatus.FINISHED if interview.is_finished else SessionStatus.ACTIVE
    return services.save_session(SessionKind.MOCK, interview, status)


def _phrase_hook() -> Any:
    """The LLM's phrasing of follow-ups when an endpoint is set, else None (the template is used).

    The shared client keeps its reply cache; a failing endpoint raises ``FeedbackUnavailable``, on which
    the interview falls back to the template follow-up.
    """
    try:
        client = services.llm_client(context.settings())
    except QuizError:
        return None
    return client.phrase_followup if client is not None else None


def _language(interview: MockInterview) -> str:
    """"zh" when most questions are Chinese (the assessment is written in the interview's language)."""
    from quiz.feedback.prompts import question_language

    chinese = sum(question_language(q.text) == "zh" for q in interview.questions)
    return "zh" if chinese * 2 > len(interview.questions) else "en"


def _with_topic_labels(text: str, bank: Any, language: str) -> str:
    """The assessment with topic ids ("transformer-attention") replaced by their labels in ``language``."""
    for topic_id in sorted(bank.topics(), key=len, reverse=True):  # longest first: no id is part of a longer one
        text = text.replace(topic_id, bank.topic_label(topic_id, language))
    return text


def _closing(state: dict[str, Any], interview: MockInterview, bank: Any) -> dict[str, str | None]:
    """The closing assessment: the LLM's rewording when configured, else (or on failure) the rule-based one.

    Asked once per interview and kept in the state, so reruns do not call the endpoint again.
    """
    closing = state.get("closing")
    if closing is None or closing.get("id") != interview.id:
        facts = _with_topic_labels(interview.summary().assessment, bank, _language(interview))
        with st.spinner("The interviewer is writing the assessment…"):
            text, problem = services.closing_assessment(context.settings(), facts, _language(interview))
        closing = {"id": interview.id, "text": text or facts, "by_llm": "yes" if text else None, "problem": problem}
        state["closing"] = closing
    return closing


def _setup(bank: Any) -> None:
    _resume_section()
    st.subheader("New interview")
    with st.form("mock_setup"):
        c1, c2 = st.columns(2)
        count = c1.number_input("Questions", min_value=1, max_value=20, value=3)
        threshold = c2.slider("Follow up when the score is below", 0, 100, 70)
        topics = st.multiselect("Topics", list(bank.topics()), format_func=bank.topic_label, placeholder="All topics")
        start = st.form_submit_button("Start the interview", type="primary", icon=":material/forum:")
    if start:
        pool = [q for q in bank.questions if not topics or set(topics) & set(q.topics)]
        try:
            interview = MockInterview.start(
                pool,
                n=int(count),
                rng=random.Random(),
                user=context.user(),
                now=context.now(),
                session_id=context.new_id(),
                followup_threshold=float(threshold),
            )
        except ValueError as exc:
            st.warning(f"Cannot start: {exc}.")
            return
        st.session_state[STATE_KEY] = {"interview": interview, "notes": {}, "store_error": _persist(interview)}
        st.rerun()


def _resume_section() -> None:
    unfinished = services.unfinished_sessions(SessionKind.MOCK, "Interviews")
    if not unfinished:
        return
    store = resources.store(context.settings())  # not None: it just listed the sessions
    st.subheader("Unfinished interviews")
    for record in unfinished[:5]:
        interview = MockInterview.from_dict(record.state)
        c1, c2, c3 = st.columns([3, 1, 1])
        c1.markdown(
            f"Started {interview.started_at:%Y-%m-%d %H:%M} UTC · question {interview.index + 1} of {len(interview.questions)}"
        )
        if c2.button("Resume", key=f"mock_resume_{record.id}", icon=":material/play_arrow:"):
            st.session_state[STATE_KEY] = {"interview": interview, "notes": {}}
            st.rerun()
        if c3.button("Discard", key=f"mock_discard_{record.id}", icon=":material/delete:"):
            store.set_session_status(record.id, SessionStatus.ABANDONED, now=context.now())
            st.rerun()


def _transcript(interview: MockInterview, notes: dict[int, str], closing: str | None = None) -> None:
    """The chat so far. Bank question texts render as markdown; other interviewer lines (follow-ups,
    possibly written by an LLM that echoes the answer) cannot pull in links, images or HTML.
    ``closing`` replaces the final assessment line once the interview is over.
    """
    asked = {q.text for q in interview.questions}
    last = len(interview.transcript) - 1
    for i, (role, text) in enumerate(interview.transcript):
        if role == "interviewer":
            if closing is not None and i == last:
                text = closing
            with st.chat_message("assistant", avatar=":material/record_voice_over:"):
                st.markdown(text if text in asked else components.md_safe(text))
        else:
            with st.chat_message("user"):
                st.markdown(components.md_escape(text[:5000]) + ("…" if len(text) > 5000 else ""))
                if i in notes:
                    st.caption(notes[i])


def _summary(bank: Any, interview: MockInterview, closing: dict[str, str | None]) -> None:
    summary = interview.summary()
    st.divider()
    st.subheader("Summary")
    m1, m2 = st.columns(2)
    m1.metric("Overall", "—" if summary.overall is None else f"{summary.overall:.0f} / 100")
    m2.metric("Recommendation", summary.verdict.capitalize())
    if closing.get("by_llm"):
        st.caption(
            f"The closing words above are the LLM's (`{context.settings().llm_model}`) rewording of the offline "
            "scores; the scores and the recommendation are computed offline."
        )
    elif closing.get("problem"):
        st.caption(f"LLM assessment unavailable ({closing['problem']}); the rule-based assessment is shown.")
    rows = [
        {
            "question": bank.get(t.question_id).text if t.question_id in bank else t.question_id,
            "first answer": t.score,
            "after follow-up": t.followup_score,
            "final": t.final_score,
        }
        for t in summary.turns
    ]
    score = st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f", width="small")
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "question": st.column_config.TextColumn("question", width="large"),
            "first answer": score,
            "after follow-up": score,
            "final": score,
        },
    )
    if summary.topics:
        _topic_chart({bank.topic_label(t.topic): t.score for t in summary.topics})


def _topic_chart(scores: dict[str, float]) -> None:
    """Final score per topic on a fixed 0–100 axis (an auto-scaled axis made 10/100 look like a full bar)."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame({"topic": list(scores), "score": list(scores.values())})
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="final score"),
            y=alt.Y("topic:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            tooltip=["topic:N", alt.Tooltip("score:Q", format=".0f")],
        )
        .properties(height=40 * len(frame) + 30)
    )
    st.altair_chart(chart, width="stretch")


def render() -> None:
    st.title("Mock interview")
    with context.guard("The Mock interview page"):
        settings = context.settings()
        bank = resources.bank(settings)
        state = st.session_state.get(STATE_KEY)
        if state is None or state["interview"].user != context.user():
            _setup(bank)
            return
        interview: MockInterview = state["interview"]
        if state.get("store_error"):
            st.error(
                f"This interview cannot be saved: {state['store_error']}. It goes on here.", icon=":material/database:"
            )
        closing = _closing(state, interview, bank) if interview.is_finished else None
        _transcript(interview, state["notes"], closing["text"] if closing else None)
        if closing is not None:
            _summary(bank, interview, closing)
            if st.button("New interview", type="primary", icon=":material/add:"):
                st.session_state.pop(STATE_KEY, None)
                st.rerun()
            return
        resources.warm_up(settings, interview.questions)
        st.caption(
            f"Question {interview.index + 1} of {len(interview.questions)}"
            + (" · follow-up" if interview.phase.value == "follow_up" else "")
        )
        text = st.chat_input("Your answer (English or 中文)", max_chars=None, key="mock_input")
        if st.button("End the interview now", icon=":material/stop:"):
            state["interview"] = interview.finish(context.now())
            state["store_error"] = _persist(state["interview"])
            st.rerun()
        if text is not None:
            if components.prepare_answer(text, settings) is None:
                return
            position = len(interview.transcript)
            with st.spinner("The interviewer is thinking…"):
                step = interview.answer(
                    text,
                    grade=lambda q, t: services.grade(settings, q, t),
                    now=context.now(),
                    phrase_followup=_phrase_hook(),
                    attempt_id=context.new_id(),
                )
            saved, message = services.save_attempt(settings, step.attempt)
            score = step.attempt.score
            note = "score —" if score is None else f"score {score:.0f}/100"
            if step.improvement is not None:
                note += f" ({step.improvement:+.0f} after the follow-up)"
            state["notes"][position] = note
            state["interview"] = step.interview
            state["store_error"] = message if not saved else _persist(step.interview)
            st.rerun()
