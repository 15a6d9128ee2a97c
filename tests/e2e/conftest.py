"""Fixtures for the browser tests: the small UI test bank."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def ui_bank_path() -> Path:
    return Path(__file__).resolve().parents[1] / "ui" / "data" / "ui_bank.json"
