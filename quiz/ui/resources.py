"""Shared resources, created once per process with ``st.cache_resource`` and shared by all sessions.

Functions:
    bank(settings)        the question bank (reloaded when the bank file changes)
    grader(settings)      the grader over the configured embedder (model loaded once, spinner on first load)
    store(settings)       the attempt store, or ``None`` when it cannot be opened (the error is shown once per run)
    store_error()         the message of the last failure to open the store, if any

Cached objects are shared across threads, so they are only read after creation
(the store opens a connection per operation).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import streamlit as st

from quiz.errors import BankError, GradingError, StorageError
from quiz.settings import Settings

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.store import AttemptStore

__all__ = ["bank", "grader", "store", "store_error"]

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


def grader(settings: Settings) -> Any:
    """The grader for the configured model and weights; the first call loads the model under a spinner.

    A test may put its own grader object under ``st.session_state["_grader"]`` (same ``grade`` method).
    """
    injected = st.session_state.get(GRADER_KEY)
    if injected is not None:
        return injected
    with st.spinner(f"Loading the grading model ({settings.embedding_model}) — first time only…"):
        return _load_grader(
            settings.embedding_model,
            settings.semantic_weight,
            settings.keyword_weight,
            settings.relevance_weight,
            settings.cache_dir,
            settings.max_answer_chars,
        )


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
