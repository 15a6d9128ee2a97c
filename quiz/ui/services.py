"""The pages' calls into the backend, in one place, with failures turned into UI messages.

Functions:
    grade(settings, question, text)                 grade one answer with the cached grader
    save_attempt(settings, attempt)                 record an attempt; (saved, error message)
    attempts_for(store, user, question_id)          a user's stored attempts on one question
    select_for_practice(settings, bank, filters, user, now)   question ids for a practice round
    show_llm_feedback(settings, question, attempt)  optional LLM feedback, streamed under the grade
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from quiz.errors import FeedbackUnavailable, QuizError, StorageError
from quiz.models import Attempt, GradeResult, Question
from quiz.settings import Settings
from quiz.ui import resources

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
    """Stream LLM feedback below the grade when an endpoint is configured; the offline grade stands alone otherwise."""
    if not settings.llm_enabled or attempt.grade is None:
        return
    cache: dict[str, Any] = st.session_state.setdefault("_llm_feedback", {})
    with st.container(border=True):
        st.markdown("**LLM feedback** :gray[(advice only — the score above is the offline grade)]")
        if attempt.id in cache:
            _show_llm_record(cache[attempt.id])
            return
        try:
            from quiz.feedback import feedback_client_from_settings

            client = feedback_client_from_settings(settings)
            if client is None:
                st.caption("LLM feedback is not configured.")
                return
            with st.spinner("Asking the LLM…"):
                record = client.feedback(question, attempt.answer[: settings.max_answer_chars], attempt.grade)
        except FeedbackUnavailable as exc:
            st.caption(f"LLM feedback unavailable: {exc}")
            return
        except QuizError as exc:
            st.caption(f"LLM feedback unavailable: {exc}")
            return
        cache[attempt.id] = record
        _show_llm_record(record)


def _show_llm_record(record: Any) -> None:
    from quiz.ui.components import md_escape

    score = getattr(record, "llm_score", None)
    if score is not None:
        st.caption(f"LLM score: {score:.0f} / 100")
    for label, name in (("Covered", "covered"), ("Missing", "missing")):
        items = getattr(record, name, None)
        if items:
            st.markdown(f"**{label}:**\n" + "\n".join(f"- {md_escape(str(i))}" for i in items))
    improved = getattr(record, "improved_answer", None)
    if improved:
        with st.expander("A stronger answer (LLM)"):
            st.markdown(md_escape(str(improved)))
    if not any(getattr(record, n, None) for n in ("covered", "missing", "improved_answer")):
        st.markdown(md_escape(str(record)))
