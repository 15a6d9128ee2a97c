"""The pages' calls into the backend, in one place, with failures turned into UI messages.

Functions:
    grade(settings, question, text)                 grade one answer with the cached grader
    save_attempt(settings, attempt)                 record an attempt; (saved, error message)
    attempts_for(store, user, question_id)          a user's stored attempts on one question
    select_for_practice(settings, bank, filters, user, now)   question ids for a practice round
    show_llm_feedback(settings, question, attempt)  optional LLM feedback, streamed under the grade
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import streamlit as st

from quiz.errors import QuizError, StorageError
from quiz.models import Attempt, GradeResult, Question
from quiz.settings import Settings
from quiz.ui import resources

if TYPE_CHECKING:
    from quiz.feedback import LLMFeedback

__all__ = ["attempts_for", "grade", "save_attempt", "select_for_practice", "show_llm_feedback"]


def grade(settings: Settings, question: Question, text: str) -> GradeResult:
    """Grade ``text``; answers longer than ``settings.max_answer_chars`` are cut first (the caller stores the full text)."""
    return resources.grader(settings).grade(question, text[: settings.max_answer_chars])


def save_attempt(settings: Settings, attempt: Attempt) -> tuple[bool, str | None]:
    """Record ``attempt``; on a storage failure return (False, message) instead of raising."""
    store = resources.store(settings)
    if store is None:
        return False, resources.store_error() or "the attempt store is unavailable"
    try:
        store.record(attempt)
    except StorageError as exc:
        return False, str(exc)
    return True, None


def attempts_for(store: Any, user: str, question_id: str) -> list[Attempt]:
    return list(store.attempts(user=user, question_id=question_id))


def select_for_practice(
    settings: Settings, bank: Any, filters: dict[str, Any], *, user: str, now: datetime
) -> list[str]:
    """Question ids matching ``filters`` in the chosen order (weakest first / due for review use the store)."""
    from quiz.sessions.practice import select_questions

    order = filters.get("order", "Random")
    history: list[Attempt] = []
    if order in ("Weakest first", "Due for review"):
        store = resources.store(settings)
        if store is not None:
            try:
                history = list(store.attempts(user=user))
            except StorageError:
                history = []
    questions = select_questions(
        bank.questions,
        topics=filters.get("topics") or None,
        difficulties=filters.get("difficulties") or None,
        sources=filters.get("sources") or None,
        only_with_reference=bool(filters.get("only_with_reference", False)),
        order={
            "Random": "random",
            "Weakest first": "weakest_first",
            "Due for review": "due_first",
            "Bank order": "bank",
        }[order],
        attempts=history,
        now=now,
    )
    return [q.id for q in questions]


def show_llm_feedback(settings: Settings, question: Question, attempt: Attempt) -> None:
    """LLM feedback below the grade when an endpoint is configured; the offline grade stands alone otherwise.

    The markdown feedback streams in with ``st.write_stream`` (the grade is already on screen, so
    nothing waits for the LLM); its structured form (LLM score beside the offline score) follows.
    Results and failures are kept per attempt in session state, so reruns neither repeat the
    request nor wait on a failing endpoint again; a button retries. Never raises.
    """
    if not settings.llm_enabled or attempt.grade is None:
        return
    from quiz.feedback import LLMFeedback

    cache: dict[str, Any] = st.session_state.setdefault(_LLM_CACHE_KEY, {})
    with st.container(border=True):
        st.markdown("**LLM feedback** :gray[(advice only — the offline grade is the score)]")
        cached = cache.get(attempt.id)
        if isinstance(cached, LLMFeedback):
            _show_llm_record(cached, attempt.grade, settings)
            return
        if isinstance(cached, str):
            _show_llm_unavailable(cached, attempt.id, cache)
            return
        answer = attempt.answer[: settings.max_answer_chars]
        try:
            client = _llm_client(settings)
            if client is None:
                st.caption("LLM feedback is not configured.")
                return
            scores_slot = st.container()  # filled once the score is known, above the streamed text
            raw: list[str] = []  # the model's own text; what st.write_stream returns is the escaped copy
            st.write_stream(_safe_chunks(client.stream_feedback(question, answer, attempt.grade), raw))
            streamed = "".join(raw)
            record = client.record_from_stream(streamed, question)
            if record is None:  # the model ignored the layout: ask for the structured form instead
                with st.spinner("Reading the LLM's score…"):
                    record = client.feedback(question, answer, attempt.grade)
                streamed = ""
        except QuizError as exc:
            cache[attempt.id] = str(exc)
            _show_llm_unavailable(str(exc), attempt.id, cache)
            return
        cache[attempt.id] = record
        _store_llm_feedback(settings, attempt, record)
        if streamed:
            with scores_slot:
                _show_llm_record(record, attempt.grade, settings, text_shown=True)
        else:
            _show_llm_record(record, attempt.grade, settings)


_LLM_CACHE_KEY = "_llm_feedback"  # attempt id -> LLMFeedback, or the failure message
# Characters that let model text (which may echo the candidate's answer) pull in images or links,
# raw HTML, Streamlit colour directives or math. Escaped one character at a time, so it is safe on
# any chunk boundary while headings, bullets and emphasis still render.
_LLM_MD_UNSAFE = re.compile(r"([\\\[\]<>$])")


def _safe_md(text: str) -> str:
    return _LLM_MD_UNSAFE.sub(r"\\\1", text)


def _safe_chunks(chunks: Iterator[str], raw: list[str]) -> Iterator[str]:
    for chunk in chunks:
        raw.append(chunk)
        yield _safe_md(chunk)


@st.cache_resource(show_spinner=False)
def _llm_client(settings: Settings) -> Any:
    """One feedback client per endpoint configuration, shared so its reply cache and format fallback persist."""
    from quiz.feedback import feedback_client_from_settings

    return feedback_client_from_settings(settings)


def _store_llm_feedback(settings: Settings, attempt: Attempt, record: LLMFeedback) -> None:
    """Add the feedback to the stored attempt (``llm_feedback``/``llm_score``); the offline grade is not touched."""
    store = resources.store(settings)
    if store is None:
        return
    try:
        # Only an attempt that was saved gets its feedback saved: a failed save stays visibly unsaved.
        if any(a.id == attempt.id for a in store.attempts(user=attempt.user, question_id=attempt.question_id)):
            store.record(dataclasses.replace(attempt, llm_feedback=record.as_markdown(), llm_score=record.llm_score))
    except QuizError:
        pass  # advice only; the attempt itself is already stored


def _show_llm_unavailable(message: str, attempt_id: str, cache: dict[str, Any]) -> None:
    st.caption(f"LLM feedback unavailable: {message}")
    if st.button("Retry LLM feedback", key=f"llm_retry_{attempt_id}", icon=":material/refresh:"):
        cache.pop(attempt_id, None)
        st.rerun()


def _show_llm_record(record: LLMFeedback, grade: GradeResult, settings: Settings, *, text_shown: bool = False) -> None:
    """The LLM score beside the offline score (and the blend, if set), then the feedback text unless streamed."""
    from quiz.feedback import blended_score

    cols = st.columns(3 if settings.llm_score_blend > 0 else 2)
    cols[0].metric("Offline score", "—" if grade.score is None else f"{grade.score:.0f} / 100")
    cols[1].metric("LLM score", "—" if record.llm_score is None else f"{record.llm_score:.0f} / 100")
    if settings.llm_score_blend > 0:
        shown = blended_score(grade.score, record.llm_score, settings.llm_score_blend)
        cols[2].metric(
            "Blended",
            "—" if shown is None else f"{shown:.0f} / 100",
            help=f"(1 − {settings.llm_score_blend:g}) × offline + {settings.llm_score_blend:g} × LLM; "
            "the stored grade stays the offline one.",
        )
    if not text_shown:
        st.markdown(_safe_md(record.as_markdown()))
    st.caption(f"Model: `{record.model}`")
