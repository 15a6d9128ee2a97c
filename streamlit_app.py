"""Streamlit entry point: a router plus a frame.

Builds ``Settings`` from the environment, ``st.secrets`` (keys are the lower-case field
names; the file may be absent) and this session's overrides from the Settings page, stores
them in session state for the pages, draws the shared sidebar and runs the selected page.
This is the only place in the app that reads the environment or secrets.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import streamlit as st

from quiz.errors import ConfigError
from quiz.settings import Settings
from quiz.ui import context, resources, services
from quiz.ui.components import md_escape

PAGES_DIR = Path(__file__).resolve().parent / "quiz" / "ui" / "pages"
PAGES = (  # file stem under PAGES_DIR (also the URL path), title, icon
    ("practice", "Practice", ":material/edit_note:"),
    ("timed_quiz", "Timed quiz", ":material/timer:"),
    ("mock_interview", "Mock interview", ":material/forum:"),
    ("history", "History & progress", ":material/history:"),
    ("reports", "Reports", ":material/insights:"),
    ("question_bank", "Question bank", ":material/menu_book:"),
    ("settings", "Settings", ":material/settings:"),
)
GROUPS = {
    "Practise": ("practice", "timed_quiz", "mock_interview"),
    "Progress": ("history", "reports"),
    "Setup": ("question_bank", "settings"),
}


def _secrets() -> dict[str, Any]:
    """Setting values from ``st.secrets``; an absent or unreadable secrets file means none."""
    names = {f.name for f in dataclasses.fields(Settings)}
    try:
        return {k: v for k, v in st.secrets.to_dict().items() if k in names}
    except (FileNotFoundError, KeyError, TypeError, ValueError):
        # No secrets.toml (StreamlitSecretNotFoundError is a FileNotFoundError) or a malformed one:
        # the app still starts on the environment and defaults.
        return {}


def build_settings() -> Settings:
    """env (+ QUIZ_CONFIG file) < st.secrets < this session's overrides."""
    try:
        base = Settings.from_env()
        secrets = _secrets()
        if secrets:
            values = {k: v for k, v in base.public_dict().items()} | {"llm_api_key": base.llm_api_key} | secrets
            base = Settings.from_mapping(values)
    except ConfigError as exc:
        st.error(f"Settings are invalid, using defaults: {exc}")
        base = Settings()
    overrides = st.session_state.get(context.OVERRIDES_KEY) or {}
    if overrides:
        try:
            base = base.replace(**overrides)
        except (ConfigError, TypeError) as exc:
            st.error(f"Your session settings are invalid and were ignored: {exc}")
    return base


def main() -> None:
    st.set_page_config(page_title="Interview quiz", page_icon=":material/school:", layout="wide")
    settings = build_settings()
    st.session_state[context.SETTINGS_KEY] = settings
    by_name = {
        name: st.Page(PAGES_DIR / f"{name}.py", title=title, icon=icon, default=name == "practice")
        for name, title, icon in PAGES
    }
    st.session_state[context.PAGES_KEY] = by_name
    pages = {group: [by_name[name] for name in names] for group, names in GROUPS.items()}
    page = st.navigation(pages)
    with st.sidebar:
        st.caption(f"Signed in as **{md_escape(context.user())}** · model `{settings.embedding_model}`")
        if settings.llm_enabled:
            st.caption(f"LLM feedback: `{settings.llm_model}`")
        if resources.store(settings) is None:
            st.warning(
                f"Saving is off — the attempt store cannot be used: {resources.store_error()}. "
                "You can still practise; answers stay on the page.",
                icon=":material/database:",
            )
        unsaved = services.unsaved_attempts()
        if unsaved:
            st.warning(
                f"{len(unsaved)} answer(s) not saved yet — kept in this browser session and saved "
                "as soon as the database works again.",
                icon=":material/sync_problem:",
            )
            if st.button("Retry saving", key="retry_unsaved", icon=":material/sync:"):
                saved, message = services.retry_unsaved(settings)
                if message:
                    st.error(f"Still not saved: {message}")
                else:
                    st.toast(f"{saved} answer(s) saved.", icon=":material/check:")
                    st.rerun()
    page.run()


main()
