"""Shared resources, created once per process with ``st.cache_resource`` and shared by all sessions.

Functions:
    bank(settings)        the question bank (reloaded when the bank file changes)
    grader(settings)      the grader over the configured embedder (model loaded once, spinner on first load)
    warm_up(settings, questions)   load the grader and embed these questions' references in the background
    store(settings)       the attempt store, or ``None`` when it cannot be opened (the error is shown once per run)
    store_error()         the message of the last failure to open the store, if any

Cached objects are shared across threads, so they are only read after creation
(the store opens a connection per operation).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import streamlit as st

from quiz.errors import BankError, GradingError, StorageError
from quiz.settings import Settings

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.models import Question
    from quiz.store import AttemptStore

__all__ = ["bank", "grader", "store", "store_error", "warm_up"]

_STORE_ERROR_KEY = "_store_error"
GRADER_KEY = "_grader"


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_bank(path: str, mtime: float) -> Bank:
    from quiz.bank.bank import load_bank

    return load_bank(path)


def bank(settings: Settings) -> Bank:
    """The bank at ``settings.bank_path``; raises ``BankError`` with the path when it is missing."""
    try:
        mtime = os.path.getmtime(settings.bank_path)
    except OSError:
        raise BankError(
            f"question bank file not found: {settings.bank_path} (build it with `python -m quiz bank build`)"
        ) from None
    return _load_bank(settings.bank_path, mtime)


@st.cache_resource(show_spinner=False, max_entries=3)
def _load_embedder(name: str) -> Any:
    try:
        from quiz.grading.embedders import load_embedder
    except ImportError as exc:
        raise GradingError(f"the embedding models cannot be loaded: {exc}") from None
    return load_embedder(name)


@st.cache_resource(show_spinner=False, max_entries=6)
def _load_grader(
    model: str, semantic: float, keyword: float, relevance: float, cache_dir: str, max_answer_chars: int
) -> Any:
    try:
        from quiz.grading.grader import Grader
    except ImportError as exc:  # a broken install should read as a grading failure, not a traceback
        raise GradingError(f"the grader cannot be loaded: {exc}") from None
    return Grader(
        _load_embedder(model),
        semantic_weight=semantic,
        keyword_weight=keyword,
        relevance_weight=relevance,
        cache_dir=cache_dir,
        max_answer_chars=max_answer_chars,
    )


def _grader_args(settings: Settings) -> tuple[Any, ...]:
    return (
        settings.embedding_model,
        settings.semantic_weight,
        settings.keyword_weight,
        settings.relevance_weight,
        settings.cache_dir,
        settings.max_answer_chars,
    )


# One background worker for every session: warm-ups queue behind each other instead of loading a
# model several times in parallel. Keys already queued are remembered so reruns queue nothing new.
_WARMUP_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quiz-warmup")
_WARMUP_LOCK = threading.Lock()
_WARMUP_QUEUED: set[tuple[Any, ...]] = set()
_WARMED: set[tuple[Any, ...]] = set()  # grader arguments whose grader is loaded (touched by the worker only)
WARMUP_DELAY_S = 1.5
_WARMUP_MAX_KEYS = 4096  # bounded memory; a forgotten key only means a (cheap, cached) second warm-up


def warm_up(settings: Settings, questions: Sequence[Question] = ()) -> None:
    """Load the grader and embed ``questions``' references in the background, so the first Submit is fast.

    Pages call this as soon as a question is on screen: the user reads and types while the model loads.
    Never blocks and never raises (a failure here shows up, clearly, when the answer is graded). Does
    nothing when a test injected its own grader.
    """
    if st.session_state.get(GRADER_KEY) is not None:
        return
    args = _grader_args(settings)
    key = (*args, *(q.id for q in questions))
    with _WARMUP_LOCK:
        if key in _WARMUP_QUEUED:
            return
        if len(_WARMUP_QUEUED) >= _WARMUP_MAX_KEYS:
            _WARMUP_QUEUED.clear()
        _WARMUP_QUEUED.add(key)
    _WARMUP_POOL.submit(_warm, args, tuple(questions))


def _warm(args: tuple[Any, ...], questions: tuple[Question, ...]) -> None:
    if args not in _WARMED:
        # Let the browser draw the first page before the model load takes the CPU: measured with
        # scripts/measure_cold_start.py, loading at once delayed the first question by ~0.8 s on 2 cores.
        time.sleep(WARMUP_DELAY_S)
    try:
        loaded = _load_grader(*args)  # the same cache entry (and per-key lock) grader() uses
        _WARMED.add(args)
        if questions:
            loaded.prepare(questions)
    except Exception:  # noqa: BLE001 - a warm-up is an optimisation; grading reports the real error
        return


def grader(settings: Settings) -> Any:
    """The grader for the configured model and weights; the first call loads the model under a spinner.

    A test may put its own grader object under ``st.session_state["_grader"]`` (same ``grade`` method).
    """
    injected = st.session_state.get(GRADER_KEY)
    if injected is not None:
        return injected
    with st.spinner(f"Loading the grading model ({settings.embedding_model}) — first time only…"):
        return _load_grader(*_grader_args(settings))


@st.cache_resource(show_spinner=False, max_entries=4)
def _open_store(url: str) -> AttemptStore:
    from quiz.store import AttemptStore

    return AttemptStore(url)


def store(settings: Settings) -> AttemptStore | None:
    """The attempt store, or ``None`` when it cannot be opened (corrupt or locked file).

    A failed open is not cached, so fixing the file and rerunning recovers.
    """
    try:
        result = _open_store(settings.database_url)
        st.session_state.pop(_STORE_ERROR_KEY, None)
        return result
    except StorageError as exc:
        st.session_state[_STORE_ERROR_KEY] = str(exc)
        return None


def store_error() -> str | None:
    return st.session_state.get(_STORE_ERROR_KEY)
