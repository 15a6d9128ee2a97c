"""AppTest: every page renders without an exception; the bank page searches across scripts; settings apply."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

PAGES = ["practice", "timed_quiz", "mock_interview", "history", "reports", "question_bank", "settings"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(
    make_app: Callable[..., AppTest], goto: Callable[[AppTest, str], AppTest], page: str
) -> None:
    at = goto(make_app(), page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value


def test_app_starts_without_secrets_file_and_with_secrets(make_app: Callable[..., AppTest]) -> None:
    at = make_app()
    assert not at.exception
    at2 = AppTest.from_file(at._script_path, default_timeout=60)
    at2.secrets["user_name"] = "secret-user"
    at2.secrets["unrelated_key"] = "ignored"
    at2.run()
    assert not at2.exception
    assert at2.session_state["_settings"].user_name == "secret-user"


@pytest.mark.parametrize(
    ("query", "expected_fragment"),
    [
        ("微调", "微調"),  # simplified query finds a traditional question
        ("注意力", "自注意力"),
        ("ATTENTION", "Self-Attention"),
        ("bert gpt", "BERT and GPT"),
    ],
)
def test_bank_search_matches_across_scripts_and_case(
    make_app: Callable[..., AppTest], goto: Callable[[AppTest, str], AppTest], query: str, expected_fragment: str
) -> None:
    at = goto(make_app(), "question_bank")
    at.text_input(key="bank_query").set_value(query).run()
    labels = [e.label for e in at.expander]
    assert len(labels) == 1 and expected_fragment in labels[0], labels


def test_bank_search_can_look_inside_references(
    make_app: Callable[..., AppTest], goto: Callable[[AppTest, str], AppTest]
) -> None:
    at = goto(make_app(), "question_bank")
    at.text_input(key="bank_query").set_value("softmax").run()
    assert not at.expander
    at.checkbox(key="bank_in_refs").check().run()
    assert len(at.expander) == 1


def test_settings_llm_key_is_session_only_and_never_shown(
    make_app: Callable[..., AppTest], goto: Callable[[AppTest, str], AppTest]
) -> None:
    at = goto(make_app(), "settings")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Base URL"].set_value("http://127.0.0.1:9/v1")
    form_inputs["Model"].set_value("fake-model")
    form_inputs["API key"].set_value("sk-very-secret")
    at.button(key="FormSubmitter:llm_form-Apply for this session").click().run()
    assert not at.exception
    settings = at.session_state["_settings"]
    assert settings.llm_enabled and settings.llm_api_key == "sk-very-secret"
    shown = " ".join(str(j.value) for j in at.json) + " ".join(m.value for m in at.markdown)
    assert "sk-very-secret" not in shown


def test_settings_profile_name_switches_user(
    make_app: Callable[..., AppTest], goto: Callable[[AppTest, str], AppTest]
) -> None:
    at = goto(make_app(), "settings")
    name_box = next(t for t in at.text_input if t.label == "Your name")
    name_box.set_value("ada")
    at.button(key="FormSubmitter:profile_form-Use this profile").click().run()
    assert not at.exception
    assert at.session_state["_user"] == "ada"


def test_profile_preferences_are_saved_and_restored(
    make_app: Callable[..., AppTest], goto: Callable[[AppTest, str], AppTest], app_env: object
) -> None:
    at = goto(make_app(), "settings")
    next(t for t in at.text_input if t.label == "Your name").set_value("lin")
    at.button(key="FormSubmitter:profile_form-Use this profile").click().run()
    at.number_input[0].set_value(5000)
    at.button(key="FormSubmitter:grading_form-Apply").click().run()
    assert at.session_state["_settings"].max_answer_chars == 5000

    fresh = goto(make_app(), "settings")  # a new session starts as guest with defaults
    assert fresh.session_state["_settings"].max_answer_chars != 5000
    next(t for t in fresh.text_input if t.label == "Your name").set_value("lin")
    fresh.button(key="FormSubmitter:profile_form-Use this profile").click().run()
    fresh.run()
    assert fresh.session_state["_settings"].max_answer_chars == 5000
