"""Per-session values every page needs, read from ``st.session_state``.

Functions:
    settings()        the Settings built by ``streamlit_app.py`` for this run (with session overrides)
    now()             current UTC time; a test may inject ``st.session_state["_clock"]``
    user()            the active user profile name
    page(name)        the registered ``st.Page`` for links between pages
    guard(title)      context manager: a ``QuizError`` becomes an ``st.error`` instead of a traceback
    new_id()          a fresh random id for attempts and sessions

``streamlit_app.py`` is the only place that reads the environment and ``st.secrets``;
it stores the result under ``SETTINGS_KEY`` before a page runs.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from quiz.errors import QuizError
from quiz.settings import Settings

__all__ = [
    "CLOCK_KEY",
    "OVERRIDES_KEY",
    "PAGES_KEY",
    "SETTINGS_KEY",
    "USER_KEY",
    "guard",
    "new_id",
    "now",
    "page",
    "settings",
    "user",
]

SETTINGS_KEY = "_settings"
OVERRIDES_KEY = "_settings_overrides"  # per-session changes made on the Settings page (LLM key included)
CLOCK_KEY = "_clock"
USER_KEY = "_user"
PAGES_KEY = "_pages"  # page name -> st.Page, registered by streamlit_app.py for st.page_link/st.switch_page


def settings() -> Settings:
    """The settings for this run; falls back to defaults when a page runs without the router."""
    value = st.session_state.get(SETTINGS_KEY)
    return value if isinstance(value, Settings) else Settings()


def now() -> datetime:
    """Current time (timezone-aware UTC). Tests put a no-argument callable under ``CLOCK_KEY``."""
    clock = st.session_state.get(CLOCK_KEY)
    if callable(clock):
        value = clock()
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def user() -> str:
    """The active user profile name (Settings page), defaulting to ``settings().user_name``."""
    name = st.session_state.get(USER_KEY)
    return str(name) if name else settings().user_name


def page(name: str) -> Any:
    """The ``st.Page`` registered under ``name`` (e.g. "reports"), or its file path when run without the router."""
    pages = st.session_state.get(PAGES_KEY) or {}
    return pages.get(name) or f"quiz/ui/pages/{name}.py"


def new_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def guard(what: str = "This page") -> Iterator[None]:
    """Show expected failures (``QuizError``) as a clear error message; the rest of the app keeps working."""
    try:
        yield
    except QuizError as exc:
        st.error(f"{what} could not finish: {exc}", icon=":material/error:")
