"""Fixtures for AppTest: a tmp SQLite store, the small UI bank and the fast 'hashing' embedder via env vars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
UI_BANK = Path(__file__).resolve().parent / "data" / "ui_bank.json"


@pytest.fixture
def ui_bank_path() -> Path:
    return UI_BANK


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "quiz.db"


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_path: Path) -> Path:
    """Point the app at a tmp database, the UI bank and the hashing embedder; returns the db path."""
    monkeypatch.setenv("QUIZ_DATABASE_URL", f"sqlite:///{db_path}")
    monkeypatch.setenv("QUIZ_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("QUIZ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QUIZ_BANK_PATH", str(UI_BANK))
    return db_path


class FakeClock:
    """A settable clock for the app (``st.session_state['_clock']``)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(app_env: Path) -> Callable[..., AppTest]:
    """A fresh AppTest over streamlit_app.py (run once, so pages can be switched)."""

    def make(**state: object) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in state.items():
            at.session_state[key] = value
        return at.run()

    return make


@pytest.fixture
def goto() -> Callable[[AppTest, str], AppTest]:
    """Switch to ``quiz/ui/pages/<page>.py`` and run."""

    def go(at: AppTest, page: str) -> AppTest:
        return at.switch_page(f"quiz/ui/pages/{page}.py").run()

    return go
