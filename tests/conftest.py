"""Shared fixtures. Environment variables that could reach a real service are removed for every test."""

from __future__ import annotations

import pytest

_LEAKY_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "QUIZ_CONFIG", "HF_HUB_OFFLINE")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("QUIZ_"):
            monkeypatch.delenv(name, raising=False)
