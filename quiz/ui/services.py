"""The pages' calls into the backend, in one place, with failures turned into UI messages.

Functions:
    grade(settings, question, text)                 grade one answer with the cached grader
    save_attempt(settings, attempt)                 record an attempt and move its review card; (saved, error message)
    unsaved_attempts(), is_unsaved(id)              attempts kept in the session after a failed save
    retry_unsaved(settings)                         save the kept attempts again; (saved count, error message)
    update_review_card(store, attempt)              apply one graded attempt to its FSRS review card
    due_questions(store, user, history, now)        question ids due for review, most overdue first
    attempts_for(store, user, question_id)          a user's stored attempts on one question
    select_for_practice(settings, bank, filters, user, now)   question ids for a practice round
    show_llm_feedback(settings, question, attempt)  optional LLM feedback, streamed under the grade
    llm_client(settings)                            the shared LLM client, or None without an endpoint
    closing_assessment(settings, facts, language)   LLM rewording of a mock interview's assessment
    unfinished_sessions(kind, noun)                 the user's active timed quizzes / interviews, or a warning
    save_session(kind, session, status)             store a timed quiz / interview's state; None or an error message
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

__all__ = [
    "attempts_for",
    "closing_assessment",
    "due_questions",
    "grade",
    "is_unsaved",
    "llm_client",
    "retry_unsaved",
    "save_attempt",
    "select_for_practice",
    "show_llm_feedback",
    "unsaved_attempts",
    "update_review_card",
]


def grade(settings: Settings, question: Question, text: str) -> GradeResult:
    """Grade ``text``; answers longer than ``settings.max_answer_chars`` are cut first (the caller stores the full text)."""
    return resources.grader(settings).grade(question, text[: settings.max_answer_chars])


def save_attempt(settings: Settings, attempt: Attempt) -> tuple[bool, str | None]:
    """Record ``attempt``; on a storage failure return (False, message) instead of raising.

    A failed attempt is kept in this session (``unsaved_attempts``) and saved again, oldest first,
    before the next attempt or when the user presses "Retry saving": a locked or briefly unreachable
    database loses no answer.
    """
    _unsaved()[attempt.id] = attempt
    _count, message = retry_unsaved(settings)
    if attempt.id in _unsaved():
        return False, message or "the attempt store is unavailable"
    return True, None


def unsaved_attempts() -> list[Attempt]:
    """Attempts of this session whose save failed and that are waiting to be saved, oldest first."""
    return sorted(_unsaved().values(), key=lambda a: (a.submitted_at, a.id))


def is_unsaved(attempt_id: str) -> bool:
    return attempt_id in _unsaved()


def retry_unsaved(settings: Settings) -> tuple[int, str | None]:
    """Save the kept attempts, oldest first (so review cards see them in order); (saved count, error or None).

    Stops at the first failure: the database is still locked or broken, and the rest would fail the same way.
    """
    pending = unsaved_attempts()
    if not pending:
        return 0, None
    store = resources.store(settings)
    if store is None:
        return 0, resources.store_error() or "the attempt store is unavailable"
    feedback = st.session_state.get(_LLM_CACHE_KEY) or {}
    saved = 0
    for attempt in pending:
        record = feedback.get(attempt.id)
        if hasattr(record, "as_markdown"):  # LLM feedback that arrived while the attempt was unsaved
            attempt = dataclasses.replace(attempt, llm_feedback=record.as_markdown(), llm_score=record.llm_score)
        try:
            store.record(attempt)
        except StorageError as exc:
            return saved, str(exc)
        _unsaved().pop(attempt.id, None)
        update_review_card(store, attempt)
        saved += 1
    return saved, None


_UNSAVED_KEY = "_unsaved_attempts"  # attempt id -> Attempt whose save failed


def _unsaved() -> dict[str, Attempt]:
    return st.session_state.setdefault(_UNSAVED_KEY, {})


def update_review_card(store: Any, attempt: Attempt) -> bool:
    """Move the attempt's FSRS review card (what "Due for review" and the Reports queue read); True when saved.

    Mirrors ``quiz.reports.rebuild_cards``: every graded attempt on a question with a reference is a
    review (a late one rates Again). A failure here is not reported: the attempt itself is saved and
    the cards can always be rebuilt from the history, so it must not turn a saved answer into an error.
    """
    from quiz.models import Band

    if attempt.grade is None or attempt.grade.band == Band.UNGRADED:
        return False
    from quiz.reports.review import update_card

    try:
        cards = store.review_cards(attempt.user)
        current = next((c.card_json for c in cards if c.question_id == attempt.question_id), None)
        card_json, due_at = update_card(current, attempt.score, attempt.submitted_at, late=attempt.late)
        store.save_review_card(attempt.user, attempt.question_id, card_json, due_at)
    except (StorageError, ValueError):
        return False
    return True


def attempts_for(store: Any, user: str, question_id: str) -> list[Attempt]:
    return list(store.attempts(user=user, question_id=question_id))


def select_for_practice(
    settings: Settings, bank: Any, filters: dict[str, Any], *, user: str, now: datetime
) -> list[str]:
    """Question ids matching ``filters`` in the chosen order (weakest first / due for review use the store)."""
    from quiz.sessions.practice import select_questions

    order = filters.get("order", "Random")
    history: list[Attempt] = []
    due: list[str] | None = None
    if order in ("Weakest first", "Due for review"):
        store = resources.store(settings)
        if store is not None:
            try:
                history = list(store.attempts(user=user))
                if order == "Due for review":
                    due = due_questions(store, user, history, now)
            except StorageError:
                history, due = [], None
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
        due=due,
        now=now,
    )
    return [q.id for q in questions]


def due_questions(store: Any, user: str, history: list[Attempt], now: datetime) -> list[str]:
    """Question ids whose FSRS card is due at ``now``, most overdue first.

    A history recorded before cards were kept is replayed (``rebuild_cards``) instead of counting as "nothing due".
    """
    from quiz.reports.review import rebuild_cards, review_queue

    cards = [tuple(c) for c in store.review_cards(user)]
    if not cards and history:
        cards = [(qid, card, due_at) for qid, (card, due_at) in rebuild_cards(history).items()]
    return list(review_queue(cards, now))


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


def llm_client(settings: Settings) -> Any:
    """The shared LLM feedback client for these settings, or None when no endpoint is configured."""
    return _llm_client(settings) if settings.llm_enabled else None


def closing_assessment(settings: Settings, facts: str, language: str) -> tuple[str | None, str | None]:
    """The LLM's rephrasing of a mock interview's rule-based assessment: (text, None) or (None, why not).

    Returns (None, None) without an endpoint. The verdict and scores stay the offline ones: the
    model only rewords them, and any failure leaves the rule-based text in place.
    """
    try:
        client = llm_client(settings)
        if client is None:
            return None, None
        text = client.closing_assessment(facts, language)
    except QuizError as exc:
        return None, str(exc)
    return (text, None) if text.strip() else (None, "the model returned an empty reply")


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


def unfinished_sessions(kind: Any, noun: str) -> list[Any]:
    """The current user's active sessions of ``kind`` (newest first); a warning and [] when they can't be listed.

    ``noun`` names the sessions in the messages ("Quizzes", "Interviews").
    """
    from quiz.store.records import SessionStatus
    from quiz.ui import context

    store = resources.store(context.settings())
    if store is None:
        st.warning(f"{noun} cannot be saved or resumed: {resources.store_error()}", icon=":material/database:")
        return []
    try:
        return list(store.sessions(user=context.user(), kind=kind, status=SessionStatus.ACTIVE))
    except StorageError as exc:
        st.warning(f"Unfinished {noun.lower()} cannot be listed: {exc}")
        return []


def save_session(kind: Any, session: Any, status: Any) -> str | None:
    """Store the state of a timed quiz or mock interview so it survives a restart.

    ``session`` has ``id``, ``user``, ``started_at`` and ``to_dict()``. Returns None when saved, else the
    message to show (a storage failure is never raised into the page).
    """
    from quiz.store.records import SessionRecord
    from quiz.ui import context

    store = resources.store(context.settings())
    if store is None:
        return resources.store_error() or "the attempt store is unavailable"
    record = SessionRecord(
        id=session.id,
        user=session.user,
        kind=kind,
        status=status,
        state=session.to_dict(),
        created_at=session.started_at,
        updated_at=context.now(),
    )
    try:
        store.save_session(record)
    except StorageError as exc:
        return str(exc)
    return None
